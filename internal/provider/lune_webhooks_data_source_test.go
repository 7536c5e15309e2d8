package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// TestAccWebhooksDataSource_filter lists webhooks made behind Terraform's back, with and without
// the account filter.
func TestAccWebhooksDataSource_filter(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	api := e.api()
	one, two := e.luneAccounts()
	all := createLuneWebhook(t, api, lune.CreateWebhookInput{URL: e.url("ds/all")}, false)
	first := createLuneWebhook(t, api, lune.CreateWebhookInput{URL: e.url("ds/one"), AccountIDs: []string{one}}, true)
	createLuneWebhook(t, api, lune.CreateWebhookInput{URL: e.url("ds/two"), AccountIDs: []string{two}}, false)
	element := func(w *lune.Webhook, accountIDs knownvalue.Check) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":           knownvalue.StringExact(w.ID),
			"url":          knownvalue.StringExact(w.URL),
			"enabled":      knownvalue.Bool(w.Enabled),
			"account_ids":  accountIDs,
			"account_type": knownvalue.StringExact(w.AccountType),
			"created_at":   knownvalue.StringExact(rfc3339(w.CreatedAt)),
			"secret_last4": knownvalue.StringExact(w.SecretLast4()),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.config(fmt.Sprintf(`
data "webhooks_webhooks" "all" {}

data "webhooks_webhooks" "acc_one" {
  account_ids = [%[1]q]
}

output "all" {
  value = %[2]s
}

output "acc_one" {
  value = %[3]s
}
`, one, e.ownElements("data.webhooks_webhooks.all.webhooks", "url"), e.ownElements("data.webhooks_webhooks.acc_one.webhooks", "url"))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("all", knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownOutputValue("acc_one", knownvalue.ListExact([]knownvalue.Check{
					element(all, knownvalue.Null()),
					element(first, knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(one)})),
				})),
			},
		}},
	})
}

// TestAccWebhooksDataSource_bulkImport adopts every existing webhook with the data source and one
// import block with for_each, then shows that the next plan is empty.
func TestAccWebhooksDataSource_bulkImport(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	api := e.api()
	for i := range 3 {
		createLuneWebhook(t, api, lune.CreateWebhookInput{URL: e.url(fmt.Sprintf("bulk/%d", i))}, false)
	}
	// Only this test's webhooks: in a shared account, adopting every webhook would make this test
	// destroy the others' at its end.
	config := e.config(fmt.Sprintf(`
data "webhooks_webhooks" "existing" {}

locals {
  existing = %s
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
`, e.ownElements("data.webhooks_webhooks.existing.webhooks", "url")))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksGone(api),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				// The three creates are the test's own, before Terraform ran.
				e.count("lune.create", 3),
				e.count("lune.update", 0),
				resourceCount(luneWebhookTypeName, 3),
			),
		}},
	})
}
