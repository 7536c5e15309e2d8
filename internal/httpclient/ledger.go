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
	// liveTempPrefix and saltTempPrefix begin the names of a live file and a salt being made.
	liveTempPrefix = "live-"
	saltTempPrefix = "salt-"
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
	dir *ledgerDir
	// name is the ledger's file in dir, path its path (for messages).
	name, path    string
	owner         uint64
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
// from it. Where no ledger can be kept, see openLedgerDir.
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
	d, err := openLedgerDir(dir, now)
	if err != nil {
		return nil, err
	}
	salt, err := ledgerSalt(d.root)
	if err != nil {
		return nil, err
	}
	// The format's version is hashed in: a build that writes another format keeps another ledger.
	sum := sha256.Sum256(append(append(salt, ledgerFormat...), share...))
	var owner [8]byte
	if _, err := rand.Read(owner[:]); err != nil {
		return nil, err
	}
	name := hex.EncodeToString(sum[:16]) + ledgerSuffix
	l := &ledger{
		dir: d, name: name, path: filepath.Join(d.path, name),
		owner: binary.LittleEndian.Uint64(owner[:]),
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

// ledgerDir is this process's handle on a ledgers' directory, made once per directory: the
// directory, checked (privateDir) and opened, through which every file in it is reached, and the
// process's proc there, whose live file it holds. Reached through the open directory, not by its
// path, the files stay out of reach of whoever could rename a directory above it later on.
type ledgerDir struct {
	root *os.Root
	path string
	proc uint64
}

// ledgerDirs holds this process's ledgerDirs by path. They are never closed: the live files they
// hold must stay locked until the process ends.
var ledgerDirs struct {
	sync.Mutex
	m map[string]*ledgerDir
}

// openLedgerDir returns this process's ledgerDir of dir, made, checked and opened on first use,
// when the stale files in it are also pruned. No ledger is kept in a directory that others may
// write in (privateDir), nor on a network file system: the pids of other machines' processes mean
// nothing here, and a server that stops answering would hold the pacer in the kernel.
func openLedgerDir(dir string, now time.Time) (*ledgerDir, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	ledgerDirs.Lock()
	defer ledgerDirs.Unlock()
	if d, ok := ledgerDirs.m[dir]; ok {
		return d, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// The parent is opened, and the directory checked and opened through it: the directory opened
	// is the one checked, in the parent checked, whatever is renamed meanwhile.
	parent, err := os.OpenRoot(filepath.Dir(dir))
	if err != nil {
		return nil, err
	}
	defer func() { _ = parent.Close() }()
	checked, err := privateDir(parent, filepath.Base(dir), dir)
	if err != nil {
		return nil, err
	}
	if name, err := networkFileSystemOf(dir); err != nil || name != "" {
		if err == nil {
			err = fmt.Errorf("%s is on a network file system (%s), which processes of other machines may share", dir, name)
		}
		return nil, err
	}
	root, err := parent.OpenRoot(filepath.Base(dir)) // never through a link, never a FIFO
	if err != nil {
		return nil, err
	}
	// The directory opened must be the one checked, not one put in its place since.
	opened, err := root.Stat(".")
	if err == nil && !os.SameFile(checked, opened) {
		err = errors.New("it was replaced while it was opened")
	}
	if err != nil {
		_ = root.Close()
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		_ = root.Close()
		return nil, err
	}
	d := &ledgerDir{root: root, path: dir, proc: binary.LittleEndian.Uint64(b[:]) | 1} // never 0, which marks a process gone
	if err := holdLive(root, liveName(d.proc)); err != nil {
		_ = root.Close()
		return nil, err
	}
	pruneLedgers(d, now)
	if ledgerDirs.m == nil {
		ledgerDirs.m = map[string]*ledgerDir{}
	}
	ledgerDirs.m[dir] = d
	return d, nil
}

// tempName is a new name for a file being made in a ledgers' directory, prefix its kind.
func tempName(prefix string) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return prefix + hex.EncodeToString(b[:]) + tempSuffix, nil
}

// ledgerSalt returns the salt of the ledgers' directory dir, made on first use: 32 random bytes,
// readable by the user only. It is written whole before it is renamed into place, so no one reads
// half of it. A salt that is not there, or is no salt (cut short by a power loss before it reached
// the disk), is made anew, or the ledger would be off for good; only under the lock of the file
// salt.lock, by the one process that finds it still missing or broken there, so that processes
// that start together all use the salt it made. Any other error reading it is returned.
func ledgerSalt(dir *os.Root) ([]byte, error) {
	read := func() ([]byte, error) {
		f, err := dir.OpenFile("salt", os.O_RDONLY|openNoFollow, 0)
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
			return nil, fmt.Errorf("%w: %w", errNoSalt, err)
		}
		return salt, nil
	}
	replaceable := func(err error) bool { return errors.Is(err, os.ErrNotExist) || errors.Is(err, errNoSalt) }
	if b, err := read(); !replaceable(err) {
		return b, err
	}
	lock, err := dir.OpenFile("salt.lock", os.O_RDWR|os.O_CREATE|openNoFollow, 0o600)
	if err != nil {
		return nil, err
	}
	defer func() { _ = lock.Close() }() // closing the file unlocks it
	if err := patiently(func() error { return lockFile(lock) }); err != nil {
		return nil, err
	}
	if b, err := read(); !replaceable(err) {
		return b, err // made by the process that held the lock before, or unreadable
	}
	name, err := tempName(saltTempPrefix)
	if err != nil {
		return nil, err
	}
	defer func() { _ = dir.Remove(name) }()
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	if err := dir.WriteFile(name, []byte(hex.EncodeToString(salt)), 0o600); err != nil {
		return nil, err
	}
	if err := dir.Rename(name, "salt"); err != nil {
		return nil, err
	}
	return read()
}

