// Command webhooks-sandbox serves the webhook API sandbox (Lune, Inveterate
// and BLAZE on one host) on a loopback port, for the demo and for trying the
// provider by hand.
//
//	go run ./internal/sandbox/cmd/webhooks-sandbox -addr 127.0.0.1:8080
//
// On start it prints the base URL and the accepted keys as KEY=value lines
// ready to paste as environment variables (and, with -env-file, writes the
// same lines to a file once listening). With -tls it serves HTTPS and HTTP/2
// under a throwaway CA, whose certificate it writes to a file that the lines
// name as SSL_CERT_FILE. It stops cleanly on SIGINT, SIGTERM and SIGHUP (unless
// started under nohup), and then, as on any other exit it can catch, removes the
// files it wrote, unless another sandbox has replaced them since.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "webhooks-sandbox:", err)
		os.Exit(1)
	}
}

// stopSignals are the signals that stop the sandbox cleanly, removing its files:
// SIGHUP too (the terminal that started it closed), unless it was started with
// SIGHUP ignored (nohup), which asks it to outlive the terminal.
func stopSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}

// options is the parsed command line.
type options struct {
	addr    string
	envFile string
	// allowRemote lets addr be an address other machines can reach.
	allowRemote bool
	// baseURL is the base URL clients use, when it is not http://addr (a service name).
	baseURL string
	// caFile is where -tls writes the CA certificate; "" without -tls.
	caFile string
	cfg    sandbox.Config
}

