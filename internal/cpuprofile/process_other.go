//go:build !unix

package cpuprofile

import "time"

// ProcessCPU is not measured here: ok is always false.
func ProcessCPU() (cpu time.Duration, ok bool) { return 0, false }
