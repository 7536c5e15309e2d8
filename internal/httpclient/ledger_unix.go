//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package httpclient

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// ledgerSupported: flock(2) is the ledger's lock.
const ledgerSupported = true

// lockFile takes f's exclusive lock; closing f gives it back. Two opens of one file hold two locks,
// even in one process. Holders keep it for microseconds: one that keeps it for ledgerLockWait (a
// process stopped with Ctrl-Z at that moment, a network file system that lost its lock server) is
// not waited for, and the ledger is given up.
func lockFile(f *os.File) error {
	fd := int(f.Fd()) //nolint:gosec // G115: a file descriptor fits an int.
	for deadline := time.Now().Add(ledgerLockWait); ; {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case errors.Is(err, syscall.EWOULDBLOCK) && time.Now().Before(deadline):
			time.Sleep(time.Millisecond)
		case errors.Is(err, syscall.EINTR):
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errLedgerLocked
		default:
			return err
		}
	}
}

// processAlive reports whether process pid may still run: a process of another user (EPERM) does.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