// run serves the sandbox until ctx is cancelled.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if opts.envFile != "" {
		// A stale file from an earlier run would send a waiting script to a
		// dead port.
		if err := os.Remove(opts.envFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove stale env file: %w", err)
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", opts.addr)
	if err != nil {
		return err
	}
	sb := sandbox.New(opts.cfg)
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}

	scheme := "http"
	if opts.cfg.TLS {
		scheme = "https"
	}
	base := scheme + "://" + ln.Addr().String()
	if opts.baseURL != "" {
		base = opts.baseURL
	}
	// The files written go on every return: a script waiting for the env file
	// must never find one naming a sandbox that is gone, and the CA file is no
	// use once its key is.
	var written ownFiles
	defer written.remove()
	var caPath string
	if opts.cfg.TLS {
		ca, err := setUpTLS(srv, base, opts.caFile)
		if err != nil {
			_ = ln.Close()
			return err
		}
		written.add(ca)
		caPath = ca.path
	}
	lines := envLines(base, caPath, sb.Config())
	fmt.Fprintf(stdout, "webhooks-sandbox listening on %s\n", base)
	fmt.Fprintln(stdout, strings.Join(lines, "\n"))
	for _, l := range otherKeys(sb.Config()) {
		fmt.Fprintln(stdout, l)
	}
	if opts.envFile != "" {
		f, err := writeFileAtomic(opts.envFile, []byte(strings.Join(lines, "\n")+"\n"))
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("write env file: %w", err)
		}
		written.add(f)
	}

	errc := make(chan error, 1)
	go func() {
		if opts.cfg.TLS {
			// The certificate is in srv.TLSConfig already.
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// The files go first: nothing below (a write to a terminal that has gone
	// away) may stop the sandbox before they are removed.
	written.remove()
	fmt.Fprintf(stderr, "webhooks-sandbox: %v, shutting down\n", context.Cause(ctx))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// setUpTLS makes srv serve HTTPS with HTTP/2 (and HTTP/1.1 for clients without
// it) under a fresh certificate for loopback and for base's host, and writes
// the CA certificate to caFile. It returns the absolute path of that file, as
// the env file names it: the file is sourced from any directory.
func setUpTLS(srv *http.Server, base, caFile string) (*ownFile, error) {
	var hosts []string
	if u, err := url.Parse(base); err == nil {
		// A wildcard listen address (0.0.0.0) names no host a client can verify.
		if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsUnspecified() {
			hosts = append(hosts, u.Hostname())
		}
	}
	cert, err := sandbox.NewServerCert(hosts...)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	srv.TLSConfig = cert.TLSConfig()
	// Both, explicitly: HTTP/2 is what production speaks through its CDNs, and
	// HTTP/1.1 keeps older tools working.
	srv.Protocols = new(http.Protocols)
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetHTTP2(true)

	path, err := filepath.Abs(caFile)
	if err != nil {
		return nil, fmt.Errorf("-ca-file: %w", err)
	}
	// Written before the env file that names it, so a script that waits for
	// the env file finds the certificate there.
	f, err := writeFileAtomic(path, cert.CAPEM())
	if err != nil {
		return nil, fmt.Errorf("write CA file: %w", err)
	}
	return f, nil
}

// usageHeader opens -h: what the command is, how to use it, and where the rest is written.
const usageHeader = `webhooks-sandbox serves an in-memory emulator of the Lune, Inveterate (subscriptions and admin
webhooks) and BLAZE webhook APIs on one loopback port, for the provider's tests and demo and for
trying configurations without the vendors' keys.

  rm -f sandbox.env                 # a killed sandbox's file would be read at once
  webhooks-sandbox -addr 127.0.0.1:0 -env-file sandbox.env &
  until [ -s sandbox.env ]; do sleep 0.1; done
  set -a; . ./sandbox.env; set +a   # base URLs and keys for the provider
  kill %1                           # stop it: it removes sandbox.env; its data is gone

It listens on loopback only, unless -allow-remote: in a CI service container, serve it with
-addr 0.0.0.0:8080 -allow-remote -base-url http://sandbox:8080, and give the provider
allow_insecure_http = true (WEBHOOKS_ALLOW_INSECURE_HTTP=true, which -env-file then writes).

With -tls it serves HTTPS and HTTP/2, as the vendors do behind their CDNs, under a certificate of
a CA made for this run: it writes the CA certificate next to -env-file (or to -ca-file), and the
lines name it as SSL_CERT_FILE (and CURL_CA_BUNDLE), which Terraform, the provider and curl then
trust.

What each API emulates, the accepted keys, and curl examples with the headers each vendor needs:
docs/guides/sandbox.md in the provider's repository.

Flags:
`

// parseFlags builds the options from the command line; defaults come from
// sandbox.DefaultConfig so that -h shows them.
func parseFlags(args []string, output io.Writer) (options, error) {
	cfg := sandbox.DefaultConfig()
	opts := options{}
	fs := flag.NewFlagSet("webhooks-sandbox", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHeader)
		fs.PrintDefaults()
	}

	fs.StringVar(&opts.addr, "addr", "127.0.0.1:8080", "listen address; loopback unless -allow-remote (port 0 picks a free port)")
	fs.BoolVar(&opts.allowRemote, "allow-remote", false, "allow an -addr that other machines can reach (0.0.0.0:8080 in a CI service container); "+
		"anyone who reaches it can use the well-known keys")
	fs.StringVar(&opts.baseURL, "base-url", "", "the base URL clients use, printed and written to -env-file, when it is not http://ADDR "+
		"(http://sandbox:8080 for a service named sandbox; https:// with -tls, whose certificate then names its host too); "+
		"with http:// to a host that is not loopback, the lines also set WEBHOOKS_ALLOW_INSECURE_HTTP=true")
	fs.StringVar(&opts.envFile, "env-file", "", "write the KEY=value lines to this file once listening")
	fs.BoolVar(&cfg.TLS, "tls", false, "serve HTTPS with HTTP/2 under a CA made for this run; its certificate goes to -ca-file, "+
		"named as SSL_CERT_FILE and CURL_CA_BUNDLE in the KEY=value lines")
	fs.StringVar(&opts.caFile, "ca-file", "", "with -tls: write the CA certificate (PEM) to this file "+
		"(default: next to -env-file, NAME-ca.pem for NAME.env)")
	latency := fs.Duration("latency", 0, "latency added to every request of every API")
	rate := fs.Float64("failure-rate", 0, "probability (0..1) of an injected failure per request, all APIs")
	kinds := fs.String("failure-kinds", "", "comma-separated failure kinds to inject (default the first six): "+kindList())
	fs.DurationVar(&cfg.Inveterate.VisibilityDelay, "visibility-delay", 0, "Inveterate: delay before a created record is listed")
	fs.DurationVar(&cfg.Inveterate.DeleteDelay, "delete-delay", 0, "Inveterate: delay before a deleted admin webhook leaves the list")
	fs.BoolVar(&cfg.Inveterate.UniqueTopic, "unique-topic", false, "Inveterate: a second subscription for a topic answers 400")
	fs.StringVar(&cfg.Inveterate.MerchantID, "inveterate-merchant-id", cfg.Inveterate.MerchantID, "Inveterate: merchant id of every key")
	fs.StringVar(&cfg.Inveterate.AppName, "inveterate-app-name", cfg.Inveterate.AppName, "Inveterate: createdByApp of created admin webhooks")
	fs.IntVar(&cfg.Blaze.MaxPageSize, "max-page-size", cfg.Blaze.MaxPageSize, "BLAZE: cap on the list page size")
	fs.IntVar(&cfg.Lune.WebhookLimit, "webhook-limit", cfg.Lune.WebhookLimit, "Lune: webhooks allowed before create answers webhook_limit_reached (negative: no limit)")
	fs.IntVar(&cfg.Lune.RateLimit, "lune-rate-limit", cfg.Lune.RateLimit, "Lune: requests per second per key (negative: off)")
	fs.Int64Var(&cfg.Seed, "seed", 0, "seed of the fault-injection RNG (0: time-based)")
	fs.Var(&listFlag{vals: &cfg.Lune.Keys}, "lune-key", "Lune API key to accept (repeatable or comma-separated; test_ prefix = test mode)")
	fs.Var(&listFlag{vals: &cfg.Lune.Accounts}, "lune-account", "Lune account id accepted in Lune-Account (repeatable or comma-separated)")
	fs.Var(&listFlag{vals: &cfg.Inveterate.Keys}, "inveterate-key", "Inveterate API key to accept (repeatable or comma-separated)")
	fs.Var(&listFlag{vals: &cfg.Blaze.PartnerKeys}, "blaze-partner-key", "BLAZE partner key to accept (repeatable or comma-separated)")
	fs.Var(&devKeyFlag{keys: &cfg.Blaze.DeveloperKeys}, "blaze-developer-key",
		"BLAZE developer key to accept, as KEY or KEY=COMPANY_ID:SHOP_ID (repeatable or comma-separated; default shop "+
			sandbox.DefaultBlazeCompanyID+":"+sandbox.DefaultBlazeShopID+")")

	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if err := checkAddr(opts.addr, opts.allowRemote); err != nil {
		return options{}, err
	}
	scheme := "http"
	if cfg.TLS {
		scheme = "https"
	}
	if opts.baseURL != "" {
		if u, err := url.Parse(opts.baseURL); err != nil || u.Scheme != scheme || u.Host == "" || strings.Trim(u.Path, "/") != "" {
			return options{}, fmt.Errorf("-base-url %q: want %s://HOST:PORT", opts.baseURL, scheme)
		}
		opts.baseURL = strings.TrimRight(opts.baseURL, "/")
	}
	switch {
	case !cfg.TLS && opts.caFile != "":
		return options{}, errors.New("-ca-file is for -tls: without it there is no certificate to write")
	case cfg.TLS && opts.caFile == "" && opts.envFile == "":
		return options{}, errors.New("-tls needs -ca-file or -env-file: clients must be given the CA certificate to trust")
	case cfg.TLS && opts.caFile == "":
		opts.caFile = defaultCAFile(opts.envFile)
	}
	if *rate < 0 || *rate > 1 {
		return options{}, fmt.Errorf("-failure-rate must be between 0 and 1, got %v", *rate)
	}
	ks, err := sandbox.ParseFailureKinds(*kinds)
	if err != nil {
		return options{}, fmt.Errorf("-failure-kinds: %w", err)
	}
	if *latency < 0 {
		return options{}, fmt.Errorf("-latency must not be negative, got %v", *latency)
	}
	f := sandbox.Faults{Latency: *latency, FailureRate: *rate, Kinds: ks}
	cfg.Lune.Faults, cfg.Inveterate.Faults, cfg.Blaze.Faults = f, f, f
	opts.cfg = cfg
	return opts, nil
}

// checkAddr refuses a malformed address, and an address whose host is not loopback unless
// allowRemote: the sandbox accepts well-known keys, so other machines reach it only on purpose.
func checkAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if !allowRemote && !isLoopbackHost(host) {
		return fmt.Errorf("-addr %q: refusing to listen where other machines can reach it; use 127.0.0.1, [::1] or "+
			"localhost, or add -allow-remote to serve other machines (a CI service container)", addr)
	}
	return nil
}

