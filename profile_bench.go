//go:build benchprofile

package main

import (
	"log"
	"os"
	"runtime/pprof"
	"strconv"
)

// Built with the tag benchprofile (only `make bench -cpuprofile` does), the provider writes a CPU
// profile of its whole life to WEBHOOKS_CPUPROFILE.<pid>: Terraform starts a provider process for
// each walk of a command (validate, plan, apply), and each gets a profile of its own, which `go tool
// pprof` merges. Released builds have no such code.
func init() {
	path := os.Getenv("WEBHOOKS_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path + "." + strconv.Itoa(os.Getpid())) //nolint:gosec // G304: the bench names the file.
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	afterServe = func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}
