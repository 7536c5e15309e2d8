//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package httpclient

import (
	"errors"
	"os"
	"syscall"
)

// ledgerSupported: flock(2) is the ledger's lock.
const ledgerSupported = true

// lockFile takes f's exclusive lock, waiting for it; closing f gives it back. Two opens of one file
// hold two locks, even in one process.
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX) //nolint:gosec // G115: a file descriptor fits an int.
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// processAlive reports whether process pid may still run: a process of another user (EPERM) does.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
