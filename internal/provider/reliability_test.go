package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// mixedConfig is a configuration with every resource type, 14 instances in all. version changes
// every URL (an in-place update of each) and rotates every Lune secret.
func mixedConfig(version string) string {
	return fmt.Sprintf(`
resource "webhooks_webhook" "plain" {
  count = 2
  url   = "https://hooks.example.com/lune/plain/${count.index}/%[1]s"
  secret_rotation_triggers = { version = %[1]q }
}

resource "webhooks_webhook" "disabled" {
  url     = "https://hooks.example.com/lune/disabled/%[1]s"
  enabled = false
}

resource "webhooks_webhook" "filtered" {
  url         = "https://hooks.example.com/lune/filtered/%[1]s"
  account_ids = ["acc_one", "acc_two"]
}

resource "webhooks_inveterate_webhook_subscription" "sub" {
  count        = 4
  topic        = element(["customer.updated", "customer.ordered", "customer.cancelled", "customer.updated"], count.index)
  callback_url = "https://hooks.example.com/inveterate/${count.index}/%[1]s"
  name         = "subscription ${count.index}"
}

resource "webhooks_inveterate_webhook" "admin" {
  count        = 3
  callback_url = "https://hooks.example.com/inveterate/admin/${count.index}"
  name         = "admin ${count.index}"
}

resource "webhooks_partner_webhook" "partner" {
  count         = 3
  web_hook_type = element(["NEW_MEMBER", "UPDATE_PRODUCT", "NEW_CONSUMER_ORDER"], count.index)
  web_hook_urls = ["https://hooks.example.com/blaze/${count.index}/%[1]s", "https://backup.example.com/blaze/${count.index}"]
}
`, version)
}

// sandboxMatchesState checks that the sandbox holds exactly the objects in state: one record per
// resource, no duplicate left by a retried create, no orphan left by an interrupted one.
func sandboxMatchesState(srv *sandbox.Server) statecheck.StateCheck {
	return stateAndSandboxCheck(func(state *tfjson.State) error { return stateMatchesSandbox(srv, state) })
}

// stateMatchesSandbox compares the managed resources of a state with the sandbox's records.
func stateMatchesSandbox(srv *sandbox.Server, state *tfjson.State) error {
	{
		inState := map[string][]string{}
		if state.Values != nil && state.Values.RootModule != nil {
			for _, r := range state.Values.RootModule.Resources {
				if r.Mode == tfjson.ManagedResourceMode {
					id, _ := r.AttributeValues["id"].(string)
					inState[r.Type] = append(inState[r.Type], id)
				}
			}
		}
		inSandbox := map[string][]string{}
		for _, w := range srv.LuneWebhooks() {
			inSandbox[luneWebhookTypeName] = append(inSandbox[luneWebhookTypeName], w.ID)
		}
		for _, s := range srv.InveterateSubscriptions() {
			inSandbox["webhooks_inveterate_webhook_subscription"] = append(inSandbox["webhooks_inveterate_webhook_subscription"], s.ID)
		}
		for _, w := range srv.InveterateWebhooks() {
			inSandbox["webhooks_inveterate_webhook"] = append(inSandbox["webhooks_inveterate_webhook"], w.ID)
		}
		for _, w := range srv.BlazeWebhooks() {
			if !w.Deleted {
				inSandbox["webhooks_partner_webhook"] = append(inSandbox["webhooks_partner_webhook"], w.ID)
			}
		}
		for _, typ := range []string{luneWebhookTypeName, "webhooks_inveterate_webhook_subscription", "webhooks_inveterate_webhook", "webhooks_partner_webhook"} {
			a, b := inState[typ], inSandbox[typ]
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				return fmt.Errorf("%s: %d in state, %d at the vendor; they must be the same objects (state %v, vendor %v)", typ, len(a), len(b), a, b)
			}
		}
		return nil
	}
}

// stateAndSandboxCheck is a state check that sees the state as Terraform reports it.
type stateAndSandboxCheck func(*tfjson.State) error

func (f stateAndSandboxCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req.State)
}