// isLoopbackHost reports whether host is localhost or a loopback IP address.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultCAFile is the CA file next to the env file: sandbox.env gives sandbox-ca.pem.
func defaultCAFile(envFile string) string {
	return strings.TrimSuffix(envFile, filepath.Ext(envFile)) + "-ca.pem"
}

// envLines are the KEY=value lines printed on start and written to -env-file;
// caFile, if any, is named as SSL_CERT_FILE and CURL_CA_BUNDLE.
func envLines(base, caFile string, cfg sandbox.Config) []string {
	lines := []string{
		"LUNE_BASE_URL=" + base,
		"LUNE_API_KEY=" + first(cfg.Lune.Keys),
		"INVETERATE_BASE_URL=" + base,
		"INVETERATE_API_KEY=" + first(cfg.Inveterate.Keys),
		"BLAZE_BASE_URL=" + base,
		"BLAZE_PARTNER_KEY=" + first(cfg.Blaze.PartnerKeys),
		"BLAZE_DEVELOPER_KEY=" + first(slices.Sorted(maps.Keys(cfg.Blaze.DeveloperKeys))),
	}
	if u, err := url.Parse(base); err == nil && u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		// The provider refuses http:// to another host unless told.
		lines = append(lines, "WEBHOOKS_ALLOW_INSECURE_HTTP=true")
	}
	if caFile != "" {
		// Go programs on Linux (Terraform, the provider) read SSL_CERT_FILE;
		// see the sandbox guide for macOS and for what it replaces. curl reads
		// it too, but prefers CURL_CA_BUNDLE and SSL_CERT_DIR, which many
		// machines set: naming the file as CURL_CA_BUNDLE too wins over both.
		v := shellValue(caFile)
		lines = append(lines, "SSL_CERT_FILE="+v, "CURL_CA_BUNDLE="+v)
	}
	return lines
}

