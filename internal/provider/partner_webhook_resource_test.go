package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

const partnerWebhookAddr = "webhooks_partner_webhook.test"

// partnerWebhookConfig is a webhooks_partner_webhook of the given type, with the given URLs and
// extra arguments.
func partnerWebhookConfig(webHookType string, urls []string, extra ...string) string {
	quoted := make([]string, len(urls))
	for i, u := range urls {
		quoted[i] = fmt.Sprintf("%q", u)
	}
	return fmt.Sprintf("resource \"webhooks_partner_webhook\" \"test\" {\n  web_hook_type = %q\n  web_hook_urls = [%s]\n%s}\n",
		webHookType, strings.Join(quoted, ", "), indent(extra))
}

// liveBlazeWebhooks returns the sandbox's BLAZE webhooks that are not (soft-)deleted.
func liveBlazeWebhooks(srv *sandbox.Server) []sandbox.BlazeWebhook {
	return slices.DeleteFunc(srv.BlazeWebhooks(), func(w sandbox.BlazeWebhook) bool { return w.Deleted })
}

// onlyBlazeWebhook returns the single live webhook in the sandbox, failing if there is not
// exactly one.
func onlyBlazeWebhook(srv *sandbox.Server) (sandbox.BlazeWebhook, error) {
	all := liveBlazeWebhooks(srv)
	if len(all) != 1 {
		return sandbox.BlazeWebhook{}, fmt.Errorf("the sandbox holds %d live BLAZE webhooks, want exactly 1", len(all))
	}
	return all[0], nil
}

// blazeURLSet is a knownvalue check of a set of exact strings.
func blazeURLSet(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.SetExact(checks)
}

// partnerWebhooksGone is the CheckDestroy of webhooks_partner_webhook: it asks BLAZE, whose get
// reports a (softly) deleted webhook as not found.
func partnerWebhooksGone(api *Clients) resource.TestCheckFunc {
	return gone(partnerWebhookTypeName, api.Blaze.Client.GetWebhook)
}

// partnerWebhookIs checks the webhook behind the resource as BLAZE reports it, and that the
// timestamps in state are BLAZE's.
func partnerWebhookIs(api *Clients, webHookType, url string, urls ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		return remote(partnerWebhookAddr, api.Blaze.Client.GetWebhook, func(w *blaze.Webhook) error {
			got := slices.Sorted(slices.Values(w.WebHookURLs))
			if w.WebHookType != webHookType || w.URL != url || !slices.Equal(got, slices.Sorted(slices.Values(urls))) {
				return fmt.Errorf("BLAZE holds type %q url %q urls %v; want %q %q %v", w.WebHookType, w.URL, got, webHookType, url, urls)
			}
			attrs := s.RootModule().Resources[partnerWebhookAddr].Primary.Attributes
			if attrs["created_at"] != rfc3339(w.Created) || attrs["modified_at"] != rfc3339(w.Modified) {
				return fmt.Errorf("state times %s / %s, BLAZE says %s / %s", attrs["created_at"], attrs["modified_at"], rfc3339(w.Created), rfc3339(w.Modified))
			}
			return nil
		})(s)
	}
}

// blazeShop and blazeCompany check shop_id and company_id: the sandbox's, or live any BLAZE id.
func (e *accEnv) blazeShop() knownvalue.Check {
	if e.srv != nil {
		return knownvalue.StringExact(sandbox.DefaultBlazeShopID)
	}
	return knownvalue.StringRegexp(blaze.IDPattern)
}

func (e *accEnv) blazeCompany() knownvalue.Check {
	if e.srv != nil {
		return knownvalue.StringExact(sandbox.DefaultBlazeCompanyID)
	}
	return knownvalue.StringRegexp(blaze.IDPattern)
}

// noBlazeCalls fails the test if the sandbox saw a BLAZE request (live there is no counter).
func (e *accEnv) noBlazeCalls(why string) {
	e.t.Helper()
	if e.srv != nil {
		if n := blazeCalls(e.srv); n != 0 {
			e.t.Fatalf("%d BLAZE calls %s, want none", n, why)
		}
	}
}

