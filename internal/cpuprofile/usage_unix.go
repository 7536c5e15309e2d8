//go:build benchprofile && unix

package cpuprofile

import (
	"syscall"
	"time"
)

// processCPU is the CPU time, user and system, that the process has used so far.
func processCPU() (time.Duration, bool) {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0, false
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano()), true
}
