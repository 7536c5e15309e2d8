package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// soakRegressionSeeds are rounds that once failed: each runs in every soak, whatever the knobs, before
// the rounds WEBHOOKS_SOAK_ROUNDS asks for. A failing round prints its seed and the command that
// replays it; to make it a regression test, add the seed here with a line on what it found (and,
// until the provider is fixed, that it still fails).
//
// A seed fixes a round's whole schedule: what the interrupted command does, Terraform's parallelism,
// each vendor's latency and failure rate, Inveterate's delays, the moment of the interrupt, and the
// sandbox's fault dice. It cannot fix the order in which concurrent requests reach the sandbox, so a
// replay reproduces the conditions of a failure, and most often the failure, not every time. The
// schedule is drawn in a fixed order at the top of soakRound: change the draws and every seed here
// means another round (replay the failures on the old code to find their new seeds).
var soakRegressionSeeds = []uint64{
	// Found with the HTTP client's detached contexts taken out (a sent write, and the lookup after a lost
	// create answer, cancelled by the interrupt): orphaned BLAZE webhooks and Inveterate admin webhooks
	// in 4 replays out of 4. Passes on the detached design; kept as its guard.
	1001,
	// An apply interrupted while webhooks_webhook.disabled was being created (failed 4 replays out of
	// 4): the create was finished (detached) but the disable was never sent, so Create returned
	// enabled = true against a plan of false; Terraform called it "Provider produced inconsistent
	// result", tainted the webhook, and the next apply replaced it (new id, new secret). Fixed: the
	// disable is sent on a deadline of its own, as part of the create.
	3015,
}

// Each round's time limits: Terraform may take its time to stop after an interrupt (it waits for the
// operations in flight, and a write that was sent is finished), but it must stop.
const (
	soakFirstWriteWait = time.Minute     // for the writes an interrupt waits for
	soakStopWait       = 2 * time.Minute // from the interrupt to Terraform's exit
	soakCommandWait    = 3 * time.Minute // for each command that finishes the job, faults off
)

// soakReplay is the command that runs the round of seed alone.
func soakReplay(seed uint64) string {
	return fmt.Sprintf("WEBHOOKS_SOAK_ROUNDS=1 WEBHOOKS_SOAK_SEED=%d TF_ACC=1 go test -race -count=1 -v "+
		"-run '^TestAccSoak_interrupts$/^seed=%d$' ./internal/provider/", seed, seed)
}

// TestAccSoak_interrupts is the interrupt soak: rounds in which Terraform is interrupted once
// (SIGINT, as Ctrl-C) at a random moment of an apply, an update (new URLs, rotated Lune secrets) or a
// destroy, against slow APIs that fail and lose answers at random, and then finishes the job with the
// faults off, as a user would: the same command again. After each round every object at the sandbox
// is in state exactly once and nothing in state is missing there, every Lune secret and Inveterate
// token in state is the one the sandbox holds, an update kept every object (nothing replaced) and
// rotated exactly the secrets it should, and the plan is empty; after a destroy nothing is left.
//
// WEBHOOKS_SOAK_ROUNDS sets the number of rounds (default 3; make soak runs 40), and
// WEBHOOKS_SOAK_SEED the first round's seed (default: the clock's); round i has seed+i. Every round's
// seed is logged, and a failing round prints the command that replays it alone.
func TestAccSoak_interrupts(t *testing.T) {
	if accLive() {
		t.Skip("the soak injects faults and latency: it needs the sandbox")
	}
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test (TF_ACC=1)")
	}
	rounds := 3
	if v := os.Getenv("WEBHOOKS_SOAK_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("WEBHOOKS_SOAK_ROUNDS=%q is not a number of rounds", v)
		}
		rounds = n
	}
	first := uint64(time.Now().UnixNano())
	if v := os.Getenv("WEBHOOKS_SOAK_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("WEBHOOKS_SOAK_SEED=%q is not a seed (an unsigned 64-bit integer)", v)
		}
		first = s
	}
	// Beside the other tests (in make test): its rounds run one after another, on a machine as busy
	// as a user's.
	t.Parallel()
	t.Logf("soak: %d regression rounds, then %d rounds from seed %d", len(soakRegressionSeeds), rounds, first)
	seeds := slices.Clone(soakRegressionSeeds)
	for i := range rounds {
		seeds = append(seeds, first+uint64(i))
	}

	var stats soakStats
	start := time.Now()
	var failed []string
	for _, seed := range seeds {
		if !t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { soakRound(t, seed, &stats) }) {
			failed = append(failed, strconv.FormatUint(seed, 10))
		}
	}
	summary := fmt.Sprintf("soak: %d rounds (%d apply, %d update, %d destroy), %d interrupts (%d seen by Terraform while it worked), "+
		"%d faults injected, %d findings, in %s", len(seeds), stats.kinds["apply"], stats.kinds["update"], stats.kinds["destroy"],
		stats.interrupts, stats.seen, stats.faults, len(failed), time.Since(start).Round(time.Second))
	if len(failed) > 0 {
		summary += "; failing seeds: " + strings.Join(failed, ", ")
	}
	t.Log(summary)
}

