// Command bench measures what the provider costs at scale against a perfect provider. For N
// webhooks of each type it runs `terraform apply`, a no-change `terraform plan` and `terraform
// destroy` twice, phase by phase: with the provider against the sandbox (some API latency on every
// request), and with the ideal provider (internal/bench/idealprovider: the same schemas, no calls,
// only the waits the vendor contracts force on any provider, Lune's writes paced perfectly). It
// prints provider ÷ ideal for apply and destroy and provider ÷ no-op for the plan (the ideal
// provider's reads wait for nothing), the API calls each command made per vendor, Inveterate's
// calls per create and per admin webhook delete, and the 429s Lune answered. For each command and
// resource type it also says when the provider called the vendor and when the ideal provider's writes
// ran, and how long the provider's Inveterate creates and admin webhook deletes took to be confirmed
// by a list, as the sandbox saw them (confirm.go). Apply, plan and destroy run with -json, and Terraform's UI
// says how long each write took with either provider, from its apply_start to its apply_complete,
// and each refresh from its refresh_start to its refresh_complete, which depend less than the
// command's time on the order Terraform ran the types in (writes.go).
//
//	go run ./internal/bench -n 100,500 -latency 20ms -backend local,http -runs 3
//
// -backend http keeps the state in Terraform's http backend, served in memory on loopback as
// remote state is by S3 or HCP Terraform: Terraform then no longer rewrites a local file after
// every resource. -trace FILE writes every API request with when it came in, its answer's status
// and when it was answered; -cpuprofile DIR writes a CPU profile per provider process. Both
// providers are built with the tag benchprofile
// (internal/cpuprofile), so that each provider process reports the CPU time it used and the bench
// tells it from Terraform's.
//
// It needs Go and the terraform binary only; `make bench` runs it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/bench/benchstats"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/cpuprofile"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

func main() {
	var o options
	flag.StringVar(&o.sizes, "n", "100,500", "comma-separated numbers of webhooks of each type (4 types) to measure")
	flag.StringVar(&o.latencies, "latency", "20ms", "comma-separated API latencies to measure")
	flag.StringVar(&o.backends, "backend", "local,http", "comma-separated state backends: local (terraform.tfstate) and http (remote-style, served in memory)")
	flag.IntVar(&o.runs, "runs", 1, "runs of each scenario; with more than one, the median of each ratio is printed too")
	flag.IntVar(&o.plans, "plans", 5, "no-change plans of each provider in a run, in pairs, the provider first in every other pair, each provider on the state its apply left; plan ÷ no-op is the median of the pairs' ratios (an odd number gives a middle pair)")
	flag.IntVar(&o.parallelism, "parallelism", 10, "terraform -parallelism")
	flag.StringVar(&o.trace, "trace", "", "also write every API request to this file, a line each once it is answered: scenario, command, seconds since the command started when it came in, vendor, method, path, the answer's status (0: none, its client gave up) and seconds since the command started when it was answered")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile and an allocation profile (.allocs) of each provider process into this directory, the ideal's named ideal-* (profiling slows them: the ratios are then only indicative)")
	flag.Parse()
	o.out, o.progress = os.Stdout, os.Stderr
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	sizes, latencies, backends string
	runs, plans, parallelism   int
	trace, cpuprofile          string
	// out gets the report, progress a line per command.
	out, progress io.Writer
}

// luneLimit is Lune's documented rate limit, requests per second per key.
const luneLimit = 15

