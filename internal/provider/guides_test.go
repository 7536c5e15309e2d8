package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
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

// TestAccGuide_bulkImport applies the bulk-import guide's example, unchanged, to webhooks that
// Terraform does not manage yet: every one is adopted without a single write, and the next plan is
// empty. Against the sandbox, removing the configuration then destroys them all. Live, the guide
// adopts every webhook of the account, other people's too, so the test forgets them instead
// (removed blocks), deletes only its own, and runs alone: not beside the parallel tests of its run,
// whose webhooks come and go.
func TestAccGuide_bulkImport(t *testing.T) {
	example, err := os.ReadFile("../../examples/guides/bulk-import/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	e := newAccEnv(t, sandbox.Config{}, "lune", "inveterate", "blaze")
	api := e.api()
	one, two := e.luneAccounts()
	var noop []plancheck.PlanCheck
	adopt := func(typ, id string) {
		noop = append(noop, plancheck.ExpectResourceAction(fmt.Sprintf("%s.adopted[%q]", typ, id), plancheck.ResourceActionNoop))
	}
	for i, in := range []lune.CreateWebhookInput{{URL: e.url("lune/a")}, {URL: e.url("lune/b"), AccountIDs: []string{one, two}}} {
		w := createLuneWebhook(t, api, in, i == 1)
		adopt(webhookTypeName, w.ID)
	}
	for i, topic := range []string{"customer.updated", "customer.ordered"} {
		s := createInveterateSubscription(t, api, inveterate.CreateSubscriptionInput{Topic: topic, CallbackURL: e.url(fmt.Sprintf("inv/%d", i)), Name: e.name(topic)})
		adopt(inveterateWebhookSubscriptionTypeName, s.ID)
	}
	for _, in := range []inveterate.CreateWebhookInput{{CallbackURL: e.url("inv/admin"), Name: e.name("admin")}, {CallbackURL: e.url("inv/unnamed")}} {
		w := createInveterateWebhook(t, api, in)
		adopt(inveterateWebhookTypeName, w.ID)
	}
	for _, in := range []blaze.CreateWebhookInput{
		{WebHookType: "NEW_MEMBER", WebHookURLs: []string{e.url("blaze/1")}},
		{WebHookType: "UPDATE_PRODUCT", WebHookURLs: []string{e.url("blaze/2"), e.url("blaze/3")}, URL: e.url("blaze/single")},
	} {
		w := createPartnerWebhook(t, api, in)
		adopt(partnerWebhookTypeName, w.ID)
	}
	writesBefore := 0
	if e.srv != nil {
		writesBefore = e.srv.Writes()
	}

	last := resource.TestStep{
		// Removing the configuration destroys what was adopted, leaving nothing behind.
		Config: e.config(""),
		ConfigStateChecks: []statecheck.StateCheck{sandboxStateCheck(func() error {
			srv := e.srv
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
	}
	if e.srv == nil {
		// Forget every adopted webhook without destroying it; the test's own are deleted when it
		// ends (createLuneWebhook and its twins).
		var removed strings.Builder
		for _, typ := range []string{webhookTypeName, inveterateWebhookSubscriptionTypeName, inveterateWebhookTypeName, partnerWebhookTypeName} {
			fmt.Fprintf(&removed, "removed {\n  from = %s.adopted\n  lifecycle {\n    destroy = false\n  }\n}\n\n", typ)
		}
		last = resource.TestStep{Config: e.config(removed.String())}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: e.config(string(example)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             noop,
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{sandboxStateCheck(func() error {
					if e.srv == nil {
						return nil // live, every write a test makes is its own: see the plan checks
					}
					if n := e.srv.Writes() - writesBefore; n != 0 {
						return fmt.Errorf("adopting made %d write calls, want none: %v", n, e.srv.Counts())
					}
					return nil
				})},
			},
			last,
		},
	})
}