// TestAccReliability_faults applies, updates and destroys the mixed configuration while every
// vendor fails about one request in five in every way the sandbox knows (429 with and without
// Retry-After, 500, 503, connection resets, and lost responses: applied, never answered), with
// Inveterate's visibility and delete delays on, at a Terraform parallelism of 16. After every
// step the vendors hold exactly what the state says, and each next plan is empty.
func TestAccReliability_faults(t *testing.T) {
	if accLive() {
		t.Skip("fault injection needs the sandbox")
	}
	// Over TLS with HTTP/2, as production speaks through its CDNs.
	e := newAccEnv(t, sandbox.Config{TLS: true, Inveterate: sandbox.InveterateConfig{VisibilityDelay: time.Second, DeleteDelay: time.Second}})
	srv := e.sandbox()
	// The CLI directly, not terraform-plugin-testing: -parallelism=16 is an argument of this test's
	// commands alone, and the test runs beside the others.
	cli := newTerraformCLI(t, testProvider("acctest", func(string) string { return "" }, fastRetries,
		func(o *Options) { o.Connection.Transport = srv.Client().Transport }))
	t.Parallel()
	// Every kind of failure, and what a CDN in front of the API answers: a 524 after the origin
	// applied the request, and 502 or 520-523 before it did.
	kinds := append(sandbox.AllFailureKinds(), sandbox.FailCDNTimeout, sandbox.FailCDNError)
	for _, api := range []sandbox.API{sandbox.Lune, sandbox.Inveterate, sandbox.Blaze} {
		srv.SetFaults(api, sandbox.Faults{FailureRate: 0.2, Kinds: kinds})
	}
	// On top of the random faults, every kind of failure hits the writes of every vendor at least
	// once, whatever the dice say.
	force := func(ops ...string) {
		for _, op := range ops {
			api, _, _ := strings.Cut(op, ".")
			for _, kind := range kinds {
				srv.FailNext(sandbox.API(api), op, kind, 1)
			}
		}
	}
	// The eight forced failures of an operation can all land on one request, on top of the random
	// ones; with the default five retries that request would rightly give up. Users facing such an
	// API raise max_retries, and so does this test.
	apply := func(step, body string) {
		t.Helper()
		config := strings.Replace(e.config(body), "provider \"webhooks\" {\n", "provider \"webhooks\" {\n  max_retries = 12\n", 1)
		cli.write("main.tf", requiredProviders+config)
		cli.run("apply", "-input=false", "-no-color", "-auto-approve", "-parallelism=16")
		var state tfjson.State
		if err := json.Unmarshal(cli.output("show", "-json"), &state); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if err := stateMatchesSandbox(srv, &state); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		// The next plan, under the same faults, is empty.
		cli.expectEmptyPlan()
	}
	cli.run("init", "-input=false", "-no-color")
	force("lune.create", "inveterate.subscriptions.create", "inveterate.webhooks.create", "blaze.create")
	apply("create", mixedConfig("v1"))
	force("lune.update", "lune.rotate", "inveterate.subscriptions.update", "blaze.update")
	apply("update", mixedConfig("v2"))
	// Removing everything destroys it, under the same faults, leaving nothing behind.
	force("lune.delete", "inveterate.subscriptions.delete", "inveterate.webhooks.delete", "blaze.delete")
	apply("destroy", "")

	if n := srv.Count("lune.injected") + srv.Count("inveterate.injected") + srv.Count("blaze.injected"); n == 0 {
		t.Fatal("no fault was injected: the test proved nothing")
	}
	if srv.Count("http2") == 0 {
		t.Fatal("no request came over HTTP/2")
	}
	t.Logf("injected faults: lune %d, inveterate %d, blaze %d; Lune rate-limited %d",
		srv.Count("lune.injected"), srv.Count("inveterate.injected"), srv.Count("blaze.injected"), srv.Count("lune.rate_limited"))
}

