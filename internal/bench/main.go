// Command bench measures what the provider costs at scale: for N webhooks of each type it times
// `terraform apply`, a no-change `terraform plan` and `terraform destroy` against the sandbox with
// some API latency, counts the API calls each made per vendor and the 429s Lune answered, and
// compares the timings with two floors: the rate floor (Lune's writes at its documented 15 per
// second, which no provider can beat) and the same number of terraform_data resources
// (Terraform's own cost).
//
//	go run ./internal/bench -n 100,500 -latency 20ms
//
// -trace FILE writes every API request with its time, to see which vendor Terraform kept busy when.
//
// It needs Go and the terraform binary only; `make bench` runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

func main() {
	sizes := flag.String("n", "100,500", "comma-separated numbers of webhooks of each type (4 types) to measure")
	latencies := flag.String("latency", "20ms", "comma-separated API latencies to measure")
	parallelism := flag.Int("parallelism", 10, "terraform -parallelism")
	trace := flag.String("trace", "", "also write every API request to this file, a line each: scenario, command, seconds since the command started, vendor, method, path")
	flag.Parse()
	if err := run(*sizes, *latencies, *parallelism, *trace); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// luneLimit is Lune's documented rate limit, requests per second per key: with its writes, the
// floor no apply or destroy can beat.
const luneLimit = 15

// measurement is one Terraform command's wall time, the API calls it made per sandbox operation,
// and when each vendor's first and last call came (since the command started).
type measurement struct {
	took        time.Duration
	ops         map[string]int
	first, last map[string]time.Duration
}

// vendorCalls is the calls to one vendor: the sum of its operations.
func (m measurement) vendorCalls(vendor string) int {
	n := 0
	for op, c := range m.ops {
		if v, rest, _ := strings.Cut(op, "."); v == vendor && rest != "injected" && rest != "rate_limited" {
			n += c
		}
	}
	return n
}

// luneWrites is the writes to Lune: what its rate limit makes take time.
func (m measurement) luneWrites() int {
	return m.ops["lune.create"] + m.ops["lune.update"] + m.ops["lune.rotate"] + m.ops["lune.delete"]
}

// rateFloor is Lune's writes at Lune's limit.
func (m measurement) rateFloor() time.Duration {
	return time.Duration(float64(m.luneWrites()) / luneLimit * float64(time.Second))
}

// overFloor is the wall time over the rate floor (0 when there is no floor).
func (m measurement) overFloor() float64 {
	if m.rateFloor() == 0 {
		return 0
	}
	return m.took.Seconds() / m.rateFloor().Seconds()
}

// inveteratePer is Inveterate's calls per Inveterate operation of the given kind (create, delete).
func (m measurement) inveteratePer(kind string) float64 {
	ops := m.ops["inveterate.subscriptions."+kind] + m.ops["inveterate.webhooks."+kind]
	if ops == 0 {
		return 0
	}
	return float64(m.vendorCalls("inveterate")) / float64(ops)
}

// scenario is apply, no-change plan and destroy of one configuration.
type scenario struct {
	n                    int
	latency              time.Duration
	resources            int
	apply, plan, destroy measurement
	luneRateLimited      int
	baseline             baselineRun
}

// baselineRun is Terraform's own cost for as many terraform_data resources.
type baselineRun struct{ apply, plan, destroy time.Duration }

func run(sizeList, latencyList string, parallelism int, tracePath string) error {
	terraform, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("terraform is not on PATH")
	}
	var latencies []time.Duration
	for _, s := range strings.Split(latencyList, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-latency: %w", err)
		}
		latencies = append(latencies, d)
	}
	var sizes []int
	for _, s := range strings.Split(sizeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-n: %q is not a positive whole number", s)
		}
		sizes = append(sizes, n)
	}

	work, err := os.MkdirTemp("", "webhooks-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	fmt.Fprintf(os.Stderr, "building the provider...\n")
	bin := filepath.Join(work, "bin")
	build := exec.CommandContext(context.Background(), "go", "build", "-o", filepath.Join(bin, "terraform-provider-webhooks"), ".") //nolint:gosec // G204: a path under the bench's own temporary directory.
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"webhookinfra/webhooks\" = %q\n  }\n  direct {}\n}\n", bin)), 0o600); err != nil {
		return err
	}

	var trace io.Writer
	if tracePath != "" {
		f, err := os.Create(tracePath) //nolint:gosec // G304: the file the user named.
		if err != nil {
			return err
		}
		defer f.Close()
		trace = f
	}

	var results []scenario
	for _, n := range sizes {
		baseline, err := measureBaseline(terraform, work, 4*n, parallelism)
		if err != nil {
			return err
		}
		for _, latency := range latencies {
			s, err := measureProvider(terraform, work, rc, n, latency, parallelism, trace)
			if err != nil {
				return err
			}
			s.baseline = baseline
			results = append(results, s)
		}
	}
	report(os.Stdout, parallelism, results)
	return nil
}

