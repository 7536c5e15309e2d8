//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package httpclient

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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

// privateDir returns an error unless dir is a directory (not a link) of the user's that no one
// else may write in, and its parent one that no one else may rename it in: owned by the user or
// root, and writable by others only if sticky (as /tmp is). Anyone who could put a link in the
// ledgers' directory could make the pacer write over a file of the user's.
func privateDir(dir string) error {
	uid := os.Getuid()
	check := func(path string, own bool) error {
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		mode := info.Mode()
		switch {
		case !ok || !info.IsDir():
			return fmt.Errorf("%s is not a directory", path)
		case int(st.Uid) != uid && (own || st.Uid != 0):
			return fmt.Errorf("%s belongs to another user (uid %d)", path, st.Uid)
		case mode.Perm()&0o022 != 0 && (own || mode&os.ModeSticky == 0):
			return fmt.Errorf("%s may be written by other users (mode %v)", path, mode)
		}
		return nil
	}
	if err := check(dir, true); err != nil {
		return err
	}
	return check(filepath.Dir(dir), false)
}