// TestAccReliability_noSecretInTraceLogs runs a full apply, rotation and destroy with TF_LOG=TRACE
// and looks for every credential, every Lune signing secret and every Inveterate token in the
// whole log, the provider's and Terraform's. Nothing is printed on failure but where it was found.
func TestAccReliability_noSecretInTraceLogs(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "trace.log")
	// Not parallel: Terraform and the provider read their log settings from the environment.
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	e := newAccEnv(t, sandbox.Config{}, "lune", "inveterate", "blaze")

	secrets := map[string]string{} // value -> what it is (never the value itself)
	if e.srv != nil {
		cfg := e.srv.Config()
		for _, k := range cfg.Lune.Keys {
			secrets[k] = "a Lune API key"
		}
		for _, k := range cfg.Inveterate.Keys {
			secrets[k] = "an Inveterate API key"
		}
		for _, k := range cfg.Blaze.PartnerKeys {
			secrets[k] = "a BLAZE partner key"
		}
		for k := range cfg.Blaze.DeveloperKeys {
			secrets[k] = "a BLAZE developer key"
		}
	} else {
		for env, what := range map[string]string{envLuneAPIKey: "the Lune API key", envInveterateAPIKey: "the Inveterate API key",
			envBlazePartnerKey: "the BLAZE partner key", envBlazeDeveloperKey: "the BLAZE developer key"} {
			secrets[os.Getenv(env)] = what
		}
	}
	// The secrets and tokens the vendors returned, as they are in state.
	collect := func(s *terraform.State) error {
		for addr, rs := range s.RootModule().Resources {
			switch rs.Type {
			case luneWebhookTypeName:
				secrets[rs.Primary.Attributes["secret"]] = "the signing secret of " + addr
			case inveterateWebhookTypeName:
				secrets[rs.Primary.Attributes["token"]] = "the token of " + addr
			}
		}
		return nil
	}
	// The credentials come from the environment, as they do in most real configurations. (A key
	// written literally in HCL would show in Terraform's own log of the configuration.)
	const provider = "provider \"webhooks\" {}\n"
	one, two := e.luneAccounts()
	mixed := func(version string) string {
		c := strings.ReplaceAll(mixedConfig(version), "https://hooks.example.com/", e.url(""))
		return strings.NewReplacer(`"acc_one"`, fmt.Sprintf("%q", one), `"acc_two"`, fmt.Sprintf("%q", two)).Replace(c)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factoriesFromEnv(),
		Steps: []resource.TestStep{
			{Config: provider + mixed("v1"), Check: collect},
			{Config: provider + mixed("v2"), Check: collect},
			{Config: provider},
		},
	})

	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// Prove that the provider's request logs were captured at their most detailed level.
	for _, want := range []string{"Sending HTTP request", "HTTP response detail", "/v1/webhooks", "/v2.0/admin/webhooks", "/api/v1/partner/webHooks"} {
		if !bytes.Contains(log, []byte(want)) {
			t.Fatalf("the trace log has no %q: the provider's logs were not captured, so this test proves nothing", want)
		}
	}
	if want := 4 + 2 + 2; len(secrets) < want+2 {
		// At least the four credentials (live) and both generations of secrets and tokens.
		t.Fatalf("only %d secrets collected", len(secrets))
	}
	for value, what := range secrets {
		if value == "" {
			continue
		}
		if i := bytes.Index(log, []byte(value)); i >= 0 {
			start := bytes.LastIndexByte(log[:i], '\n') + 1
			end := i + bytes.IndexByte(log[i:], '\n')
			if end < i {
				end = len(log)
			}
			context := bytes.ReplaceAll(log[start:end], []byte(value), []byte("***"))
			t.Errorf("%s appears in the TRACE log, line %d (masked here): %.400s", what, bytes.Count(log[:i], []byte("\n"))+1, context)
		}
	}
}

// TestAccReliability_wrongBasePathLosesNothing points the provider at a base URL with a wrong
// path, where every endpoint answers 404: the refresh must fail, never conclude that the webhooks
// are gone, and with the right URL again the plan is empty.
func TestAccReliability_wrongBasePathLosesNothing(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{})
	srv := e.sandbox()
	config := e.config(mixedConfig("v1"))
	empty := []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{sandboxMatchesState(srv)}},
			{
				Config:      strings.ReplaceAll(config, srv.URL, srv.URL+"/v1"),
				ExpectError: errorText("answered HTTP 404", "the base URL ("+srv.URL+"/v1) is wrong", "Check lune.base_url (or LUNE_BASE_URL)"),
			},
			{
				Config:            config,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: empty},
				ConfigStateChecks: []statecheck.StateCheck{sandboxMatchesState(srv)},
			},
		},
	})
}
