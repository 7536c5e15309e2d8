//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain_stopSignalsRemoveFiles serves the command as a process, as the README's recipe does,
// and stops it with each signal it is stopped with in practice (SIGHUP: the terminal that started
// it closed): it must exit cleanly and leave nothing behind in the env file's directory, neither
// the env file (a script waiting for the next sandbox's would read it at once) nor, with -tls,
// the CA file.
func TestMain_stopSignalsRemoveFiles(t *testing.T) {
	for _, s := range []struct {
		name string
		sig  syscall.Signal
	}{{"SIGHUP", syscall.SIGHUP}, {"SIGTERM", syscall.SIGTERM}, {"SIGINT", syscall.SIGINT}} {
		sig := s.sig
		for _, flags := range [][]string{nil, {"-tls"}} {
			t.Run(strings.Join(append([]string{s.name}, flags...), " "), func(t *testing.T) {
				t.Parallel()
				if sig == syscall.SIGHUP && signal.Ignored(syscall.SIGHUP) {
					t.Skip("SIGHUP is ignored here (nohup), so in the sandbox too, which then outlives it by design")
				}
				dir := t.TempDir()
				envFile := filepath.Join(dir, "sandbox.env")
				p := startSandbox(t, nil, append([]string{"-addr", "127.0.0.1:0", "-env-file", envFile}, flags...)...)
				env := parseEnv(p.waitForFile(t, envFile))
				if flags != nil {
					if ca := env["SSL_CERT_FILE"]; ca != filepath.Join(dir, "sandbox-ca.pem") {
						t.Fatalf("SSL_CERT_FILE = %q", ca)
					}
				}
				if err := p.cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				if err := p.wait(t); err != nil {
					t.Errorf("after %v: %v; stderr:\n%s", sig, err, p.stderr.String())
				}
				// The env file, the CA file, and no temporary file either.
				if left, err := os.ReadDir(dir); err != nil || len(left) > 0 {
					var names []string
					for _, e := range left {
						names = append(names, e.Name())
					}
					t.Errorf("after %v, left in the env file's directory: %v (err %v)", sig, names, err)
				}
			})
		}
	}
}

// TestMain_nohupOutlivesTerminal: under nohup (SIGHUP ignored) the sandbox keeps SIGHUP ignored,
// as before it handled SIGHUP: asked to outlive its terminal, it does. The SIGTERM sent after the
// SIGHUP is what stops it, and it says so.
func TestMain_nohupOutlivesTerminal(t *testing.T) {
	t.Parallel()
	nohup, err := exec.LookPath("nohup")
	if err != nil {
		t.Skip("nohup is not installed")
	}
	dir := t.TempDir()
	envFile := filepath.Join(dir, "sandbox.env")
	p := startSandbox(t, []string{nohup}, "-addr", "127.0.0.1:0", "-env-file", envFile)
	p.waitForFile(t, envFile)
	// Both at once: a sandbox that handled the SIGHUP would stop on it, the lower signal
	// delivered first, and say so.
	for _, sig := range []os.Signal{syscall.SIGHUP, syscall.SIGTERM} {
		if err := p.cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.wait(t); err != nil {
		t.Errorf("exit: %v; stderr:\n%s", err, p.stderr.String())
	}
	if got := p.stderr.String(); !strings.Contains(got, "terminated signal received") || strings.Contains(got, "hangup") {
		t.Errorf("want a stop on SIGTERM only; stderr:\n%s", got)
	}
	if _, err := os.Stat(envFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("env file left behind after SIGTERM: %v", err)
	}
}

// sandboxProcess is the command serving in a subprocess: the test binary, run as the command.
type sandboxProcess struct {
	cmd *exec.Cmd
	// stderr is the sandbox's standard error; its standard output, which shows the keys, is
	// discarded. Read it only once the process has exited.
	stderr *bytes.Buffer
	done   chan struct{}
	err    error // Wait's, once done is closed
}

// startSandbox starts the command with args, through the wrapper command (nohup) if any; the
// test's end kills it if it still runs.
func startSandbox(t *testing.T, wrapper []string, args ...string) *sandboxProcess {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argv := append(append(wrapper, exe), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), sandboxEnv()...)
	p := &sandboxProcess{cmd: cmd, stderr: new(bytes.Buffer), done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitForFile polls until the sandbox has written path, and returns its content (keys: never
// to be printed); it fails the test if the sandbox exits first or takes too long.
func (p *sandboxProcess) waitForFile(t *testing.T, path string) string {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return string(b)
		}
		select {
		case <-p.done:
			t.Fatalf("the sandbox exited before writing %s: %v; stderr:\n%s", filepath.Base(path), p.err, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sandbox did not write %s", filepath.Base(path))
		}
	}
}

// wait waits (generously) for the sandbox to exit, and returns how it did.
func (p *sandboxProcess) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(20 * time.Second):
		t.Fatal("the sandbox did not exit")
		return nil
	}
}
