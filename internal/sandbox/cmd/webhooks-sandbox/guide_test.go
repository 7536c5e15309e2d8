package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// repoFile reads a file of the repository.
func repoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGuide_curlExamples runs the sandbox guide's curl script, as written, against the command
// serving on a free port, with the variables its -env-file holds: every request must succeed and
// make the object it says, one per API surface. It does so over plain HTTP and over -tls, where
// curl trusts the sandbox through the CA file the env file names, as the guide says.
func TestGuide_curlExamples(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	t.Run("http", func(t *testing.T) { runCurlScript(t, bash) })
	t.Run("tls", func(t *testing.T) { runCurlScript(t, bash, "-tls") })
}

// runCurlScript serves the command with the extra flags and runs the guide's curl script against it.
func runCurlScript(t *testing.T, bash string, flags ...string) {
	envFile := filepath.Join(t.TempDir(), "sandbox.env")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-env-file", envFile}, flags...), io.Discard, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	var env string
	for deadline := time.Now().Add(10 * time.Second); env == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(envFile)
		env = string(b)
	}
	if env == "" {
		t.Fatal("the sandbox did not write its env file")
	}

	cmd := exec.Command(bash, filepath.Join("..", "..", "..", "..", "examples", "guides", "sandbox", "curl.sh"))
	// The caller's environment stays, as a user's shell would: on many machines it sets
	// SSL_CERT_DIR or CURL_CA_BUNDLE, which curl prefers to SSL_CERT_FILE, and the env file
	// must win over them all the same.
	cmd.Env = os.Environ()
	for k, v := range parseEnv(env) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl.sh: %v\n%s", err, out)
	}
	// Each create answers its object, and each list then shows it.
	for _, want := range []string{
		`"url":"https://hooks.example.com/lune/orders"`,
		`"callbackUrl":"https://hooks.example.com/inveterate/customers"`,
		`"callbackUrl":"https://hooks.example.com/inveterate/admin"`,
		`"webHookUrls":["https://hooks.example.com/blaze/members"]`,
	} {
		if n := strings.Count(string(out), want); n != 2 {
			t.Errorf("curl.sh output has %s %d times, want 2 (the create and the list)", want, n)
		}
	}
	if !strings.Contains(string(out), `"secret":"whsec_`) || !regexp.MustCompile(`"token":"[0-9a-f]{32}"`).Match(out) {
		t.Error("the creates did not answer the Lune secret and the Inveterate token")
	}
}

// TestGuide_recipe runs the README's recipe for serving the sandbox, and the same recipe in -h,
// as written, in bash and zsh: with the command built (the test binary, run as the command) where
// the recipe runs it, `make` and `terraform` doing nothing, and the exported LUNE_BASE_URL shown
// at the end. The recipe must export the URL of the sandbox it started, also when a sandbox killed
// earlier (SIGKILL: it could not remove its file) left a sandbox.env naming a dead port, and its
// kill must leave no sandbox.env behind.
func TestGuide_recipe(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the recipe is for POSIX shells")
	}
	readme := repoFile(t, "README.md")
	start := strings.Index(readme, "```sh\nmake sandbox")
	if start < 0 {
		t.Fatal("the README has no sandbox recipe (a sh block starting with make sandbox)")
	}
	recipe := readme[start+len("```sh\n"):]
	recipe = recipe[:strings.Index(recipe, "```")]
	recipes := map[string]string{"README": recipe}
	for _, para := range strings.Split(usageHeader, "\n\n") {
		if strings.Contains(para, "-env-file sandbox.env &") {
			recipes["usage"] = regexp.MustCompile(`(?m)^  `).ReplaceAllString(para, "") + "\n"
		}
	}
	if recipes["usage"] == "" {
		t.Fatal("-h shows no recipe")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	shells := 0
	for _, shell := range []string{"bash", "zsh"} {
		path, err := exec.LookPath(shell)
		if err != nil {
			t.Logf("%s is not installed: not run in %s", shell, shell)
			continue
		}
		shells++
		for _, src := range []string{"README", "usage"} {
			for _, stale := range []bool{false, true} {
				name := shell + "/" + src
				if stale {
					name += "/stale env file"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					runRecipe(t, path, exe, recipes[src], stale)
				})
			}
		}
	}
	if shells == 0 {
		t.Skip("neither bash nor zsh is installed")
	}
}

