//go:build benchprofile

// Package cpuprofile lets `make bench` measure the provider processes it runs, the real provider's
// and the ideal provider's alike. Built with the tag benchprofile (only the bench builds it so), a
// process that Terraform starts with:
//   - WEBHOOKS_CPUUSAGE set writes, at its end, the CPU time it used (user and system) to
//     WEBHOOKS_CPUUSAGE.<pid>, so that the bench tells the provider's CPU from Terraform's;
//   - WEBHOOKS_CPUPROFILE set writes a CPU profile of its whole life to WEBHOOKS_CPUPROFILE.<pid>,
//     and at its end a profile of everything it allocated to WEBHOOKS_CPUPROFILE.<pid>.allocs
//     (`go tool pprof -sample_index=alloc_space`), for what its garbage collection costs.
//
// Terraform starts a provider process for each walk of a command (validate, plan, apply), and each
// writes files of its own: the bench sums the CPU times, `go tool pprof` merges the profiles. A
// process that exits because its Terraform is gone (lifetime.go) writes none. Without the tag,
// Start does nothing: released builds have no such code.
package cpuprofile

import (
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
)

// Start starts what the environment asks for; call stop once the provider has been stopped.
func Start() (stop func()) {
	stopProfile := startProfile(os.Getenv("WEBHOOKS_CPUPROFILE"))
	usage := os.Getenv("WEBHOOKS_CPUUSAGE")
	return func() {
		stopProfile()
		if usage != "" {
			writeUsage(usage + "." + strconv.Itoa(os.Getpid()))
		}
	}
}

// writeUsage writes the CPU time the process has used, in nanoseconds, to path; where the system
// cannot say (ProcessCPU), it writes nothing, and the bench shows no split.
func writeUsage(path string) {
	cpu, ok := ProcessCPU()
	if !ok {
		return
	}
	if err := os.WriteFile(path, []byte(strconv.FormatInt(cpu.Nanoseconds(), 10)+"\n"), 0o600); err != nil { //nolint:gosec // G703: the bench names the file.
		log.Print(err)
	}
}

// startProfile starts a CPU profile into path.<pid> when path is set.
func startProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path + "." + strconv.Itoa(os.Getpid())) //nolint:gosec // G304: the bench names the file.
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
		// The allocation profile is as of the last collection: bring it up to date.
		runtime.GC()
		a, err := os.Create(f.Name() + ".allocs") //nolint:gosec // G304: the bench names the file.
		if err != nil {
			log.Print(err)
			return
		}
		if err := pprof.Lookup("allocs").WriteTo(a, 0); err != nil {
			log.Print(err)
		}
		_ = a.Close()
	}
}
