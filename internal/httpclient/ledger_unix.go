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

// openNoFollow makes an open fail on a symbolic link.
const openNoFollow = syscall.O_NOFOLLOW

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

// holdLive makes the live file name in dir, locked: a file of another name is created and locked,
// then renamed to name, so that a live file is never seen unlocked while its process runs (a
// process pruning gone ones would take it for one). The process then holds the lock until it ends:
// the file is never closed.
func holdLive(dir *os.Root, name string) error {
	tmp, err := tempName(liveTempPrefix)
	if err != nil {
		return err
	}
	f, err := dir.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err = lockFile(f); err == nil {
		err = dir.Rename(tmp, name)
	}
	if err != nil {
		_ = f.Close()
		_ = dir.Remove(tmp)
		return err
	}
	held = append(held, f)
	return nil
}

// held keeps the live files' handles, and so their locks, for the process's life. Callers of
// holdLive hold ledgerDirs' lock.
var held []*os.File

// liveAt reports whether the process whose live file is name in dir still runs: another holds the
// file's lock. A live file that is not there is of a process that is gone, and so is one whose
// lock this call takes; that one is removed (under the lock, so that no one else is removing it
// at the same time).
func liveAt(dir *os.Root, name string) bool {
	f, err := dir.OpenFile(name, os.O_RDWR|openNoFollow, 0)
	if err != nil {
		return !errors.Is(err, os.ErrNotExist) // a file that cannot be opened: not known to be gone
	}
	defer func() { _ = f.Close() }()
	if err := lockFile(f); err != nil {
		return true // its process holds the lock, or it cannot be told
	}
	_ = dir.Remove(name)
	return false
}

// privateDir returns the information of name, the ledgers' directory at path in the directory
// parent, unless it is a directory (not a link) of the user's that no one else may write in, in a
// parent that no one else may rename it in: owned by the user or root, and writable by others only
// if sticky (as /tmp is). Anyone who could put a link in its place could make the pacer write over a
// file of the user's. What is above the parent does not matter: the directory is opened through
// the parent once checked, and its files reached through it (ledgerDir).
func privateDir(parent *os.Root, name, path string) (os.FileInfo, error) {
	uid := os.Getuid()
	check := func(info os.FileInfo, path string, own bool) error {
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
	above, err := parent.Stat(".")
	if err != nil {
		return nil, err
	}
	if err := check(above, filepath.Dir(path), false); err != nil {
		return nil, err
	}
	info, err := parent.Lstat(name)
	if err != nil {
		return nil, err
	}
	if err := check(info, path, true); err != nil {
		return nil, err
	}
	return info, nil
}
