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

func TestAccWebhooksDataSource_filter(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox()
	all := srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://all.example.com/h", Enabled: true})
	one := srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://one.example.com/h", Enabled: false, AccountIDs: []string{"acc_one"}})
	srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://two.example.com/h", Enabled: true, AccountIDs: []string{"acc_two"}})

	element := func(w sandbox.LuneWebhook, accountIDs knownvalue.Check) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":           knownvalue.StringExact(w.ID),
			"url":          knownvalue.StringExact(w.URL),
			"enabled":      knownvalue.Bool(w.Enabled),
			"account_ids":  accountIDs,
			"account_type": knownvalue.StringExact(w.AccountType),
			"created_at":   knownvalue.StringExact(rfc3339(w.CreatedAt)),
			"secret_last4": knownvalue.StringExact(w.Secret[len(w.Secret)-4:]),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.config(`
data "webhooks_webhooks" "all" {}

data "webhooks_webhooks" "acc_one" {
  account_ids = ["acc_one"]
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.webhooks_webhooks.all", tfjsonpath.New("webhooks"), knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownValue("data.webhooks_webhooks.acc_one", tfjsonpath.New("webhooks"), knownvalue.ListExact([]knownvalue.Check{
					element(all, knownvalue.Null()),
					element(one, knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("acc_one")})),
				})),
			},
		}},
	})
}

// TestAccWebhooksDataSource_bulkImport adopts every existing webhook with the data source and one
// import block with for_each, then shows that the next plan is empty.
func TestAccWebhooksDataSource_bulkImport(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox()
	for i := range 3 {
		srv.AddLuneWebhook(sandbox.LuneWebhook{URL: fmt.Sprintf("https://hook%d.example.com/h", i), Enabled: true})
	}
	config := e.config(`
data "webhooks_webhooks" "existing" {}

locals {
  existing = data.webhooks_webhooks.existing.webhooks
}

import {
  for_each = local.existing
  to       = webhooks_webhook.adopted[each.key]
  id       = each.value.id
}

resource "webhooks_webhook" "adopted" {
  count = length(local.existing)
  url   = local.existing[count.index].url
}
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksGone(e.api()),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				sandboxCount(srv, "lune.create", 0),
				sandboxCount(srv, "lune.update", 0),
				resourceCount(webhookTypeName, 3),
			),
		}},
	})
}