// otherKeys lists, as shell comments, the accepted keys beyond the first of each kind.
func otherKeys(cfg sandbox.Config) []string {
	var out []string
	add := func(name string, keys []string) {
		if len(keys) > 1 {
			out = append(out, fmt.Sprintf("# also accepted as %s: %s", name, strings.Join(keys[1:], ", ")))
		}
	}
	add("LUNE_API_KEY", cfg.Lune.Keys)
	add("INVETERATE_API_KEY", cfg.Inveterate.Keys)
	add("BLAZE_PARTNER_KEY", cfg.Blaze.PartnerKeys)
	add("BLAZE_DEVELOPER_KEY", slices.Sorted(maps.Keys(cfg.Blaze.DeveloperKeys)))
	out = append(out, "# Lune accounts (LUNE_ACCOUNT_ID): "+strings.Join(cfg.Lune.Accounts, ", "))
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// writeFileAtomic writes through a temporary file and a rename, so that a
// script polling for the file never reads it half-written (nor a client the CA
// file). It returns the file as written, for ownFile.remove.
func writeFileAtomic(path string, data []byte) (*ownFile, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".webhooks-sandbox-*")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return nil, err
	}
	// The rename keeps the file's identity: this is the file at path after it.
	info, err := tmp.Stat()
	if err != nil {
		_ = tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	return &ownFile{path: path, info: info, data: data}, nil
}

