package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// soakRegressionSeeds are rounds that once failed: each runs in every soak, whatever the knobs. A
// failing round prints its seed; add it here with a line on what it found, once it is fixed.
var soakRegressionSeeds = []uint64{}

// TestAccSoak_interrupts is the interrupt soak: rounds in which Terraform is interrupted once
// (SIGINT, as Ctrl-C) at a random moment of an apply, an update or a destroy, against slow APIs that
// fail and lose answers at random, then finishes the job with the faults off. After each round:
// every object at the sandbox is in state exactly once and nothing in state is missing there, every
// Lune secret and Inveterate token in state is the real one, and the plan is empty (after a destroy,
// nothing is left).
//
// WEBHOOKS_SOAK_ROUNDS sets the number of rounds (default 3; make soak runs more), and
// WEBHOOKS_SOAK_SEED the first round's seed (default: the clock's; each round's is logged), so that
// WEBHOOKS_SOAK_ROUNDS=1 WEBHOOKS_SOAK_SEED=<seed> replays one round.
func TestAccSoak_interrupts(t *testing.T) {
	if accLive() {
		t.Skip("the soak injects faults: it needs the sandbox")
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
			t.Fatalf("WEBHOOKS_SOAK_SEED=%q is not a seed", v)
		}
		first = s
	}
	seeds := append([]uint64{}, soakRegressionSeeds...)
	for i := range rounds {
		seeds = append(seeds, first+uint64(i))
	}
	var stats soakStats
	start := time.Now()
	for _, seed := range seeds {
		if !t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { soakRound(t, seed, &stats) }) {
			stats.findings.Add(1)
			t.Logf("replay round %d: WEBHOOKS_SOAK_ROUNDS=1 WEBHOOKS_SOAK_SEED=%d TF_ACC=1 go test -count=1 -run '^TestAccSoak_interrupts$' ./internal/provider/", seed, seed)
		}
	}
	t.Logf("soak: %d rounds, %d interrupts, %d faults injected, %d findings, in %s",
		len(seeds), stats.interrupts.Load(), stats.faults.Load(), stats.findings.Load(), time.Since(start).Round(time.Second))
}

type soakStats struct {
	interrupts, faults, findings atomic.Int64
}

