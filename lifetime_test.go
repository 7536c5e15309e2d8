package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// The watch calls exit once the parent id has changed and nothing is busy, and not before.
func TestExitWithParent(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the watch is off on Windows")
	}
	var ppid atomic.Int64
	var busy atomic.Bool
	ppid.Store(4242)
	busy.Store(true)
	exited := make(chan struct{})
	exitWithParent(4242, func() int { return int(ppid.Load()) }, time.Millisecond, busy.Load, func() { close(exited) })
	notYet := func(why string) {
		t.Helper()
		select {
		case <-exited:
			t.Fatalf("exit was called %s", why)
		case <-time.After(50 * time.Millisecond):
		}
	}
	notYet("while the parent was still there")
	ppid.Store(1) // the parent is gone: init took this process over
	notYet("while a write was in progress")
	busy.Store(false)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("exit was never called once the parent was gone and nothing was busy")
	}
}

// finishWrites returns once nothing is busy, and at its limit when something stays busy.
func TestFinishWrites(t *testing.T) {
	var busy atomic.Bool
	busy.Store(true)
	done := make(chan struct{})
	go func() {
		finishWrites(busy.Load, time.Hour)
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("finishWrites returned while a write was in progress")
	case <-time.After(50 * time.Millisecond):
	}
	busy.Store(false)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("finishWrites never returned once nothing was busy")
	}
	// Stuck: the limit ends the wait (Terraform would kill the process soon after).
	finishWrites(func() bool { return true }, 20*time.Millisecond)
}

// TestProviderExitsWhenTerraformIsKilled kills `terraform apply` outright (SIGKILL: no chance to
// stop its plugins) while the built provider waits for an Inveterate subscription to be listed, and
// checks that the provider process ends on its own instead of serving nobody.
func TestProviderExitsWhenTerraformIsKilled(t *testing.T) {
	// Inveterate accepts the create and lists it only after the test is over: the provider waits.
	srv := sandbox.New(sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: time.Hour}})
	run := startApply(t, srv, nil, nil, `
resource "webhooks_inveterate_webhook_subscription" "waits" {
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/inveterate/orphan"
  name         = "orphan"
}
`)
	run.whenReady(func() bool { return srv.Count("inveterate.subscriptions.create") > 0 })
	run.kill()
	run.providerEnds()
}

// lostAdminWebhook is an apply whose admin webhook create Inveterate applies and whose answer (with
// the token) is lost: the provider then looks for the webhook, to delete it. Each call takes latency,
// and the delete slowDelete more: long enough that this clean-up (a list, then the delete) is still
// going when the test strikes.
func lostAdminWebhook(t *testing.T, latency, slowDelete time.Duration, env []string) (*sandbox.Sandbox, *terraformRun) {
	t.Helper()
	srv := sandbox.New(sandbox.Config{})
	srv.SetLatency(sandbox.Inveterate, latency)
	srv.FailNext(sandbox.Inveterate, "inveterate.webhooks.create", sandbox.FailLostResponse, 1)
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			select {
			case <-time.After(slowDelete):
			case <-r.Context().Done():
				return // the provider went: the delete never reaches Inveterate
			}
		}
		srv.ServeHTTP(w, r)
	})
	run := startApply(t, srv, front, env, `
resource "webhooks_inveterate_webhook" "lost" {
  callback_url = "https://hooks.example.com/inveterate/lost"
  name         = "lost"
}
`)
	run.whenReady(func() bool { return len(srv.InveterateWebhooks()) > 0 })
	return srv, run
}

// cleanedUp fails the test unless the provider deleted the admin webhook whose token was lost, and
// sent no create again.
func cleanedUp(t *testing.T, srv *sandbox.Sandbox) {
	t.Helper()
	for _, left := range srv.InveterateWebhooks() { // the ids only: never a token
		t.Errorf("the provider ended with admin webhook %s, whose token was lost, still there", left.ID)
	}
	if n := srv.Count("inveterate.webhooks.create"); n != 1 {
		t.Errorf("%d creates reached Inveterate, want 1: nothing new may be sent once Terraform is going", n)
	}
}

