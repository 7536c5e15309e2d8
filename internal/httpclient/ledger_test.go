package httpclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// testShare is the limit the ledger tests share: Lune's sandbox key at a base URL.
const testShare = "http://127.0.0.1:1\x00" + sandbox.DefaultLuneTestKey

// ledgerPacer is the pacer of a new Lune client of a process on this machine, whose ledgers are
// kept in dir.
func ledgerPacer(t *testing.T, dir string) *windowPacer {
	t.Helper()
	p, ok := newPacer(Config{
		Settings:   Settings{RateLimit: luneRate, RateLedgerDir: dir, RequestTimeout: DefaultRequestTimeout},
		RateWindow: time.Second, RateReserved: luneReserved, RateShare: testShare,
	}, time.Now).(*windowPacer)
	if !ok || p.ledger == nil {
		t.Fatalf("the pacer has no ledger: %#v", p)
	}
	return p
}

// TestWindowPacer_sharedKeyOnOneMachine: TestWindowPacer_sharedKey's three processes, on one
// machine. They share the key through its ledger: none is refused, and together they keep Lune's
// pace.
func TestWindowPacer_sharedKeyOnOneMachine(t *testing.T) {
	needLedger(t)
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		sb := sandbox.New(sandbox.Config{})
		uses := make([]keyUse, 3)
		done := make(chan struct{})
		for i := range uses {
			go func() {
				defer func() { done <- struct{}{} }()
				uses[i] = useKey(t, sb, string(rune('A'+i)), ledgerPacer(t, dir), 300, uint64(i)+1)
			}()
		}
		for range uses {
			<-done
		}
		checkConverged(t, uses...)
		ok, refused, start, end := 0, 0, uses[0].start, uses[0].end
		for _, u := range uses {
			ok, refused = ok+u.ok, refused+u.refused
			start, end = minTime(start, u.start), maxTime(end, u.end)
		}
		rate := float64(ok) / end.Sub(start).Seconds()
		t.Logf("3 processes on one machine: %d requests, %d attempts refused, together %.1f/s over %.1fs", ok, refused, rate, end.Sub(start).Seconds())
		if ok != 900 || refused != 0 {
			t.Errorf("%d of 900 requests succeeded and %d attempts were refused, want all and none", ok, refused)
		}
		// 15 a second, less the round trips in each place's second: 14 when alone.
		if rate < 13.5 {
			t.Errorf("together %.1f requests/s, want at least 13.5", rate)
		}
	})
}

// TestWindowPacer_handoverOnOneMachine: TestWindowPacer_handover's worst case, a plan that used
// all of its last second, on one machine. The apply's client reads in the ledger what the plan
// used: nothing is refused, and it reserves nothing of its first second.
func TestWindowPacer_handoverOnOneMachine(t *testing.T) {
	needLedger(t)
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		sb := sandbox.New(sandbox.Config{})
		planPacer := ledgerPacer(t, dir)
		time.Sleep(time.Second)
		planStart := time.Now()
		plan := useKey(t, sb, "plan", planPacer, 15, 100)
		time.Sleep(300*time.Millisecond - time.Since(planStart))
		applyPacer := ledgerPacer(t, dir)
		if applyPacer.reserved != 0 {
			t.Errorf("with a ledger the apply reserves %d slots of its first second, want none", applyPacer.reserved)
		}
		apply := useKey(t, sb, "apply", applyPacer, 150, 200)
		checkConverged(t, plan, apply)
		t.Logf("plan: %d requests, %d refused; apply: %d requests, %d attempts refused, %.1f/s; %d in its first 3s",
			plan.ok, plan.refused, apply.ok, apply.refused, apply.rate(), apply.okWithin(3*time.Second))
		if plan.refused+apply.refused != 0 {
			t.Errorf("%d of the plan's and %d of the apply's attempts were refused, want none", plan.refused, apply.refused)
		}
		// The plan's second ends 700 ms into the apply's: then 15 a second and a round trip.
		if got := apply.okWithin(3 * time.Second); got < 36 {
			t.Errorf("the apply sent %d requests in its first 3s, want at least 36", got)
		}
	})
}