// errNoSalt: the salt file holds no salt.
var errNoSalt = errors.New("the salt file holds no salt")

// liveName is the live file of process proc.
func liveName(proc uint64) string {
	return strconv.FormatUint(proc, 16) + liveSuffix
}

// pruneLedgers removes the ledgers of d that nobody has used for ledgerStale (a test's sandbox, a
// rotated key), the files a process killed while it made them left there as long, and the live
// files of processes that are gone (never this process's own). A process that opened one of them
// at that very moment keeps pacing on the removed file, unseen by the processes that come after
// it, as if on another machine: the sharing rule deals with that. It takes only regular files of
// the names this package gives (ledgerFileKind).
func pruneLedgers(d *ledgerDir, now time.Time) {
	f, err := d.root.Open(".")
	if err != nil {
		return
	}
	entries, err := f.ReadDir(-1)
	_ = f.Close()
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		switch kind := ledgerFileKind(name); {
		case kind == "" || !e.Type().IsRegular(): // not one of its files: left alone
		case kind == liveSuffix:
			if name != liveName(d.proc) {
				liveAt(d.root, name) // removes the live file of a process that is gone
			}
		default:
			if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > ledgerStale {
				_ = d.root.Remove(name)
			}
		}
	}
}

// ledgerFileKind is the suffix of name when it is a name this package gives a file in a ledgers'
// directory, spelled exactly as it does (a ledger, a live file, a file being made), and "" for any
// other name: the salt and its lock, which are kept, and whatever else is there, which the prune
// leaves alone.
func ledgerFileKind(name string) string {
	isHex := func(s string, shortest, longest int) bool {
		return len(s) >= shortest && len(s) <= longest && strings.Trim(s, "0123456789abcdef") == ""
	}
	stem := func(suffix string) (string, bool) { return strings.CutSuffix(name, suffix) }
	if s, ok := stem(ledgerSuffix); ok && isHex(s, 32, 32) {
		return ledgerSuffix
	}
	if s, ok := stem(liveSuffix); ok && isHex(s, 1, 16) && s[0] != '0' { // as liveName spells a proc, never 0
		return liveSuffix
	}
	if s, ok := stem(tempSuffix); ok {
		for _, prefix := range []string{liveTempPrefix, saltTempPrefix} {
			if h, ok := strings.CutPrefix(s, prefix); ok && isHex(h, 16, 16) {
				return tempSuffix
			}
		}
	}
	return ""
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
			return append(entries, ledgerEntry{owner: l.owner, id: id, proc: l.dir.proc, until: now.Add(l.lease).UnixNano(), flight: true})
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
		return append(entries, ledgerEntry{owner: l.owner, id: id, proc: l.dir.proc, until: until})
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
	f, err := l.dir.root.OpenFile(l.name, os.O_RDWR|os.O_CREATE|openNoFollow, 0o600)
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
	alive := map[uint64]bool{l.dir.proc: true}
	for _, e := range entries {
		if e.proc != 0 {
			up, known := alive[e.proc]
			if !known {
				up = liveAt(l.dir.root, liveName(e.proc))
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