// measurement is one Terraform command's wall time, the API calls it made per sandbox operation,
// and when each vendor's first and last call came (since the command started).
type measurement struct {
	took time.Duration
	// cpu is the CPU time of Terraform and the provider together; sandboxCPU the bench's own, most of
	// it the sandbox serving the command (what a vendor's servers would spend).
	cpu, sandboxCPU time.Duration
	// providerCPU is the provider processes' part of cpu, when they reported it (see providerCPU).
	providerCPU processCPU
	ops         map[string]int
	first, last map[string]time.Duration
	// confirms is what the sandbox saw of the Inveterate writes that lists confirm, by resource type.
	confirms map[string]*confirmLog
	// writes is how long each write and each refresh took, as Terraform's UI timed them, and gaps how
	// long each kind of them had none running between its first and its last (writes.go).
	writes writeTimes
	gaps   slotGaps
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

// calls is the calls to every vendor.
func (m measurement) calls() int {
	return m.vendorCalls("lune") + m.vendorCalls("inveterate") + m.vendorCalls("blaze")
}

// inveteratePerCreate is Inveterate's calls per create (of either kind): every Inveterate call of
// the command, the refresh's lists and the lists that confirm the creates included.
func (m measurement) inveteratePerCreate() float64 {
	return per(m.vendorCalls("inveterate"), m.ops["inveterate.subscriptions.create"]+m.ops["inveterate.webhooks.create"])
}

// inveteratePerAdminDelete is the admin webhooks' calls per admin webhook delete: the deletes, and
// the lists that confirm them and refresh them.
func (m measurement) inveteratePerAdminDelete() float64 {
	return per(m.ops["inveterate.webhooks.delete"]+m.ops["inveterate.webhooks.list"], m.ops["inveterate.webhooks.delete"])
}

func per(calls, ops int) float64 {
	if ops == 0 {
		return 0
	}
	return float64(calls) / float64(ops)
}

// scenario is one configuration: N of each type, a latency, a backend.
type scenario struct {
	n       int
	latency time.Duration
	backend string
}

func (s scenario) String() string {
	return fmt.Sprintf("%d per type, %s, %s state", s.n, s.latency, s.backend)
}

// result is one run of a scenario: apply, no-change plan and destroy with the provider and with
// the ideal one.
type result struct {
	scenario
	apply, plan, destroy measurement
	ideal                struct{ apply, plan, destroy time.Duration }
	idealCPU             map[string]time.Duration
	idealProviderCPU     map[string]processCPU
	// idealFlights is, for the ideal's apply and destroy, what it reported of each kind of write,
	// and idealStart when each of its commands started.
	idealFlights map[string]map[string]benchstats.Flight
	idealStart   map[string]time.Time
	// idealWrites and idealGaps are the same, for the ideal's apply and destroy.
	idealWrites map[string]writeTimes
	idealGaps   map[string]slotGaps
	// lists is what Inveterate's lists cost once the apply filled them.
	lists []listCost
	// plans are the no-change plans, in pairs; the first is plan and ideal.plan.
	plans           []planPair
	luneRateLimited int
}

// planPair is a no-change plan with each provider, one right after the other, each on the state
// its apply left. A plan of thousands of resources keeps both cores busy for half a minute, and a
// slow spell of the machine (the same plan then takes more wall and more CPU time) can fall on one
// plan of a pair: the median of several pairs' ratios is the figure, with the provider first in
// every other pair (providerFirst).
type planPair struct {
	provider, noop time.Duration
	providerFirst  bool
	// providerCPU and noopCPU are the CPU time of Terraform and its provider processes together,
	// and providerSplit and noopSplit the provider processes' part of it.
	providerCPU, noopCPU     time.Duration
	providerSplit, noopSplit processCPU
}

func (p planPair) ratio() float64 { return ratio(p.provider, p.noop) }

// providerFirst says whether the provider plans first in the pair at index i: in the first pair
// and every other one after it.
func providerFirst(i int) bool { return i%2 == 0 }

func (r result) applyRatio() float64 { return ratio(r.apply.took, r.ideal.apply) }

// planRatio is the median of the plan pairs' ratios.
func (r result) planRatio() float64 {
	if len(r.plans) == 0 {
		return ratio(r.plan.took, r.ideal.plan)
	}
	ratios := make([]float64, len(r.plans))
	for i, p := range r.plans {
		ratios[i] = p.ratio()
	}
	return median(ratios)
}

// planTimes are the medians of the provider's plans and of the no-op's.
func (r result) planTimes() (provider, noop time.Duration) {
	if len(r.plans) == 0 {
		return r.plan.took, r.ideal.plan
	}
	var ps, ns []float64
	for _, p := range r.plans {
		ps, ns = append(ps, p.provider.Seconds()), append(ns, p.noop.Seconds())
	}
	return time.Duration(median(ps) * float64(time.Second)), time.Duration(median(ns) * float64(time.Second))
}

func (r result) destroyRatio() float64 { return ratio(r.destroy.took, r.ideal.destroy) }

// median is the middle value of vals, the upper of the two middle ones when there is an even
// number of them; vals is sorted in place.
func median(vals []float64) float64 {
	slices.Sort(vals)
	return vals[len(vals)/2]
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return a.Seconds() / b.Seconds()
}

// bench is what every scenario shares: Terraform, the two providers' CLI configurations, the trace.
type bench struct {
	terraform, work    string
	realRC, idealRC    string
	plans, parallelism int
	trace              io.Writer
	profiles           string
	// usage is the directory the provider processes write their CPU times into (see providerCPU).
	usage    string
	progress io.Writer
}

func run(o options) error {
	terraform, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("terraform is not on PATH")
	}
	var scenarios []scenario
	sizes, err := splitList(o.sizes, "-n", func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%q is not a positive whole number", s)
		}
		return n, nil
	})
	if err != nil {
		return err
	}
	latencies, err := splitList(o.latencies, "-latency", time.ParseDuration)
	if err != nil {
		return err
	}
	backends, err := splitList(o.backends, "-backend", func(s string) (string, error) {
		if s != "local" && s != "http" {
			return "", fmt.Errorf("%q is neither local nor http", s)
		}
		return s, nil
	})
	if err != nil {
		return err
	}
	if o.runs < 1 {
		return errors.New("-runs: at least 1")
	}
	if o.plans < 1 {
		return errors.New("-plans: at least 1")
	}
	for _, n := range sizes {
		for _, backend := range backends {
			for _, latency := range latencies {
				scenarios = append(scenarios, scenario{n: n, latency: latency, backend: backend})
			}
		}
	}

	work, err := os.MkdirTemp("", "webhooks-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	b := &bench{terraform: terraform, work: work, plans: o.plans, parallelism: o.parallelism, progress: o.progress, usage: filepath.Join(work, "cpu")}
	if err := os.Mkdir(b.usage, 0o700); err != nil {
		return err
	}
	if o.cpuprofile != "" {
		if b.profiles, err = filepath.Abs(o.cpuprofile); err != nil {
			return err
		}
		if err := os.MkdirAll(b.profiles, 0o750); err != nil {
			return err
		}
	}
	fmt.Fprintf(o.progress, "building the provider and the ideal provider...\n")
	// With the tag, each provider process reports its CPU time (and, with -cpuprofile, profiles
	// itself); it adds nothing else to either provider.
	tags := []string{"-tags", "benchprofile"}
	gomod, err := exec.CommandContext(context.Background(), "go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if b.realRC, err = install(root, work, "provider", ".", tags...); err != nil {
		return err
	}
	if b.idealRC, err = install(root, work, "ideal", "./internal/bench/idealprovider", tags...); err != nil {
		return err
	}
	if o.trace != "" {
		f, err := os.Create(o.trace) //nolint:gosec // G304: the file the user named.
		if err != nil {
			return err
		}
		defer f.Close()
		b.trace = f
	}

	var results []result
	for _, s := range scenarios {
		for i := range o.runs {
			r, err := b.measure(s, i)
			if err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
			results = append(results, r)
		}
	}
	if b.profiles != "" {
		fmt.Fprintf(o.out, "\nboth providers ran with CPU profiling (%s, the ideal's named ideal-*): their times include the profiler's\n", b.profiles)
	}
	report(o.out, o.parallelism, o.runs, results)
	return nil
}

