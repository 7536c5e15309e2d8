package inveterate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

const webhooksPath = "/v2.0/admin/webhooks"

// WebhookEvents are the events every admin webhook receives; there is no per-webhook filter.
var WebhookEvents = []string{
	"merchant.updated",
	"merchant.reinstall",
	"customer.created",
	"customer.updated",
	"customer.credits.updated",
	"customer.ordered",
	"customer.cancellation_requested",
	"customer.confirmed_cancellation",
}

// Webhook is an admin webhook. Token is set only in the answer to a create.
type Webhook struct {
	ID           string `json:"id"`
	MerchantID   string `json:"merchantId,omitempty"`
	CallbackURL  string `json:"callbackUrl"`
	Name         string `json:"name,omitempty"`
	CreatedByApp string `json:"createdByApp,omitempty"`
	// CreatedAt is zero when Inveterate leaves it out.
	CreatedAt time.Time `json:"-"`
	Token     string    `json:"token,omitempty"`
}

// webhookWire is an admin webhook as Inveterate sends it, its timestamp as a string: a list decodes
// straight into it (see subscriptionWire).
type webhookWire struct {
	ID           string `json:"id"`
	MerchantID   string `json:"merchantId"`
	CallbackURL  string `json:"callbackUrl"`
	Name         string `json:"name"`
	CreatedByApp string `json:"createdByApp"`
	CreatedAt    string `json:"createdAt"`
	Token        string `json:"token"`
}

// webhook is w with its RFC 3339 timestamp as a time.
func (w *webhookWire) webhook() Webhook {
	return Webhook{ID: w.ID, MerchantID: w.MerchantID, CallbackURL: w.CallbackURL, Name: w.Name, CreatedByApp: w.CreatedByApp,
		CreatedAt: parseTime(w.CreatedAt), Token: w.Token}
}

// UnmarshalJSON reads an admin webhook, with its RFC 3339 timestamp as a time.
func (w *Webhook) UnmarshalJSON(data []byte) error {
	return decodeVia(data, w, (*webhookWire).webhook)
}

// Validate rejects a webhook without its id (httpclient.Validator).
func (w *Webhook) Validate() error {
	if w.ID == "" {
		return errors.New("the webhook has no id")
	}
	return nil
}

// CreateWebhookInput is the body of a create.
type CreateWebhookInput struct {
	CallbackURL string `json:"callbackUrl"`
	Name        string `json:"name,omitempty"`
}

type webhookKey struct {
	ID string `json:"id"`
}

// ListWebhooks returns every admin webhook the list shows now (never with a token).
func (c *Client) ListWebhooks(ctx context.Context) ([]Webhook, error) {
	return list(ctx, c, webhooksPath, (*webhookWire).webhook)
}

// FindWebhook returns the admin webhook with id from a fresh list, or ErrNotFound.
func (c *Client) FindWebhook(ctx context.Context, id string) (*Webhook, error) {
	all, err := c.ListWebhooks(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, NotListed("webhook", id)
}

// CreateWebhook creates an admin webhook and returns it with its security token, which the API
// returns only here. It shows in the list only a little later (see WaitForWebhook, which its caller
// is expected to call next, as after CreateSubscription).
//
// When the answer is lost, a webhook the create may have made is useless: its token can never be
// read. So it is looked for (for up to the visibility wait), deleted if it is the only match, and
// the create is sent again. When several match, none is deleted and the create fails.
func (c *Client) CreateWebhook(ctx context.Context, in CreateWebhookInput) (*Webhook, error) {
	var out Webhook
	err := c.createOrAdopt(ctx, httpclient.Request{Method: http.MethodPost, Path: webhooksPath, Body: in}, &out,
		func(ctx context.Context, lk *httpclient.Lookup) (bool, error) {
			_, err := c.poll(ctx, c.visibilityWait, func(ctx context.Context) (bool, error) {
				all, err := c.ListWebhooks(ctx)
				if err != nil {
					return false, err
				}
				// Claimed, so that no other search picks it up while it leaves the list. When several
				// match, or one has no creation time, none is deleted: one may be somebody else's.
				found, err := httpclient.ClaimOnly(ctx, lk, all, func(w *Webhook) httpclient.Candidate {
					return httpclient.Candidate{ID: w.ID, Created: w.CreatedAt, Matches: w.CallbackURL == in.CallbackURL && w.Name == in.Name}
				})
				if found == nil {
					return false, err
				}
				// No wait follows this delete: the claim keeps the other searches off the webhook while it
				// leaves the list.
				if err := c.DeleteWebhook(ctx, found.ID); err != nil && !httpclient.IsNotFound(err) {
					return false, fmt.Errorf("deleting admin webhook %s, which the create made and whose token was lost: %w", found.ID, err)
				}
				return true, nil
			})
			// Never adopt: the caller needs a token, so create again either way.
			return false, err
		})
	if err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, errNoID("webhook", webhooksPath)
	}
	return &out, nil
}

// DeleteWebhook deletes an admin webhook. The API drops it from the list only a little later
// (see WaitForWebhookGone, which its caller is expected to call next). One that does not exist
// gives ErrNotFound.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	return c.write(ctx, httpclient.Request{Method: http.MethodDelete, Path: webhooksPath, Body: webhookKey{ID: id}}, nil)
}

// WaitForWebhook waits until the admin webhook with id shows in the list, for at most wait, and
// returns it as listed. It returns ErrNotFound if it never shows. Waits that overlap share their
// list calls.
func (c *Client) WaitForWebhook(ctx context.Context, id string, wait time.Duration) (*Webhook, error) {
	found, ok, err := c.webhooks.await(ctx, id, false, time.Time{}, wait)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, NotListed("webhook", id)
	}
	listed, err := decodeListed(found, (*webhookWire).webhook)
	return listed, onList(webhooksPath, err)
}

// WaitForWebhookGone waits until the admin webhook with id has left the list, for at most wait. It
// reports whether it left. deleted is no later than its delete was sent (the time DeleteWebhook was
// called; zero: when this wait begins): a list sent since that no longer shows the webhook is taken,
// even if it went out before the delete was answered, because a webhook that was listed stays
// listed until it is deleted. Waits that overlap share their list calls.
func (c *Client) WaitForWebhookGone(ctx context.Context, id string, deleted time.Time, wait time.Duration) (bool, error) {
	_, gone, err := c.webhooks.await(ctx, id, true, deleted, wait)
	return gone, err
}