// runRecipe runs recipe in shell, in a directory of its own, with a stale sandbox.env there first
// if stale.
func runRecipe(t *testing.T, shell, exe, recipe string, stale bool) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "sandbox.env")
	// The command, where the README's recipe runs it (bin/) and on the PATH for -h's; each of its
	// processes notes its pid, so that a recipe that hangs leaves no sandbox running.
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o700); err != nil {
		t.Fatal(err)
	}
	pids := filepath.Join(dir, "pids")
	wrapper := "#!/bin/sh\necho $$ >>" + shellValue(pids) + "\n"
	for _, kv := range sandboxEnv() {
		k, v, _ := strings.Cut(kv, "=")
		wrapper += k + "=" + shellValue(v) + " "
	}
	wrapper += "exec " + shellValue(exe) + ` "$@"` + "\n"
	if err := os.WriteFile(filepath.Join(bin, "webhooks-sandbox"), []byte(wrapper), 0o700); err != nil {
		t.Fatal(err)
	}
	deadURL := ""
	if stale {
		// What a sandbox killed with SIGKILL leaves: its lines, naming a port where nothing listens now.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		deadURL = "http://" + ln.Addr().String()
		_ = ln.Close()
		if err := os.WriteFile(envFile, []byte(strings.Join(envLines(deadURL, "", sandbox.DefaultConfig()), "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	script := "make() { :; }\nterraform() { :; }\n" + recipe + "printf 'exported LUNE_BASE_URL=%s\\n' \"$LUNE_BASE_URL\"\n"
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	args := []string{"-c", script}
	if filepath.Base(shell) == "zsh" {
		args = append([]string{"-f"}, args...) // no startup files of this machine's user
	}
	cmd := exec.CommandContext(ctx, shell, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.WaitDelay = 10 * time.Second
	// Its standard output shows the keys: it is searched, never printed.
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil || errors.Is(err, exec.ErrWaitDelay) {
		// The recipe hung, or its sandbox did not stop: it may be serving still.
		b, _ := os.ReadFile(pids)
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				if p, err := os.FindProcess(pid); err == nil {
					_ = p.Kill()
				}
			}
		}
	}
	if err != nil {
		t.Fatalf("the recipe: %v; its errors:\n%s", err, shellErrors(stderr.String()))
	}

	listening := regexp.MustCompile(`(?m)^webhooks-sandbox listening on (\S+)$`).FindStringSubmatch(stdout.String())
	exported := regexp.MustCompile(`(?m)^exported LUNE_BASE_URL=(\S*)$`).FindStringSubmatch(stdout.String())
	switch {
	case exported == nil:
		t.Error("the recipe did not get to its end")
	case exported[1] == deadURL:
		t.Errorf("the recipe exported the stale env file's LUNE_BASE_URL=%s, where nothing listens", deadURL)
	case listening == nil:
		t.Errorf("the sandbox did not say where it listens; errors:\n%s", shellErrors(stderr.String()))
	case exported[1] != listening[1]:
		t.Errorf("the recipe exported LUNE_BASE_URL=%s, the sandbox it started listens on %s", exported[1], listening[1])
	}
	// Run returned once the sandbox had closed its output too, so it has exited.
	if _, err := os.Stat(envFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("sandbox.env is left after the recipe's kill: %v", err)
	}
}

// shellErrors are the lines of the shell's and the command's standard error that are errors,
// without the -h text the README's recipe prints there.
func shellErrors(stderr string) string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "webhooks-sandbox:") || strings.HasPrefix(l, "bash:") || strings.HasPrefix(l, "zsh:") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestGuide_keysAsDocumented holds the sandbox guide's table of keys and identities to the
// command's defaults.
func TestGuide_keysAsDocumented(t *testing.T) {
	guide := repoFile(t, "templates/guides/sandbox.md.tmpl")
	opts, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := opts.cfg
	want := append([]string{}, c.Lune.Keys...)
	want = append(want, c.Lune.Accounts...)
	want = append(want, c.Inveterate.Keys...)
	want = append(want, c.Inveterate.MerchantID, c.Inveterate.AppName)
	want = append(want, c.Blaze.PartnerKeys...)
	for key := range c.Blaze.DeveloperKeys {
		want = append(want, key)
	}
	want = append(want, sandbox.DefaultBlazeCompanyID, sandbox.DefaultBlazeShopID)
	for _, w := range want {
		if !strings.Contains(guide, "`"+w+"`") {
			t.Errorf("the sandbox guide does not name %q", w)
		}
	}
	for _, flag := range []string{"-lune-rate-limit", "-webhook-limit", "-visibility-delay", "-delete-delay", "-unique-topic", "-max-page-size", "-latency", "-failure-rate", "-failure-kinds", "-seed", "-tls", "-ca-file"} {
		if !strings.Contains(guide, "`"+flag) {
			t.Errorf("the sandbox guide does not document %s", flag)
		}
	}
	for _, kind := range sandbox.KnownFailureKinds() {
		if !strings.Contains(guide, "`"+string(kind)+"`") {
			t.Errorf("the sandbox guide does not document the failure kind %s", kind)
		}
	}
}
