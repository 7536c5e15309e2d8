package httpclient

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The machine's ledger. Window pacers that share a rate limit (one key of one vendor at one base
// URL) keep to it together when they run on the same machine, whatever process they are in: the
// plan and the apply of one terraform apply, the parallel runs of a wrapper such as Terragrunt, the
// aliases of one configuration. Each limit has a ledger, a small file in the user's cache that lists
// every place taken in the last window: a pacer takes a place only if its own busy slots and the
// others' places leave room for it, records it, and records when its request ended. The file is
// locked while it is read and rewritten, so the n+1-requests argument of windowPacer holds across
// the processes: the places live in one table.
//
// A ledger entry is one line, "owner id proc until flight": owner is a random number of its pacer,
// id the place's number within it, proc a random number of its process, until (Unix nanoseconds)
// when the place is free again, and flight 1 while the request is out (until is then a lease: the
// longest an attempt may last, and a window). A process that is gone (killed while its request was
// out) sent that request before it was found gone: its place is free a window later.
//
// A process holds, for its whole life, the lock of its live file in the ledgers' directory, named
// by its proc; the kernel gives the lock back when the process ends, however it ends. A process is
// gone when its live file is not there or its lock is free. Unlike a pid, this holds across the pid
// namespaces of containers that share a cache volume, and a pid reused by another process does not
// keep a gone one alive. Clients of other machines are not in the ledger (nor is a ledger kept on a
// network file system); the sharing rule deals with them.
const (
	// ledgerDirName is the ledgers' directory in the user's cache directory.
	ledgerDirName = "terraform-provider-webhooks/pace"
	// ledgerSuffix ends a ledger's file name, liveSuffix a live file's, tempSuffix a file being
	// made (a live file before it is locked, a salt before it is written whole).
	ledgerSuffix = ".pace"
	liveSuffix   = ".live"
	tempSuffix   = ".tmp"
	// ledgerFormat names the format of the lines: it is part of what a ledger's name hashes.
	ledgerFormat = "proc-live-files\x00"
	// ledgerPoll is how soon a pacer held back by another process's request that is still out looks
	// again: that process's answer cannot wake it.
	ledgerPoll = 20 * time.Millisecond
	// ledgerStale is how long a ledger may lie untouched before it is removed: all it held ended
	// long before.
	ledgerStale = 24 * time.Hour
)

// A ledger's lock is held for the microseconds it takes to read and rewrite it. Who finds it held
// looks again every ledgerLockPoll; a pacer that found it held for ledgerLockWait gives the ledger
// up and goes on alone, rather than hang behind a holder that stopped.
// A pacer's looks at a locked ledger, ledgerLockPoll apart, are one row while no more than
// lockRowGap separates them.
const (
	ledgerLockPoll = time.Millisecond
	ledgerLockWait = time.Second
	lockRowGap     = 50 * ledgerLockPoll
)

var (
	// errLedgerUnsupported: this platform has no file lock the ledger can rely on.
	errLedgerUnsupported = errors.New("no file locking on this platform")
	// errLedgerBusy: another holds the ledger's lock.
	errLedgerBusy = errors.New("the ledger is locked")
)

// ledger is one pacer's handle on the ledger of its limit.
type ledger struct {
	dir, path     string
	owner, proc   uint64
	window, lease time.Duration
}

// ledgerEntry is one place in a ledger.
type ledgerEntry struct {
	owner, id uint64
	// proc is 0 once its process was found gone: until is then final.
	proc   uint64
	until  int64
	flight bool
}

// networkFileSystemOf is networkFileSystem, which a test may replace.
var networkFileSystemOf = networkFileSystem

// openLedger returns the ledger of the limit named share (credentials and base URL) in dir (empty:
// the user's cache directory), for a pacer whose requests are each out for at most attemptMax.
// The file's name is a salted hash of share: nothing of the credentials can be read or guessed
// from it. No ledger is kept in a directory that others may write in (privateDir), nor on a network
// file system: the pids of other machines' processes mean nothing here, and a server that stops
// answering would hold the pacer in the kernel.
func openLedger(dir, share string, window, attemptMax time.Duration, now time.Time) (*ledger, error) {
	if !ledgerSupported {
		return nil, errLedgerUnsupported
	}
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return nil, err
		}
		dir = filepath.Join(cache, filepath.FromSlash(ledgerDirName))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// Every file is then opened by the directory's real path, all of whose ancestors privateDir
	// checks: no one else can put a link on the way.
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, err
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	if err := privateDir(dir); err != nil {
		return nil, err
	}
	if name, err := networkFileSystemOf(dir); err != nil || name != "" {
		if err == nil {
			err = fmt.Errorf("%s is on a network file system (%s), which processes of other machines may share", dir, name)
		}
		return nil, err
	}
	salt, err := ledgerSalt(dir)
	if err != nil {
		return nil, err
	}
	proc, err := processLive(dir)
	if err != nil {
		return nil, err
	}
	pruneLedgers(dir, now, proc)
	// The format's version is hashed in: a build that writes another format keeps another ledger.
	sum := sha256.Sum256(append(append(salt, ledgerFormat...), share...))
	var owner [8]byte
	if _, err := rand.Read(owner[:]); err != nil {
		return nil, err
	}
	l := &ledger{
		dir: dir, path: filepath.Join(dir, hex.EncodeToString(sum[:16])+ledgerSuffix),
		owner: binary.LittleEndian.Uint64(owner[:]), proc: proc,
		// An attempt's place is in flight from its claim until its release is written, which may
		// wait for the lock: the lease covers both.
		window: window, lease: attemptMax + window + ledgerLockWait,
	}
	// A ledger that cannot be locked, read and written is no ledger.
	if err := patiently(func() error { return l.update(now, func(e []ledgerEntry) []ledgerEntry { return e }) }); err != nil {
		return nil, err
	}
	return l, nil
}

