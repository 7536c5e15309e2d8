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

func TestAccInveterateWebhookSubscriptionsDataSource_filter(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	srv := e.sandbox()
	updated := srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://one.example.com/h", Name: "one"})
	srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.ordered", CallbackURL: "https://two.example.com/h", Name: "two"})
	updatedToo := srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://three.example.com/h", Name: "three"})

	element := func(s sandbox.InveterateSubscription) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":           knownvalue.StringExact(s.ID),
			"topic":        knownvalue.StringExact(s.Topic),
			"callback_url": knownvalue.StringExact(s.CallbackURL),
			"name":         knownvalue.StringExact(s.Name),
			"merchant_id":  knownvalue.StringExact(sandbox.DefaultInveterateMerchant),
			"created_at":   knownvalue.StringExact(rfc3339(s.CreatedAt)),
			"updated_at":   knownvalue.StringExact(rfc3339(s.UpdatedAt)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.config(`
data "webhooks_inveterate_webhook_subscriptions" "all" {}

data "webhooks_inveterate_webhook_subscriptions" "updated" {
  topic = "customer.updated"
}

data "webhooks_inveterate_webhook_subscriptions" "none" {
  topic = "customer.cancelled"
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.webhooks_inveterate_webhook_subscriptions.all", tfjsonpath.New("subscriptions"), knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownValue("data.webhooks_inveterate_webhook_subscriptions.updated", tfjsonpath.New("subscriptions"), knownvalue.ListExact([]knownvalue.Check{
					element(updated), element(updatedToo),
				})),
				statecheck.ExpectKnownValue("data.webhooks_inveterate_webhook_subscriptions.none", tfjsonpath.New("subscriptions"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

func TestAccInveterateWebhookSubscriptionsDataSource_invalidTopic(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	srv := e.sandbox()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.config("data \"webhooks_inveterate_webhook_subscriptions\" \"bad\" {\n  topic = \"Customer Updated\"\n}\n"),
			ExpectError: errorText("Invalid Inveterate Topic", `Attribute topic value "Customer Updated" is not a well-formed Inveterate topic`,
				inveterateTopicPattern.String()),
		}},
	})
	if n := srv.Count("inveterate.subscriptions.list"); n != 0 {
		t.Fatalf("%d list calls for an invalid filter", n)
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
	srv := e.sandbox()
	for i, topic := range []string{"customer.updated", "customer.ordered", "customer.updated"} {
		srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: topic, CallbackURL: fmt.Sprintf("https://hook%d.example.com/h", i), Name: fmt.Sprintf("hook %d", i)})
	}
	config := e.config(`
data "webhooks_inveterate_webhook_subscriptions" "existing" {}

locals {
  existing = data.webhooks_inveterate_webhook_subscriptions.existing.subscriptions
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
		CheckDestroy:             inveterateSubscriptionsGone(e.api()),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				sandboxCount(srv, "inveterate.subscriptions.create", 0),
				sandboxCount(srv, "inveterate.subscriptions.update", 0),
				resourceCount(inveterateWebhookSubscriptionTypeName, 3),
			),
		}},
	})
}
