package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// guideFile is a file of the query guide's example, which the tests use exactly as written.
func guideFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "guides", "query", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAccQuery_generatedConfigurationImportsOnly follows the query guide: its main.tf and
// discover.tfquery.hcl, exactly as written, then `terraform query -generate-config-out` against
// existing webhooks of every type, then a plan of the generated
// configuration: every resource must be a pure import (no create, update, replace or secret
// rotation), the apply must make no API write, and the plan after it must be empty. It needs
// Terraform 1.14 or later (terraform query), and skips on older ones.
func TestAccQuery_generatedConfigurationImportsOnly(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune", "inveterate", "blaze")
	api := e.api()
	getenv := os.Getenv
	if e.srv != nil {
		env := e.sandboxEnv()
		getenv = func(k string) string { return env[k] }
	}
	cli := newTerraformCLI(t, testProvider("acctest", getenv, fastRetries))
	cli.requireVersion("1.14.0", "terraform query")
	t.Parallel()

	// Webhooks of every type, in their less common shapes too: a disabled Lune webhook with an
	// account filter, a BLAZE webhook with its extra url, and an admin webhook with a name. This
	// CLI test never destroys: the creators delete the test's own webhooks when it ends.
	one, _ := e.luneAccounts()
	seeded := map[string]string{}
	for name, in := range map[string]lune.CreateWebhookInput{"lune": {URL: e.url("lune")}, "lune filtered": {URL: e.url("filtered"), AccountIDs: []string{one}}} {
		w := createLuneWebhook(t, api, in, name == "lune filtered")
		seeded[name] = w.ID
	}
	sub := createInveterateSubscription(t, api, inveterate.CreateSubscriptionInput{Topic: "customer.updated", CallbackURL: e.url("sub"), Name: e.name("sub")})
	seeded["subscription"] = sub.ID
	for name, in := range map[string]inveterate.CreateWebhookInput{"admin": {CallbackURL: e.url("admin")}, "admin named": {CallbackURL: e.url("named"), Name: e.name("relay")}} {
		w := createInveterateWebhook(t, api, in)
		seeded[name] = w.ID
	}
	for name, in := range map[string]blaze.CreateWebhookInput{
		"blaze":     {WebHookType: "NEW_MEMBER", WebHookURLs: []string{e.url("blaze")}},
		"blaze url": {WebHookType: "UPDATE_PRODUCT", WebHookURLs: []string{e.url("p/a"), e.url("p/b")}, URL: e.url("legacy")},
	} {
		w := createPartnerWebhook(t, api, in)
		seeded[name] = w.ID
	}

	cli.write("main.tf", guideFile(t, "main.tf"))
	cli.write("discover.tfquery.hcl", guideFile(t, "discover.tfquery.hcl"))
	cli.run("init", "-input=false", "-no-color")
	if e.srv != nil {
		e.srv.ResetCounts()
	}
	cli.run("query", "-generate-config-out=generated.tf", "-no-color")
	if e.srv != nil {
		if w := e.srv.Writes(); w != 0 {
			t.Fatalf("the query made %d writes", w)
		}
		sb := e.srv
		if n := sb.Count("lune.list") + sb.Count("inveterate.subscriptions.list") + sb.Count("inveterate.webhooks.list") + sb.Count("blaze.list"); n != 4 {
			t.Errorf("the query made %d list calls, want one per surface: %v", n, sb.Counts())
		}
	}
	generated := cli.read("generated.tf")
	for _, id := range seeded {
		if !strings.Contains(generated, id) {
			t.Errorf("generated.tf does not import %s:\n%s", id, generated)
		}
	}
	// Secrets cannot be listed (they stay null, as after terraform import), and nothing may trigger
	// a rotation.
	for _, never := range []*regexp.Regexp{
		regexp.MustCompile(`\bsecret\s*=`), regexp.MustCompile(`\btoken\s*=`),
		regexp.MustCompile(`secret_rotation_triggers\s*=\s*[^n\s]`),
	} {
		if never.MatchString(generated) {
			t.Errorf("generated.tf matches %s:\n%s", never, generated)
		}
	}

	plan := cli.plan()
	// Live, the query finds every webhook of the accounts, other people's too; all are pure imports.
	if n := len(plan.ResourceChanges); n < len(seeded) || (e.srv != nil && n != len(seeded)) {
		t.Errorf("the plan has %d resources, want %d", n, len(seeded))
	}
	for _, rc := range plan.ResourceChanges {
		if rc.Change.Importing == nil || !rc.Change.Actions.NoOp() {
			t.Errorf("%s: actions %v, importing %v: want a pure import", rc.Address, rc.Change.Actions, rc.Change.Importing != nil)
		}
	}
	if e.srv != nil {
		e.srv.ResetCounts()
	}
	cli.run("apply", "-input=false", "-no-color", "plan.tfplan")
	if e.srv != nil {
		if w := e.srv.Writes(); w != 0 {
			t.Errorf("adopting made %d writes: %v", w, e.srv.Counts())
		}
	}
	cli.expectEmptyPlan()
}

// TestAccQuery_listResources runs the query guide's four list blocks through
// terraform-plugin-testing's query mode (Terraform 1.14 or later; it skips on older ones) and checks each result's identity and
// display name.
func TestAccQuery_listResources(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{})
	sb := e.sandbox()
	ids := seedOneOfEach(sb)
	identity := func(typeName string) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{"id": knownvalue.StringExact(ids[typeName])}
	}
	displayed := func(list, typeName, name string) querycheck.QueryResultCheck {
		return querycheck.ExpectResourceDisplayName(list, queryfilter.ByResourceIdentity(identity(typeName)), knownvalue.StringExact(name))
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{skipOnOpenTofu("terraform query"), tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: e.config("")},
			{
				Query: true,
				// The provider block comes from the first step's configuration, which stays beside the
				// query file.
				Config: guideFile(t, "discover.tfquery.hcl"),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectIdentity("webhooks_webhook.lune", identity(luneWebhookTypeName)),
					querycheck.ExpectIdentity("webhooks_inveterate_webhook_subscription.inveterate_subscriptions", identity(inveterateWebhookSubscriptionTypeName)),
					querycheck.ExpectIdentity("webhooks_inveterate_webhook.inveterate_admin", identity(inveterateWebhookTypeName)),
					querycheck.ExpectIdentity("webhooks_partner_webhook.blaze", identity(partnerWebhookTypeName)),
					querycheck.ExpectLength("webhooks_webhook.lune", 1),
					querycheck.ExpectLength("webhooks_partner_webhook.blaze", 1),
					displayed("webhooks_webhook.lune", luneWebhookTypeName, "https://hooks.example.com/lune"),
					displayed("webhooks_inveterate_webhook_subscription.inveterate_subscriptions", inveterateWebhookSubscriptionTypeName, "customer.updated: https://hooks.example.com/sub"),
					displayed("webhooks_inveterate_webhook.inveterate_admin", inveterateWebhookTypeName, "https://hooks.example.com/admin"),
					displayed("webhooks_partner_webhook.blaze", partnerWebhookTypeName, "NEW_MEMBER: https://hooks.example.com/blaze"),
				},
			},
			{
				Query: true,
				Config: `list "webhooks_partner_webhook" "members" {
  provider = webhooks
  config {
    web_hook_type = "UPDATE_PRODUCT"
  }
}`,
				QueryResultChecks: []querycheck.QueryResultCheck{querycheck.ExpectLength("webhooks_partner_webhook.members", 0)},
			},
		},
	})
	if w := sb.Writes(); w != 0 {
		t.Errorf("the queries made %d writes", w)
	}
}
