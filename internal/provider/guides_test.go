package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// sandboxStateCheck runs a check of the sandbox as a state check. Unlike a TestCheckFunc, it
// works with for_each resources, which the testing framework's legacy state shim rejects.
type sandboxStateCheck func() error

func (f sandboxStateCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}

// bulkImportFile is a file of the bulk-import guide's example, which the test uses exactly as written.
func bulkImportFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "guides", "bulk-import", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// adoptOutput is the discover configuration's output "adopt": per section, the webhooks offered for
// adoption, keyed by id.
type adoptOutput map[string]map[string]json.RawMessage

// ids are the ids of every webhook offered, whatever its section.
func (a adoptOutput) ids() map[string]bool {
	ids := map[string]bool{}
	for _, section := range a {
		for id := range section {
			ids[id] = true
		}
	}
	return ids
}

// planned are the changes of a plan that do something: an import, or an action other than no-op.
func planned(plan *tfjson.Plan) []*tfjson.ResourceChange {
	var changes []*tfjson.ResourceChange
	for _, rc := range plan.ResourceChanges {
		if rc.Change.Importing != nil || !rc.Change.Actions.NoOp() {
			changes = append(changes, rc)
		}
	}
	return changes
}

// TestAccGuide_bulkImport follows the bulk-import guide with Terraform's CLI, its configurations
// exactly as written:
//   - a second configuration ("team-b") already manages some webhooks;
//   - discover offers every other existing webhook, and none of team-b's;
//   - the managing configuration imports exactly those, with no write and an empty plan after;
//   - a webhook created afterwards, behind Terraform's back or by a new resource of the managing
//     configuration, is never imported, and team-b's plan stays empty;
//   - the guide's release blocks stop managing one keyed instance without deleting it;
//   - a second discovery offers only what nobody manages.
//
// Live, discovery sees every webhook of the accounts; the test adopts only its own (the guide asks
// the user to review what discovery wrote; the test's review keeps its own URLs).
func TestAccGuide_bulkImport(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune", "inveterate", "blaze")
	api := e.api()
	getenv := os.Getenv
	if e.srv != nil {
		env := e.sandboxEnv()
		getenv = func(k string) string { return env[k] }
	}
	cli := newTerraformCLI(t, testProvider("acctest", getenv, fastRetries))
	t.Parallel()

	// Webhooks that existed before Terraform, in their less common shapes too.
	one, two := e.luneAccounts()
	unmanaged := map[string]string{} // id: section of the adopt output
	var releasedID string            // the adopted webhook the test releases from Terraform later
	for i, in := range []lune.CreateWebhookInput{{URL: e.url("lune/a")}, {URL: e.url("lune/b"), AccountIDs: []string{one, two}}} {
		w := createLuneWebhook(t, api, in, i == 1)
		unmanaged[w.ID] = "lune_webhooks"
		releasedID = w.ID
	}
	for i, topic := range []string{"customer.updated", "customer.ordered"} {
		s := createInveterateSubscription(t, api, inveterate.CreateSubscriptionInput{Topic: topic, CallbackURL: e.url(fmt.Sprintf("inv/%d", i)), Name: e.name(topic)})
		unmanaged[s.ID] = "inveterate_webhook_subscriptions"
	}
	for _, in := range []inveterate.CreateWebhookInput{{CallbackURL: e.url("inv/admin"), Name: e.name("admin")}, {CallbackURL: e.url("inv/unnamed")}} {
		unmanaged[createInveterateWebhook(t, api, in).ID] = "inveterate_webhooks"
	}
	for _, in := range []blaze.CreateWebhookInput{
		{WebHookType: "NEW_MEMBER", WebHookURLs: []string{e.url("blaze/1")}},
		{WebHookType: "UPDATE_PRODUCT", WebHookURLs: []string{e.url("blaze/2"), e.url("blaze/3")}, URL: e.url("blaze/single")},
	} {
		unmanaged[createPartnerWebhook(t, api, in).ID] = "partner_webhooks"
	}

	// A second configuration already manages webhooks of three vendors, and says which.
	teamB := cli.in("team-b")
	teamB.write("main.tf", requiredProviders+fmt.Sprintf(`
provider "webhooks" {}

resource "webhooks_webhook" "orders" {
  url = %q
}

resource "webhooks_inveterate_webhook_subscription" "customers" {
  topic        = "customer.updated"
  callback_url = %q
  name         = %q
}

resource "webhooks_partner_webhook" "members" {
  web_hook_type = "NEW_MEMBER"
  web_hook_urls = [%q]
}

output "webhook_ids" {
  value = [webhooks_webhook.orders.id, webhooks_inveterate_webhook_subscription.customers.id, webhooks_partner_webhook.members.id]
}
`, e.url("team-b/orders"), e.url("team-b/customers"), e.name("team-b"), e.url("team-b/members")))
	teamB.run("init", "-input=false", "-no-color")
	t.Cleanup(func() { teamB.run("destroy", "-auto-approve", "-input=false", "-no-color") })
	teamB.run("apply", "-auto-approve", "-input=false", "-no-color")
	var teamBIDs []string
	if err := json.Unmarshal(teamB.output("output", "-json", "webhook_ids"), &teamBIDs); err != nil || len(teamBIDs) != 3 {
		t.Fatalf("team-b's webhook_ids: %v %v", teamBIDs, err)
	}

	// Discovery, told about team-b's state.
	discover := cli.in("discover")
	discover.write("main.tf", bulkImportFile(t, "discover/main.tf"))
	discover.run("init", "-input=false", "-no-color")
	discovered := func(exclude []string, states ...string) adoptOutput {
		t.Helper()
		if e.srv != nil {
			e.srv.ResetCounts()
		}
		statesJSON, _ := json.Marshal(states)
		excludeJSON, _ := json.Marshal(append([]string{}, exclude...))
		discover.run("apply", "-auto-approve", "-input=false", "-no-color", "-var", "managing_states="+string(statesJSON), "-var", "exclude_ids="+string(excludeJSON))
		if e.srv != nil && e.srv.Writes() != 0 {
			t.Fatalf("discovery made %d writes: %v", e.srv.Writes(), e.srv.Counts())
		}
		var adopt adoptOutput
		if err := json.Unmarshal(discover.output("output", "-json", "adopt"), &adopt); err != nil {
			t.Fatal(err)
		}
		if e.srv == nil {
			for _, section := range adopt {
				for id, w := range section {
					if !strings.Contains(string(w), e.ownPath()) {
						delete(section, id)
					}
				}
			}
		}
		return adopt
	}
	teamBState := filepath.Join(teamB.dir, "terraform.tfstate")
	adopt := discovered(nil, teamBState)
	for id, section := range unmanaged {
		if _, ok := adopt[section][id]; !ok {
			t.Errorf("discovery does not offer %s in %s: %v", id, section, adopt)
		}
	}
	for _, id := range teamBIDs {
		if adopt.ids()[id] {
			t.Errorf("discovery offers %s, which team-b manages", id)
		}
	}
	if n := len(adopt.ids()); n != len(unmanaged) {
		t.Errorf("discovery offers %d webhooks, want %d: %v", n, len(unmanaged), adopt)
	}
	adoptedJSON, err := json.MarshalIndent(adopt, "", "  ")
	if err != nil {
		t.Fatal(err)
	}

	// Adoption: pure imports, no write, and nothing to do after.
	hooks := cli.in("webhooks")
	hooks.write("main.tf", bulkImportFile(t, "webhooks/main.tf"))
	hooks.write("adopted.json", string(adoptedJSON))
	hooks.run("init", "-input=false", "-no-color")
	t.Cleanup(func() { hooks.run("destroy", "-auto-approve", "-input=false", "-no-color") })
	plan := hooks.plan()
	if len(plan.ResourceChanges) != len(unmanaged) {
		t.Errorf("the adoption plan has %d changes, want %d imports", len(plan.ResourceChanges), len(unmanaged))
	}
	for _, rc := range plan.ResourceChanges {
		if rc.Change.Importing == nil || !rc.Change.Actions.NoOp() || unmanaged[fmt.Sprint(rc.Index)] == "" {
			t.Errorf("%s: actions %v, importing %v: want a pure import of a webhook nobody managed", rc.Address, rc.Change.Actions, rc.Change.Importing != nil)
		}
	}
	if e.srv != nil {
		e.srv.ResetCounts()
	}
	hooks.run("apply", "-input=false", "-no-color", "plan.tfplan")
	if e.srv != nil && e.srv.Writes() != 0 {
		t.Errorf("adopting made %d writes: %v", e.srv.Writes(), e.srv.Counts())
	}
	hooks.expectEmptyPlan()

	// Webhooks created after the adoption, behind Terraform's back and by a new resource of the
	// managing configuration: the next plans import neither, and team-b's plan is still empty.
	late := createLuneWebhook(t, api, lune.CreateWebhookInput{URL: e.url("lune/late")}, false)
	hooks.write("created_here.tf", fmt.Sprintf("resource \"webhooks_webhook\" \"created_here\" {\n  url = %q\n}\n", e.url("lune/created-here")))
	changes := planned(hooks.plan())
	if len(changes) != 1 || changes[0].Address != "webhooks_webhook.created_here" || !changes[0].Change.Actions.Create() {
		for _, rc := range changes {
			t.Errorf("after adoption: %s %v (importing %v)", rc.Address, rc.Change.Actions, rc.Change.Importing != nil)
		}
		t.Fatal("want exactly one change: the creation of webhooks_webhook.created_here")
	}
	hooks.run("apply", "-input=false", "-no-color", "plan.tfplan")
	hooks.expectEmptyPlan()
	teamB.expectEmptyPlan()

	// Releasing one adopted webhook with the guide's blocks: forgotten, not deleted.
	var adoptedFile adoptOutput
	if err := json.Unmarshal(adoptedJSON, &adoptedFile); err != nil {
		t.Fatal(err)
	}
	delete(adoptedFile["lune_webhooks"], releasedID)
	adoptedJSON, _ = json.MarshalIndent(adoptedFile, "", "  ")
	hooks.write("adopted.json", string(adoptedJSON))
	snippet := bulkImportFile(t, "release.tf.snippet")
	const placeholder = "6Kq0c9kB1n8Xg2Lr4Tz7Vw3Yp5Hs1Dd0"
	if !strings.Contains(snippet, placeholder) {
		t.Fatalf("release.tf.snippet no longer names the placeholder id %s", placeholder)
	}
	hooks.write("release.tf", strings.ReplaceAll(snippet, placeholder, releasedID))
	changes = planned(hooks.plan())
	if len(changes) != 1 || changes[0].Address != "webhooks_webhook.released" || !changes[0].Change.Actions.Forget() {
		for _, rc := range changes {
			t.Errorf("release: %s %v", rc.Address, rc.Change.Actions)
		}
		t.Fatal("want exactly one change: forgetting the released webhook")
	}
	hooks.run("apply", "-input=false", "-no-color", "plan.tfplan")
	if _, err := api.Lune.Client.GetWebhook(context.Background(), releasedID); err != nil {
		t.Errorf("the released webhook %s: %v, want it kept at Lune", releasedID, err)
	}
	hooks.expectEmptyPlan()

	// A second discovery, told about both states and the released id, offers the late webhook and
	// neither team-b's, nor the adopted ones, nor the released one.
	adopt = discovered([]string{releasedID}, teamBState, filepath.Join(hooks.dir, "terraform.tfstate"))
	offered := adopt.ids()
	if !offered[late.ID] {
		t.Errorf("the second discovery does not offer %s, created after the adoption", late.ID)
	}
	for _, id := range append(teamBIDs, releasedID) {
		if offered[id] {
			t.Errorf("the second discovery offers %s", id)
		}
	}
	for id := range adoptedFile.ids() {
		if offered[id] {
			t.Errorf("the second discovery offers %s, already adopted", id)
		}
	}
}
