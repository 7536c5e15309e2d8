// Command bench measures what the provider costs at scale: for N webhooks of each type it times
// `terraform apply`, a no-change `terraform plan` and `terraform destroy` against the sandbox,
// with no API latency and with some, counts the API calls each made per vendor, and compares the
// timings with the same number of terraform_data resources (Terraform's own floor).
//
//	go run ./internal/bench -n 100 -latency 0s,20ms
//
// It needs Go and the terraform binary only; `make bench` runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

func main() {
	n := flag.Int("n", 100, "webhooks of each type (4 types)")
	latencies := flag.String("latency", "0s,20ms", "comma-separated API latencies to measure")
	parallelism := flag.Int("parallelism", 10, "terraform -parallelism")
	flag.Parse()
	if err := run(*n, *latencies, *parallelism); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// measurement is one Terraform command's wall time and the API calls it made, per vendor.
type measurement struct {
	took  time.Duration
	calls map[string]int
}

// scenario is apply, no-change plan and destroy of one configuration.
type scenario struct {
	name                  string
	latency               time.Duration
	resources             int
	apply, plan, destroy  measurement
	luneRateLimited       int
	lists                 int // list calls of the no-change plan
	planCallsPerResource  float64
	planCallsAllResources int
}

func run(n int, latencyList string, parallelism int) error {
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

	var results []scenario
	for _, latency := range latencies {
		s, err := measureProvider(terraform, work, rc, n, latency, parallelism)
		if err != nil {
			return err
		}
		results = append(results, s)
	}
	baseline, err := measureBaseline(terraform, work, 4*n, parallelism)
	if err != nil {
		return err
	}
	report(os.Stdout, n, parallelism, results, baseline)
	return nil
}

// measureProvider runs the webhook configuration against a sandbox with the given latency.
func measureProvider(terraform, work, rc string, n int, latency time.Duration, parallelism int) (scenario, error) {
	s := scenario{name: fmt.Sprintf("webhooks, %s latency", latency), latency: latency, resources: 4 * n}
	sb := sandbox.New(sandbox.Config{})
	for _, api := range []sandbox.API{sandbox.Lune, sandbox.Inveterate, sandbox.Blaze} {
		sb.SetLatency(api, latency)
	}
	srv := httptest.NewServer(sb)
	defer srv.Close()
	cfg := sb.Config()
	var developerKey string
	for k := range cfg.Blaze.DeveloperKeys {
		developerKey = k
	}

	dir := filepath.Join(work, fmt.Sprintf("webhooks-%s", latency))
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
		took, err := terraformRun(terraform, dir, env, args...)
		m.took, m.calls = took, perVendor(sb.Counts())
		return err
	}
	par := fmt.Sprintf("-parallelism=%d", parallelism)
	fmt.Fprintf(os.Stderr, "%s: apply of %d resources...\n", s.name, s.resources)
	if err := step(&s.apply, "apply", "-auto-approve", "-input=false", par); err != nil {
		return s, err
	}
	s.luneRateLimited = sb.Count("lune.rate_limited")
	fmt.Fprintf(os.Stderr, "%s: no-change plan...\n", s.name)
	if err := step(&s.plan, "plan", "-detailed-exitcode", "-input=false", par); err != nil {
		return s, fmt.Errorf("the plan after apply is not empty or failed: %w", err)
	}
	counts := sb.Counts()
	for _, op := range []string{"lune.list", "inveterate.subscriptions.list", "inveterate.webhooks.list", "blaze.list"} {
		s.lists += counts[op]
	}
	for _, c := range s.plan.calls {
		s.planCallsAllResources += c
	}
	s.planCallsPerResource = float64(s.planCallsAllResources) / float64(s.resources)
	fmt.Fprintf(os.Stderr, "%s: destroy...\n", s.name)
	if err := step(&s.destroy, "destroy", "-auto-approve", "-input=false", par); err != nil {
		return s, err
	}
	return s, nil
}

// measureBaseline runs the same number of terraform_data resources: Terraform's own cost.
func measureBaseline(terraform, work string, resources, parallelism int) (scenario, error) {
	s := scenario{name: "terraform_data baseline", resources: resources}
	dir := filepath.Join(work, "baseline")
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
	if s.apply.took, err = terraformRun(terraform, dir, env, "apply", "-auto-approve", "-input=false", par); err != nil {
		return s, err
	}
	if s.plan.took, err = terraformRun(terraform, dir, env, "plan", "-detailed-exitcode", "-input=false", par); err != nil {
		return s, err
	}
	if s.destroy.took, err = terraformRun(terraform, dir, env, "destroy", "-auto-approve", "-input=false", par); err != nil {
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

// perVendor sums the sandbox's operation counters by vendor.
func perVendor(counts map[string]int) map[string]int {
	out := map[string]int{}
	for op, c := range counts {
		vendor, rest, ok := strings.Cut(op, ".")
		if !ok || rest == "injected" || rest == "rate_limited" {
			continue
		}
		out[vendor] += c
	}
	return out
}

func report(w *os.File, n, parallelism int, results []scenario, baseline scenario) {
	fmt.Fprintf(w, "\n%d webhooks of each type (%d resources), terraform -parallelism=%d\n\n", n, 4*n, parallelism)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "configuration\tapply\tno-change plan\tdestroy\tcalls apply (lune/inv/blaze)\tcalls plan\tcalls destroy\t")
	calls := func(m measurement) string {
		if m.calls == nil {
			return "-"
		}
		return fmt.Sprintf("%d/%d/%d", m.calls["lune"], m.calls["inveterate"], m.calls["blaze"])
	}
	for _, s := range append(results, baseline) {
		fmt.Fprintf(tw, "%s\t%.2fs\t%.2fs\t%.2fs\t%s\t%s\t%s\t\n", s.name, s.apply.took.Seconds(), s.plan.took.Seconds(),
			s.destroy.took.Seconds(), calls(s.apply), calls(s.plan), calls(s.destroy))
	}
	_ = tw.Flush()

	fmt.Fprintln(w)
	for _, s := range results {
		fmt.Fprintf(w, "%s: no-change plan made %d calls (%d lists) for %d resources = %.3f calls per resource; %.2fx the terraform_data plan; Lune 429s during apply: %d\n",
			s.name, s.planCallsAllResources, s.lists, s.resources, s.planCallsPerResource, s.plan.took.Seconds()/baseline.plan.took.Seconds(), s.luneRateLimited)
	}
	if len(results) > 1 {
		fast, slow := results[0], results[len(results)-1]
		fmt.Fprintf(w, "latency hidden: the no-change plan with %s latency took %.2fx the plan with %s\n",
			slow.latency, slow.plan.took.Seconds()/fast.plan.took.Seconds(), fast.latency)
	}
}

// tail returns the last lines of a command's output, for errors.
func tail(out []byte, lines int) string {
	all := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