// soakStats are the soak's figures. The rounds run one after another.
type soakStats struct {
	kinds            map[string]int
	interrupts, seen int
	faults           int
}

// soakKinds are what a round's interrupted command does.
var soakKinds = []string{"apply", "update", "destroy"}

// soakRound is one round: a fresh sandbox and working directory; set up, interrupt, finish, check.
func soakRound(t *testing.T, seed uint64, stats *soakStats) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("round %d failed; replay it alone with:\n  %s", seed, soakReplay(seed))
		}
	})
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) //nolint:gosec // a reproducible test schedule, no secret.

	// The schedule, all drawn from the seed before anything runs.
	kind := soakKinds[rng.IntN(len(soakKinds))]
	parallelism := 2 + rng.IntN(15)
	visibility := time.Duration(rng.IntN(3000)) * time.Millisecond
	deleteDelay := time.Duration(rng.IntN(1000)) * time.Millisecond
	// Every kind of failure the vendors and their CDNs answer, and more often those that leave a
	// write's outcome unknown (applied, answer lost): the interrupts that matter most land while such
	// a write is being settled. (The redirect is left out: a client must refuse it, not recover.)
	kinds := append(sandbox.AllFailureKinds(), sandbox.FailCDNTimeout, sandbox.FailCDNError,
		sandbox.FailLostResponse, sandbox.FailLostResponse, sandbox.FailCDNTimeout)
	apis := []sandbox.API{sandbox.Lune, sandbox.Inveterate, sandbox.Blaze}
	faults := map[sandbox.API]sandbox.Faults{}
	var schedule []string
	for _, api := range apis {
		f := sandbox.Faults{
			Latency:     time.Duration(100+rng.IntN(1401)) * time.Millisecond,
			FailureRate: 0.1 + 0.4*rng.Float64(),
			Kinds:       kinds,
		}
		faults[api] = f
		schedule = append(schedule, fmt.Sprintf("%s %s/%.0f%%", api, f.Latency, 100*f.FailureRate))
	}
	// The interrupt comes either a random moment after the command starts (during a refresh, the
	// plan, or the first writes) or a random moment after the n-th write reached the sandbox (while
	// writes are sent, answered, lost, looked up, confirmed, waited for in Inveterate's lists).
	afterWrites := 0
	var delay time.Duration
	if rng.IntN(3) == 0 {
		delay = time.Duration(rng.IntN(6000)) * time.Millisecond
	} else {
		afterWrites = 1 + rng.IntN(12)
		delay = time.Duration(rng.IntN(2500)) * time.Millisecond
	}
	moment := fmt.Sprintf("%s after the start", delay)
	if afterWrites > 0 {
		moment = fmt.Sprintf("%s after write %d", delay, afterWrites)
	}
	t.Logf("round %d: %s, parallelism %d, latency/failure rate %s, Inveterate visibility %s and delete %s delays, interrupt %s",
		seed, kind, parallelism, strings.Join(schedule, ", "), visibility, deleteDelay, moment)
	if stats.kinds == nil {
		stats.kinds = map[string]int{}
	}
	stats.kinds[kind]++

	srv := sandbox.NewServer(t, sandbox.Config{
		Seed:       int64(seed>>1) | 1, // never 0, which would pick a seed from the clock
		Inveterate: sandbox.InveterateConfig{VisibilityDelay: visibility, DeleteDelay: deleteDelay},
	})
	secrets := newSoakSecrets(srv)
	e := &accEnv{t: t, srv: srv}
	env := e.sandboxEnv()
	cli := newTerraformCLI(t, testProvider("acctest", func(k string) string { return env[k] }, fastRetries))
	// As in the faults test: a request may meet several failures in a row; users facing such an API
	// raise max_retries.
	configure := func(version string) {
		cli.write("main.tf", requiredProviders+"\nprovider \"webhooks\" {\n  max_retries = 12\n}\n"+mixedConfig(version))
	}
	configure("v1")
	secrets.run(t, cli, soakCommandWait, "init", "-input=false", "-no-color")

	// Before an update or a destroy: everything created, without faults.
	var before *tfjson.State
	var secretsBefore map[string]string // never printed
	if kind != "apply" {
		secrets.run(t, cli, soakCommandWait, "apply", "-auto-approve", "-input=false", "-no-color")
		before, secretsBefore = soakState(t, cli), map[string]string{}
		for _, w := range srv.LuneWebhooks() {
			secretsBefore[w.ID] = w.Secret
		}
		if err := stateMatchesSandbox(srv, before); err != nil {
			t.Fatalf("the apply before the round, without faults: %v", err)
		}
	}
	if kind == "update" {
		configure("v2")
	}
	args := []string{"apply", "-auto-approve", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", parallelism)}
	if kind == "destroy" {
		args[0] = "destroy"
	}

	// The interrupted command, against slow and failing APIs.
	for _, api := range apis {
		srv.SetFaults(api, faults[api])
	}
	injected := func() int {
		return srv.Count("lune.injected") + srv.Count("inveterate.injected") + srv.Count("blaze.injected")
	}
	injectedBefore, writesBefore := injected(), srv.Writes()
	cmd := cli.command(args...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var exitErr error
	done := false
	wait := func(d time.Duration) bool {
		select {
		case exitErr = <-exited:
			done = true
		case <-time.After(d):
		}
		return done
	}
	if afterWrites > 0 {
		for deadline := time.Now().Add(soakFirstWriteWait); srv.Writes()-writesBefore < afterWrites && time.Now().Before(deadline); {
			secrets.collect()
			if wait(20 * time.Millisecond) {
				break
			}
		}
	}
	if !done && !wait(delay) {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		stats.interrupts++
		for interrupted := time.Now(); !done && time.Since(interrupted) < soakStopWait; {
			secrets.collect()
			wait(100 * time.Millisecond)
		}
		if !done {
			_ = cmd.Process.Kill()
			t.Fatalf("terraform %s still running %s after the interrupt (a hang); killed (%v):\n%s",
				kind, soakStopWait, <-exited, secrets.mask(output.String()))
		}
		if strings.Contains(output.String(), "Interrupt received") {
			stats.seen++
		}
	} else {
		t.Logf("terraform %s exited before the interrupt was due", kind)
	}
	for _, api := range apis {
		srv.SetFaults(api, sandbox.Faults{})
	}
	secrets.collect()
	stats.faults += injected() - injectedBefore
	interrupted := output.String()
	left := soakManaged(soakState(t, cli))
	var tainted []string
	for _, r := range left {
		if r.Tainted {
			tainted = append(tainted, r.Address)
		}
	}
	t.Logf("the interrupted %s exited (%v): %d faults injected, %d writes at the sandbox, %d resources in state, tainted: %v",
		kind, exitErr, injected()-injectedBefore, srv.Writes()-writesBefore, len(left), tainted)

	// Finish the job, as a user would after an interrupt: the same command again.
	out, err := secrets.runErr(cli, soakCommandWait, args...)
	if err != nil {
		t.Fatal(secrets.mask(fmt.Sprintf("terraform %s after the interrupted one: %v\n%s\nthe interrupted run:\n%s", kind, err, out, interrupted)))
	}
	secrets.collect()
	state := soakState(t, cli)
	report := func(format string, a ...any) {
		t.Helper()
		t.Error(secrets.mask(fmt.Sprintf(format+"\nthe interrupted run:\n%s\nthe run that finished the job:\n%s", append(a, interrupted, out)...)))
	}
	if err := stateMatchesSandbox(srv, state); err != nil {
		report("after the round: %v", err)
	}
	// Terraform's own verdict on a provider that answers what it did not plan (such as a value that
	// was known at plan time, changed): whatever the interrupt, that is a bug of the provider, and the
	// object it concerns is tainted and replaced by the next apply.
	for _, run := range []struct{ name, output string }{{"interrupted", interrupted}, {"finishing", out}} {
		for _, bug := range []string{"Provider produced inconsistent", "This is a bug in the provider"} {
			if strings.Contains(run.output, bug) {
				report("the %s %s printed %q", run.name, kind, bug)
				break
			}
		}
	}
	if kind == "destroy" {
		if n := len(soakManaged(state)); n != 0 {
			report("%d resources still in state after the destroy", n)
		}
		if n := len(srv.LuneWebhooks()) + len(srv.InveterateSubscriptions()) + len(srv.InveterateWebhooks()) + soakBlazeLeft(srv); n != 0 {
			report("%d objects left at the sandbox after the destroy", n)
		}
		return
	}
	if n := len(soakManaged(state)); n != 14 {
		report("%d resources in state, want the configuration's 14", n)
	}
	for _, r := range soakManaged(state) {
		if r.Tainted {
			report("%s is tainted after the apply that finished the job", r.Address)
		}
	}
	soakSecretsAreReal(t, srv, state, report)
	if kind == "update" {
		soakUpdateKept(srv, before, state, secretsBefore, report)
	}
	if plan, code, err := secrets.runCode(cli, soakCommandWait, "plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
		report("terraform plan -detailed-exitcode exited %d (%v), want 0 (an empty plan):\n%s", code, err, plan)
	}
}

// soakManaged are the managed resources of a state.
func soakManaged(state *tfjson.State) []*tfjson.StateResource {
	var out []*tfjson.StateResource
	if state.Values == nil || state.Values.RootModule == nil {
		return nil
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Mode == tfjson.ManagedResourceMode {
			out = append(out, r)
		}
	}
	return out
}

// soakBlazeLeft counts the BLAZE webhooks not deleted.
func soakBlazeLeft(srv *sandbox.Server) int {
	n := 0
	for _, w := range srv.BlazeWebhooks() {
		if !w.Deleted {
			n++
		}
	}
	return n
}

// soakState is the state as terraform show -json gives it.
func soakState(t *testing.T, cli *terraformCLI) *tfjson.State {
	t.Helper()
	var state tfjson.State
	if err := json.Unmarshal(cli.output("show", "-json", "-no-color"), &state); err != nil {
		t.Fatal(err)
	}
	return &state
}

// soakSecretsAreReal checks every Lune secret and Inveterate token in state against the sandbox's,
// without ever printing one. The soak imports nothing, so none may be null.
func soakSecretsAreReal(t *testing.T, srv *sandbox.Server, state *tfjson.State, report func(string, ...any)) {
	t.Helper()
	secrets := map[string]string{}
	for _, w := range srv.LuneWebhooks() {
		secrets[w.ID] = w.Secret
	}
	tokens := map[string]string{}
	for _, w := range srv.InveterateWebhooks() {
		tokens[w.ID] = w.Token
	}
	for _, r := range soakManaged(state) {
		id, _ := r.AttributeValues["id"].(string)
		switch r.Type {
		case luneWebhookTypeName:
			got, _ := r.AttributeValues["secret"].(string)
			if want, ok := secrets[id]; !ok || got != want {
				report("%s: the secret in state is not the webhook's signing secret at Lune (%d characters in state)", r.Address, len(got))
			}
		case inveterateWebhookTypeName:
			got, _ := r.AttributeValues["token"].(string)
			if want, ok := tokens[id]; !ok || got != want {
				report("%s: the token in state is not the one Inveterate issued for it (%d characters in state)", r.Address, len(got))
			}
		}
	}
}

// soakUpdateKept checks what an update must keep and change: every object it updated in place is
// the same object (nothing in mixedConfig's v1 to v2 replaces anything), the secrets of the Lune
// webhooks whose rotation triggers changed were rotated, and the others kept theirs.
func soakUpdateKept(srv *sandbox.Server, before, after *tfjson.State, secretsBefore map[string]string, report func(string, ...any)) {
	ids := map[string]string{}
	for _, r := range soakManaged(before) {
		ids[r.Address], _ = r.AttributeValues["id"].(string)
	}
	for _, r := range soakManaged(after) {
		id, _ := r.AttributeValues["id"].(string)
		if was, ok := ids[r.Address]; !ok || was != id {
			report("%s was replaced by the update (id %s, was %s): v1 to v2 only updates in place", r.Address, id, was)
			continue
		}
		if r.Type != luneWebhookTypeName {
			continue
		}
		w, ok := srv.LuneWebhook(id)
		if !ok {
			continue // stateMatchesSandbox said so
		}
		old := secretsBefore[id]
		rotates := strings.HasPrefix(r.Address, "webhooks_webhook.plain[")
		if rotates && w.Secret == old {
			report("%s: the update did not rotate the secret, though its rotation triggers changed", r.Address)
		}
		if !rotates && w.Secret != old {
			report("%s: the update rotated the secret, though nothing asked for a rotation", r.Address)
		}
	}
}

// soakSecrets are every credential, signing secret and token the round has seen, so that any output
// printed is masked: the soak compares secrets and never prints one. Terraform hides sensitive
// values itself; this is for an error message that would not.
type soakSecrets struct {
	srv    *sandbox.Server
	mu     sync.Mutex
	values map[string]bool
}

func newSoakSecrets(srv *sandbox.Server) *soakSecrets {
	s := &soakSecrets{srv: srv, values: map[string]bool{}}
	cfg := srv.Config()
	for _, keys := range [][]string{cfg.Lune.Keys, cfg.Inveterate.Keys, cfg.Blaze.PartnerKeys} {
		for _, k := range keys {
			s.values[k] = true
		}
	}
	for k := range cfg.Blaze.DeveloperKeys {
		s.values[k] = true
	}
	return s
}

// collect adds the secrets and tokens the sandbox holds now.
func (s *soakSecrets) collect() {
	lune, inv := s.srv.LuneWebhooks(), s.srv.InveterateWebhooks()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range lune {
		s.values[w.Secret] = true
	}
	for _, w := range inv {
		s.values[w.Token] = true
	}
}

// mask replaces every secret seen in text.
func (s *soakSecrets) mask(text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for v := range s.values {
		if len(v) >= 6 {
			text = strings.ReplaceAll(text, v, "***")
		}
	}
	return text
}

// runCode runs a Terraform command, bounded by limit, and returns its output masked and its exit
// code (-1 when it did not run or was killed).
func (s *soakSecrets) runCode(cli *terraformCLI, limit time.Duration, args ...string) (string, int, error) {
	cmd := cli.command(args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", -1, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		killed := <-exited
		return s.mask(out.String()), -1, fmt.Errorf("terraform %s still running after %s (a hang): killed (%v)", args[0], limit, killed)
	}
	s.collect()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return s.mask(out.String()), 0, nil
	case errors.As(err, &exit):
		return s.mask(out.String()), exit.ExitCode(), err
	default:
		return s.mask(out.String()), -1, err
	}
}

// runErr runs a Terraform command, bounded by limit, and returns its output masked.
func (s *soakSecrets) runErr(cli *terraformCLI, limit time.Duration, args ...string) (string, error) {
	out, _, err := s.runCode(cli, limit, args...)
	return out, err
}

// run runs a Terraform command, bounded by limit, and fails the round if it fails.
func (s *soakSecrets) run(t *testing.T, cli *terraformCLI, limit time.Duration, args ...string) {
	t.Helper()
	if out, err := s.runErr(cli, limit, args...); err != nil {
		t.Fatalf("terraform %v: %v\n%s", args, err, out)
	}
}
