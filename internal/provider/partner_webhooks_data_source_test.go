package provider

import (
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// seedBlazeWebhooks adds one webhook per type to the sandbox, a minute apart (so their order is
// known), in the given shop ("" is the default shop).
func seedBlazeWebhooks(srv *sandbox.Server, shopID string, types ...string) []sandbox.BlazeWebhook {
	base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(len(srv.BlazeWebhooks())) * time.Hour)
	out := make([]sandbox.BlazeWebhook, len(types))
	for i, typ := range types {
		w := sandbox.BlazeWebhook{
			ShopID:      shopID,
			WebHookType: typ,
			WebHookURLs: []string{fmt.Sprintf("https://hook%d.example.com/a", i), fmt.Sprintf("https://hook%d.example.com/b", i)},
			Created:     base.Add(time.Duration(i) * time.Minute),
		}
		if i%2 == 1 {
			w.URL = fmt.Sprintf("https://single%d.example.com/", i)
		}
		out[i] = srv.AddBlazeWebhook(w)
	}
	return out
}

// partnerWebhookElement checks one element of partner_webhooks against a sandbox record.
func partnerWebhookElement(w sandbox.BlazeWebhook) knownvalue.Check {
	var url knownvalue.Check = knownvalue.Null()
	if w.URL != "" {
		url = knownvalue.StringExact(w.URL)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id":            knownvalue.StringExact(w.ID),
		"web_hook_type": knownvalue.StringExact(w.WebHookType),
		"web_hook_urls": blazeURLSet(w.WebHookURLs...),
		"url":           url,
		"shop_id":       knownvalue.StringExact(w.ShopID),
		"company_id":    knownvalue.StringExact(w.CompanyID),
		"created_at":    knownvalue.StringExact(rfc3339(w.Created)),
		"modified_at":   knownvalue.StringExact(rfc3339(w.Modified)),
	})
}

func partnerWebhookElements(ws ...sandbox.BlazeWebhook) knownvalue.Check {
	checks := make([]knownvalue.Check, len(ws))
	for i, w := range ws {
		checks[i] = partnerWebhookElement(w)
	}
	return knownvalue.ListExact(checks)
}

// TestAccPartnerWebhooksDataSource_allPages lists more webhooks than fit in one of BLAZE's pages.
func TestAccPartnerWebhooksDataSource_allPages(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{Blaze: sandbox.BlazeConfig{MaxPageSize: 2}}, "blaze")
	srv := e.sandbox()
	seeded := seedBlazeWebhooks(srv, "", "NEW_MEMBER", "UPDATE_MEMBER", "NEW_CONSUMER_ORDER", "UPDATE_PRODUCT", "CREATE_TRANSACTION", "UPDATE_TRANSACTION", "NEW_MEMBER")
	// A deleted webhook is not listed.
	srv.DeleteBlazeWebhook(seeded[2].ID)
	live := append(append([]sandbox.BlazeWebhook{}, seeded[:2]...), seeded[3:]...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.config(`data "webhooks_partner_webhooks" "all" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.webhooks_partner_webhooks.all", tfjsonpath.New("partner_webhooks"), partnerWebhookElements(live...)),
			},
			Check: func(*terraform.State) error {
				// 6 webhooks in pages of 2: each read of the data source takes 3 list calls.
				if n := srv.Count("blaze.list"); n < 3 || n%3 != 0 {
					return fmt.Errorf("%d list calls, want a multiple of 3 (every page of every read)", n)
				}
				return nil
			},
		}},
	})
}

func TestAccPartnerWebhooksDataSource_filters(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	srv := e.sandbox()
	first := seedBlazeWebhooks(srv, "", "NEW_MEMBER", "UPDATE_PRODUCT", "NEW_MEMBER")
	second := seedBlazeWebhooks(srv, secondShopID, "NEW_MEMBER", "UPDATE_MEMBER")
	const addr = "data.webhooks_partner_webhooks."
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.config(fmt.Sprintf(`
data "webhooks_partner_webhooks" "all" {}

data "webhooks_partner_webhooks" "second_shop" {
  shop_id = %[1]q
}

data "webhooks_partner_webhooks" "new_member" {
  web_hook_type = "NEW_MEMBER"
}

data "webhooks_partner_webhooks" "first_shop_new_member" {
  shop_id       = %[2]q
  web_hook_type = "NEW_MEMBER"
}

data "webhooks_partner_webhooks" "none" {
  web_hook_type = "CANCEL_TRANSACTION"
}
`, secondShopID, sandbox.DefaultBlazeShopID)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr+"all", tfjsonpath.New("partner_webhooks"), partnerWebhookElements(append(first, second...)...)),
				statecheck.ExpectKnownValue(addr+"second_shop", tfjsonpath.New("partner_webhooks"), partnerWebhookElements(second...)),
				statecheck.ExpectKnownValue(addr+"new_member", tfjsonpath.New("partner_webhooks"), partnerWebhookElements(first[0], first[2], second[0])),
				statecheck.ExpectKnownValue(addr+"first_shop_new_member", tfjsonpath.New("partner_webhooks"), partnerWebhookElements(first[0], first[2])),
				statecheck.ExpectKnownValue(addr+"none", tfjsonpath.New("partner_webhooks"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}

// TestAccPartnerWebhooksDataSource_bulkImport adopts every existing webhook with the data source
// and one import block with for_each, then shows that the next plan is empty.
func TestAccPartnerWebhooksDataSource_bulkImport(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{Blaze: sandbox.BlazeConfig{MaxPageSize: 2}}, "blaze")
	api := e.api()
	for i, typ := range []string{"NEW_MEMBER", "UPDATE_MEMBER", "UPDATE_PRODUCT"} {
		in := blaze.CreateWebhookInput{WebHookType: typ, WebHookURLs: []string{e.url(fmt.Sprintf("bulk/%d/a", i)), e.url(fmt.Sprintf("bulk/%d/b", i))}}
		if i%2 == 1 {
			in.URL = e.url(fmt.Sprintf("bulk/%d/single", i))
		}
		createPartnerWebhook(t, api, in)
	}
	// Only this test's webhooks: in a shared account, adopting every webhook would make this test
	// destroy the others' at its end.
	config := e.config(`
data "webhooks_partner_webhooks" "existing" {}

locals {
  existing = ` + e.ownElements("data.webhooks_partner_webhooks.existing.partner_webhooks", "web_hook_urls") + `
}

import {
  for_each = local.existing
  to       = webhooks_partner_webhook.adopted[each.key]
  id       = each.value.id
}

resource "webhooks_partner_webhook" "adopted" {
  count         = length(local.existing)
  web_hook_type = local.existing[count.index].web_hook_type
  web_hook_urls = local.existing[count.index].web_hook_urls
  url           = local.existing[count.index].url
}
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             partnerWebhooksGone(api),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				// The three creates are the test's own, before Terraform ran.
				e.count("blaze.create", 3),
				e.count("blaze.update", 0),
				resourceCount(partnerWebhookTypeName, 3),
			),
		}},
	})
}

