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
	list := newSharedList(func(context.Context) ([]item, error) { return []item{{"a", "listed"}}, nil })
	confirms := 0
	confirm := func(id string, found bool) func(context.Context) (*item, error) {
		return func(context.Context) (*item, error) {
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
	list := newSharedList(func(context.Context) ([]item, error) { return nil, errors.New("boom") })
	confirmed := false
	_, err := findShared(context.Background(), list, "a", itemID, func(context.Context) (*item, error) {
		confirmed = true
		return nil, &httpclient.APIError{Kind: httpclient.ErrNotFound}
	})
	if err == nil || httpclient.IsNotFound(err) || confirmed {
		t.Fatalf("got %v (confirmed: %v); a failed list must fail the read, never lead to 'gone'", err, confirmed)
	}
}

func TestFindFreshTakesANewList(t *testing.T) {
	calls := 0
	list := newSharedList(func(context.Context) ([]item, error) {
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
	got, err := findFresh(ctx, list, "a", itemID, nil)
	if err != nil || got.v != "fresh" || calls != 2 {
		t.Fatalf("got %+v, %v after %d lists", got, err, calls)
	}
	if _, err := findFresh(ctx, list, "zz", itemID, nil); !httpclient.IsNotFound(err) {
		t.Fatalf("missing from a fresh list: %v, want not found", err)
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
