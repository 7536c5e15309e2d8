package provider

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// sandboxStateCheck runs a check of the sandbox as a state check. Unlike a TestCheckFunc, it
// works with for_each resources, which the testing framework's legacy state shim rejects.
type sandboxStateCheck func() error

func (f sandboxStateCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}

// TestAccGuide_bulkImport applies the bulk-import guide's example, unchanged, against a sandbox
// full of webhooks that Terraform does not manage yet: every one is adopted without a single
// write, and the next plan is empty.
func TestAccGuide_bulkImport(t *testing.T) {
	example, err := os.ReadFile("../../examples/guides/bulk-import/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	e := newAccEnv(t, sandbox.Config{}, "lune", "inveterate", "blaze")
	srv := e.sandbox()
	lune := []sandbox.LuneWebhook{
		srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://hooks.example.com/lune/a", Enabled: true}),
		srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://hooks.example.com/lune/b", Enabled: false, AccountIDs: []string{"acc_one", "acc_two"}}),
	}
	subs := []sandbox.InveterateSubscription{
		srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/inv/1", Name: "updates"}),
		srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.ordered", CallbackURL: "https://hooks.example.com/inv/2", Name: "orders"}),
	}
	admin := []sandbox.InveterateWebhook{
		srv.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: "https://hooks.example.com/inv/admin", Name: "admin"}),
		srv.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: "https://hooks.example.com/inv/unnamed"}),
	}
	partner := []sandbox.BlazeWebhook{
		srv.AddBlazeWebhook(sandbox.BlazeWebhook{WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://hooks.example.com/blaze/1"}}),
		srv.AddBlazeWebhook(sandbox.BlazeWebhook{WebHookType: "UPDATE_PRODUCT", WebHookURLs: []string{"https://hooks.example.com/blaze/2", "https://hooks.example.com/blaze/3"}, URL: "https://hooks.example.com/blaze/single"}),
	}

	var noop []plancheck.PlanCheck
	adopt := func(typ, id string) {
		noop = append(noop, plancheck.ExpectResourceAction(fmt.Sprintf("%s.adopted[%q]", typ, id), plancheck.ResourceActionNoop))
	}
	for _, w := range lune {
		adopt(webhookTypeName, w.ID)
	}
	for _, s := range subs {
		adopt("webhooks_inveterate_webhook_subscription", s.ID)
	}
	for _, w := range admin {
		adopt("webhooks_inveterate_webhook", w.ID)
	}
	for _, w := range partner {
		adopt("webhooks_partner_webhook", w.ID)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: e.config(string(example)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             noop,
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{sandboxStateCheck(func() error {
					if n := srv.Writes(); n != 0 {
						return fmt.Errorf("adopting made %d write calls, want none: %v", n, srv.Counts())
					}
					return nil
				})},
			},
			{
				// Removing the configuration destroys what was adopted, leaving nothing behind.
				Config: e.config(""),
				ConfigStateChecks: []statecheck.StateCheck{sandboxStateCheck(func() error {
					if n := len(srv.LuneWebhooks()) + len(srv.InveterateSubscriptions()) + len(srv.InveterateWebhooks()); n != 0 {
						return fmt.Errorf("%d webhooks left after destroy", n)
					}
					for _, w := range srv.BlazeWebhooks() {
						if !w.Deleted {
							return fmt.Errorf("BLAZE webhook %s not deleted", w.ID)
						}
					}
					return nil
				})},
			},
		},
	})
}