// createPartnerWebhook makes a webhook behind Terraform's back, as one that existed before the
// configuration; it is deleted when the test ends.
func createPartnerWebhook(t *testing.T, api *Clients, in blaze.CreateWebhookInput) *blaze.Webhook {
	t.Helper()
	w, err := api.Blaze.Client.CreateWebhook(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	deleteAtEnd(t, "BLAZE webhook "+w.ID, func(ctx context.Context) error { return api.Blaze.Client.DeleteWebhook(ctx, w.ID) })
	return w
}

// blazeCalls is the number of BLAZE requests the sandbox received.
func blazeCalls(srv *sandbox.Server) int {
	n := 0
	for op, c := range srv.Counts() {
		if strings.HasPrefix(op, "blaze.") {
			n += c
		}
	}
	return n
}

var blazeTimePattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

func TestAccPartnerWebhook_basic(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	api := e.api()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	a, b, c, single := e.url("blaze/a"), strings.Replace(e.url("blaze/b"), "https://", "http://", 1), e.url("blaze/c"), e.url("single")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             partnerWebhooksGone(api),
		Steps: []resource.TestStep{
			{
				Config: e.config(partnerWebhookConfig("NEW_CONSUMER_ORDER", []string{a, b})),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(partnerWebhookAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(blaze.IDPattern)),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("web_hook_type"), knownvalue.StringExact("NEW_CONSUMER_ORDER")),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("web_hook_urls"), blazeURLSet(a, b)),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("url"), knownvalue.Null()),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("shop_id"), e.blazeShop()),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("company_id"), e.blazeCompany()),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(blazeTimePattern)),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(partnerWebhookAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					partnerWebhookIs(api, "NEW_CONSUMER_ORDER", "", a, b),
					e.count("blaze.create", 1),
				),
			},
			{
				// Everything round-trips: BLAZE returns every attribute on read.
				ResourceName:      partnerWebhookAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// Type, URLs and url change in place.
				Config: e.config(partnerWebhookConfig("UPDATE_CONSUMER_ORDER", []string{b, c}, fmt.Sprintf("url = %q", single))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(partnerWebhookAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(partnerWebhookAddr, tfjsonpath.New("modified_at")),
						plancheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(partnerWebhookAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("url"), knownvalue.StringExact(single)),
				},
				Check: resource.ComposeTestCheckFunc(
					partnerWebhookIs(api, "UPDATE_CONSUMER_ORDER", single, b, c),
					e.count("blaze.create", 1),
					e.count("blaze.update", 1),
				),
			},
			{
				// Removing url clears it in BLAZE (""), which reads back as null: no perpetual diff.
				Config: e.config(partnerWebhookConfig("UPDATE_CONSUMER_ORDER", []string{b, c})),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(partnerWebhookAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(partnerWebhookAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("url"), knownvalue.Null()),
				},
				Check: partnerWebhookIs(api, "UPDATE_CONSUMER_ORDER", "", b, c),
			},
		},
	})
}

