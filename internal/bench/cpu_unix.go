//go:build unix

package main

import (
	"syscall"
	"time"
)

// selfCPU is the CPU time the bench's own process has used so far.
func selfCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
