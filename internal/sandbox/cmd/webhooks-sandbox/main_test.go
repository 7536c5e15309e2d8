package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// runMainEnv, set to 1 in a subprocess of the test binary, makes it run the command instead of
// the tests: the process-level tests serve the sandbox as its binary, signal handling and all.
const runMainEnv = "WEBHOOKS_SANDBOX_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// sandboxEnv are the variables, added to the test's, that make the test binary run the command.
func sandboxEnv() []string {
	// Without the race detector's second of sleep at exit (when it is on), which would only
	// slow every stop down.
	return []string{runMainEnv + "=1", "GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")}
}

func TestParseFlags_defaults(t *testing.T) {
	opts, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	d := sandbox.DefaultConfig()
	c := opts.cfg
	if opts.addr != "127.0.0.1:8080" || opts.envFile != "" ||
		!slices.Equal(c.Lune.Keys, d.Lune.Keys) || !slices.Equal(c.Inveterate.Keys, d.Inveterate.Keys) ||
		!slices.Equal(c.Blaze.PartnerKeys, d.Blaze.PartnerKeys) || len(c.Blaze.DeveloperKeys) != 1 ||
		c.Lune.RateLimit != 15 || c.Lune.WebhookLimit != 100 || c.Blaze.MaxPageSize != 100 ||
		c.Lune.Faults.FailureRate != 0 || c.Lune.Faults.Latency != 0 {
		t.Errorf("defaults = %+v %+v", opts, c)
	}
}

func TestParseFlags_loopbackOnly(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:0", true},
		{"127.0.0.2:8080", true},
		{"localhost:8080", true},
		{"[::1]:0", true},
		{":8080", false},
		{"0.0.0.0:8080", false},
		{"[::]:8080", false},
		{"192.168.1.10:8080", false},
		{"example.com:8080", false},
		{"127.0.0.1", false}, // no port
	}
	for _, tt := range tests {
		_, err := parseFlags([]string{"-addr", tt.addr}, io.Discard)
		if (err == nil) != tt.ok {
			t.Errorf("-addr %s: err = %v, want ok = %v", tt.addr, err, tt.ok)
		}
		if err != nil && tt.addr == "0.0.0.0:8080" && !strings.Contains(err.Error(), "-allow-remote") {
			t.Errorf("error should say how: %v", err)
		}
		// -allow-remote lifts the loopback rule, not the address syntax.
		_, err = parseFlags([]string{"-addr", tt.addr, "-allow-remote"}, io.Discard)
		if (err == nil) != (tt.addr != "127.0.0.1") {
			t.Errorf("-addr %s -allow-remote: err = %v", tt.addr, err)
		}
	}
}

// TestRun_serviceContainer serves the sandbox as a CI service container would, with -allow-remote
// and the base URL its clients use (listening on loopback all the same: tests stay on loopback):
// the env file names that URL and allows the provider to use http:// to it.
func TestRun_serviceContainer(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), "sandbox.env")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-allow-remote", "-base-url", "http://sandbox:8080/", "-env-file", envFile}, io.Discard, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	var env map[string]string
	for deadline := time.Now().Add(10 * time.Second); env == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(envFile); err == nil && len(b) > 0 {
			env = parseEnv(string(b))
		}
	}
	if env["LUNE_BASE_URL"] != "http://sandbox:8080" || env["BLAZE_BASE_URL"] != "http://sandbox:8080" || env["WEBHOOKS_ALLOW_INSECURE_HTTP"] != "true" {
		t.Errorf("env file: %v", env)
	}
	for _, bad := range []string{"https://sandbox:8080", "sandbox:8080", "http://sandbox:8080/v1"} {
		if _, err := parseFlags([]string{"-base-url", bad}, io.Discard); err == nil {
			t.Errorf("-base-url %s was accepted", bad)
		}
	}
}