// splitList parses a comma-separated flag.
func splitList[T any](list, flagName string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, s := range strings.Split(list, ",") {
		v, err := parse(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flagName, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// install builds a package of the module in root, a provider binary, under the webhooks provider's name into a directory of its own
// and returns a CLI configuration that makes Terraform use it (dev_overrides).
func install(root, work, name, pkg string, buildFlags ...string) (rc string, err error) {
	bin := filepath.Join(work, name+"-bin")
	args := append(append([]string{"build"}, buildFlags...), "-o", filepath.Join(bin, "terraform-provider-webhooks"), pkg)
	build := exec.CommandContext(context.Background(), "go", args...) //nolint:gosec // G204: the bench's own packages and temporary directory.
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	rc = filepath.Join(work, name+".tfrc")
	config := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"webhookinfra/webhooks\" = %q\n  }\n  direct {}\n}\n", bin)
	return rc, os.WriteFile(rc, []byte(config), 0o600)
}

// measure runs one scenario: the provider against a sandbox with the scenario's latency, and the
// ideal provider, phase by phase (apply, apply, plan, plan, destroy, destroy) so that a slow moment
// of the machine falls on both as far as it can.
func (b *bench) measure(s scenario, runIndex int) (result, error) {
	r := result{scenario: s}
	sb := sandbox.New(sandbox.Config{Lune: sandbox.LuneConfig{WebhookLimit: s.n}}) // Lune's default limit is 100 webhooks
	for _, api := range []sandbox.API{sandbox.Lune, sandbox.Inveterate, sandbox.Blaze} {
		sb.SetLatency(api, s.latency)
	}
	timeline := &timeline{trace: b.trace}
	api := httptest.NewServer(timeline.wrap(sb))
	defer api.Close()
	cfg := sb.Config()
	var developerKey string
	for k := range cfg.Blaze.DeveloperKeys {
		developerKey = k
	}
	var states *stateServer
	if s.backend == "http" {
		states = newStateServer()
		defer states.Close()
	}

	base := filepath.Join(b.work, fmt.Sprintf("%d-%s-%s-%d", s.n, s.latency, s.backend, runIndex))
	realDir, idealDir := filepath.Join(base, "provider"), filepath.Join(base, "ideal")
	realEnv := []string{
		"TF_CLI_CONFIG_FILE=" + b.realRC, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"LUNE_BASE_URL=" + api.URL, "LUNE_API_KEY=" + cfg.Lune.Keys[0],
		"INVETERATE_BASE_URL=" + api.URL, "INVETERATE_API_KEY=" + cfg.Inveterate.Keys[0],
		"BLAZE_BASE_URL=" + api.URL, "BLAZE_PARTNER_KEY=" + cfg.Blaze.PartnerKeys[0], "BLAZE_DEVELOPER_KEY=" + developerKey,
	}
	idealEnv := []string{
		"TF_CLI_CONFIG_FILE=" + b.idealRC, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"WEBHOOKS_IDEAL_LATENCY=" + s.latency.String(),
	}
	for _, d := range []struct {
		dir, name string
		env       []string
	}{{realDir, "provider", realEnv}, {idealDir, "ideal", idealEnv}} {
		if err := os.MkdirAll(d.dir, 0o700); err != nil {
			return r, err
		}
		backend := ""
		if states != nil {
			backend = states.backendBlock(d.name)
		}
		if err := os.WriteFile(filepath.Join(d.dir, "main.tf"), []byte(webhooksConfig(s.n, backend)), 0o600); err != nil {
			return r, err
		}
		if states != nil {
			if err := b.initBackend(d.dir, d.env); err != nil {
				return r, err
			}
		}
	}

	label := func(command string) string {
		return fmt.Sprintf("%d/%s/%s/%d %s", s.n, s.latency, s.backend, runIndex, command)
	}
	measureReal := func(m *measurement, args ...string) error {
		sb.ResetCounts()
		timeline.reset(label(args[0]))
		before := selfCPU()
		took, cpu, out, err := b.terraformRun(realDir, b.measured(realEnv, label(args[0])), args...)
		m.took, m.cpu, m.sandboxCPU, m.ops = took, cpu, selfCPU()-before, sb.Counts()
		m.first, m.last, m.confirms = timeline.spans()
		r.luneRateLimited += sb.Count("lune.rate_limited")
		if m.providerCPU, err = b.providerCPU(label(args[0]), err); err != nil {
			return err
		}
		m.writes, m.gaps, err = uiWrites(args, out)
		return err
	}
	r.idealFlights, r.idealCPU, r.idealStart = map[string]map[string]benchstats.Flight{}, map[string]time.Duration{}, map[string]time.Time{}
	r.idealProviderCPU = map[string]processCPU{}
	r.idealWrites, r.idealGaps = map[string]writeTimes{}, map[string]slotGaps{}
	ideal := func(took *time.Duration, args ...string) error {
		stats := filepath.Join(idealDir, args[0]+"-flights.json")
		if err := os.Remove(stats); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err // an earlier run's figures must not pass for this one's
		}
		var cpu time.Duration
		var out []byte
		var err error
		env := b.measured(append(slices.Clip(idealEnv), "WEBHOOKS_IDEAL_STATS="+stats), "ideal "+label(args[0]))
		r.idealStart[args[0]] = time.Now()
		*took, cpu, out, err = b.terraformRun(idealDir, env, args...)
		r.idealCPU[args[0]] = cpu
		if r.idealProviderCPU[args[0]], err = b.providerCPU("ideal "+label(args[0]), err); err != nil {
			return err
		}
		if r.idealWrites[args[0]], r.idealGaps[args[0]], err = uiWrites(args, out); err != nil {
			return err
		}
		flights := map[string]benchstats.Flight{}
		r.idealFlights[args[0]] = flights
		data, err := os.ReadFile(stats) //nolint:gosec // G304: the bench's own file.
		if errors.Is(err, fs.ErrNotExist) && args[0] == "plan" {
			return nil // no write in a plan
		}
		if err != nil {
			return fmt.Errorf("the ideal provider's figures: %w", err)
		}
		if err := json.Unmarshal(data, &flights); err != nil {
			return fmt.Errorf("the ideal provider's figures: %w", err)
		}
		return nil
	}
	par := fmt.Sprintf("-parallelism=%d", b.parallelism)
	// -json: Terraform's UI says when each write and each refresh started and ended (writes.go).
	apply := []string{"apply", "-auto-approve", "-input=false", "-json", par}
	plan := []string{"plan", "-detailed-exitcode", "-input=false", "-json", par}
	destroy := []string{"destroy", "-auto-approve", "-input=false", "-json", par}
	// morePlans runs the plan pairs after the first (see planPair) and keeps them all in r.plans:
	// their wall and CPU times, not their calls or Terraform's UI, which the report takes from the
	// first pair.
	morePlans := func() error {
		r.plans = []planPair{{
			provider: r.plan.took, noop: r.ideal.plan, providerFirst: providerFirst(0),
			providerCPU: r.plan.cpu, noopCPU: r.idealCPU["plan"],
			providerSplit: r.plan.providerCPU, noopSplit: r.idealProviderCPU["plan"],
		}}
		for i := 1; i < b.plans; i++ {
			fmt.Fprintf(b.progress, "%s, run %d: no-change plans of %d resources, pair %d of %d...\n", s, runIndex+1, 4*s.n, i+1, b.plans)
			command := fmt.Sprintf("plan%d", i+1) // one word, as every command is in the trace's lines
			p := planPair{providerFirst: providerFirst(i)}
			withProvider := func() error {
				sb.ResetCounts()
				timeline.reset(label(command))
				var err error
				p.provider, p.providerCPU, _, err = b.terraformRun(realDir, b.measured(realEnv, label(command)), plan...)
				p.providerSplit, err = b.providerCPU(label(command), err)
				timeline.spans() // ends the plan's timeline, as measureReal does
				r.luneRateLimited += sb.Count("lune.rate_limited")
				if err != nil {
					return fmt.Errorf("provider: %w", err)
				}
				return nil
			}
			withNoop := func() error {
				var err error
				p.noop, p.noopCPU, _, err = b.terraformRun(idealDir, b.measured(idealEnv, "ideal "+label(command)), plan...)
				p.noopSplit, err = b.providerCPU("ideal "+label(command), err)
				if err != nil {
					return fmt.Errorf("ideal provider: %w", err)
				}
				return nil
			}
			first, second := withNoop, withProvider
			if p.providerFirst {
				first, second = withProvider, withNoop
			}
			if err := first(); err != nil {
				return fmt.Errorf("no-change plan pair %d of %d: %w", i+1, b.plans, err)
			}
			if err := second(); err != nil {
				return fmt.Errorf("no-change plan pair %d of %d: %w", i+1, b.plans, err)
			}
			r.plans = append(r.plans, p)
		}
		return nil
	}
	for _, phase := range []struct {
		name  string
		args  []string
		real  *measurement
		ideal *time.Duration
	}{
		{"apply", apply, &r.apply, &r.ideal.apply},
		{"no-change plan", plan, &r.plan, &r.ideal.plan},
		{"destroy", destroy, &r.destroy, &r.ideal.destroy},
	} {
		fmt.Fprintf(b.progress, "%s, run %d: %s of %d resources...\n", s, runIndex+1, phase.name, 4*s.n)
		if err := measureReal(phase.real, phase.args...); err != nil {
			return r, fmt.Errorf("provider: %w", err)
		}
		if err := ideal(phase.ideal, phase.args...); err != nil {
			return r, fmt.Errorf("ideal provider: %w", err)
		}
		if phase.real == &r.plan {
			if err := morePlans(); err != nil {
				return r, err
			}
		}
		if phase.real == &r.apply {
			var err error
			if r.lists, err = measureLists(sb, cfg.Inveterate.Keys[0], s.latency); err != nil {
				return r, fmt.Errorf("timing Inveterate's lists: %w", err)
			}
		}
	}
	return r, nil
}

// initBackend sets the http backend up. terraform init then looks for the provider, which
// dev_overrides does not spare it, in an empty plugin directory and fails; the backend is set up
// all the same, which is all plan and apply need.
func (b *bench) initBackend(dir string, env []string) error {
	// An empty -plugin-dir keeps init off the network whatever the machine can reach.
	_, _, _, err := b.terraformRun(dir, env, "init", "-input=false", "-plugin-dir="+filepath.Join(b.work, "no-plugins"))
	if _, statErr := os.Stat(filepath.Join(dir, ".terraform", "terraform.tfstate")); statErr != nil {
		return fmt.Errorf("terraform init did not set the http backend up: %w", errors.Join(err, statErr))
	}
	return nil
}

// measured is env, with where the provider processes of the command named label write their CPU
// times, and their profiles when the bench profiles (see internal/cpuprofile), under names made of
// the label (fileName): the real provider's "500/20ms/http/0 apply", the ideal's "ideal
// 500/20ms/http/0 apply". The CPU times go into the bench's work directory, the profiles into
// -cpuprofile's.
func (b *bench) measured(env []string, label string) []string {
	name := fileName(label)
	env = append(slices.Clip(env), "WEBHOOKS_CPUUSAGE="+filepath.Join(b.usage, name))
	if b.profiles == "" {
		return env
	}
	return append(env, "WEBHOOKS_CPUPROFILE="+filepath.Join(b.profiles, name+".pprof"))
}

// fileName is label as a file name: "500-20ms-http-0-apply".
func fileName(label string) string { return strings.NewReplacer("/", "-", " ", "-").Replace(label) }

// selfCPU is the CPU time the bench's own process has used so far (zero where the system cannot
// say: the report then shows the sandbox's CPU as 0).
func selfCPU() time.Duration {
	cpu, _ := cpuprofile.ProcessCPU()
	return cpu
}

// processCPU is the CPU time some processes reported; known is unset when none did.
type processCPU struct {
	took  time.Duration
	known bool
}

// providerCPU sums, and removes, the CPU times that the provider processes of the command named
// label reported (see measured), each in a file named after the label and the process's id;
// runErr is the command's error, returned as is. Terraform starts a provider process for each walk
// of a command; each writes its own file when it stops. None is written where the system cannot
// say (internal/cpuprofile): the CPU is then not split. A process that does not stop on its own
// (Terraform kills it) writes none either: its CPU then counts as Terraform's.
func (b *bench) providerCPU(label string, runErr error) (processCPU, error) {
	entries, err := os.ReadDir(b.usage)
	if err != nil {
		return processCPU{}, errors.Join(runErr, err)
	}
	prefix := fileName(label) + "."
	var sum processCPU
	for _, e := range entries {
		pid, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || pid == "" || strings.Trim(pid, "0123456789") != "" {
			continue // another command's, or not a process's
		}
		f := filepath.Join(b.usage, e.Name())
		data, err := os.ReadFile(f) //nolint:gosec // G304: the bench's own file.
		if err != nil {
			return processCPU{}, errors.Join(runErr, err)
		}
		ns, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		if err != nil {
			return processCPU{}, errors.Join(runErr, fmt.Errorf("%s: %w", f, err))
		}
		sum.took += time.Duration(ns)
		sum.known = true
		if err := os.Remove(f); err != nil {
			return processCPU{}, errors.Join(runErr, err)
		}
	}
	return sum, runErr
}

// split says how much of a command's CPU time, cpu, its provider processes used, which is p, and
// Terraform the rest: "7.0s: Terraform 5.2s, the provider 1.8s". Without p, it is cpu alone.
func split(cpu time.Duration, p processCPU, provider string) string {
	if !p.known {
		return fmt.Sprintf("%.1fs", cpu.Seconds())
	}
	return fmt.Sprintf("%.1fs: Terraform %.1fs, %s %.1fs", cpu.Seconds(), (cpu - p.took).Seconds(), provider, p.took.Seconds())
}

// terraformRun runs one Terraform command and returns its wall time, its CPU time, with the
// provider's (the usage of a waited-for process includes its children's that it waited for, and
// Terraform waits for its providers), and its standard output.
func (b *bench) terraformRun(dir string, env []string, args ...string) (took, cpu time.Duration, out []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.terraform, append(args, "-no-color")...) //nolint:gosec // the bench's own Terraform binary and arguments.
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	// Standard output alone is returned: with -json, Terraform's UI, whose lines a log on standard
	// error (TF_LOG in the environment) must not split.
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	took = time.Since(start)
	if cmd.ProcessState != nil {
		cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return took, cpu, stdout.Bytes(), fmt.Errorf("terraform %s: %w\n%s%s", args[0], err, tail(stdout.Bytes(), 40), tail(stderr.Bytes(), 20))
	}
	return took, cpu, stdout.Bytes(), nil
}

