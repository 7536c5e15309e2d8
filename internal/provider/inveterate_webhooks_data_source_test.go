package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

func TestAccInveterateWebhooksDataSource_basic(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	named := createInveterateWebhook(t, api, inveterate.CreateWebhookInput{CallbackURL: e.url("ds/one"), Name: e.name("one")})
	unnamed := createInveterateWebhook(t, api, inveterate.CreateWebhookInput{CallbackURL: e.url("ds/two")})
	element := func(w *inveterate.Webhook, name knownvalue.Check) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":             knownvalue.StringExact(w.ID),
			"callback_url":   knownvalue.StringExact(w.CallbackURL),
			"name":           name,
			"merchant_id":    knownvalue.StringExact(w.MerchantID),
			"created_by_app": knownvalue.StringExact(w.CreatedByApp),
			"created_at":     knownvalue.StringExact(inveterateTimestamp(w.CreatedAt).ValueString()),
			"events":         inveterateWebhookEventsCheck(),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.config(fmt.Sprintf("data \"webhooks_inveterate_webhooks\" \"all\" {}\n\noutput \"own\" {\n  value = %s\n}\n",
				e.ownElements("data.webhooks_inveterate_webhooks.all.webhooks", "callback_url"))),
			ConfigStateChecks: []statecheck.StateCheck{
				// Tokens are never listed, so elements have none.
				statecheck.ExpectKnownOutputValue("own", knownvalue.ListExact([]knownvalue.Check{
					element(named, knownvalue.StringExact(named.Name)), element(unnamed, knownvalue.Null()),
				})),
			},
		}},
	})
}

func TestAccInveterateWebhooksDataSource_missingCredentials(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factoriesWithoutCredentials(),
		Steps: []resource.TestStep{{
			Config:      "provider \"webhooks\" {}\n\ndata \"webhooks_inveterate_webhooks\" \"all\" {}\n",
			PlanOnly:    true,
			ExpectError: errorText("Missing Inveterate Credentials", "inveterate.api_key (environment variable INVETERATE_API_KEY)"),
		}},
	})
}

// TestAccInveterateWebhooksDataSource_bulkImport adopts every existing admin webhook with the data
// source and one import block with for_each, then shows that the next plan is empty.
func TestAccInveterateWebhooksDataSource_bulkImport(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	for i := range 3 {
		createInveterateWebhook(t, api, inveterate.CreateWebhookInput{CallbackURL: e.url(fmt.Sprintf("bulk/%d", i)), Name: e.name(fmt.Sprintf("hook %d", i))})
	}
	// Only this test's webhooks: in a shared account, adopting every webhook would make this test
	// destroy the others' at its end.
	config := e.config(`
data "webhooks_inveterate_webhooks" "existing" {}

locals {
  existing = ` + e.ownElements("data.webhooks_inveterate_webhooks.existing.webhooks", "callback_url") + `
}

import {
  for_each = local.existing
  to       = webhooks_inveterate_webhook.adopted[each.key]
  id       = each.value.id
}

resource "webhooks_inveterate_webhook" "adopted" {
  count        = length(local.existing)
  callback_url = local.existing[count.index].callback_url
  name         = local.existing[count.index].name
}
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateWebhooksGone(api),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				// The three creates are the test's own, before Terraform ran.
				e.count("inveterate.webhooks.create", 3),
				e.count("inveterate.webhooks.delete", 0),
				resourceCount(inveterateWebhookTypeName, 3),
			),
		}},
	})
}