// measureProvider runs the webhook configuration against a sandbox with the given latency.
func measureProvider(terraform, work, rc string, n int, latency time.Duration, parallelism int, trace io.Writer) (scenario, error) {
	s := scenario{n: n, latency: latency, resources: 4 * n}
	name := fmt.Sprintf("%d per type, %s latency", n, latency)
	// Lune's webhook limit (100 by default) would stop an apply of more.
	sb := sandbox.New(sandbox.Config{Lune: sandbox.LuneConfig{WebhookLimit: n}})
	for _, api := range []sandbox.API{sandbox.Lune, sandbox.Inveterate, sandbox.Blaze} {
		sb.SetLatency(api, latency)
	}
	timeline := &timeline{trace: trace}
	srv := httptest.NewServer(timeline.wrap(sb))
	defer srv.Close()
	cfg := sb.Config()
	var developerKey string
	for k := range cfg.Blaze.DeveloperKeys {
		developerKey = k
	}

	dir := filepath.Join(work, fmt.Sprintf("webhooks-%d-%s", n, latency))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return s, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(webhooksConfig(n)), 0o600); err != nil {
		return s, err
	}
	env := []string{
		"TF_CLI_CONFIG_FILE=" + rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"LUNE_BASE_URL=" + srv.URL, "LUNE_API_KEY=" + cfg.Lune.Keys[0],
		"INVETERATE_BASE_URL=" + srv.URL, "INVETERATE_API_KEY=" + cfg.Inveterate.Keys[0],
		"BLAZE_BASE_URL=" + srv.URL, "BLAZE_PARTNER_KEY=" + cfg.Blaze.PartnerKeys[0], "BLAZE_DEVELOPER_KEY=" + developerKey,
	}
	step := func(m *measurement, args ...string) error {
		sb.ResetCounts()
		timeline.reset(fmt.Sprintf("%d/%s %s", n, latency, args[0]))
		took, err := terraformRun(terraform, dir, env, args...)
		m.took, m.ops = took, sb.Counts()
		m.first, m.last = timeline.spans()
		s.luneRateLimited += sb.Count("lune.rate_limited")
		return err
	}
	par := fmt.Sprintf("-parallelism=%d", parallelism)
	fmt.Fprintf(os.Stderr, "%s: apply of %d resources...\n", name, s.resources)
	if err := step(&s.apply, "apply", "-auto-approve", "-input=false", par); err != nil {
		return s, err
	}
	fmt.Fprintf(os.Stderr, "%s: no-change plan...\n", name)
	if err := step(&s.plan, "plan", "-detailed-exitcode", "-input=false", par); err != nil {
		return s, fmt.Errorf("the plan after apply is not empty or failed: %w", err)
	}
	fmt.Fprintf(os.Stderr, "%s: destroy...\n", name)
	if err := step(&s.destroy, "destroy", "-auto-approve", "-input=false", par); err != nil {
		return s, err
	}
	return s, nil
}

// measureBaseline runs the same number of terraform_data resources: Terraform's own cost.
func measureBaseline(terraform, work string, resources, parallelism int) (baselineRun, error) {
	var s baselineRun
	dir := filepath.Join(work, fmt.Sprintf("baseline-%d", resources))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return s, err
	}
	config := fmt.Sprintf("resource \"terraform_data\" \"r\" {\n  count = %d\n  input = \"value-${count.index}\"\n}\n", resources)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		return s, err
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + os.DevNull, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1"}
	par := fmt.Sprintf("-parallelism=%d", parallelism)
	fmt.Fprintf(os.Stderr, "baseline: %d terraform_data resources...\n", resources)
	var err error
	if s.apply, err = terraformRun(terraform, dir, env, "apply", "-auto-approve", "-input=false", par); err != nil {
		return s, err
	}
	if s.plan, err = terraformRun(terraform, dir, env, "plan", "-detailed-exitcode", "-input=false", par); err != nil {
		return s, err
	}
	if s.destroy, err = terraformRun(terraform, dir, env, "destroy", "-auto-approve", "-input=false", par); err != nil {
		return s, err
	}
	return s, nil
}

// terraformRun runs one Terraform command and returns its wall time.
func terraformRun(terraform, dir string, env []string, args ...string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, terraform, append(args, "-no-color")...) //nolint:gosec // the bench's own Terraform binary and arguments.
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		return took, fmt.Errorf("terraform %s: %w\n%s", args[0], err, tail(out, 40))
	}
	return took, nil
}

// webhooksConfig is n webhooks of every type, credentials coming from the environment.
func webhooksConfig(n int) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    webhooks = { source = "webhookinfra/webhooks" }
  }
}

provider "webhooks" {}

