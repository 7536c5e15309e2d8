// Command webhooks-sandbox serves the webhook API sandbox (Lune, Inveterate
// and BLAZE on one host) on a loopback port, for the demo and for trying the
// provider by hand.
//
//	go run ./internal/sandbox/cmd/webhooks-sandbox -addr 127.0.0.1:8080
//
// On start it prints the base URL and the accepted keys as KEY=value lines
// ready to paste as environment variables (and, with -env-file, writes the
// same lines to a file once listening). It stops cleanly on SIGINT/SIGTERM.
package main

import (
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
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

// options is the parsed command line.
type options struct {
	addr    string
	envFile string
	// allowRemote lets addr be an address other machines can reach.
	allowRemote bool
	// baseURL is the base URL clients use, when it is not http://addr (a service name).
	baseURL string
	cfg     sandbox.Config
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

	base := "http://" + ln.Addr().String()
	if opts.baseURL != "" {
		base = opts.baseURL
	}
	lines := envLines(base, sb.Config())
	fmt.Fprintf(stdout, "webhooks-sandbox listening on %s\n", base)
	fmt.Fprintln(stdout, strings.Join(lines, "\n"))
	for _, l := range otherKeys(sb.Config()) {
		fmt.Fprintln(stdout, l)
	}
	if opts.envFile != "" {
		if err := writeFileAtomic(opts.envFile, []byte(strings.Join(lines, "\n")+"\n")); err != nil {
			_ = ln.Close()
			return fmt.Errorf("write env file: %w", err)
		}
		// The path is the operator's own -env-file flag, not outside input.
		defer func() { _ = os.Remove(opts.envFile) }() //nolint:gosec // G703: see above.
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "webhooks-sandbox: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// usageHeader opens -h: what the command is, how to use it, and where the rest is written.
const usageHeader = `webhooks-sandbox serves an in-memory emulator of the Lune, Inveterate (subscriptions and admin
webhooks) and BLAZE webhook APIs on one loopback port, for the provider's tests and demo and for
trying configurations without the vendors' keys.

  webhooks-sandbox -addr 127.0.0.1:0 -env-file sandbox.env &
  until [ -s sandbox.env ]; do sleep 0.1; done
  set -a; . ./sandbox.env; set +a   # base URLs and keys for the provider
  kill %1                           # stop it; its data is gone

It listens on loopback only, unless -allow-remote: in a CI service container, serve it with
-addr 0.0.0.0:8080 -allow-remote -base-url http://sandbox:8080, and give the provider
allow_insecure_http = true (WEBHOOKS_ALLOW_INSECURE_HTTP=true, which -env-file then writes).

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
		"(http://sandbox:8080 for a service named sandbox); with a host that is not loopback, the lines also set WEBHOOKS_ALLOW_INSECURE_HTTP=true")
	fs.StringVar(&opts.envFile, "env-file", "", "write the KEY=value lines to this file once listening")
	latency := fs.Duration("latency", 0, "latency added to every request of every API")
	rate := fs.Float64("failure-rate", 0, "probability (0..1) of an injected failure per request, all APIs")
	kinds := fs.String("failure-kinds", "", "comma-separated failure kinds to inject (default all): "+kindList())
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
	if opts.baseURL != "" {
		if u, err := url.Parse(opts.baseURL); err != nil || u.Scheme != "http" || u.Host == "" || strings.Trim(u.Path, "/") != "" {
			return options{}, fmt.Errorf("-base-url %q: want http://HOST:PORT", opts.baseURL)
		}
		opts.baseURL = strings.TrimRight(opts.baseURL, "/")
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

// envLines are the KEY=value lines printed on start and written to -env-file.
func envLines(base string, cfg sandbox.Config) []string {
	lines := []string{
		"LUNE_BASE_URL=" + base,
		"LUNE_API_KEY=" + first(cfg.Lune.Keys),
		"INVETERATE_BASE_URL=" + base,
		"INVETERATE_API_KEY=" + first(cfg.Inveterate.Keys),
		"BLAZE_BASE_URL=" + base,
		"BLAZE_PARTNER_KEY=" + first(cfg.Blaze.PartnerKeys),
		"BLAZE_DEVELOPER_KEY=" + first(slices.Sorted(maps.Keys(cfg.Blaze.DeveloperKeys))),
	}
	if u, err := url.Parse(base); err == nil && !isLoopbackHost(u.Hostname()) {
		// The provider refuses http:// to another host unless told.
		lines = append(lines, "WEBHOOKS_ALLOW_INSECURE_HTTP=true")
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
// script polling for the file never reads it half-written.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".webhooks-sandbox-env-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func kindList() string {
	var names []string
	for _, k := range sandbox.AllFailureKinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
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
