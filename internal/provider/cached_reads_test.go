package provider

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

type item struct{ id, v string }

func itemID(i *item) string { return i.id }

func TestFindSharedConfirmsAMissBeforeDecidingGone(t *testing.T) {
	list := newListCache(context.Background(), func(context.Context) ([]item, error) { return []item{{"a", "listed"}}, nil })
	confirms := 0
	confirm := func(id string, found bool) func(context.Context, uint64) (*item, error) {
		return func(context.Context, uint64) (*item, error) {
			confirms++
			if found {
				return &item{id, "fresh"}, nil
			}
			return nil, &httpclient.APIError{Kind: httpclient.ErrNotFound}
		}
	}
	ctx := context.Background()

	got, err := findShared(ctx, list, "a", itemID, confirm("a", true))
	if err != nil || got.v != "listed" || confirms != 0 {
		t.Fatalf("listed item: %+v, %v, %d confirms; want it from the list without a confirmation", got, err, confirms)
	}
	// Created after the list was taken: the list misses it, the confirmation finds it.
	got, err = findShared(ctx, list, "b", itemID, confirm("b", true))
	if err != nil || got.v != "fresh" || confirms != 1 {
		t.Fatalf("item missing from a stale list: %+v, %v; it must be confirmed, not declared gone", got, err)
	}
	_, err = findShared(ctx, list, "c", itemID, confirm("c", false))
	if !httpclient.IsNotFound(err) || confirms != 2 {
		t.Fatalf("gone item: %v after %d confirmations", err, confirms)
	}
}

func TestFindSharedFailsWhenTheListFails(t *testing.T) {
	list := newListCache(context.Background(), func(context.Context) ([]item, error) { return nil, errors.New("boom") })
	confirmed := false
	_, err := findShared(context.Background(), list, "a", itemID, func(context.Context, uint64) (*item, error) {
		confirmed = true
		return nil, &httpclient.APIError{Kind: httpclient.ErrNotFound}
	})
	if err == nil || httpclient.IsNotFound(err) || confirmed {
		t.Fatalf("got %v (confirmed: %v); a failed list must fail the read, never lead to 'gone'", err, confirmed)
	}
}

func TestFindAfterTakesANewList(t *testing.T) {
	calls := 0
	list := newListCache(context.Background(), func(context.Context) ([]item, error) {
		calls++
		if calls == 1 {
			return nil, nil // the first list predates the item
		}
		return []item{{"a", "fresh"}}, nil
	})
	ctx := context.Background()
	if _, err := list.get(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := list.findAfter(ctx, 1, "a", itemID)
	if err != nil || got.v != "fresh" || calls != 2 {
		t.Fatalf("got %+v, %v after %d lists", got, err, calls)
	}
	// Another miss of the first list is confirmed by the same newer list.
	// Missing from it is no error here: the caller names the miss in its vendor's terms.
	if got, err := list.findAfter(ctx, 1, "zz", itemID); got != nil || err != nil || calls != 2 {
		t.Fatalf("missing from a fresh list: %+v, %v after %d lists, want nothing after 2", got, err, calls)
	}
}

// TestAccSharedReads_refreshListsOncePerVendor refreshes a configuration of 14 webhooks and
// counts the calls: each Terraform command takes at most one list per vendor API surface (plus
// BLAZE's extra pages) and no get by id, instead of one call per resource.
func TestAccSharedReads_refreshListsOncePerVendor(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{})
	srv := e.sandbox()
	config := e.config(mixedConfig("v1"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: srv.ResetCounts,
				Config:    config,
				// The step runs plan, apply (nothing to do) and plan again: three commands, each
				// refreshing every resource.
				ConfigStateChecks: []statecheck.StateCheck{sandboxStateCheck(func() error {
					counts := srv.Counts()
					for _, op := range []string{"lune.get", "blaze.get"} {
						if counts[op] != 0 {
							return fmt.Errorf("%s called %d times: refreshes must read from the shared list (%v)", op, counts[op], counts)
						}
					}
					for _, op := range []string{"lune.list", "inveterate.subscriptions.list", "inveterate.webhooks.list", "blaze.list"} {
						if counts[op] < 1 || counts[op] > 3 {
							return fmt.Errorf("%s called %d times for three refreshes of 14 resources, want 1 per command (%v)", op, counts[op], counts)
						}
					}
					if srv.Writes() != 0 {
						return fmt.Errorf("a no-change apply wrote %d times", srv.Writes())
					}
					return nil
				})},
			},
		},
	})
}

// TestAccSharedReads_dozensDeletedOutOfBand deletes dozens of webhooks of every type behind
// Terraform's back and counts the calls of the plan that notices: the misses of each Inveterate
// surface are confirmed together by one newer list (not one list per missing record), the Lune
// and BLAZE misses by one get each, paced: Lune never answers 429.
func TestAccSharedReads_dozensDeletedOutOfBand(t *testing.T) {
	const n = 24
	e := newAccEnv(t, sandbox.Config{})
	srv := e.sandbox()
	config := e.config(fmt.Sprintf(`
resource "webhooks_webhook" "lune" {
  count = %[1]d
  url   = "https://hooks.example.com/lune/${count.index}"
}

resource "webhooks_inveterate_webhook_subscription" "sub" {
  count        = %[1]d
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/inveterate/${count.index}"
  name         = "subscription ${count.index}"
}

resource "webhooks_inveterate_webhook" "admin" {
  count        = %[1]d
  callback_url = "https://hooks.example.com/inveterate/admin/${count.index}"
}

resource "webhooks_partner_webhook" "partner" {
  count         = %[1]d
  web_hook_type = "NEW_MEMBER"
  web_hook_urls = ["https://hooks.example.com/blaze/${count.index}"]
}
`, n))
	var counts map[string]int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					for _, w := range srv.LuneWebhooks() {
						srv.DeleteLuneWebhook(w.ID)
					}
					for _, s := range srv.InveterateSubscriptions() {
						srv.DeleteInveterateSubscription(s.ID)
					}
					for _, w := range srv.InveterateWebhooks() {
						srv.DeleteInveterateWebhook(w.ID)
					}
					for _, w := range srv.BlazeWebhooks() {
						srv.DeleteBlazeWebhook(w.ID)
					}
					srv.ResetCounts()
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() { counts = srv.Counts() },
				Config:    e.config(""),
			},
		},
	})
	t.Logf("calls of the plan after %d deletions of each type: %v", n, counts)
	// One plan: a list that misses, and one newer list that confirms every miss.
	for _, op := range []string{"inveterate.subscriptions.list", "inveterate.webhooks.list"} {
		if counts[op] != 2 {
			t.Errorf("%s: %d calls to confirm %d missing records, want 2 (the list that missed, one that confirms)", op, counts[op], n)
		}
	}
	for _, op := range []string{"lune.get", "blaze.get"} {
		if counts[op] != n {
			t.Errorf("%s: %d calls, want %d (one get per missing webhook)", op, counts[op], n)
		}
	}
	if counts["lune.rate_limited"] != 0 {
		t.Errorf("Lune answered 429 %d times", counts["lune.rate_limited"])
	}
}
