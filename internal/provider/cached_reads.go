package provider

import (
	"context"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
)

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
		if found := c.find(id, idOf); found != nil {
			return found, nil
		}
		missedIn = c.seq
	}
	return confirm(ctx, missedIn)
}

// readLuneWebhook reads a Lune webhook for a refresh; a miss is confirmed with a get by id, paced
// by the client's rate limiter like every request.
func (c *Clients) readLuneWebhook(ctx context.Context, id string) (*lune.Webhook, error) {
	return findShared(ctx, c.lists.luneWebhooks, id, func(w *lune.Webhook) string { return w.ID },
		func(ctx context.Context, _ uint64) (*lune.Webhook, error) { return c.Lune.Client.GetWebhook(ctx, id) })
}

// readPartnerWebhook reads a BLAZE webhook for a refresh; a miss is confirmed with a get by id
// (which also reports a soft-deleted webhook as not found).
func (c *Clients) readPartnerWebhook(ctx context.Context, id string) (*blaze.Webhook, error) {
	return findShared(ctx, c.lists.partnerWebhooks, id, func(w *blaze.Webhook) string { return w.ID },
		func(ctx context.Context, _ uint64) (*blaze.Webhook, error) { return c.Blaze.Client.GetWebhook(ctx, id) })
}

// readInveterateWebhookSubscription reads an Inveterate subscription for a refresh. Inveterate has
// no get by id, so a miss is confirmed with a list taken after the one that missed; the reads that
// missed together share it.
func (c *Clients) readInveterateWebhookSubscription(ctx context.Context, id string) (*inveterate.Subscription, error) {
	list := c.lists.inveterateWebhookSubscriptions
	idOf := func(s *inveterate.Subscription) string { return s.ID }
	return findShared(ctx, list, id, idOf, func(ctx context.Context, missedIn uint64) (*inveterate.Subscription, error) {
		if list == nil {
			return c.Inveterate.Client.FindSubscription(ctx, id)
		}
		found, err := list.findAfter(ctx, missedIn, id, idOf)
		if found == nil && err == nil {
			err = inveterate.NotListed("webhook subscription", id)
		}
		return found, err
	})
}

// readInveterateWebhook is readInveterateWebhookSubscription for admin webhooks.
func (c *Clients) readInveterateWebhook(ctx context.Context, id string) (*inveterate.Webhook, error) {
	list := c.lists.inveterateWebhooks
	idOf := func(w *inveterate.Webhook) string { return w.ID }
	return findShared(ctx, list, id, idOf, func(ctx context.Context, missedIn uint64) (*inveterate.Webhook, error) {
		if list == nil {
			return c.Inveterate.Client.FindWebhook(ctx, id)
		}
		found, err := list.findAfter(ctx, missedIn, id, idOf)
		if found == nil && err == nil {
			err = inveterate.NotListed("webhook", id)
		}
		return found, err
	})
}