resource "webhooks_webhook" "lune" {
  count = %[1]d
  url   = "https://hooks.example.com/lune/${count.index}"
}

resource "webhooks_inveterate_webhook_subscription" "sub" {
  count        = %[1]d
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/inveterate/${count.index}"
  name         = "subscription ${count.index}"
}

resource "webhooks_inveterate_webhook" "admin" {
  count        = %[1]d
  callback_url = "https://hooks.example.com/admin/${count.index}"
}

resource "webhooks_partner_webhook" "partner" {
  count         = %[1]d
  web_hook_type = "NEW_MEMBER"
  web_hook_urls = ["https://hooks.example.com/blaze/${count.index}"]
}
`, n)
}

// report prints one table of every scenario, and when each vendor was busy during each command.
func report(w io.Writer, parallelism int, results []scenario) {
	fmt.Fprintf(w, "\nterraform -parallelism=%d; rate floor = Lune's writes / %d per second; Inveterate calls per create "+
		"(apply) and per delete (destroy) count every Inveterate call of the command\n\n", parallelism, luneLimit)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "per type\tresources\tlatency\tapply\t÷ floor\tplan\tplan calls\tdestroy\t÷ floor\t"+
		"calls apply (lune/inv/blaze)\tcalls destroy\tinv per create\tinv per delete\tLune 429s\tterraform_data apply/plan/destroy\t")
	calls := func(m measurement) string {
		return fmt.Sprintf("%d/%d/%d", m.vendorCalls("lune"), m.vendorCalls("inveterate"), m.vendorCalls("blaze"))
	}
	for _, s := range results {
		planCalls := s.plan.vendorCalls("lune") + s.plan.vendorCalls("inveterate") + s.plan.vendorCalls("blaze")
		fmt.Fprintf(tw, "%d\t%d\t%s\t%.2fs\t%.2f\t%.2fs\t%d (%.3f/res)\t%.2fs\t%.2f\t%s\t%s\t%.2f\t%.2f\t%d\t%.2fs/%.2fs/%.2fs\t\n",
			s.n, s.resources, s.latency, s.apply.took.Seconds(), s.apply.overFloor(), s.plan.took.Seconds(),
			planCalls, float64(planCalls)/float64(s.resources), s.destroy.took.Seconds(), s.destroy.overFloor(),
			calls(s.apply), calls(s.destroy), s.apply.inveteratePer("create"), s.destroy.inveteratePer("delete"),
			s.luneRateLimited, s.baseline.apply.Seconds(), s.baseline.plan.Seconds(), s.baseline.destroy.Seconds())
	}
	_ = tw.Flush()

	fmt.Fprintf(w, "\nwhen each vendor was called, seconds since the command started (first-last), and the rate floor:\n")
	for _, s := range results {
		for _, step := range []struct {
			name string
			m    measurement
		}{{"apply", s.apply}, {"destroy", s.destroy}} {
			fmt.Fprintf(w, "  %d per type, %s: %s in %.2fs, floor %.2fs:", s.n, s.latency, step.name, step.m.took.Seconds(), step.m.rateFloor().Seconds())
			for _, v := range []string{"lune", "inveterate", "blaze"} {
				if first, ok := step.m.first[v]; ok {
					fmt.Fprintf(w, "  %s %.2f-%.2f", v, first.Seconds(), step.m.last[v].Seconds())
				}
			}
			fmt.Fprintln(w)
		}
	}
}

// timeline notes when each vendor's first and last request came in, and writes every request to
// trace when there is one.
type timeline struct {
	trace       io.Writer
	mu          sync.Mutex
	label       string
	start       time.Time
	first, last map[string]time.Duration
}

// reset starts the timeline of one command, labeled in the trace.
func (t *timeline) reset(label string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.label, t.start, t.first, t.last = label, time.Now(), map[string]time.Duration{}, map[string]time.Duration{}
}

func (t *timeline) spans() (first, last map[string]time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.first, t.last
}

// wrap notes each request's vendor, told by its path, before the sandbox serves it.
func (t *timeline) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vendor := "lune"
		switch {
		case strings.HasPrefix(r.URL.Path, "/v2.0/"):
			vendor = "inveterate"
		case strings.HasPrefix(r.URL.Path, "/api/v1/partner/"):
			vendor = "blaze"
		}
		t.mu.Lock()
		if t.first != nil {
			at := time.Since(t.start)
			if _, seen := t.first[vendor]; !seen {
				t.first[vendor] = at
			}
			t.last[vendor] = at
			if t.trace != nil {
				fmt.Fprintf(t.trace, "%s %.3f %s %s %s\n", t.label, at.Seconds(), vendor, r.Method, r.URL.Path)
			}
		}
		t.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// tail returns the last lines of a command's output, for errors.
func tail(out []byte, lines int) string {
	all := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