// TestProviderFinishesItsCleanUpWhenTerraformIsKilled kills `terraform apply` outright during the
// clean-up of a lost answer: the provider must finish it before it exits, or the webhook would be
// left behind, in no state. With the provider's logs on, its log lines then go to a pipe nobody
// reads any more, which must not kill it either.
func TestProviderFinishesItsCleanUpWhenTerraformIsKilled(t *testing.T) {
	for name, env := range map[string][]string{"logs off": nil, "logs on": {"TF_LOG_PROVIDER=DEBUG"}} {
		t.Run(name, func(t *testing.T) {
			// 1.5 s a call: the clean-up outlasts the watch's first look after Terraform is gone.
			srv, run := lostAdminWebhook(t, 1500*time.Millisecond, 0, env)
			run.kill()
			run.providerEnds()
			cleanedUp(t, srv)
		})
	}
}

// TestProviderFinishesItsCleanUpOnASecondInterrupt presses Ctrl-C twice during the clean-up of a
// lost answer: Terraform then exits at once, telling the provider to stop and killing it if it
// still runs 2 s later. The provider must use that time to finish the clean-up.
func TestProviderFinishesItsCleanUpOnASecondInterrupt(t *testing.T) {
	// 200 ms a call, and 800 ms more for the delete: the clean-up is still going when Terraform
	// tells the provider to stop, and fits in the 1.5 s the provider then allows it.
	srv, run := lostAdminWebhook(t, 200*time.Millisecond, 800*time.Millisecond, nil)
	for range 2 {
		if err := run.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	run.wait()
	if !strings.Contains(run.output.String(), "Interrupt received") {
		t.Fatalf("Terraform did not see the interrupts:\n%s", run.output)
	}
	run.providerEnds()
	cleanedUp(t, srv)
}

// terraformRun is a `terraform apply` of the built provider against a sandbox.
type terraformRun struct {
	t        *testing.T
	cmd      *exec.Cmd
	output   *syncBuffer
	provider int      // the provider process's pid, once whenReady has found it
	tmp      string   // Terraform's temporary directory, and its providers', where go-plugin puts their sockets
	sockets  []string // the sockets in tmp once whenReady has found the provider: the provider's
}

// syncBuffer is a bytes.Buffer that the test may read while Terraform writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startApply starts `terraform apply` of resources with the provider built from this module, its
// Inveterate settings pointing at srv, served through front (srv itself when nil), with env added to
// Terraform's environment. Whatever the test's end, Terraform and its providers are killed.
func startApply(t *testing.T, srv *sandbox.Sandbox, front http.Handler, env []string, resources string) *terraformRun {
	t.Helper()
	terraform := testCLI(t)
	if runtime.GOOS != "linux" {
		t.Skip("finds the provider process through /proc")
	}
	rc, work := devBuild(t, resources)
	if front == nil {
		front = srv
	}
	api := httptest.NewServer(front)
	t.Cleanup(api.Close)
	tmp := socketDir(t, "tfsock")
	cmd := exec.Command(terraform, "apply", "-auto-approve", "-input=false", "-no-color") //nolint:gosec // the tests' own CLI.
	cmd.Dir = work
	cmd.Env = append(append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"TF_LOG=", "TF_LOG_PROVIDER=", "TF_LOG_PATH=", "TMPDIR="+tmp, "PLUGIN_UNIX_SOCKET_DIR=",
		"INVETERATE_BASE_URL="+api.URL, "INVETERATE_API_KEY="+srv.Config().Inveterate.Keys[0]), env...)
	run := &terraformRun{t: t, cmd: cmd, output: &syncBuffer{}, tmp: tmp}
	cmd.Stdout, cmd.Stderr = run.output, run.output
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The providers first: once Terraform is gone, they are no longer its children.
		for _, pid := range append(runningChildren(t, cmd.Process.Pid, "terraform-provi"), run.provider) {
			if p, err := os.FindProcess(pid); pid != 0 && err == nil && processRuns(pid) {
				_ = p.Kill()
			}
		}
		_ = cmd.Process.Kill()
	})
	return run
}