// ledgerSalt returns dir's salt, made on first use: 32 random bytes, readable by the user only.
// It is written whole before it is renamed into place, so no one reads half of it. A salt that
// cannot be read, or is no salt (cut short by a power loss before it reached the disk; left
// unreadable by a run as another user), is replaced, or the ledger would be off for good. A salt is
// made only under the lock of the file salt.lock, by the one process that finds it still missing
// or broken there: processes that start together all use the salt it made.
func ledgerSalt(dir string) ([]byte, error) {
	path := filepath.Join(dir, "salt")
	read := func() ([]byte, error) {
		f, err := os.OpenFile(path, os.O_RDONLY|openNoFollow, 0) //nolint:gosec // G304: the user's own cache directory.
		if err != nil {
			return nil, err
		}
		defer func() { _ = f.Close() }()
		b, err := io.ReadAll(io.LimitReader(f, 65))
		if err != nil {
			return nil, err
		}
		salt, err := hex.DecodeString(string(b))
		if err == nil && len(salt) != 32 {
			err = errors.New("not 32 bytes")
		}
		if err != nil {
			return nil, fmt.Errorf("%s is not a salt: %w", path, err)
		}
		return salt, nil
	}
	if b, err := read(); err == nil {
		return b, nil
	}
	lock, err := os.OpenFile(filepath.Join(dir, "salt.lock"), os.O_RDWR|os.O_CREATE|openNoFollow, 0o600) //nolint:gosec // G304: the user's own cache directory.
	if err != nil {
		return nil, err
	}
	defer func() { _ = lock.Close() }() // closing the file unlocks it
	if err := patiently(func() error { return lockFile(lock) }); err != nil {
		return nil, err
	}
	if b, err := read(); err == nil {
		return b, nil // made by the process that held the lock before
	}
	tmp, err := os.CreateTemp(dir, "salt-*"+tempSuffix)
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		_ = tmp.Close()
		return nil, err
	}
	_, err = tmp.WriteString(hex.EncodeToString(salt))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	return read()
}

// lives holds this process's live files (see processLive), by directory.
var lives struct {
	sync.Mutex
	proc map[string]uint64
}

// processLive returns this process's proc in dir, whose live file it creates, and whose lock it
// takes, on first use: the process holds it until it ends.
func processLive(dir string) (uint64, error) {
	lives.Lock()
	defer lives.Unlock()
	if proc, ok := lives.proc[dir]; ok {
		return proc, nil
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, err
	}
	proc := binary.LittleEndian.Uint64(b[:]) | 1 // never 0, which marks a process gone
	if err := holdLive(livePath(dir, proc)); err != nil {
		return 0, err
	}
	if lives.proc == nil {
		lives.proc = map[string]uint64{}
	}
	lives.proc[dir] = proc
	return proc, nil
}

// livePath is the live file of process proc in dir.
func livePath(dir string, proc uint64) string {
	return filepath.Join(dir, strconv.FormatUint(proc, 16)+liveSuffix)
}

// pruned holds the directories whose stale ledgers this process has removed.
var pruned sync.Map

// pruneLedgers removes, once a process, the ledgers of dir that nobody has used for ledgerStale (a
// test's sandbox, a rotated key), the files a process killed while it made them left there as
// long, and the live files of processes that are gone (never own's, this process's). A process that opened one of them at that very moment keeps
// pacing on the removed file, unseen by the processes that come after it, as if on another
// machine: the sharing rule deals with that.
func pruneLedgers(dir string, now time.Time, own uint64) {
	if _, done := pruned.LoadOrStore(dir, struct{}{}); done {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		switch info, err := e.Info(); {
		case err != nil:
		case (strings.HasSuffix(e.Name(), ledgerSuffix) || strings.HasSuffix(e.Name(), tempSuffix)) && now.Sub(info.ModTime()) > ledgerStale:
			_ = os.Remove(path)
		case strings.HasSuffix(e.Name(), liveSuffix) && path != livePath(dir, own):
			liveAt(path) // removes the live file of a process that is gone
		}
	}
}