func TestAccPartnerWebhooksDataSource_invalidFilters(t *testing.T) {
	for name, tc := range map[string]struct {
		filter string
		want   *regexp.Regexp
	}{
		"web_hook_type": {`web_hook_type = "NEW_PIZZA"`, regexp.MustCompile(`(?s)Attribute web_hook_type value must be one of:.*"UPDATE_PRODUCT".*got:\s+"NEW_PIZZA"`)},
		"shop_id":       {`shop_id = "shop-1"`, errorText("Attribute shop_id must be a BLAZE shop id: 24 lowercase hexadecimal characters, got: shop-1")},
	} {
		t.Run(name, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "blaze")
			srv := e.sandbox()
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:      e.config(fmt.Sprintf("data \"webhooks_partner_webhooks\" \"x\" {\n  %s\n}\n", tc.filter)),
					ExpectError: tc.want,
				}},
			})
			if n := blazeCalls(srv); n != 0 {
				t.Fatalf("%d BLAZE calls for an invalid filter, want none", n)
			}
		})
	}
}

func TestAccPartnerWebhooksDataSource_missingCredentials(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factoriesWithoutCredentials(),
		Steps: []resource.TestStep{{
			Config: "provider \"webhooks\" {}\n\ndata \"webhooks_partner_webhooks\" \"x\" {}\n",
			ExpectError: errorText("Missing BLAZE Credentials", "webhooks_partner_webhooks manages BLAZE objects",
				"blaze.partner_key (environment variable BLAZE_PARTNER_KEY)", "blaze.developer_key (environment variable BLAZE_DEVELOPER_KEY)"),
		}},
	})
}

func TestAccPartnerWebhooksDataSource_wrongKey(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	partnerKey := os.Getenv(envBlazePartnerKey)
	if e.srv != nil {
		partnerKey = e.srv.Config().Blaze.PartnerKeys[0]
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("provider \"webhooks\" {\n  blaze = {\n    partner_key   = %q\n    developer_key = \"wrong_developer_key\"\n%s  }\n}\n\n",
				partnerKey, e.baseURLLine(envBlazeBaseURL)) + `data "webhooks_partner_webhooks" "x" {}`,
			ExpectError: errorText("Unable to List BLAZE Partner Webhooks", "answered HTTP 401", "blaze.developer_key (or BLAZE_DEVELOPER_KEY)"),
		}},
	})
}