func TestParseFlags_everyKnob(t *testing.T) {
	opts, err := parseFlags([]string{
		"-addr", "127.0.0.1:0", "-env-file", "/tmp/x.env",
		"-latency", "50ms", "-failure-rate", "0.2", "-failure-kinds", "429,reset",
		"-visibility-delay", "1.5s", "-delete-delay", "2s", "-unique-topic",
		"-max-page-size", "3", "-webhook-limit", "7", "-lune-rate-limit", "-1", "-seed", "99",
		"-lune-key", "test_a,live_b", "-lune-key", "live_c",
		"-lune-account", "acc_x",
		"-inveterate-key", "inv", "-inveterate-merchant-id", "m", "-inveterate-app-name", "app",
		"-blaze-partner-key", "p1,p2",
		"-blaze-developer-key", "d1", "-blaze-developer-key", "d2=aaaaaaaaaaaaaaaaaaaaaaaa:bbbbbbbbbbbbbbbbbbbbbbbb",
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := opts.cfg
	want := sandbox.Faults{Latency: 50 * time.Millisecond, FailureRate: 0.2, Kinds: []sandbox.FailureKind{sandbox.Fail429, sandbox.FailReset}}
	for _, f := range []sandbox.Faults{c.Lune.Faults, c.Inveterate.Faults, c.Blaze.Faults} {
		if f.Latency != want.Latency || f.FailureRate != want.FailureRate || !slices.Equal(f.Kinds, want.Kinds) {
			t.Errorf("faults = %+v", f)
		}
	}
	if opts.envFile != "/tmp/x.env" || c.Inveterate.VisibilityDelay != 1500*time.Millisecond || c.Inveterate.DeleteDelay != 2*time.Second ||
		!c.Inveterate.UniqueTopic || c.Blaze.MaxPageSize != 3 || c.Lune.WebhookLimit != 7 || c.Lune.RateLimit != -1 || c.Seed != 99 ||
		!slices.Equal(c.Lune.Keys, []string{"test_a", "live_b", "live_c"}) || !slices.Equal(c.Lune.Accounts, []string{"acc_x"}) ||
		!slices.Equal(c.Inveterate.Keys, []string{"inv"}) || c.Inveterate.MerchantID != "m" || c.Inveterate.AppName != "app" ||
		!slices.Equal(c.Blaze.PartnerKeys, []string{"p1", "p2"}) {
		t.Errorf("config = %+v", c)
	}
	if len(c.Blaze.DeveloperKeys) != 2 || c.Blaze.DeveloperKeys["d1"].ShopID != sandbox.DefaultBlazeShopID ||
		c.Blaze.DeveloperKeys["d2"] != (sandbox.BlazeShop{CompanyID: "aaaaaaaaaaaaaaaaaaaaaaaa", ShopID: "bbbbbbbbbbbbbbbbbbbbbbbb"}) {
		t.Errorf("developer keys = %v", c.Blaze.DeveloperKeys)
	}
	// The defaults were replaced, not appended to, and are not shared.
	if d := sandbox.DefaultConfig(); d.Lune.Keys[0] != sandbox.DefaultLuneTestKey {
		t.Error("flag parsing changed DefaultConfig")
	}
}

func TestParseFlags_errors(t *testing.T) {
	for _, args := range [][]string{
		{"-failure-kinds", "429,boom"},
		{"-failure-rate", "1.5"},
		{"-failure-rate", "-0.1"},
		{"-latency", "-1s"},
		{"-latency", "soon"},
		{"-blaze-developer-key", "k=onlycompany"},
		{"-blaze-developer-key", "=a:b"},
		{"stray"},
		{"-nope"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

func TestRun_servesAndWritesEnvFile(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "sandbox.env")
	if err := os.WriteFile(envFile, []byte("STALE=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-env-file", envFile}, &stdout, &stderr)
	}()

	// Wait (generously) for the fresh env file.
	var env map[string]string
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(envFile); err == nil && !strings.Contains(string(b), "STALE") {
			env = parseEnv(string(b))
			break
		}
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("env file not written")
		}
		time.Sleep(10 * time.Millisecond)
	}

	wantKeys := []string{"LUNE_BASE_URL", "LUNE_API_KEY", "INVETERATE_BASE_URL", "INVETERATE_API_KEY",
		"BLAZE_BASE_URL", "BLAZE_PARTNER_KEY", "BLAZE_DEVELOPER_KEY"}
	if len(env) != len(wantKeys) {
		t.Fatalf("env file = %v", env)
	}
	base := env["LUNE_BASE_URL"]
	if !strings.HasPrefix(base, "http://127.0.0.1:") || env["INVETERATE_BASE_URL"] != base || env["BLAZE_BASE_URL"] != base ||
		env["LUNE_API_KEY"] != sandbox.DefaultLuneTestKey || env["INVETERATE_API_KEY"] != sandbox.DefaultInveterateKey ||
		env["BLAZE_PARTNER_KEY"] != sandbox.DefaultBlazePartnerKey || env["BLAZE_DEVELOPER_KEY"] != sandbox.DefaultBlazeDeveloperKey {
		t.Errorf("env = %v", env)
	}

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/v1/webhooks", nil)
	req.Header.Set("Authorization", "Bearer "+env["LUNE_API_KEY"])
	req.Header.Set("Lune-Version", "2024-08-08")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /v1/webhooks = %d", res.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop after cancel")
	}
	out := stdout.String()
	if !strings.HasPrefix(out, "webhooks-sandbox listening on "+base+"\n") {
		t.Errorf("stdout = %q", out)
	}
	for _, k := range wantKeys {
		if !strings.Contains(out, "\n"+k+"="+env[k]+"\n") {
			t.Errorf("stdout lacks %s: %q", k, out)
		}
	}
	if _, err := os.Stat(envFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("env file left behind after shutdown: %v", err)
	}
}