// claim takes place id at now if the other pacers' places leave room, that is if fewer than room
// are taken; else it returns when to look again.
func (l *ledger) claim(now time.Time, id uint64, room int) (retry time.Time, err error) {
	err = l.update(now, func(entries []ledgerEntry) []ledgerEntry {
		others := 0
		for _, e := range entries {
			if e.owner == l.owner {
				continue
			}
			others++
			free := now.Add(time.Duration(e.until - now.UnixNano())) // keeps now's monotonic reading
			if poll := now.Add(ledgerPoll); e.flight && poll.Before(free) {
				free = poll
			}
			if retry.IsZero() || free.Before(retry) {
				retry = free
			}
		}
		if others < room {
			retry = time.Time{}
			return append(entries, ledgerEntry{owner: l.owner, id: id, proc: l.proc, until: now.Add(l.lease).UnixNano(), flight: true})
		}
		if retry.IsZero() {
			// No room even without the others: the caller's own places fill the limit.
			retry = now.Add(ledgerPoll)
		}
		return entries
	})
	return retry, err
}

// release records that the request of place id ended at now: the place is free a window later.
func (l *ledger) release(now time.Time, id uint64) error {
	until := now.Add(l.window).UnixNano()
	return l.update(now, func(entries []ledgerEntry) []ledgerEntry {
		for i, e := range entries {
			if e.owner == l.owner && e.id == id {
				entries[i].until, entries[i].flight = until, false
				return entries
			}
		}
		// Its lease ran out before the request ended (the machine was suspended): it counts again.
		return append(entries, ledgerEntry{owner: l.owner, id: id, proc: l.proc, until: until})
	})
}

// patiently calls op, which needs a ledger's lock, until it finds the lock free or has found it
// held for ledgerLockWait. Its caller holds no lock of its own: it may sleep.
func patiently(op func() error) error {
	for tries := ledgerLockWait / ledgerLockPoll; ; tries-- {
		err := op()
		if !errors.Is(err, errLedgerBusy) || tries == 0 {
			return err
		}
		time.Sleep(ledgerLockPoll)
	}
}

// update reads the ledger under its lock (errLedgerBusy if another holds it), drops the places that are free at now, settles those of
// processes that are gone, and writes back what change returns.
func (l *ledger) update(now time.Time, change func([]ledgerEntry) []ledgerEntry) error {
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE|openNoFollow, 0o600)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // closing the file unlocks it
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a ledger file", l.path)
	}
	if err := lockFile(f); err != nil {
		return err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	entries := parseLedger(string(b))
	live := entries[:0]
	alive := map[uint64]bool{l.proc: true}
	for _, e := range entries {
		if e.proc != 0 {
			up, known := alive[e.proc]
			if !known {
				up = liveAt(livePath(l.dir, e.proc))
				alive[e.proc] = up
			}
			if !up {
				e.proc, e.flight, e.until = 0, false, min(e.until, now.Add(l.window).UnixNano())
			}
		}
		// A place is never free later than its lease, or a window, from now: after the wall clock
		// was set back, the ledger holds no place for as long as it was set back.
		longest := l.window
		if e.flight {
			longest = l.lease
		}
		e.until = min(e.until, now.Add(longest).UnixNano())
		if e.until > now.UnixNano() {
			live = append(live, e)
		}
	}
	var out strings.Builder
	for _, e := range change(live) {
		flight := 0
		if e.flight {
			flight = 1
		}
		fmt.Fprintf(&out, "%x %x %x %d %d\n", e.owner, e.id, e.proc, e.until, flight)
	}
	// Written over the old text, then cut to length: a process killed in between leaves the old
	// places after the new ones (a cut line is dropped, or counts as one more place), never fewer
	// places than there are.
	if _, err := f.WriteAt([]byte(out.String()), 0); err != nil {
		return err
	}
	return f.Truncate(int64(out.Len()))
}

// parseLedger reads a ledger's lines; a line it cannot read (a write cut short by a crash) is
// dropped.
func parseLedger(s string) []ledgerEntry {
	var entries []ledgerEntry
	for line := range strings.Lines(s) {
		f := strings.Fields(line)
		if len(f) != 5 || !strings.HasSuffix(line, "\n") {
			continue
		}
		owner, err1 := strconv.ParseUint(f[0], 16, 64)
		id, err2 := strconv.ParseUint(f[1], 16, 64)
		proc, err3 := strconv.ParseUint(f[2], 16, 64)
		until, err4 := strconv.ParseInt(f[3], 10, 64)
		if err := errors.Join(err1, err2, err3, err4); err != nil || (f[4] != "0" && f[4] != "1") {
			continue
		}
		entries = append(entries, ledgerEntry{owner: owner, id: id, proc: proc, until: until, flight: f[4] == "1"})
	}
	return entries
}