// soakRound is one round: set up, interrupt, finish, check.
func soakRound(t *testing.T, seed uint64, stats *soakStats) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) //nolint:gosec // a reproducible test schedule.
	srv := sandbox.NewServer(t, sandbox.Config{Seed: int64(seed), Inveterate: sandbox.InveterateConfig{
		VisibilityDelay: time.Duration(rng.IntN(3000)) * time.Millisecond,
		DeleteDelay:     time.Duration(rng.IntN(1000)) * time.Millisecond,
	}})
	e := &accEnv{t: t, srv: srv}
	env := e.sandboxEnv()
	cli := newTerraformCLI(t, testProvider("acctest", func(k string) string { return env[k] }, fastRetries))
	cli.write("main.tf", requiredProviders+"\nprovider \"webhooks\" {\n  max_retries = 12\n}\n"+mixedConfig("v1"))
	cli.run("init", "-input=false", "-no-color")

	// What the interrupted command does: create everything, update everything (new URLs, rotated Lune
	// secrets), or destroy everything.
	kind := []string{"apply", "update", "destroy"}[rng.IntN(3)]
	if kind != "apply" {
		cli.run("apply", "-auto-approve", "-input=false", "-no-color")
	}
	if kind == "update" {
		cli.write("main.tf", requiredProviders+"\nprovider \"webhooks\" {\n  max_retries = 12\n}\n"+mixedConfig("v2"))
	}
	args := []string{"apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10"}
	if kind == "destroy" {
		args[0] = "destroy"
	}

	// Every kind of failure, and more often those that leave a write's outcome unknown (applied,
	// answer lost): the interrupts that matter most land while such a write is being settled.
	kinds := append(sandbox.AllFailureKinds(), sandbox.FailCDNTimeout, sandbox.FailCDNError,
		sandbox.FailLostResponse, sandbox.FailLostResponse, sandbox.FailLostResponse, sandbox.FailCDNTimeout)
	for _, api := range []sandbox.API{sandbox.Lune, sandbox.Inveterate, sandbox.Blaze} {
		srv.SetFaults(api, sandbox.Faults{
			Latency:     time.Duration(100+rng.IntN(1200)) * time.Millisecond,
			FailureRate: 0.1 + 0.3*rng.Float64(),
			Kinds:       kinds,
		})
	}
	injected := func() int64 {
		return int64(srv.Count("lune.injected") + srv.Count("inveterate.injected") + srv.Count("blaze.injected"))
	}
	before := injected()

	cmd := cli.command(args...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// An interrupted run fails, as it should: its exit status says nothing here.
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	// The interrupt comes a random moment after the first write reached the sandbox: while writes
	// are sent, answered, lost, looked for, confirmed.
	writes := func() int {
		n := 0
		for _, op := range []string{"lune.create", "lune.update", "lune.rotate", "lune.delete",
			"inveterate.subscriptions.create", "inveterate.subscriptions.update", "inveterate.subscriptions.delete",
			"inveterate.webhooks.create", "inveterate.webhooks.delete", "blaze.create", "blaze.update", "blaze.delete"} {
			n += srv.Count(op)
		}
		return n
	}
	delay := time.Duration(rng.IntN(4000)) * time.Millisecond
	for deadline := time.Now().Add(time.Minute); writes() == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("round: %s interrupted %s after its first write", kind, delay)
	select {
	case <-exited:
		t.Logf("terraform %s finished before the interrupt", kind)
	case <-time.After(delay):
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		stats.interrupts.Add(1)
		select {
		case <-exited:
		case <-time.After(3 * time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("terraform %s still running 3 minutes after the interrupt:\n%s", kind, output.String())
		}
	}
	for _, api := range []sandbox.API{sandbox.Lune, sandbox.Inveterate, sandbox.Blaze} {
		srv.SetFaults(api, sandbox.Faults{})
	}
	stats.faults.Add(injected() - before)

	// Finish the job, as a user would after an interrupt: run the same command again.
	if out, err := cli.command(args...).CombinedOutput(); err != nil {
		t.Fatalf("terraform %s after the interrupted one: %v\n%s\nthe interrupted run:\n%s", kind, err, out, output.String())
	}
	state := soakState(t, cli)
	if err := stateMatchesSandbox(srv, state); err != nil {
		t.Fatalf("after the round: %v\nthe interrupted run:\n%s", err, output.String())
	}
	if kind == "destroy" {
		return // stateMatchesSandbox saw an empty state and nothing at the sandbox
	}
	soakSecretsAreReal(t, srv, state)
	cli.expectEmptyPlan()
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
// without ever printing one.
func soakSecretsAreReal(t *testing.T, srv *sandbox.Server, state *tfjson.State) {
	t.Helper()
	secrets := map[string]string{}
	for _, w := range srv.LuneWebhooks() {
		secrets[w.ID] = w.Secret
	}
	tokens := map[string]string{}
	for _, w := range srv.InveterateWebhooks() {
		tokens[w.ID] = w.Token
	}
	if state.Values == nil || state.Values.RootModule == nil {
		return
	}
	for _, r := range state.Values.RootModule.Resources {
		id, _ := r.AttributeValues["id"].(string)
		switch r.Type {
		case luneWebhookTypeName:
			if got, _ := r.AttributeValues["secret"].(string); got != secrets[id] {
				t.Errorf("%s: the secret in state is not the webhook's signing secret (%d characters in state)", r.Address, len(got))
			}
		case inveterateWebhookTypeName:
			if got, _ := r.AttributeValues["token"].(string); got != tokens[id] {
				t.Errorf("%s: the token in state is not the one Inveterate issued (%d characters in state)", r.Address, len(got))
			}
		}
	}
}
