package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