// TestWindowPacer_aloneOnOneMachine: a client alone on its key, with a ledger, has no predecessor
// to leave its first second to: it sends 15 at once.
func TestWindowPacer_aloneOnOneMachine(t *testing.T) {
	needLedger(t)
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	p := newPacer(Config{
		Settings:   Settings{RateLimit: 15, RateLedgerDir: t.TempDir(), RequestTimeout: time.Second},
		RateWindow: time.Second, RateReserved: 1, RateShare: testShare,
	}, clock.now)
	if got := takeAll(t, p); len(got) != 15 {
		t.Errorf("%d requests went at once, want 15", len(got))
	}
}

// TestLedger_namesNoCredential: a ledger's name is a salted hash of its limit's name, kept where
// only the user may look.
func TestLedger_namesNoCredential(t *testing.T) {
	needLedger(t)
	dir := filepath.Join(t.TempDir(), "pace")
	l, err := openLedger(dir, testShare, time.Second, time.Second, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	plain := sha256.Sum256([]byte(testShare))
	name := filepath.Base(l.path)
	if strings.Contains(name, sandbox.DefaultLuneTestKey) || strings.Contains(hex.EncodeToString(plain[:]), strings.TrimSuffix(name, ledgerSuffix)) {
		t.Errorf("the ledger's name %q shows its key", name)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, filepath.Join(dir, "salt"): 0o600, l.path: 0o600} {
		if info, err := os.Stat(path); err != nil || info.Mode() != want {
			t.Errorf("%s: %v, %v; want mode %v", path, info.Mode(), err, want)
		}
	}
	other, err := openLedger(dir, testShare, time.Second, time.Second, time.Now())
	if err != nil || other.path != l.path || other.owner == l.owner {
		t.Errorf("a second client of the limit has ledger %q and owner %x (%v), want %q and an owner of its own", other.path, other.owner, err, l.path)
	}
	if another, err := openLedger(dir, testShare+"x", time.Second, time.Second, time.Now()); err != nil || another.path == l.path {
		t.Errorf("another limit has ledger %q (%v), want one of its own", another.path, err)
	}
}

// TestLedger_goneProcess: a place taken by a process that is gone while its request was out is
// free a window after it is found gone, not when its lease ends; a process is gone when its live
// file is not there, or when no one holds its lock (a file left behind is then removed).
func TestLedger_goneProcess(t *testing.T) {
	needLedger(t)
	now := time.Unix(1_700_000_000, 0)
	dir := t.TempDir()
	l, err := openLedger(dir, testShare, time.Second, time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(dir, liveName(0xdead)) // a live file whose process is gone: nobody holds its lock
	if err := os.WriteFile(left, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	lines := ""
	for i := range 15 {
		proc := 0xbeef // no live file at all
		switch i % 3 {
		case 1:
			proc = 0xdead
		case 2:
			proc = os.Getpid() // a number that is a running process's pid, which means nothing here
		}
		lines += fmt.Sprintf("abc %x %x %d 1\n", i, proc, now.Add(time.Hour).UnixNano())
	}
	if err := os.WriteFile(l.path, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	retry, err := l.claim(now, 1, 15)
	if err != nil || !retry.Equal(now.Add(time.Second)) {
		t.Errorf("claim: retry at %v (%v), want a window later, %v", retry, err, now.Add(time.Second))
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the live file of a process found gone: %v, want it removed", err)
	}
	// Found gone, the places' ends are final: they do not move on as time does.
	if retry, err := l.claim(now.Add(time.Second), 2, 15); err != nil || !retry.IsZero() {
		t.Errorf("a window later: retry at %v (%v), want the place at once", retry, err)
	}
}

// ledgerChildEnv is set in a process the ledger tests start (see TestMain), which takes places in
// the ledger of its working directory.
const ledgerChildEnv = "WEBHOOKS_TEST_LEDGER_CHILD"

// TestMain runs the tests, or, in a process TestLedger_killedProcess starts, a ledger child: it
// takes 15 places in the ledger of its directory, says so, and waits to be killed (it ends by
// itself once its parent closes its input, or is gone).
func TestMain(m *testing.M) {
	if os.Getenv(ledgerChildEnv) != "" {
		dir, err := os.Getwd()
		var l *ledger
		if err == nil {
			l, err = openLedger(dir, testShare, time.Second, time.Hour, time.Now())
		}
		if err == nil {
			for id := range uint64(15) {
				if _, err = l.claim(time.Now(), id+1, 15); err != nil {
					break
				}
			}
		}
		if err != nil {
			fmt.Println(err)
			os.Exit(2)
		}
		fmt.Println("ready")
		_, _ = io.Copy(io.Discard, os.Stdin) // the parent is gone, or done with it
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestLedger_killedProcess: the places of another process, killed while its requests were out,
// are free a window after it is found gone, as the kernel gave back its live file's lock; while it
// ran, they were not.
func TestLedger_killedProcess(t *testing.T) {
	needLedger(t)
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env, child.Dir = append(os.Environ(), ledgerChildEnv+"=1"), dir
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := child.StdinPipe() // held open until the child is killed
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = in.Close() }()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	said := make([]byte, 6)
	if _, err := io.ReadFull(out, said); err != nil || string(said) != "ready\n" {
		t.Fatalf("the child said %q (%v)", said, err)
	}
	l, err := openLedger(dir, testShare, time.Second, time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if retry, err := l.claim(now, 1, 15); err != nil || !retry.Equal(now.Add(ledgerPoll)) {
		t.Fatalf("while the child runs with 15 places out: retry at %v (%v), want %v later", retry, err, ledgerPoll)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	now = time.Now()
	if retry, err := l.claim(now, 2, 15); err != nil || !retry.Equal(now.Add(time.Second)) {
		t.Errorf("once the child was killed: retry at %v (%v), want a window later", retry, err)
	}
	if retry, err := l.claim(now.Add(time.Second), 3, 15); err != nil || !retry.IsZero() {
		t.Errorf("a window after the child was found gone: retry at %v (%v), want the place", retry, err)
	}
}

// TestLedger_otherProcessInFlight: a place another process holds while its request is out is
// looked at again soon, as that process's answer cannot wake this one; a place it released is free
// exactly a window after its answer.
func TestLedger_otherProcessInFlight(t *testing.T) {
	needLedger(t)
	now := time.Unix(1_700_000_000, 0)
	dir := t.TempDir()
	a, errA := openLedger(dir, testShare, time.Second, time.Minute, now)
	b, errB := openLedger(dir, testShare, time.Second, time.Minute, now)
	if err := errors.Join(errA, errB); err != nil {
		t.Fatal(err)
	}
	if retry, err := a.claim(now, 1, 1); err != nil || !retry.IsZero() {
		t.Fatalf("a's claim: retry %v, %v", retry, err)
	}
	if retry, err := b.claim(now, 1, 1); err != nil || !retry.Equal(now.Add(ledgerPoll)) {
		t.Errorf("b's claim while a's request is out: retry at %v (%v), want %v later", retry, err, ledgerPoll)
	}
	if err := a.release(now.Add(100*time.Millisecond), 1); err != nil {
		t.Fatal(err)
	}
	if retry, err := b.claim(now.Add(200*time.Millisecond), 2, 1); err != nil || !retry.Equal(now.Add(1100*time.Millisecond)) {
		t.Errorf("b's claim after a's answer: retry at %v (%v), want a window after the answer", retry, err)
	}
	if retry, err := b.claim(now.Add(1100*time.Millisecond), 3, 1); err != nil || !retry.IsZero() {
		t.Errorf("b's claim a window after a's answer: retry at %v (%v), want the place", retry, err)
	}
}

// TestLedger_unreadableLines: lines a crash cut short, or that are not a ledger's, are dropped,
// and the ledger is rewritten whole.
func TestLedger_unreadableLines(t *testing.T) {
	needLedger(t)
	now := time.Unix(1_700_000_000, 0)
	l, err := openLedger(t.TempDir(), testShare, time.Second, time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	until := now.Add(time.Second / 2).UnixNano() // a released place is free within a window
	good := fmt.Sprintf("abc 1 0 %d 0\n", until)
	junk := "not a ledger\nabc 2 0 x 0\nabc 3 -1 1 0\nabc 4 0 1 2\n" + good + fmt.Sprintf("abc 5 0 %d 0", until)
	if err := os.WriteFile(l.path, []byte(junk), 0o600); err != nil {
		t.Fatal(err)
	}
	if retry, err := l.claim(now, 1, 1); err != nil || !retry.Equal(time.Unix(0, until)) {
		t.Errorf("claim: retry at %v (%v), want the one readable place's end", retry, err)
	}
	if b, err := os.ReadFile(l.path); err != nil || string(b) != good {
		t.Errorf("the ledger holds %q (%v), want %q", b, err, good)
	}
}

// TestWindowPacer_withoutLedger: a pacer whose ledger cannot be made leaves half its first window,
// as without one; one whose ledger fails later goes on alone.
func TestWindowPacer_withoutLedger(t *testing.T) {
	needLedger(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p, ok := newPacer(Config{
		Settings:   Settings{RateLimit: 15, RateLedgerDir: file, RequestTimeout: time.Second},
		RateWindow: time.Second, RateReserved: 1, RateShare: testShare,
	}, time.Now).(*windowPacer)
	if !ok || p.ledger != nil || p.reserved != 7 {
		t.Errorf("with its directory a file, the pacer has ledger %v and reserves %d, want none and 7", p.ledger, p.reserved)
	}

	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	p, ok = newPacer(Config{
		Settings:   Settings{RateLimit: 15, RateLedgerDir: t.TempDir(), RequestTimeout: time.Second},
		RateWindow: time.Second, RateShare: testShare,
	}, clock.now).(*windowPacer)
	if !ok || p.ledger == nil {
		t.Fatal("no ledger")
	}
	if err := os.Remove(p.ledger.path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(p.ledger.path, 0o700); err != nil {
		t.Fatal(err)
	}
	if got := takeAll(t, p); len(got) != 15 || p.ledger != nil {
		t.Errorf("with its ledger a directory, %d requests went (ledger %v), want 15 and the ledger dropped", len(got), p.ledger)
	}
}

// TestWindowPacer_tellsWhyItGoesAlone: a pacer without the ledger it was meant to share says why,
// once, at debug level in its client's subsystem, whether it never had it or lost it later.
func TestWindowPacer_tellsWhyItGoesAlone(t *testing.T) {
	needLedger(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ctx := tflog.NewSubsystem(tflogtest.RootLogger(t.Context(), &logs), "lune")
	told := func() int { return strings.Count(logs.String(), "without the machine's ledger") }
	cfg := Config{
		Settings:   Settings{RateLimit: 15, RateLedgerDir: file, RequestTimeout: time.Second},
		RateWindow: time.Second, RateShare: testShare, Subsystem: "lune",
	}
	p := newPacer(cfg, time.Now).(*windowPacer)
	for range 2 {
		done, err := p.wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		done(attemptEnd{})
	}
	if told() != 1 || !strings.Contains(logs.String(), `"ledger_error":"opening it: `) || !strings.Contains(logs.String(), `"@level":"debug"`) {
		t.Errorf("a pacer whose ledger could not be opened logged %q; want its reason once, at debug level", logs.String())
	}

	cfg.RateLedgerDir = t.TempDir()
	p = newPacer(cfg, time.Now).(*windowPacer)
	if p.ledger == nil {
		t.Fatal("no ledger")
	}
	if _, err := p.wait(ctx); err != nil || told() != 1 {
		t.Fatalf("a pacer with its ledger: %v, and %q logged", err, logs.String())
	}
	if err := os.Remove(p.ledger.path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(p.ledger.path, 0o700); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		done, err := p.wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		done(attemptEnd{})
	}
	if told() != 2 || p.ledger != nil {
		t.Errorf("a pacer that lost its ledger (%v) logged %q; want one more line", p.ledger, logs.String())
	}
}

// TestLedger_saltRepairedOnce: a broken salt is repaired only under the lock of salt.lock, by a
// process that finds it still broken there: one that waited for the lock takes the salt that the
// holder made, so processes that start together share one ledger.
func TestLedger_saltRepairedOnce(t *testing.T) {
	needLedger(t)
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = root.Close() }()
	salt := filepath.Join(dir, "salt")
	if err := os.WriteFile(salt, []byte("cut"), 0o600); err != nil {
		t.Fatal(err)
	}
	holder, err := os.OpenFile(filepath.Join(dir, "salt.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := lockFile(holder); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		b, err := ledgerSalt(root)
		if err != nil {
			t.Error(err)
		}
		got <- hex.EncodeToString(b)
	}()
	time.Sleep(100 * time.Millisecond)                                 // ledgerSalt waits for the lock, up to ledgerLockWait
	if b, err := os.ReadFile(salt); err != nil || string(b) != "cut" { //nolint:gosec // G304: the test's own directory.
		t.Errorf("while another holds the lock, the salt is %q (%v); want it left alone", b, err)
	}
	made := strings.Repeat("ab", 32) // the holder's repair
	if err := os.WriteFile(salt, []byte(made), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = holder.Close()
	if salt := <-got; salt != made {
		t.Errorf("after the holder's repair, the salt read is %q, want the holder's %q", salt, made)
	}
}

// TestLedger_notOnANetworkFileSystem: no ledger is kept in a directory on a network file system;
// the local one of every other test is used.
func TestLedger_notOnANetworkFileSystem(t *testing.T) {
	needLedger(t)
	dir := t.TempDir()
	if name, err := networkFileSystem(dir); err != nil || name != "" {
		t.Fatalf("the test's own directory is on %q (%v), want a local file system", name, err)
	}
	networkFileSystemOf = func(string) (string, error) { return "NFS", nil }
	defer func() { networkFileSystemOf = networkFileSystem }()
	if l, err := openLedger(dir, testShare, time.Second, time.Second, time.Now()); l != nil || err == nil || !strings.Contains(err.Error(), "network file system (NFS)") {
		t.Errorf("on NFS: ledger %v, %v; want none, and why", l, err)
	}
}

// TestLedger_onlyInAPrivateDirectory: no ledger is kept where another user could put a link in
// its place: a directory others may write in, one in a directory that lets others rename what it
// holds, or a link. What is above that does not count: the directory is opened once checked.
func TestLedger_onlyInAPrivateDirectory(t *testing.T) {
	needLedger(t)
	mkdir := func(path string, mode os.FileMode) string {
		t.Helper()
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return path
	}
	open := func(dir string) error {
		_, err := openLedger(dir, testShare, time.Second, time.Second, time.Now())
		return err
	}
	root := t.TempDir()
	shared := mkdir(filepath.Join(root, "shared"), 0o777)
	sticky := mkdir(filepath.Join(root, "sticky"), 0o777|os.ModeSticky)
	link, sharedLink := filepath.Join(root, "link"), filepath.Join(root, "shared-link")
	if err := os.Symlink(mkdir(filepath.Join(root, "private"), 0o700), link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(mkdir(filepath.Join(shared, "behind"), 0o700), sharedLink); err != nil {
		t.Fatal(err)
	}
	parentLink := filepath.Join(root, "parent-link")
	if err := os.Symlink(mkdir(filepath.Join(root, "real-parent"), 0o700), parentLink); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dir, want string
	}{
		{mkdir(filepath.Join(root, "open"), 0o777), "may be written by other users"},
		{mkdir(filepath.Join(root, "group"), 0o770), "may be written by other users"},
		{link, "is not a directory"},
		{sharedLink, "is not a directory"},
		{mkdir(filepath.Join(shared, "pace"), 0o700), "may be written by other users"},
		{mkdir(filepath.Join(mkdir(filepath.Join(shared, "mine"), 0o700), "pace"), 0o700) + "/", ""},
		{filepath.Join(parentLink, "pace"), ""}, // a parent reached through a link, as /tmp is on macOS
		{mkdir(filepath.Join(sticky, "pace"), 0o700), ""},
		{mkdir(filepath.Join(root, "readable"), 0o755), ""},
	} {
		if err := open(c.dir); (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.dir, err, c.want)
		}
	}
	if os.Getuid() == 0 { // only root can give a directory away
		other := mkdir(filepath.Join(root, "other"), 0o700)
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if err := open(other); err == nil || !strings.Contains(err.Error(), "belongs to another user") {
			t.Errorf("a directory of another user: %v", err)
		}
	}
}

// TestLedger_replacesABrokenSalt: a salt cut short, or no salt at all, is replaced, and the
// clients that come after share one ledger again.
func TestLedger_replacesABrokenSalt(t *testing.T) {
	needLedger(t)
	for _, broken := range []string{"", "abc", strings.Repeat("z", 64), strings.Repeat("ab", 33)} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "salt"), []byte(broken), 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := openLedger(dir, testShare, time.Second, time.Second, time.Now())
		if err != nil {
			t.Fatalf("salt %q: %v", broken, err)
		}
		salt, err := os.ReadFile(filepath.Join(dir, "salt")) //nolint:gosec // G304: the test's own directory.
		if _, hexErr := hex.DecodeString(string(salt)); err != nil || len(salt) != 64 || hexErr != nil {
			t.Errorf("salt %q was replaced by %q (%v)", broken, salt, err)
		}
		if other, err := openLedger(dir, testShare, time.Second, time.Second, time.Now()); err != nil || other.path != l.path {
			t.Errorf("salt %q: the next client has ledger %q (%v), want %q", broken, other.path, err, l.path)
		}
	}
}

// TestLedger_pruneStale: ledgers untouched for a day, and the live files of processes that are
// gone, are removed when a process first opens a ledger of their directory; the salt, fresh ledgers
// and the live files of processes that run stay.
func TestLedger_pruneStale(t *testing.T) {
	needLedger(t)
	dir := t.TempDir()
	now := time.Now()
	old := now.Add(-25 * time.Hour)
	temp := func(prefix string) string {
		name, err := tempName(prefix)
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	ledgerName := strings.Repeat("ab", 16) + ledgerSuffix
	// Each file is made with its age (old: over ledgerStale); want is whether the prune keeps it.
	type file struct {
		name             string
		old, want, isDir bool
	}
	files := []file{
		{name: ledgerName, old: true, want: false},
		{name: strings.Repeat("cd", 16) + ledgerSuffix, want: true},
		{name: liveName(0xdead), want: false}, // its process is gone: nobody holds its lock
		{name: temp(liveTempPrefix), old: true, want: false},
		{name: temp(saltTempPrefix), old: true, want: false},
		{name: temp(saltTempPrefix), want: true},
		// Names the package never gives, however old: not its files.
		{name: "stale" + ledgerSuffix, old: true, want: true},
		{name: strings.Repeat("AB", 16) + ledgerSuffix, old: true, want: true},
		{name: "notes.tmp", old: true, want: true},
		{name: "live-1" + tempSuffix, old: true, want: true},
		{name: "user" + liveSuffix, want: true},
		{name: "0dead" + liveSuffix, want: true}, // liveName never spells a leading zero
		{name: liveName(0xbeef), want: true, isDir: true},
		{name: strings.Repeat("ef", 16) + ledgerSuffix, old: true, want: true, isDir: true},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		var err error
		if f.isDir {
			err = os.Mkdir(path, 0o700)
		} else {
			err = os.WriteFile(path, nil, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
		if f.old {
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	l, err := openLedger(dir, testShare, time.Second, time.Second, now)
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, file{name: "salt", want: true}, file{name: liveName(l.dir.proc), want: true})
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(dir, f.name)); (err == nil) != f.want {
			t.Errorf("%s exists: %t, want %t", f.name, err == nil, f.want)
		}
	}
}

// needLedger skips a test where the platform keeps no ledger.
func needLedger(t *testing.T) {
	t.Helper()
	if !ledgerSupported {
		t.Skip("no ledger on this platform: its pacers go alone")
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// TestWindowPacer_shareLimit: pacers of one key keep to the key's limit between them, each within
// its own (a configuration that sets a lower requests_per_second is not starved by one at the
// key's limit).
func TestWindowPacer_shareLimit(t *testing.T) {
	needLedger(t)
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	dir := t.TempDir()
	pacerOf := func(rate float64) pacer {
		return newPacer(Config{
			Settings:   Settings{RateLimit: rate, RateLedgerDir: dir, RequestTimeout: time.Second},
			RateWindow: time.Second, RateShare: testShare, RateShareLimit: 15,
		}, clock.now)
	}
	full, slow, third := pacerOf(15), pacerOf(5), pacerOf(15)
	var got []int
	var out []func(attemptEnd)
	for _, p := range []pacer{full, slow, third} {
		dones := takeAll(t, p)
		got, out = append(got, len(dones)), append(out, dones...)
		clock.advance(10 * time.Millisecond)
	}
	endAll(out, attemptEnd{})
	if want := []int{15, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("requests that went at once: %v, want %v", got, want)
	}
	clock.advance(2 * time.Second)
	for range 10 {
		if take(t, full) == nil {
			t.Fatal("the key's first pacer could not send 10 requests a window later")
		}
	}
	got = got[:0]
	for _, p := range []pacer{slow, third} {
		got = append(got, len(takeAll(t, p)))
	}
	if want := []int{5, 0}; !slices.Equal(got, want) {
		t.Errorf("after 10 of the first pacer's a window later, requests that went at once: %v, want %v", got, want)
	}
}

// TestWindowPacer_ownSlotComesBackFirst: a pacer that the others' places hold back looks again as
// soon as one of its own slots comes back, when that is before the first of theirs is free: its
// own slot leaves it room beside them.
func TestWindowPacer_ownSlotComesBackFirst(t *testing.T) {
	needLedger(t)
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		mine, theirs := ledgerPacer(t, dir), ledgerPacer(t, dir)
		send := func(p *windowPacer, n int) {
			t.Helper()
			for range n {
				done, err := p.wait(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				done(attemptEnd{})
			}
		}
		send(mine, 10) // its slots and places come back at 1 s
		time.Sleep(500 * time.Millisecond)
		send(theirs, 5) // theirs at 1.5 s: 15 taken between them
		start := time.Now()
		send(mine, 1)
		if waited := time.Since(start); waited != 500*time.Millisecond {
			t.Errorf("the request went %v after it asked, want 500ms, when the pacer's own slots came back", waited)
		}
	})
}

// TestWindowPacer_ledgerStaysLocked: a ledger whose lock another holder keeps (a process stopped
// with Ctrl-Z at that moment) is given up after ledgerLockWait: the pacer goes on alone instead of
// hanging.
func TestWindowPacer_ledgerStaysLocked(t *testing.T) {
	needLedger(t)
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		p := ledgerPacer(t, dir)
		holder, err := os.OpenFile(p.ledger.path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = holder.Close() }()
		if err := lockFile(holder); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		done, err := p.wait(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		done(attemptEnd{})
		if waited := time.Since(start); waited != ledgerLockWait || p.ledger != nil {
			t.Errorf("the request went after %v, with ledger %v; want after %v, the ledger given up", waited, p.ledger, ledgerLockWait)
		}
	})
}

// TestWindowPacer_releaseWaitsForLock: a request that ends while another holds the ledger's lock
// gives its place back once the lock is free; the pacer keeps its ledger, and its other waiters are
// not held up meanwhile.
func TestWindowPacer_releaseWaitsForLock(t *testing.T) {
	needLedger(t)
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		p := ledgerPacer(t, dir)
		first, err := p.wait(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		holder, err := os.OpenFile(p.ledger.path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := lockFile(holder); err != nil {
			t.Fatal(err)
		}
		released := make(chan struct{})
		go func() {
			first(attemptEnd{})
			close(released)
		}()
		time.Sleep(100 * time.Millisecond)
		// The release waits for the ledger without the pacer's lock, which its waiters need.
		if !p.mu.TryLock() {
			t.Fatal("the pacer stays locked while its release waits for the ledger")
		}
		p.mu.Unlock()
		select {
		case <-released:
			t.Fatal("the place was released while another held the ledger's lock")
		default:
		}
		_ = holder.Close()
		<-released
		if p.ledger == nil {
			t.Fatal("the pacer gave its ledger up after waiting 100ms for the lock")
		}
		b, err := os.ReadFile(p.ledger.path)
		if err != nil {
			t.Fatal(err)
		}
		entries := parseLedger(string(b))
		if len(entries) != 1 || entries[0].flight {
			t.Errorf("the ledger holds %+v, want the one place, its request ended", entries)
		}
	})
}

// TestWindowPacer_lockClashLongAfter: a pacer that once found the ledger locked, for a caller that
// then gave up, does not count that as the start of a lock held ever since: a clash of a few
// milliseconds ten minutes later costs it a few milliseconds, not its ledger.
func TestWindowPacer_lockClashLongAfter(t *testing.T) {
	needLedger(t)
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		p := ledgerPacer(t, dir)
		hold := func() *os.File {
			f, err := os.OpenFile(p.ledger.path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := lockFile(f); err != nil {
				t.Fatal(err)
			}
			return f
		}
		holder := hold()
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Millisecond)
		if _, err := p.wait(ctx); err == nil {
			t.Fatal("a request went while another held the ledger's lock")
		}
		cancel()
		_ = holder.Close()
		time.Sleep(10 * time.Minute)
		holder = hold()
		go func() {
			time.Sleep(3 * time.Millisecond)
			_ = holder.Close()
		}()
		done, err := p.wait(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		done(attemptEnd{})
		if p.ledger == nil {
			t.Error("the pacer gave its ledger up after a clash of 3ms")
		}
	})
}

// TestLedger_clockSetBack: after the wall clock is set back an hour, the places taken before hold
// no one back for that hour: a new pacer has its 15 a window later.
func TestLedger_clockSetBack(t *testing.T) {
	needLedger(t)
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	dir := t.TempDir()
	pacer := func() pacer {
		return newPacer(Config{
			Settings:   Settings{RateLimit: 15, RateLedgerDir: dir, RequestTimeout: time.Second},
			RateWindow: time.Second, RateShare: testShare,
		}, clock.now)
	}
	endAll(takeAll(t, pacer()), attemptEnd{})
	clock.advance(-time.Hour)
	later := pacer()
	clock.advance(time.Second)
	if got := takeAll(t, later); len(got) != 15 {
		t.Errorf("%d requests went a window after the clock was set back an hour, want 15", len(got))
	}
}

// TestNew_ledgerOfTheOrigin: clients of one key share a ledger however their base URL is spelled,
// and keep apart at another base URL or with another key.
func TestNew_ledgerOfTheOrigin(t *testing.T) {
	needLedger(t)
	dir := t.TempDir()
	ledgerOf := func(base, key string) string {
		t.Helper()
		c, err := New(Config{
			Settings: Settings{BaseURL: base, RateLimit: 15, RateLedgerDir: dir},
			Vendor:   "Lune", RateWindow: time.Second, RateShare: key,
		})
		if err != nil {
			t.Fatal(err)
		}
		p, ok := c.pacer.(*windowPacer)
		if !ok || p.ledger == nil {
			t.Fatalf("%s: no ledger", base)
		}
		return p.ledger.path
	}
	one := ledgerOf("https://api.lune.co", "k")
	for _, base := range []string{"https://api.lune.co/", "HTTPS://API.Lune.CO", "https://api.lune.co:443", "https://api.lune.co//"} {
		if got := ledgerOf(base, "k"); got != one {
			t.Errorf("%s: ledger %s, want %s (that of https://api.lune.co)", base, got, one)
		}
	}
	for _, other := range [][2]string{{"https://api.lune.co", "k2"}, {"http://api.lune.co", "k"}, {"https://api.lune.co:8443", "k"}, {"https://api.lune.co/v2", "k"}, {"https://sandbox.lune.co", "k"}} {
		if got := ledgerOf(other[0], other[1]); got == one {
			t.Errorf("%s with key %s shares the ledger of https://api.lune.co with key k", other[0], other[1])
		}
	}
}

// TestOrigin: a base URL is spelled one way, as much of it as names where requests go.
func TestOrigin(t *testing.T) {
	for base, want := range map[string]string{
		"https://API.Lune.co:443/": "https://api.lune.co",
		"http://127.0.0.1:80":      "http://127.0.0.1",
		"http://127.0.0.1:8080/":   "http://127.0.0.1:8080",
		"http://[::1]:80/x/":       "http://[::1]/x",
		"http://[::1]:8080":        "http://[::1]:8080",
		"https://h.example/a%2Fb/": "https://h.example/a%2Fb",
		"https://h.example/a%2fb":  "https://h.example/a%2Fb",
		"https://h.example/%e2%82": "https://h.example/%E2%82",
		"https://API.lune.co./v1":  "https://api.lune.co/v1",
		"https://api.lune.co:0443": "https://api.lune.co",
		"http://h.example:08080/":  "http://h.example:8080",
		"http://[::1]:0080":        "http://[::1]",
		"https://h.example/%41%7e": "https://h.example/A~",
		"https://h.example/%2d%2E": "https://h.example/-.",
		"https://h.example/%5f%30": "https://h.example/_0",
		"https://h.example/%25%41": "https://h.example/%25A",
		"https://h.example/%20x":   "https://h.example/%20x",
	} {
		u, err := url.Parse(strings.TrimRight(base, "/"))
		if err != nil {
			t.Fatal(err)
		}
		if got := origin(u); got != want {
			t.Errorf("origin(%s) = %s, want %s", base, got, want)
		}
	}
}
