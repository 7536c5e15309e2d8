package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

func TestAccInveterateWebhooksDataSource_basic(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	srv := e.sandbox()
	named := srv.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: "https://one.example.com/h", Name: "one"})
	unnamed := srv.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: "https://two.example.com/h", CreatedByApp: "another-app"})

	element := func(w sandbox.InveterateWebhook, name knownvalue.Check) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":             knownvalue.StringExact(w.ID),
			"callback_url":   knownvalue.StringExact(w.CallbackURL),
			"name":           name,
			"merchant_id":    knownvalue.StringExact(sandbox.DefaultInveterateMerchant),
			"created_by_app": knownvalue.StringExact(w.CreatedByApp),
			"created_at":     knownvalue.StringExact(rfc3339(w.CreatedAt)),
			"events":         inveterateWebhookEventsCheck(),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.config("data \"webhooks_inveterate_webhooks\" \"all\" {}\n"),
			ConfigStateChecks: []statecheck.StateCheck{
				// Tokens are never listed, so elements have none.
				statecheck.ExpectKnownValue("data.webhooks_inveterate_webhooks.all", tfjsonpath.New("webhooks"), knownvalue.ListExact([]knownvalue.Check{
					element(named, knownvalue.StringExact("one")), element(unnamed, knownvalue.Null()),
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
	srv := e.sandbox()
	for i := range 3 {
		srv.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: fmt.Sprintf("https://hook%d.example.com/h", i), Name: fmt.Sprintf("hook %d", i)})
	}
	config := e.config(`
data "webhooks_inveterate_webhooks" "existing" {}

locals {
  existing = data.webhooks_inveterate_webhooks.existing.webhooks
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
		CheckDestroy:             inveterateWebhooksGone(e.api()),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				sandboxCount(srv, "inveterate.webhooks.create", 0),
				sandboxCount(srv, "inveterate.webhooks.delete", 0),
				resourceCount(inveterateWebhookTypeName, 3),
			),
		}},
	})
}