// webhooksConfig is n webhooks of every type, credentials coming from the environment, with the
// given backend block (none: local state).
func webhooksConfig(n int, backend string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    webhooks = { source = "webhookinfra/webhooks" }
  }
%[2]s}

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
`, n, backend)
}

// report prints every run, the median ratios of each scenario when it ran more than once, and
// when each vendor was busy during each command.
func report(w io.Writer, parallelism, runs int, results []result) {
	fmt.Fprintf(w, "\nterraform -parallelism=%d; ideal = the ideal provider (the contracts' waits, Lune paced perfectly at %d per second); "+
		"no-op = its plan (reads wait for nothing); plan and no-op: the median times of each provider's no-change plans, and their ÷ the median of the pairs' ratios (listed below), not the quotient of those times; "+
		"plan calls, like each plan's CPU, refreshes and calls below, are the first pair's; "+
		"Inveterate calls per create count every Inveterate call of the apply, per admin delete every admin webhook call of the destroy\n\n",
		parallelism, luneLimit)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "per type\tresources\tstate\tlatency\tapply\tideal\t÷\tplan\tno-op\t÷\tdestroy\tideal\t÷\t"+
		"plan calls\tinv per create\tinv per admin delete\tLune 429s\t")
	for _, r := range results {
		planned, noop := r.planTimes()
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%.2fs\t%.2fs\t%.2f\t%.2fs\t%.2fs\t%.2f\t%.2fs\t%.2fs\t%.2f\t%d\t%.2f\t%.2f\t%d\t\n",
			r.n, 4*r.n, r.backend, r.latency,
			r.apply.took.Seconds(), r.ideal.apply.Seconds(), r.applyRatio(),
			planned.Seconds(), noop.Seconds(), r.planRatio(),
			r.destroy.took.Seconds(), r.ideal.destroy.Seconds(), r.destroyRatio(),
			r.plan.calls(), r.apply.inveteratePerCreate(), r.destroy.inveteratePerAdminDelete(), r.luneRateLimited)
	}
	_ = tw.Flush()

	if runs > 1 {
		fmt.Fprintf(w, "\nmedian of %d runs:\n", runs)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "per type\tstate\tlatency\tapply ÷ ideal\tplan ÷ no-op\tdestroy ÷ ideal\tinv per create\tinv per admin delete\t")
		for i := 0; i < len(results); i += runs {
			group := results[i:min(i+runs, len(results))]
			med := func(f func(result) float64) float64 {
				vals := make([]float64, len(group))
				for j, r := range group {
					vals[j] = f(r)
				}
				return median(vals)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", group[0].n, group[0].backend, group[0].latency,
				med(result.applyRatio), med(result.planRatio), med(result.destroyRatio),
				med(func(r result) float64 { return r.apply.inveteratePerCreate() }),
				med(func(r result) float64 { return r.destroy.inveteratePerAdminDelete() }))
		}
		_ = tw.Flush()
	}

	fmt.Fprintf(w, "\nthe no-change plans, in pairs, each provider on the state its apply left, the provider's first in pairs marked *: wall time (CPU), and the ratio:\n")
	for _, r := range results {
		for i, p := range r.plans {
			first := ""
			if p.providerFirst {
				first = "*"
			}
			fmt.Fprintf(w, "  %s: pair %d%s: the provider %.2fs (CPU %s), the no-op %.2fs (CPU %s), ÷ %.2f\n", r.scenario, i+1, first,
				p.provider.Seconds(), split(p.providerCPU, p.providerSplit, "the provider"),
				p.noop.Seconds(), split(p.noopCPU, p.noopSplit, "the ideal provider"), p.ratio())
		}
	}

	fmt.Fprintf(w, "\neach command's wall and CPU time (Terraform's and the provider's), and for each resource type when its vendor was called and when the ideal provider's writes ran, seconds since the command started (first-last), and for Inveterate's confirmed writes how long the provider's took from their arrival at the sandbox to the earliest answer of a list that came in after them:\n")
	for _, r := range results {
		for _, step := range []struct {
			name  string
			m     measurement
			ideal time.Duration
		}{{"apply", r.apply, r.ideal.apply}, {"plan", r.plan, r.ideal.plan}, {"destroy", r.destroy, r.ideal.destroy}} {
			fmt.Fprintf(w, "  %s: %s in %.2fs (CPU %s; the bench's, serving the sandbox and state, %.1fs), ideal %.2fs (CPU %s)\n", r.scenario, step.name,
				step.m.took.Seconds(), split(step.m.cpu, step.m.providerCPU, "the provider"), step.m.sandboxCPU.Seconds(),
				step.ideal.Seconds(), split(r.idealCPU[step.name], r.idealProviderCPU[step.name], "the ideal provider"))
			flights := r.idealFlights[step.name]
			start := r.idealStart[step.name]
			for _, surface := range surfaces {
				typeName := surface.typeName
				line := ""
				if first, ok := step.m.first[typeName]; ok {
					line = fmt.Sprintf("calls %.2f-%.2f", first.Seconds(), step.m.last[typeName].Seconds())
				}
				for _, op := range []string{"create", "update", "delete"} {
					f, ok := flights[typeName+" "+op]
					if !ok {
						continue
					}
					line += fmt.Sprintf("; ideal: %d %ss %.2f-%.2f, %.0f ms each", f.Ops, op,
						time.Unix(0, f.FirstUnixNano).Sub(start).Seconds(), time.Unix(0, f.LastUnixNano).Sub(start).Seconds(), 1000*f.MeanSeconds)
					if f.Requests > 1 {
						line += fmt.Sprintf(", %.1f in flight on average while any was (a list shared by as many: %.2f calls each)",
							f.MeanInFlight, 1+1/max(f.MeanInFlight, 1))
					}
				}
				if l := step.m.confirms[typeName]; l != nil {
					for _, op := range []string{"create", "delete"} {
						if c, ok := l.confirm(op); ok {
							line += fmt.Sprintf("; the provider's %ss: %s", op, c)
						}
					}
				}
				var spans []string
				for _, op := range []struct{ name, what string }{
					{refresh, "refreshes from Terraform's refresh_start to its refresh_complete"},
					{"create", "creates from Terraform's apply_start to its apply_complete"},
					{"update", "updates from Terraform's apply_start to its apply_complete"},
					{"delete", "deletes from Terraform's apply_start to its apply_complete"},
				} {
					kind := typeName + " " + op.name
					if s := writeSpans(step.m.writes, r.idealWrites[step.name], kind); s != "" {
						spans = append(spans, fmt.Sprintf("      %s: %s\n", op.what, s))
					}
					if s := gapSpans(step.m.gaps, r.idealGaps[step.name], kind); s != "" {
						spans = append(spans, "        "+s+"\n")
					}
				}
				if line != "" || len(spans) > 0 {
					fmt.Fprintf(w, "    %s: %s\n", typeName, strings.TrimPrefix(line, "; "))
				}
				fmt.Fprint(w, strings.Join(spans, ""))
			}
			if real, ideal := step.m.writes.total(), r.idealWrites[step.name].total(); real > 0 && ideal > 0 {
				fmt.Fprintf(w, "    all writes from apply_start to apply_complete: %.2fs, the ideal's %.2fs (÷ %.2f); each includes waiting for Terraform's state lock, longer the more resources the state holds\n",
					real.Seconds(), ideal.Seconds(), ratio(real, ideal))
			}
			if step.name == "apply" && len(r.lists) > 0 {
				costs := make([]string, len(r.lists))
				for i, c := range r.lists {
					costs[i] = c.String()
				}
				fmt.Fprintf(w, "    Inveterate's lists as the apply left them, sent and read beyond the latency (median of 7): %s\n", strings.Join(costs, "; "))
			}
		}
	}
}

// surfaces are the resource types the bench writes, in the order it reports them, each with its
// vendor and the path prefix of its vendor's API; the first prefix a request's path has is its type.
var surfaces = []struct{ typeName, vendor, prefix string }{
	{"webhooks_webhook", "lune", "/v1/"},
	{"webhooks_inveterate_webhook_subscription", "inveterate", "/v2.0/admin/webhook-subscriptions"},
	{"webhooks_inveterate_webhook", "inveterate", "/v2.0/"},
	{"webhooks_partner_webhook", "blaze", "/api/v1/partner/"},
}

// timeline notes when each resource type's first and last request came in, and writes every
// request to trace when there is one.
type timeline struct {
	trace       io.Writer
	mu          sync.Mutex
	label       string
	start       time.Time
	first, last map[string]time.Duration
	// confirms is, by resource type, what the sandbox saw of the writes that lists confirm and of the
	// lists.
	confirms map[string]*confirmLog
	// gen changes whenever a command starts or ends: an answer notes its request only in the command
	// it came in during.
	gen int
}

// reset starts the timeline of one command, labeled in the trace.
func (t *timeline) reset(label string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.label, t.start, t.first, t.last = label, time.Now(), map[string]time.Duration{}, map[string]time.Duration{}
	t.confirms = map[string]*confirmLog{}
	t.gen++
}

// spans returns what the command saw, once it has ended: a request it left being served is then
// noted no more.
func (t *timeline) spans() (first, last map[string]time.Duration, confirms map[string]*confirmLog) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gen++
	first, last, confirms = t.first, t.last, t.confirms
	t.first, t.last, t.confirms = nil, nil, nil
	return first, last, confirms
}

// wrap notes each request's vendor and resource type, told by its path, before the sandbox serves it,
// and, once it is answered, each Inveterate write that a list confirms and each such list (see
// confirm.go): when it came in, before the sandbox's latency, and when it was answered; the figures
// are the sandbox's side of the exchange, to a few milliseconds. Once the sandbox is done with a
// request of a command, even by panicking, it writes the request's line to the trace.
func (t *timeline) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vendor, typeName := "lune", "webhooks_webhook" // any other path is Lune's, as it was
		for _, s := range surfaces {
			if strings.HasPrefix(r.URL.Path, s.prefix) {
				vendor, typeName = s.vendor, s.typeName
				break
			}
		}
		t.mu.Lock()
		var at time.Duration
		gen, start, label := t.gen, t.start, t.label
		traced := t.trace != nil && t.first != nil
		if t.first != nil {
			at = time.Since(t.start)
			if _, seen := t.first[typeName]; !seen {
				t.first[typeName] = at
			}
			t.last[typeName] = at
		}
		t.mu.Unlock()
		sw := &statusWriter{ResponseWriter: w}
		if traced {
			defer func() {
				out := time.Since(start)
				t.mu.Lock()
				defer t.mu.Unlock()
				fmt.Fprintf(t.trace, "%s %.3f %s %s %s %d %.3f\n", label, at.Seconds(), vendor, r.Method, r.URL.Path, sw.status, out.Seconds())
			}()
		}
		next.ServeHTTP(sw, r)
		confirmedType, op, ok := confirmOp(r.Method, r.URL.Path)
		if !ok {
			return
		}
		if sw.status < 200 || sw.status > 299 {
			return // a request the sandbox refused, or left unanswered (its client gave up), confirms nothing
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.confirms == nil || t.gen != gen {
			return // no command, or the command it came in during has ended
		}
		l := t.confirms[confirmedType]
		if l == nil {
			l = &confirmLog{}
			t.confirms[confirmedType] = l
		}
		l.add(op, exchange{in: at, out: time.Since(start)})
	})
}

// readableUI is a line of Terraform's machine-readable UI (-json) as a person reads it: its message,
// and a diagnostic's detail on the lines after it; any other line as it is.
func readableUI(line string) string {
	var m uiMessage
	if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &m) != nil || m.Message == "" {
		return line
	}
	if m.Diagnostic != nil && m.Diagnostic.Detail != "" {
		return m.Message + "\n  " + strings.ReplaceAll(m.Diagnostic.Detail, "\n", "\n  ")
	}
	return m.Message
}

// tail returns the last lines of a command's output, for errors, each of Terraform's UI messages
// counting as one, and a newline after them; nothing if there is no output.
func tail(out []byte, lines int) string {
	if len(bytes.TrimSpace(out)) == 0 {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	for i, line := range all {
		all[i] = readableUI(line)
	}
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n") + "\n"
}