// whenReady waits until ready reports true, and notes the one provider process then running under
// Terraform.
func (r *terraformRun) whenReady(ready func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ready() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !ready() {
		r.t.Fatalf("the apply never got to the moment the test waits for:\n%s", r.output)
	}
	// The plan's provider process may still be on its way out: wait for the apply's to be the only one.
	var running []int
	for {
		running = runningChildren(r.t, r.cmd.Process.Pid, "terraform-provi")
		if len(running) == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(running) != 1 {
		r.t.Fatalf("provider processes under Terraform (pid %d): %v, want one", r.cmd.Process.Pid, running)
	}
	r.provider = running[0]
	r.sockets = socketsIn(r.t, r.tmp)
	if len(r.sockets) == 0 {
		r.t.Fatalf("no socket in %s, where the provider (pid %d) should serve Terraform", r.tmp, r.provider)
	}
}

// socketDir is a directory of the test's own for Unix sockets, removed when the test ends. It is
// absolute, since removeOwnSockets leaves a relative directory's sockets alone, and short: a
// socket's path is at most 107 bytes, go-plugin's name for it included.
func socketDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if dir, err = filepath.Abs(dir); err != nil {
		t.Fatal(err)
	}
	if len(dir+"/plugin4294967295") > 107 {
		t.Fatalf("the temporary directory %s is too long a path for a socket: set a shorter TMPDIR", dir)
	}
	return dir
}

// socketsIn are the names of the sockets in dir.
func socketsIn(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var sockets []string
	for _, e := range entries {
		if e.Type()&os.ModeSocket != 0 {
			sockets = append(sockets, e.Name())
		}
	}
	return sockets
}

// kill kills Terraform with SIGKILL, which gives it no chance to stop its provider.
func (r *terraformRun) kill() {
	r.t.Helper()
	if err := r.cmd.Process.Kill(); err != nil {
		r.t.Fatal(err)
	}
	r.wait()
}

// wait waits for Terraform to exit, for a minute at most.
func (r *terraformRun) wait() {
	r.t.Helper()
	exited := make(chan struct{})
	go func() {
		_ = r.cmd.Wait()
		close(exited)
	}()
	select {
	case <-exited:
	case <-time.After(time.Minute):
		r.t.Fatalf("Terraform still ran a minute after the test stopped it:\n%s", r.output)
	}
}

// providerEnds fails the test unless the provider process ends within a minute.
func (r *terraformRun) providerEnds() {
	r.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for processRuns(r.provider) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if processRuns(r.provider) {
		r.t.Fatalf("the provider (pid %d) still ran a minute after Terraform", r.provider)
	}
	// Its socket's file went with it: go-plugin removes it when Terraform stops the provider, and
	// sockets_unix.go when Terraform was killed, else each provider process of a killed Terraform
	// would leave one in the temporary directory for good.
	for _, left := range socketsIn(r.t, r.tmp) {
		if slices.Contains(r.sockets, left) {
			r.t.Errorf("the provider (pid %d) left its socket %s behind", r.provider, left)
		}
	}
}

// runningChildren are the pids of the children of parent that have not ended and whose command
// name begins with name.
func runningChildren(t *testing.T, parent int, name string) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, path := range stats {
		comm, ppid, state, ok := readStat(path)
		if ok && ppid == parent && strings.HasPrefix(comm, name) && !ended(state) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			pids = append(pids, pid)
		}
	}
	return pids
}

// processRuns reports whether pid is a process that has not ended: one that is gone, or a zombie
// nobody has reaped yet, has.
func processRuns(pid int) bool {
	_, _, state, ok := readStat(fmt.Sprintf("/proc/%d/stat", pid))
	return ok && !ended(state)
}

// ended reports whether a /proc state is that of a process that has ended: a zombie nobody has
// reaped yet, or a dead one.
func ended(state string) bool { return state == "Z" || state == "X" }

// readStat reads a /proc/<pid>/stat file: the command name, the parent's pid and the state.
func readStat(path string) (comm string, ppid int, state string, ok bool) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: /proc.
	if err != nil {
		return "", 0, "", false
	}
	s := string(b)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return "", 0, "", false
	}
	fields := strings.Fields(s[closing+1:]) // state, ppid, ...
	if len(fields) < 2 {
		return "", 0, "", false
	}
	ppid, err = strconv.Atoi(fields[1])
	return s[open+1 : closing], ppid, fields[0], err == nil
}
