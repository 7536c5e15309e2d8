package provider

import (
	"context"
	"fmt"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
)

// operationLists are the lists that the reads of one Terraform operation share: one per vendor API
// surface, taken on demand, so that refreshing a hundred webhooks costs one list call rather than
// a hundred gets. Every write to a vendor drops its lists (see configureClients).
type operationLists struct {
	luneWebhooks                   *listCache[lune.Webhook]
	inveterateWebhookSubscriptions *listCache[inveterate.Subscription]
	inveterateWebhooks             *listCache[inveterate.Webhook]
	partnerWebhooks                *listCache[blaze.Webhook]
}

// invalidateLune, invalidateInveterate and invalidateBlaze drop a vendor's lists after a write.
// The clients call them; a list not built yet has nothing to drop.
func (s *operationLists) invalidateLune() { s.luneWebhooks.invalidate() }

func (s *operationLists) invalidateInveterate() {
	s.inveterateWebhookSubscriptions.invalidate()
	s.inveterateWebhooks.invalidate()
}

func (s *operationLists) invalidateBlaze() { s.partnerWebhooks.invalidate() }

// findShared returns the object with id from a shared list. One missing from it is asked for
// afresh with confirm before anything is concluded: a stale list must never make a read declare an
// object gone (and Terraform create a duplicate). confirm gets the number of the list call that
// missed, so that confirmations by a newer list can share one. A list that failed fails the read:
// the vendor is down or misconfigured, and a "not found" from a get by id then proves nothing.
func findShared[T any](ctx context.Context, list *listCache[T], id string, idOf func(*T) string, confirm func(ctx context.Context, missedIn uint64) (*T, error)) (*T, error) {
	var missedIn uint64
	if list != nil {
		c, err := list.getCall(ctx)
		if err != nil {
			return nil, err
		}
		if found := findByID(c.items, id, idOf); found != nil {
			return found, nil
		}
		missedIn = c.seq
	}
	return confirm(ctx, missedIn)
}

// findByID returns a copy of the item with id, or nil.
func findByID[T any](items []T, id string, idOf func(*T) string) *T {
	for i := range items {
		if idOf(&items[i]) == id {
			found := items[i]
			return &found
		}
	}
	return nil
}

// readLuneWebhook reads a Lune webhook for a refresh; a miss is confirmed with a get by id, paced
// by the client's rate limiter like every request.
func (c *Clients) readLuneWebhook(ctx context.Context, id string) (*lune.Webhook, error) {
	return findShared(ctx, c.shared.luneWebhooks, id, func(w *lune.Webhook) string { return w.ID },
		func(ctx context.Context, _ uint64) (*lune.Webhook, error) { return c.Lune.Client.GetWebhook(ctx, id) })
}

// readPartnerWebhook reads a BLAZE webhook for a refresh; a miss is confirmed with a get by id
// (which also reports a soft-deleted webhook as not found).
func (c *Clients) readPartnerWebhook(ctx context.Context, id string) (*blaze.Webhook, error) {
	return findShared(ctx, c.shared.partnerWebhooks, id, func(w *blaze.Webhook) string { return w.ID },
		func(ctx context.Context, _ uint64) (*blaze.Webhook, error) { return c.Blaze.Client.GetWebhook(ctx, id) })
}

// readInveterateWebhookSubscription reads an Inveterate subscription for a refresh. Inveterate has no
// get by id, so a miss is confirmed with a list taken after the one that missed; the reads that
// missed together share it.
func (c *Clients) readInveterateWebhookSubscription(ctx context.Context, id string) (*inveterate.Subscription, error) {
	list := c.shared.inveterateWebhookSubscriptions
	idOf := func(s *inveterate.Subscription) string { return s.ID }
	return findShared(ctx, list, id, idOf, func(ctx context.Context, missedIn uint64) (*inveterate.Subscription, error) {
		return findFresh(ctx, list, missedIn, id, idOf, c.Inveterate.Client.FindSubscription)
	})
}

// readInveterateWebhook is readInveterateWebhookSubscription for admin webhooks.
func (c *Clients) readInveterateWebhook(ctx context.Context, id string) (*inveterate.Webhook, error) {
	list := c.shared.inveterateWebhooks
	idOf := func(w *inveterate.Webhook) string { return w.ID }
	return findShared(ctx, list, id, idOf, func(ctx context.Context, missedIn uint64) (*inveterate.Webhook, error) {
		return findFresh(ctx, list, missedIn, id, idOf, c.Inveterate.Client.FindWebhook)
	})
}

// findFresh looks for id in a list taken after the call numbered missedIn; without a shared list
// it uses find.
func findFresh[T any](ctx context.Context, list *listCache[T], missedIn uint64, id string, idOf func(*T) string, find func(context.Context, string) (*T, error)) (*T, error) {
	if list == nil {
		return find(ctx, id)
	}
	call, err := list.freshAfter(ctx, missedIn)
	if err != nil {
		return nil, err
	}
	if found := findByID(call.items, id, idOf); found != nil {
		return found, nil
	}
	return nil, &httpclient.APIError{Kind: httpclient.ErrNotFound, Vendor: "Inveterate", Message: fmt.Sprintf("%q is not in a fresh list", id)}
}

// deleted turns the answer to a delete into its error: "not found" means the object is already
// gone, which is success, but only once the vendor's list answers, because a wrong base URL
// answers "not found" to everything and a destroy must not report success for hooks it never
// reached.
func deleted[T any](ctx context.Context, list *listCache[T], err error) error {
	if !httpclient.IsNotFound(err) {
		return err
	}
	if list != nil {
		if _, listErr := list.get(ctx); listErr != nil {
			return listErr
		}
	}
	return nil
}