// ownFile is a file the sandbox wrote, as it wrote it.
type ownFile struct {
	path string
	info os.FileInfo
	data []byte
}

// remove removes the file if it is still the one written: the same file with
// the same content. Another sandbox given the same path may have replaced it
// since (by a rename: another file) or someone rewritten it in place (another
// content); that file is theirs, and stays.
func (f *ownFile) remove() {
	// The path is the operator's own -env-file or -ca-file flag, not outside input.
	fi, err := os.Lstat(f.path)
	if err != nil || !os.SameFile(fi, f.info) {
		return
	}
	if b, err := os.ReadFile(f.path); err != nil || !bytes.Equal(b, f.data) {
		return
	}
	_ = os.Remove(f.path) //nolint:gosec // G703: see above.
}

// ownFiles are the files written so far, removed in the reverse order: the
// env file before the CA file it names.
type ownFiles []*ownFile

func (fs *ownFiles) add(f *ownFile) { *fs = append(*fs, f) }

// remove removes each file still as written; a second call does nothing.
func (fs *ownFiles) remove() {
	for _, f := range slices.Backward(*fs) {
		f.remove()
	}
	*fs = nil
}

// shellValue quotes v for a POSIX shell only when it must, so that sourcing the
// env file gives v back while the usual value stays plain for tools that do not
// unquote (docker --env-file).
func shellValue(v string) string {
	if v != "" && strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:,@%") == "" {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// kindList names every failure kind for -h: those injected by default, then
// the ones injected only when named.
func kindList() string {
	var def, named []string
	for _, k := range sandbox.KnownFailureKinds() {
		if slices.Contains(sandbox.AllFailureKinds(), k) {
			def = append(def, string(k))
		} else {
			named = append(named, string(k))
		}
	}
	return strings.Join(def, ", ") + "; only when named: " + strings.Join(named, ", ")
}

// listFlag is a repeatable, comma-separated string list whose first use
// replaces the default.
type listFlag struct {
	vals *[]string
	set  bool
}

func (f *listFlag) String() string {
	if f == nil || f.vals == nil {
		return ""
	}
	return strings.Join(*f.vals, ",")
}

func (f *listFlag) Set(v string) error {
	if !f.set {
		*f.vals, f.set = nil, true
	}
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*f.vals = append(*f.vals, part)
		}
	}
	return nil
}

// devKeyFlag is the BLAZE developer key list: KEY (default company and
// shop) or KEY=COMPANY_ID:SHOP_ID; its first use replaces the default.
type devKeyFlag struct {
	keys *map[string]sandbox.BlazeShop
	set  bool
}

func (f *devKeyFlag) String() string {
	if f == nil || f.keys == nil {
		return ""
	}
	return strings.Join(slices.Sorted(maps.Keys(*f.keys)), ",")
}

func (f *devKeyFlag) Set(v string) error {
	if !f.set {
		*f.keys, f.set = map[string]sandbox.BlazeShop{}, true
	}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, ids, hasIDs := strings.Cut(part, "=")
		shop := sandbox.BlazeShop{CompanyID: sandbox.DefaultBlazeCompanyID, ShopID: sandbox.DefaultBlazeShopID}
		if hasIDs {
			company, shopID, ok := strings.Cut(ids, ":")
			if !ok || company == "" || shopID == "" {
				return fmt.Errorf("%q: want KEY or KEY=COMPANY_ID:SHOP_ID", part)
			}
			shop = sandbox.BlazeShop{CompanyID: company, ShopID: shopID}
		}
		if key == "" {
			return fmt.Errorf("%q: empty key", part)
		}
		(*f.keys)[key] = shop
	}
	return nil
}