// TestAccPartnerWebhook_keepsUnmanagedFields shows that an update, although BLAZE's PUT replaces
// the whole object, leaves the fields the provider does not manage as they were.
func TestAccPartnerWebhook_keepsUnmanagedFields(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	srv := e.sandbox()
	extra := map[string]json.RawMessage{
		"headers":    json.RawMessage(`{"X-Source":"pos"}`),
		"retryCount": json.RawMessage(`3`),
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             partnerWebhooksGone(e.api()),
		Steps: []resource.TestStep{
			{Config: e.config(partnerWebhookConfig("NEW_MEMBER", []string{"https://a.example.com/members"}, `url = "https://single.example.com/m"`))},
			{
				PreConfig: func() {
					w, err := onlyBlazeWebhook(srv)
					if err != nil {
						t.Fatal(err)
					}
					srv.UpdateBlazeWebhook(w.ID, func(w *sandbox.BlazeWebhook) { w.Extra = extra })
				},
				Config: e.config(partnerWebhookConfig("UPDATE_MEMBER", []string{"https://b.example.com/members"}, `url = "https://single.example.com/m"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(partnerWebhookAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					partnerWebhookIs(e.api(), "UPDATE_MEMBER", "https://single.example.com/m", "https://b.example.com/members"),
					func(*terraform.State) error {
						w, err := onlyBlazeWebhook(srv)
						if err != nil {
							return err
						}
						if len(w.Extra) != len(extra) {
							return fmt.Errorf("the update lost unmanaged fields: %d left, want %d", len(w.Extra), len(extra))
						}
						for k, v := range extra {
							if string(w.Extra[k]) != string(v) {
								return fmt.Errorf("unmanaged field %s is %s after the update, want %s", k, w.Extra[k], v)
							}
						}
						if w.ShopID != sandbox.DefaultBlazeShopID || !w.Updated {
							return fmt.Errorf("after the update: shop %q, updated %v", w.ShopID, w.Updated)
						}
						return nil
					},
					sandboxCount(srv, "blaze.update", 1),
				),
			},
		},
	})
}

func TestAccPartnerWebhook_webHookURLsIsASet(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	a, b, c := e.url("p/a"), e.url("p/b"), e.url("p/c")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             partnerWebhooksGone(e.api()),
		Steps: []resource.TestStep{
			{Config: e.config(partnerWebhookConfig("UPDATE_PRODUCT", []string{a, b, c}))},
			{
				// Reordered: nothing to do.
				Config: e.config(partnerWebhookConfig("UPDATE_PRODUCT", []string{c, a, b})),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: e.count("blaze.update", 0),
			},
		},
	})
}

// TestAccPartnerWebhook_softDeleted shows that a webhook deleted outside Terraform (BLAZE only
// marks it deleted) is gone for Terraform: the next plan creates a new one.
func TestAccPartnerWebhook_softDeleted(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	api := e.api()
	newID := statecheck.CompareValue(compare.ValuesDiffer())
	url := e.url("tx")
	config := e.config(partnerWebhookConfig("CREATE_TRANSACTION", []string{url}))
	var deleted capturedID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             partnerWebhooksGone(api),
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{newID.AddStateValue(partnerWebhookAddr, tfjsonpath.New("id"))},
				Check:             deleted.from(partnerWebhookAddr),
			},
			{
				PreConfig: func() {
					if err := api.Blaze.Client.DeleteWebhook(context.Background(), deleted.id); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(partnerWebhookAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{newID.AddStateValue(partnerWebhookAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeTestCheckFunc(
					partnerWebhookIs(api, "CREATE_TRANSACTION", "", url),
					e.count("blaze.create", 2),
					// The provider never deleted or updated the soft-deleted webhook itself: the one
					// delete is the test's.
					e.count("blaze.delete", 1),
					e.count("blaze.update", 0),
					func(*terraform.State) error {
						if e.srv == nil {
							return nil
						}
						if w, ok := e.srv.BlazeWebhook(deleted.id); !ok || !w.Deleted {
							return errors.New("the soft-deleted webhook should still be in the sandbox, deleted")
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccPartnerWebhook_deleteAlreadyDeleted loses the answer to the first DELETE (which BLAZE
// applied): the retried DELETE meets a webhook that is already deleted, and succeeds.
func TestAccPartnerWebhook_deleteAlreadyDeleted(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	srv := e.sandbox()
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             partnerWebhooksGone(e.api()),
		Steps: []resource.TestStep{
			{
				Config: e.config(partnerWebhookConfig("CANCEL_TRANSACTION", []string{"https://a.example.com/cancel"})),
				Check: func(*terraform.State) error {
					w, err := onlyBlazeWebhook(srv)
					id = w.ID
					return err
				},
			},
			{
				PreConfig: func() { srv.FailNext(sandbox.Blaze, "blaze.delete", sandbox.FailLostResponse, 1) },
				Config:    e.config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(partnerWebhookAddr, plancheck.ResourceActionDestroy)},
				},
				Check: resource.ComposeTestCheckFunc(
					sandboxCount(srv, "blaze.delete", 2),
					func(*terraform.State) error {
						if w, ok := srv.BlazeWebhook(id); !ok || !w.Deleted {
							return fmt.Errorf("webhook %s is not deleted", id)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccPartnerWebhook_drift(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	api := e.api()
	done, single := e.url("done"), e.url("single/done")
	config := e.config(partnerWebhookConfig("COMPLETE_TRANSACTION", []string{done}, fmt.Sprintf("url = %q", single)))
	var webhook capturedID
	change := func(in blaze.UpdateWebhookInput) func() {
		return func() {
			if _, err := api.Blaze.Client.UpdateWebhook(context.Background(), webhook.id, in); err != nil {
				t.Fatal(err)
			}
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             partnerWebhooksGone(api),
		Steps: []resource.TestStep{
			{Config: config, Check: webhook.from(partnerWebhookAddr)},
			{
				// Changed outside Terraform: planned back in place.
				PreConfig: change(blaze.UpdateWebhookInput{WebHookType: "UPDATE_TRANSACTION", WebHookURLs: []string{e.url("elsewhere"), done}}),
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(partnerWebhookAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("web_hook_type"), knownvalue.StringExact("COMPLETE_TRANSACTION")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: partnerWebhookIs(api, "COMPLETE_TRANSACTION", single, done),
			},
			{
				// A url set outside Terraform, where the configuration has none, is cleared.
				PreConfig: change(blaze.UpdateWebhookInput{WebHookType: "COMPLETE_TRANSACTION", WebHookURLs: []string{done}, URL: e.url("added")}),
				Config:    e.config(partnerWebhookConfig("COMPLETE_TRANSACTION", []string{done})),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(partnerWebhookAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: partnerWebhookIs(api, "COMPLETE_TRANSACTION", "", done),
			},
		},
	})
}

// secondShopDeveloperKey is a developer key of another shop of the sandbox's default company.
const (
	secondShopDeveloperKey = "second_shop_developer_key" //nolint:gosec // G101: a sandbox-only key.
	secondShopID           = "65a1f0c2b3d4e5f6071829ff"
)

// blazeTwoShops is a sandbox whose company has two shops, each with its own developer key.
func blazeTwoShops() sandbox.Config {
	return sandbox.Config{Blaze: sandbox.BlazeConfig{DeveloperKeys: map[string]sandbox.BlazeShop{
		sandbox.DefaultBlazeDeveloperKey: {CompanyID: sandbox.DefaultBlazeCompanyID, ShopID: sandbox.DefaultBlazeShopID},
		secondShopDeveloperKey:           {CompanyID: sandbox.DefaultBlazeCompanyID, ShopID: secondShopID},
	}}}
}

// blazeShops are, for the tests of shop_id, the developer key's shop, and a developer key of a
// second shop of the same company with that shop's id: the sandbox's (blazeTwoShops), or live
// WEBHOOKS_ACC_BLAZE_SHOP_ID, WEBHOOKS_ACC_BLAZE_SECOND_DEVELOPER_KEY and
// WEBHOOKS_ACC_BLAZE_SECOND_SHOP_ID, without which the test is skipped.
func (e *accEnv) blazeShops() (shop, secondKey, secondShop string) {
	e.t.Helper()
	if e.srv != nil {
		return sandbox.DefaultBlazeShopID, secondShopDeveloperKey, secondShopID
	}
	shop, secondKey, secondShop = os.Getenv("WEBHOOKS_ACC_BLAZE_SHOP_ID"), os.Getenv("WEBHOOKS_ACC_BLAZE_SECOND_DEVELOPER_KEY"), os.Getenv("WEBHOOKS_ACC_BLAZE_SECOND_SHOP_ID")
	if shop == "" || secondKey == "" || secondShop == "" {
		e.t.Skip("WEBHOOKS_ACC_BLAZE_SHOP_ID, WEBHOOKS_ACC_BLAZE_SECOND_DEVELOPER_KEY and WEBHOOKS_ACC_BLAZE_SECOND_SHOP_ID (a second shop of the company) are not all set")
	}
	return shop, secondKey, secondShop
}

// blazeProviderWith is a provider block whose BLAZE section uses developerKey, with the partner key
// and base URL of the world the test runs against.
func (e *accEnv) blazeProviderWith(developerKey string) string {
	partnerKey := os.Getenv(envBlazePartnerKey)
	if e.srv != nil {
		partnerKey = e.srv.Config().Blaze.PartnerKeys[0]
	}
	return fmt.Sprintf("provider \"webhooks\" {\n  blaze = {\n    partner_key   = %q\n    developer_key = %q\n%s  }\n}\n\n",
		partnerKey, developerKey, e.baseURLLine(envBlazeBaseURL))
}

func TestAccPartnerWebhook_shopID(t *testing.T) {
	e := newAccEnv(t, blazeTwoShops(), "blaze")
	api := e.api()
	shop, secondKey, secondShop := e.blazeShops()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	urls := []string{e.url("shop")}
	// The developer key decides which shop may be managed: moving to the second shop takes its key.
	inSecondShop := func(extra ...string) string {
		return e.blazeProviderWith(secondKey) + partnerWebhookConfig("NEW_CONSUMER_SIGNUP", urls, extra...)
	}
	var first capturedID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             partnerWebhooksGone(api),
		Steps: []resource.TestStep{
			{
				// Without shop_id: the developer key's shop.
				Config: e.config(partnerWebhookConfig("NEW_CONSUMER_SIGNUP", urls)),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(partnerWebhookAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("shop_id"), knownvalue.StringExact(shop)),
				},
				Check: first.from(partnerWebhookAddr),
			},
			{
				// Naming the same shop changes nothing.
				Config: e.config(partnerWebhookConfig("NEW_CONSUMER_SIGNUP", urls, fmt.Sprintf("shop_id = %q", shop))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Removing it again neither shows a diff nor replaces.
				Config: e.config(partnerWebhookConfig("NEW_CONSUMER_SIGNUP", urls)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(partnerWebhookAddr, tfjsonpath.New("id"))},
			},
			{
				// Nor when it is removed together with a change that updates the webhook: the shop
				// stays known, and the update happens in place.
				Config: e.config(partnerWebhookConfig("NEW_CONSUMER_SIGNUP", urls, fmt.Sprintf("shop_id = %q", shop))),
			},
			{
				Config: e.config(partnerWebhookConfig("UPDATE_CONSUMER_USER", urls)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(partnerWebhookAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("shop_id"), knownvalue.StringExact(shop)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(partnerWebhookAddr, tfjsonpath.New("id"))},
			},
			{
				// Another shop replaces the webhook.
				Config: inSecondShop(fmt.Sprintf("shop_id = %q", secondShop)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(partnerWebhookAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("shop_id"), knownvalue.StringExact(secondShop)),
				},
				Check: resource.ComposeTestCheckFunc(
					remote(partnerWebhookAddr, api.Blaze.Client.GetWebhook, func(w *blaze.Webhook) error {
						if w.ID == first.id || w.ShopID != secondShop {
							return fmt.Errorf("the webhook is %s in shop %s; want a new one in shop %s", w.ID, w.ShopID, secondShop)
						}
						return nil
					}),
					func(*terraform.State) error {
						if _, err := api.Blaze.Client.GetWebhook(context.Background(), first.id); !httpclient.IsNotFound(err) {
							return fmt.Errorf("the webhook of the first shop was not deleted (%v)", err)
						}
						return nil
					},
				),
			},
			{
				// And removing shop_id keeps the webhook in the shop it is in.
				Config: inSecondShop(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("shop_id"), knownvalue.StringExact(secondShop)),
				},
			},
		},
	})
}

func TestAccPartnerWebhook_foreignShop(t *testing.T) {
	e := newAccEnv(t, blazeTwoShops(), "blaze")
	api := e.api()
	_, _, secondShop := e.blazeShops()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			// The developer key belongs to its own shop only.
			Config: e.config(partnerWebhookConfig("NEW_MEMBER", []string{e.url("m")}, fmt.Sprintf("shop_id = %q", secondShop))),
			ExpectError: errorText("Unable to Create BLAZE Partner Webhook",
				"the developer key may not manage webhooks of shop "+secondShop,
				"answered HTTP 403",
				"blaze.developer_key (or BLAZE_DEVELOPER_KEY)"),
		}},
	})
	listed, err := api.Blaze.Client.ListWebhooks(context.Background(), blaze.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range listed {
		if marked(w.WebHookURLs...) && strings.Contains(strings.Join(w.WebHookURLs, " "), e.ownPath()) {
			t.Fatalf("webhook %s was created in spite of the 403", w.ID)
		}
	}
}

func TestAccPartnerWebhook_importBlock(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	api := e.api()
	a, b, single := e.url("users/a"), e.url("users/b"), e.url("single/users")
	existing := createPartnerWebhook(t, api, blaze.CreateWebhookInput{WebHookType: "UPDATE_CONSUMER_USER", WebHookURLs: []string{b, a}, URL: single})
	resourceConfig := partnerWebhookConfig("UPDATE_CONSUMER_USER", []string{a, b}, fmt.Sprintf("url = %q", single))
	config := e.config(fmt.Sprintf("import {\n  to = webhooks_partner_webhook.test\n  id = %q\n}\n\n", existing.ID) + resourceConfig)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             partnerWebhooksGone(api),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(partnerWebhookAddr, plancheck.ResourceActionNoop)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("shop_id"), knownvalue.StringExact(existing.ShopID)),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("company_id"), knownvalue.StringExact(existing.CompanyID)),
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("created_at"), knownvalue.StringExact(rfc3339(existing.Created))),
				},
				// One create made the webhook, before Terraform ran.
				Check: resource.ComposeTestCheckFunc(partnerWebhookIs(api, "UPDATE_CONSUMER_USER", single, a, b), e.count("blaze.create", 1), e.count("blaze.update", 0)),
			},
			{
				// The same through the import-block test mode of the framework.
				Config:          e.config(resourceConfig),
				ResourceName:    partnerWebhookAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
		},
	})
}

func TestAccPartnerWebhook_importDeleted(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	api := e.api()
	url := e.url("m")
	deleted := createPartnerWebhook(t, api, blaze.CreateWebhookInput{WebHookType: "NEW_MEMBER", WebHookURLs: []string{url}})
	if err := api.Blaze.Client.DeleteWebhook(context.Background(), deleted.ID); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config:        e.config(partnerWebhookConfig("NEW_MEMBER", []string{url})),
			ResourceName:  partnerWebhookAddr,
			ImportState:   true,
			ImportStateId: deleted.ID,
			ExpectError:   errorText("Cannot import non-existent remote object"),
		}},
	})
}

func TestAccPartnerWebhook_invalidImportID(t *testing.T) {
	for _, id := range []string{"not/an-id", "65B2A1C3D4E5F60718293A4B", "65b2a1c3d4e5f60718293a4"} {
		t.Run(id, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "blaze")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:        e.config(partnerWebhookConfig("NEW_MEMBER", []string{"https://a.example.com/m"})),
					ResourceName:  partnerWebhookAddr,
					ImportState:   true,
					ImportStateId: id,
					ExpectError: errorText("Invalid Import ID", fmt.Sprintf("%q is not a BLAZE partner webhook id", id),
						"24 lowercase hexadecimal characters"),
				}},
			})
		})
	}
}

func TestAccPartnerWebhook_invalidWebHookType(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config:      e.config(partnerWebhookConfig("NEW_PIZZA", []string{"https://a.example.com/m"})),
			ExpectError: regexp.MustCompile(`(?s)Attribute web_hook_type value must be one of:.*"NEW_CONSUMER_ORDER".*"UPDATE_PRODUCT".*got:\s+"NEW_PIZZA"`),
		}},
	})
	e.noBlazeCalls("for an invalid web_hook_type")
}

func TestAccPartnerWebhook_invalidArguments(t *testing.T) {
	urls := []string{"https://a.example.com/m"}
	for name, tc := range map[string]struct {
		urls  []string
		extra string
		want  *regexp.Regexp
	}{
		"no urls":            {urls: []string{}, want: errorText("Attribute web_hook_urls set must contain at least 1 elements, got: 0")},
		"relative url":       {urls: []string{"https://a.example.com/m", "/hooks"}, want: errorText("Invalid URL", `an element of web_hook_urls: "/hooks" is not an absolute http(s) URL`)},
		"ftp url":            {urls: []string{"ftp://a.example.com/m"}, want: errorText("Invalid URL", `"ftp://a.example.com/m" is not an absolute http(s) URL`)},
		"empty url":          {urls: urls, extra: `url = ""`, want: errorText("Invalid URL", `url: "" is not an absolute http(s) URL`)},
		"url without scheme": {urls: urls, extra: `url = "hooks.example.com"`, want: errorText("Invalid URL", `url: "hooks.example.com" is not an absolute http(s) URL`)},
		"empty shop_id":      {urls: urls, extra: `shop_id = ""`, want: errorText(`shop_id = ""`, "Attribute shop_id must be a BLAZE shop id: 24 lowercase hexadecimal characters, got:")},
		"malformed shop_id":  {urls: urls, extra: `shop_id = "shop-1"`, want: errorText("Attribute shop_id must be a BLAZE shop id: 24 lowercase hexadecimal characters, got: shop-1")},
		"bad update timeout": {urls: urls, extra: `timeouts = { update = "soon" }`, want: regexp.MustCompile(`(?s)Invalid Timeout.*timeouts\.update: "soon" is not a duration`)},
	} {
		t.Run(name, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "blaze")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:      e.config(partnerWebhookConfig("NEW_MEMBER", tc.urls, tc.extra)),
					ExpectError: tc.want,
				}},
			})
			e.noBlazeCalls("for an invalid configuration")
		})
	}
}

// TestAccPartnerWebhook_timeouts shows that the configured timeouts bound the calls: an update
// slower than its timeout fails and changes nothing; a timeouts-only change calls nothing.
func TestAccPartnerWebhook_timeouts(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	srv := e.sandbox()
	urls := []string{"https://a.example.com/slow"}
	timeouts := `timeouts = { create = "2m", update = "300ms", delete = "2m" }`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             partnerWebhooksGone(e.api()),
		Steps: []resource.TestStep{
			{
				Config: e.config(partnerWebhookConfig("NEW_MEMBER", urls, timeouts)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("timeouts"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"create": knownvalue.StringExact("2m"),
						"update": knownvalue.StringExact("300ms"),
						"delete": knownvalue.StringExact("2m"),
					})),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// BLAZE now takes far longer than the update timeout.
				PreConfig:   func() { srv.SetLatency(sandbox.Blaze, 3*time.Second) },
				Config:      e.config(partnerWebhookConfig("UPDATE_MEMBER", urls, timeouts)),
				ExpectError: errorText("Unable to Update BLAZE Partner Webhook", "context deadline exceeded"),
			},
			{
				PreConfig: func() {
					srv.SetLatency(sandbox.Blaze, 0)
					srv.ResetCounts()
				},
				// Only the timeouts change: an update that sends nothing to BLAZE.
				Config: e.config(partnerWebhookConfig("NEW_MEMBER", urls, `timeouts = { update = "2m" }`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(partnerWebhookAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(partnerWebhookAddr, tfjsonpath.New("modified_at"), knownvalue.NotNull()),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					// The timed-out update changed nothing.
					partnerWebhookIs(e.api(), "NEW_MEMBER", "", urls...),
					sandboxCount(srv, "blaze.update", 0),
				),
			},
		},
	})
}

func TestAccPartnerWebhook_missingCredentials(t *testing.T) {
	for name, tc := range map[string]struct {
		blaze string
		want  []string
	}{
		"none":           {want: []string{"blaze.partner_key (environment variable BLAZE_PARTNER_KEY)", "blaze.developer_key (environment variable BLAZE_DEVELOPER_KEY)"}},
		"no developer":   {blaze: `partner_key = "p"`, want: []string{"blaze.developer_key (environment variable BLAZE_DEVELOPER_KEY)"}},
		"no partner key": {blaze: `developer_key = "d"`, want: []string{"blaze.partner_key (environment variable BLAZE_PARTNER_KEY)"}},
	} {
		t.Run(name, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "blaze")
			provider := "provider \"webhooks\" {}\n\n"
			if tc.blaze != "" {
				provider = fmt.Sprintf("provider \"webhooks\" {\n  blaze = {\n    %s\n  }\n}\n\n", tc.blaze)
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factoriesWithoutCredentials(),
				Steps: []resource.TestStep{{
					Config:      provider + partnerWebhookConfig("NEW_MEMBER", []string{"https://a.example.com/m"}),
					PlanOnly:    true,
					ExpectError: errorText(append([]string{"Missing BLAZE Credentials", "webhooks_partner_webhook manages BLAZE objects"}, tc.want...)...),
				}},
			})
			e.noBlazeCalls("without credentials")
		})
	}
}

func TestAccPartnerWebhook_wrongKey(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "blaze")
	developerKey := os.Getenv(envBlazeDeveloperKey)
	if e.srv != nil {
		developerKey = e.developerKey()
	}
	config := fmt.Sprintf("provider \"webhooks\" {\n  blaze = {\n    partner_key   = \"wrong_partner_key\"\n    developer_key = %q\n%s  }\n}\n\n",
		developerKey, e.baseURLLine(envBlazeBaseURL)) + partnerWebhookConfig("NEW_MEMBER", []string{e.url("m")})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: config,
			// The plan already asks BLAZE, so the wrong key fails it before anything is written.
			ExpectError: errorText("BLAZE Rejected the Credentials", "answered HTTP 401", "blaze.partner_key (or BLAZE_PARTNER_KEY)"),
		}},
	})
	e.noWrites("with a wrong key")
}
