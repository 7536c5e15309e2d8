package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// TestAccPartnerWebhooksDataSource_allPages lists more webhooks than fit in one page: the
// provider under test asks for pages of 2.
func TestAccPartnerWebhooksDataSource_allPages(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	api := e.api()
	var seeded []*blaze.Webhook
	for i, typ := range []string{"NEW_MEMBER", "UPDATE_MEMBER", "NEW_CONSUMER_ORDER", "UPDATE_PRODUCT", "CREATE_TRANSACTION", "UPDATE_TRANSACTION", "NEW_MEMBER"} {
		in := blaze.CreateWebhookInput{WebHookType: typ, WebHookURLs: []string{e.url(fmt.Sprintf("pages/%d/a", i)), e.url(fmt.Sprintf("pages/%d/b", i))}}
		if i%2 == 1 {
			in.URL = e.url(fmt.Sprintf("pages/%d/single", i))
		}
		seeded = append(seeded, createPartnerWebhook(t, api, in))
	}
	// A deleted webhook is not listed.
	if err := api.Blaze.Client.DeleteWebhook(context.Background(), seeded[2].ID); err != nil {
		t.Fatal(err)
	}
	live := append(append([]*blaze.Webhook{}, seeded[:2]...), seeded[3:]...)
	factories := e.factories()
	p := testProvider("acctest", os.Getenv, func(o *Options) { fastRetries(o); o.BlazePageSize = 2 })
	if e.srv != nil {
		p.opts.Getenv = func(string) string { return "" }
	}
	factories["webhooks"] = providerserver.NewProtocol6WithError(p)
	expected := partnerWebhookElementsOf(t, api, live...)
	if e.srv != nil {
		e.srv.ResetCounts()
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: e.config(fmt.Sprintf("data \"webhooks_partner_webhooks\" \"all\" {}\n\noutput \"own\" {\n  value = %s\n}\n",
				e.ownElements("data.webhooks_partner_webhooks.all.partner_webhooks", "web_hook_urls"))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("own", expected),
			},
			Check: func(*terraform.State) error {
				if e.srv == nil {
					return nil
				}
				// 6 webhooks in pages of 2, each page after the first asking again for the last webhook of
				// the one before (so that a deletion between pages cannot hide one): each read of the
				// data source takes 5 list calls.
				if n := e.srv.Count("blaze.list"); n < 5 || n%5 != 0 {
					return fmt.Errorf("%d list calls, want a multiple of 5 (every page of every read)", n)
				}
				return nil
			},
		}},
	})
}

// partnerWebhookElementsOf checks a list of partner_webhooks elements: exactly the webhooks ws, in
// the order BLAZE lists them and as BLAZE reports them now.
func partnerWebhookElementsOf(t *testing.T, api *Clients, ws ...*blaze.Webhook) knownvalue.Check {
	t.Helper()
	want := map[string]bool{}
	for _, w := range ws {
		want[w.ID] = true
	}
	listed, err := api.Blaze.Client.ListWebhooks(context.Background(), blaze.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var checks []knownvalue.Check
	for _, w := range listed {
		if !want[w.ID] {
			continue
		}
		var url knownvalue.Check = knownvalue.Null()
		if w.URL != "" {
			url = knownvalue.StringExact(w.URL)
		}
		checks = append(checks, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":            knownvalue.StringExact(w.ID),
			"web_hook_type": knownvalue.StringExact(w.WebHookType),
			"web_hook_urls": blazeURLSet(w.WebHookURLs...),
			"url":           url,
			"shop_id":       knownvalue.StringExact(w.ShopID),
			"company_id":    knownvalue.StringExact(w.CompanyID),
			"created_at":    knownvalue.StringExact(rfc3339(w.Created)),
			"modified_at":   knownvalue.StringExact(rfc3339(w.Modified)),
		}))
	}
	if len(checks) != len(ws) {
		t.Fatalf("BLAZE lists %d of the %d webhooks", len(checks), len(ws))
	}
	return knownvalue.ListExact(checks)
}

func TestAccPartnerWebhooksDataSource_filters(t *testing.T) {
	e := newAccEnv(t, blazeTwoShops(), "blaze")
	api := e.api()
	shop, secondKey, secondShop := e.blazeShops()
	// The second shop's webhooks are made with its own developer key.
	env := map[string]string{envBlazePartnerKey: os.Getenv(envBlazePartnerKey), envBlazeDeveloperKey: secondKey, envBlazeBaseURL: os.Getenv(envBlazeBaseURL)}
	if e.srv != nil {
		env[envBlazePartnerKey], env[envBlazeBaseURL] = e.srv.Config().Blaze.PartnerKeys[0], e.srv.URL
	}
	secondAPI, err := clientsFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	create := func(c *Clients, name, typ string) *blaze.Webhook {
		w := createPartnerWebhook(t, c, blaze.CreateWebhookInput{WebHookType: typ, WebHookURLs: []string{e.url(name)}})
		return w
	}
	first := []*blaze.Webhook{create(api, "f0", "NEW_MEMBER"), create(api, "f1", "UPDATE_PRODUCT"), create(api, "f2", "NEW_MEMBER")}
	second := []*blaze.Webhook{create(secondAPI, "s0", "NEW_MEMBER"), create(secondAPI, "s1", "UPDATE_MEMBER")}
	expected := map[string]knownvalue.Check{
		"all":                   partnerWebhookElementsOf(t, api, append(first, second...)...),
		"second_shop":           partnerWebhookElementsOf(t, api, second...),
		"new_member":            partnerWebhookElementsOf(t, api, first[0], first[2], second[0]),
		"first_shop_new_member": partnerWebhookElementsOf(t, api, first[0], first[2]),
		"none":                  knownvalue.ListSizeExact(0),
	}
	var outputs strings.Builder
	var checks []statecheck.StateCheck
	for _, name := range []string{"all", "second_shop", "new_member", "first_shop_new_member", "none"} {
		fmt.Fprintf(&outputs, "output %q {\n  value = %s\n}\n\n", name, e.ownElements("data.webhooks_partner_webhooks."+name+".partner_webhooks", "web_hook_urls"))
		checks = append(checks, statecheck.ExpectKnownOutputValue(name, expected[name]))
	}
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

`, secondShop, shop) + outputs.String()),
			ConfigStateChecks: checks,
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
