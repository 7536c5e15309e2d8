//go:build unix

package cpuprofile

import (
	"syscall"
	"time"
)

// ProcessCPU is the CPU time, user and system, that the calling process has used so far; ok is
// false when the system cannot say.
func ProcessCPU() (cpu time.Duration, ok bool) {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0, false
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano()), true
}