func parseEnv(s string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}

func TestParseFlags_tls(t *testing.T) {
	dir := t.TempDir()
	opts, err := parseFlags([]string{"-tls", "-env-file", filepath.Join(dir, "sandbox.env")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !opts.cfg.TLS || opts.caFile != filepath.Join(dir, "sandbox-ca.pem") {
		t.Errorf("-tls -env-file: TLS %v, CA file %q, want it next to the env file", opts.cfg.TLS, opts.caFile)
	}
	opts, err = parseFlags([]string{"-tls", "-ca-file", "ca.pem", "-allow-remote", "-addr", "0.0.0.0:8443", "-base-url", "https://sandbox:8443/"}, io.Discard)
	if err != nil || opts.caFile != "ca.pem" || opts.baseURL != "https://sandbox:8443" {
		t.Errorf("-tls -ca-file -base-url https://: %+v, %v", opts, err)
	}
	opts, err = parseFlags([]string{"-failure-kinds", "cdn_timeout,cdn_error,redirect,503"}, io.Discard)
	want := []sandbox.FailureKind{sandbox.FailCDNTimeout, sandbox.FailCDNError, sandbox.FailRedirect, sandbox.Fail503}
	if err != nil || !slices.Equal(opts.cfg.Blaze.Faults.Kinds, want) {
		t.Errorf("-failure-kinds with the CDN kinds: %v, %v", opts.cfg.Blaze.Faults.Kinds, err)
	}
	for _, args := range [][]string{
		{"-tls"}, // the CA certificate would go nowhere
		{"-ca-file", "ca.pem"},
		{"-tls", "-ca-file", "ca.pem", "-base-url", "http://sandbox:8443"},
		{"-ca-file", "ca.pem", "-base-url", "https://sandbox:8443"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// TestRun_tls serves the command over TLS: the env file names an https:// base
// URL and, as SSL_CERT_FILE, the CA certificate it wrote, with which every
// vendor's API answers over HTTP/2. Both files go when the sandbox stops.
func TestRun_tls(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), "sandbox.env")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	var stdout bytes.Buffer
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-tls", "-env-file", envFile}, &stdout, io.Discard)
	}()
	var env map[string]string
	for deadline := time.Now().Add(20 * time.Second); env == nil; time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(envFile); err == nil && len(b) > 0 {
			env = parseEnv(string(b))
		}
		if time.Now().After(deadline) {
			t.Fatal("env file not written")
		}
	}
	base, caFile := env["LUNE_BASE_URL"], env["SSL_CERT_FILE"]
	if !strings.HasPrefix(base, "https://127.0.0.1:") || env["BLAZE_BASE_URL"] != base || env["INVETERATE_BASE_URL"] != base {
		t.Errorf("base URLs: %v", env)
	}
	if caFile != filepath.Join(filepath.Dir(envFile), "sandbox-ca.pem") || env["CURL_CA_BUNDLE"] != caFile || env["WEBHOOKS_ALLOW_INSECURE_HTTP"] != "" {
		t.Errorf("SSL_CERT_FILE = %q, CURL_CA_BUNDLE = %q, insecure = %q", caFile, env["CURL_CA_BUNDLE"], env["WEBHOOKS_ALLOW_INSECURE_HTTP"])
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("SSL_CERT_FILE holds no certificate: %q", pem)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for _, c := range []struct {
		path string
		hdr  map[string]string
	}{
		{"/v1/webhooks", map[string]string{"Authorization": "Bearer " + env["LUNE_API_KEY"], "Lune-Version": "2024-08-08"}},
		{"/v2.0/admin/webhook-subscriptions", map[string]string{"X-Inveterate-Api-Key": env["INVETERATE_API_KEY"]}},
		{"/v2.0/admin/webhooks", map[string]string{"X-Inveterate-Api-Key": env["INVETERATE_API_KEY"]}},
		{"/api/v1/partner/webHooks", map[string]string{"x-api-key": env["BLAZE_PARTNER_KEY"], "Authorization": env["BLAZE_DEVELOPER_KEY"]}},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+c.path, nil)
		for k, v := range c.hdr {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", c.path, err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusOK || res.ProtoMajor != 2 {
			t.Errorf("GET %s: %d over HTTP/%d", c.path, res.StatusCode, res.ProtoMajor)
		}
	}
	if !strings.Contains(stdout.String(), "\nSSL_CERT_FILE="+caFile+"\n") {
		t.Errorf("stdout does not name the CA file: %q", stdout.String())
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, f := range []string{envFile, caFile} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind after shutdown: %v", f, err)
		}
	}
}

