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

func TestAccInveterateWebhookSubscriptionsDataSource_filter(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	var subs []*inveterate.Subscription
	for i, topic := range []string{"customer.updated", "customer.ordered", "customer.updated"} {
		subs = append(subs, createInveterateSubscription(t, api, inveterate.CreateSubscriptionInput{
			Topic: topic, CallbackURL: e.url(fmt.Sprintf("ds/%d", i)), Name: e.name(fmt.Sprintf("sub %d", i)),
		}))
	}
	element := func(s *inveterate.Subscription) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":           knownvalue.StringExact(s.ID),
			"topic":        knownvalue.StringExact(s.Topic),
			"callback_url": knownvalue.StringExact(s.CallbackURL),
			"name":         knownvalue.StringExact(s.Name),
			"merchant_id":  knownvalue.StringExact(s.MerchantID),
			"created_at":   knownvalue.StringExact(inveterateTimestamp(s.CreatedAt).ValueString()),
			"updated_at":   knownvalue.StringExact(inveterateTimestamp(s.UpdatedAt).ValueString()),
		})
	}
	own := func(name string) string {
		return e.ownElements("data.webhooks_inveterate_webhook_subscriptions."+name+".subscriptions", "callback_url")
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.config(fmt.Sprintf(`
data "webhooks_inveterate_webhook_subscriptions" "all" {}

data "webhooks_inveterate_webhook_subscriptions" "updated" {
  topic = "customer.updated"
}

data "webhooks_inveterate_webhook_subscriptions" "none" {
  topic = "customer.cancelled"
}

output "all" {
  value = %s
}

output "updated" {
  value = %s
}

output "none" {
  value = %s
}
`, own("all"), own("updated"), own("none"))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("all", knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownOutputValue("updated", knownvalue.ListExact([]knownvalue.Check{element(subs[0]), element(subs[2])})),
				statecheck.ExpectKnownOutputValue("none", knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

func TestAccInveterateWebhookSubscriptionsDataSource_invalidTopic(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.config("data \"webhooks_inveterate_webhook_subscriptions\" \"bad\" {\n  topic = \"Customer Updated\"\n}\n"),
			ExpectError: errorText("Invalid Inveterate Topic", `Attribute topic value "Customer Updated" is not a well-formed Inveterate topic`,
				inveterate.TopicPattern.String()),
		}},
	})
	if e.srv != nil {
		if n := e.srv.Count("inveterate.subscriptions.list"); n != 0 {
			t.Fatalf("%d list calls for an invalid filter", n)
		}
	}
}

func TestAccInveterateWebhookSubscriptionsDataSource_missingCredentials(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factoriesWithoutCredentials(),
		Steps: []resource.TestStep{{
			Config:      "provider \"webhooks\" {}\n\ndata \"webhooks_inveterate_webhook_subscriptions\" \"all\" {}\n",
			PlanOnly:    true,
			ExpectError: errorText("Missing Inveterate Credentials", "inveterate.api_key (environment variable INVETERATE_API_KEY)"),
		}},
	})
}

// TestAccInveterateWebhookSubscriptionsDataSource_bulkImport adopts every existing subscription with
// the data source and one import block with for_each, then shows that the next plan is empty.
func TestAccInveterateWebhookSubscriptionsDataSource_bulkImport(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	for i, topic := range []string{"customer.updated", "customer.ordered", "customer.updated"} {
		createInveterateSubscription(t, api, inveterate.CreateSubscriptionInput{Topic: topic, CallbackURL: e.url(fmt.Sprintf("bulk/%d", i)), Name: e.name(fmt.Sprintf("hook %d", i))})
	}
	// Only this test's subscriptions: in a shared account, adopting every one would make this test
	// destroy the others' at its end.
	config := e.config(`
data "webhooks_inveterate_webhook_subscriptions" "existing" {}

locals {
  existing = ` + e.ownElements("data.webhooks_inveterate_webhook_subscriptions.existing.subscriptions", "callback_url") + `
}

import {
  for_each = local.existing
  to       = webhooks_inveterate_webhook_subscription.adopted[each.key]
  id       = "${each.value.topic}/${each.value.id}"
}

resource "webhooks_inveterate_webhook_subscription" "adopted" {
  count        = length(local.existing)
  topic        = local.existing[count.index].topic
  callback_url = local.existing[count.index].callback_url
  name         = local.existing[count.index].name
}
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateSubscriptionsGone(api),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				// The three creates are the test's own, before Terraform ran.
				e.count("inveterate.subscriptions.create", 3),
				e.count("inveterate.subscriptions.update", 0),
				resourceCount(inveterateWebhookSubscriptionTypeName, 3),
			),
		}},
	})
}
