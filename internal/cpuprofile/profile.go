//go:build benchprofile

// Package cpuprofile lets `make bench -cpuprofile` profile the provider processes it runs, the real
// provider's and the ideal provider's alike. Built with the tag benchprofile (only the bench builds
// it so), a process that Terraform starts with WEBHOOKS_CPUPROFILE set writes a CPU profile of its
// whole life to WEBHOOKS_CPUPROFILE.<pid>, and at its end a profile of everything it allocated to
// WEBHOOKS_CPUPROFILE.<pid>.allocs (`go tool pprof -sample_index=alloc_space`), for what its garbage
// collection costs: Terraform starts a provider process for each walk of a command (validate, plan,
// apply), and each gets profiles of its own, which `go tool pprof` merges. A process that exits
// because its Terraform is gone (lifetime.go) writes neither. Without the tag, Start does nothing:
// released builds have no such code.
package cpuprofile

import (
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
)

// Start starts profiling when WEBHOOKS_CPUPROFILE names a file; call stop once the provider has
// been stopped.
func Start() (stop func()) {
	path := os.Getenv("WEBHOOKS_CPUPROFILE")
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