// TestRun_keepsReplacedFiles: a sandbox removes on exit only the files it wrote. Another
// sandbox given the same -env-file replaces them by a rename (another file), someone may rewrite
// them in place (another content): either way they are not the first sandbox's to remove.
func TestRun_keepsReplacedFiles(t *testing.T) {
	for name, replace := range map[string]func(path string, data []byte) error{
		"renamed over": func(path string, data []byte) error {
			tmp := path + ".other"
			if err := os.WriteFile(tmp, data, 0o600); err != nil {
				return err
			}
			return os.Rename(tmp, path)
		},
		"rewritten in place": func(path string, data []byte) error {
			return os.WriteFile(path, data, 0o600)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			envFile, caFile := filepath.Join(dir, "sandbox.env"), filepath.Join(dir, "sandbox-ca.pem")
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-tls", "-env-file", envFile}, io.Discard, io.Discard)
			}()
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if fi, err := os.Stat(envFile); err == nil && fi.Size() > 0 {
					break
				}
				select {
				case err := <-done:
					t.Fatalf("run returned early: %v", err)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatal("env file not written")
				}
			}
			theirs := map[string][]byte{
				envFile: []byte(strings.Join(envLines("https://127.0.0.1:2", caFile, sandbox.DefaultConfig()), "\n") + "\n"),
				caFile:  []byte("another sandbox's CA certificate\n"),
			}
			for path, data := range theirs {
				if err := replace(path, data); err != nil {
					t.Fatal(err)
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("run: %v", err)
			}
			for path, data := range theirs {
				// Compared, never printed: the env file holds keys.
				if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, data) {
					t.Errorf("%s, written by another after the sandbox, is gone or changed at its exit (err %v)", filepath.Base(path), err)
				}
			}
		})
	}
}

func TestEnvLines_quoteOnlyWhenNeeded(t *testing.T) {
	for path, want := range map[string]string{
		"/tmp/run-1/sandbox-ca.pem":      "/tmp/run-1/sandbox-ca.pem",
		"/home/me/My Projects/ca.pem":    `'/home/me/My Projects/ca.pem'`,
		"/home/me/it's/ca.pem":           `'/home/me/it'\''s/ca.pem'`,
		"/home/me/$HOME/ca.pem":          `'/home/me/$HOME/ca.pem'`,
		"C:/Users/me/sandbox-ca.pem":     "C:/Users/me/sandbox-ca.pem",
		"/srv/ci@host/sandbox+tls/a.pem": "/srv/ci@host/sandbox+tls/a.pem",
	} {
		lines := envLines("https://127.0.0.1:1", path, sandbox.DefaultConfig())
		if got := lines[len(lines)-2:]; got[0] != "SSL_CERT_FILE="+want || got[1] != "CURL_CA_BUNDLE="+want {
			t.Errorf("%s: %s", path, got)
		}
	}
	if lines := envLines("http://127.0.0.1:1", "", sandbox.DefaultConfig()); strings.Contains(strings.Join(lines, "\n"), "SSL_CERT_FILE") {
		t.Errorf("plain HTTP names a CA file: %v", lines)
	}
}
