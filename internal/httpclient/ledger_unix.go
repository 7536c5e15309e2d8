//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package httpclient

import (
	"errors"
	"os"
	"syscall"
)

// ledgerSupported: flock(2) is the ledger's lock.
const ledgerSupported = true

// lockFile takes f's exclusive lock if no one holds it, else it returns errLedgerBusy; closing f
// gives it back. Two opens of one file hold two locks, even in one process. It never waits in the
// kernel: a holder that keeps the lock (a process stopped with Ctrl-Z at that moment, a network file
// system that lost its lock server) would hold the caller there for good. Callers wait for it as
// they can (see ledger.patiently and windowPacer.claim).
func lockFile(f *os.File) error {
	fd := int(f.Fd()) //nolint:gosec // G115: a file descriptor fits an int.
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case errors.Is(err, syscall.EINTR):
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errLedgerBusy
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
