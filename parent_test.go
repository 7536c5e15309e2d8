package main

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
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
	exitWithParent(func() int { return int(ppid.Load()) }, time.Millisecond, busy.Load, func() { close(exited) })
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

// TestProviderExitsWhenTerraformIsKilled kills `terraform apply` outright (SIGKILL: no chance to
// stop its plugins) while the built provider waits for an Inveterate subscription to be listed, and
// checks that the provider process ends on its own instead of serving nobody.
func TestProviderExitsWhenTerraformIsKilled(t *testing.T) {
	// Inveterate accepts the create and lists it only after the test is over: the provider waits.
	srv := sandbox.New(sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: time.Hour}})
	run := startApply(t, srv, `
resource "webhooks_inveterate_webhook_subscription" "waits" {
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/inveterate/orphan"
  name         = "orphan"
}
`)
	run.killTerraformOnce(func() bool { return srv.Count("inveterate.subscriptions.create") > 0 })
	run.providerEnds()
}

// TestProviderFinishesItsCleanUpWhenTerraformIsKilled kills `terraform apply` outright once
// Inveterate has made an admin webhook whose answer (and token) was lost: the provider is then
// looking for it, to delete it. It must finish that clean-up before it exits, or the webhook would
// be left behind, in no state.
func TestProviderFinishesItsCleanUpWhenTerraformIsKilled(t *testing.T) {
	srv := sandbox.New(sandbox.Config{})
	// Each call takes long enough that the clean-up (a list, then a delete) outlasts the watch's
	// first look after Terraform is gone.
	srv.SetLatency(sandbox.Inveterate, 1500*time.Millisecond)
	srv.FailNext(sandbox.Inveterate, "inveterate.webhooks.create", sandbox.FailLostResponse, 1)
	run := startApply(t, srv, `
resource "webhooks_inveterate_webhook" "lost" {
  callback_url = "https://hooks.example.com/inveterate/lost"
  name         = "lost"
}
`)
	run.killTerraformOnce(func() bool { return len(srv.InveterateWebhooks()) > 0 })
	run.providerEnds()
	for _, left := range srv.InveterateWebhooks() { // the ids only: never a token
		t.Errorf("the provider exited with admin webhook %s, whose token was lost, still there", left.ID)
	}
	if n := srv.Count("inveterate.webhooks.create"); n != 1 {
		t.Errorf("%d creates reached Inveterate, want 1: nothing may be sent once Terraform is gone", n)
	}
}

// terraformRun is a `terraform apply` of the built provider against a sandbox.
type terraformRun struct {
	t        *testing.T
	cmd      *exec.Cmd
	output   *bytes.Buffer
	provider int // the provider process's pid, once Terraform is killed
}

// startApply starts `terraform apply` of resources with the provider built from this module, its
// Inveterate settings pointing at srv.
func startApply(t *testing.T, srv *sandbox.Sandbox, resources string) *terraformRun {
	t.Helper()
	terraform := testCLI(t)
	if runtime.GOOS != "linux" {
		t.Skip("finds the provider process through /proc")
	}
	tmp := t.TempDir()
	rc, work := devBuild(t, tmp), filepath.Join(tmp, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	config := "terraform {\n  required_providers {\n    webhooks = { source = \"webhookinfra/webhooks\" }\n  }\n}\n\nprovider \"webhooks\" {}\n" + resources
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(srv)
	t.Cleanup(api.Close)
	cmd := exec.Command(terraform, "apply", "-auto-approve", "-input=false", "-no-color") //nolint:gosec // the tests' own CLI.
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"TF_LOG=", "TF_LOG_PROVIDER=", "TF_LOG_PATH=",
		"INVETERATE_BASE_URL="+api.URL, "INVETERATE_API_KEY="+srv.Config().Inveterate.Keys[0])
	run := &terraformRun{t: t, cmd: cmd, output: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = run.output, run.output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return run
}

// killTerraformOnce kills Terraform with SIGKILL as soon as ready reports true, and notes which
// provider process it leaves behind.
func (r *terraformRun) killTerraformOnce(ready func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ready() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !ready() {
		r.t.Fatalf("the apply never got to the moment to kill Terraform:\n%s", r.output)
	}
	r.provider = childNamed(r.t, r.cmd.Process.Pid, "terraform-provi")
	if r.provider == 0 {
		r.t.Fatalf("no provider process under Terraform (pid %d)", r.cmd.Process.Pid)
	}
	if err := r.cmd.Process.Kill(); err != nil {
		r.t.Fatal(err)
	}
	_ = r.cmd.Wait()
}

// providerEnds fails the test unless the provider process ends within a minute (and kills it then).
func (r *terraformRun) providerEnds() {
	r.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for processRuns(r.provider) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if processRuns(r.provider) {
		if p, err := os.FindProcess(r.provider); err == nil {
			_ = p.Kill()
		}
		r.t.Fatalf("the provider (pid %d) still ran a minute after Terraform was killed", r.provider)
	}
}

// childNamed is the pid of a child of parent whose command name begins with name, 0 if none.
func childNamed(t *testing.T, parent int, name string) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range stats {
		comm, ppid, _, ok := readStat(path)
		if ok && ppid == parent && strings.HasPrefix(comm, name) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			return pid
		}
	}
	return 0
}

// processRuns reports whether pid is a process that has not ended: one that is gone, or a zombie
// nobody has reaped yet, has.
func processRuns(pid int) bool {
	_, _, state, ok := readStat(fmt.Sprintf("/proc/%d/stat", pid))
	return ok && state != "Z" && state != "X"
}

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
