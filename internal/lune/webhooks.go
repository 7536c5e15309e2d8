package lune

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// IDPattern is the shape of a Lune webhook id: 32 letters and digits.
var IDPattern = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)

// URLPattern is the pattern Lune's API documents and enforces on webhook URLs.
var URLPattern = regexp.MustCompile(`^https:\/\/[-a-zA-Z0-9@:%._\+~#=]{2,256}\.[a-z]{2,6}\b([-a-zA-Z0-9@:%_\+.~#?&\/\/=]*)$`)

// Webhook is a Lune webhook.
type Webhook struct {
	ID      string `json:"id"`
	URL     string `json:"url"`
	Enabled bool   `json:"enabled"`
	// AccountType is "live" or "test", from the API key's mode.
	AccountType string `json:"account_type"`
	// AccountIDs filters the accounts whose events are pushed; empty means all accounts.
	AccountIDs []string  `json:"account_ids,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// Secret is the full signing secret in the answers to create and rotate, and only its last
	// four characters otherwise.
	Secret string `json:"secret"`
}

// SecretLast4 returns the last four characters of the secret, whatever form the API gave it in.
func (w *Webhook) SecretLast4() string {
	if len(w.Secret) <= 4 {
		return w.Secret
	}
	return w.Secret[len(w.Secret)-4:]
}

// CreateWebhookInput is the body of a create. Lune's create takes no "enabled": new webhooks are
// enabled.
type CreateWebhookInput struct {
	URL        string   `json:"url"`
	AccountIDs []string `json:"account_ids,omitempty"`
}

// UpdateWebhookInput is the body of an update. A nil Enabled or AccountIDs leaves the value as
// it is; Lune cannot clear AccountIDs once set.
type UpdateWebhookInput struct {
	URL        string   `json:"url"`
	Enabled    *bool    `json:"enabled,omitempty"`
	AccountIDs []string `json:"account_ids,omitempty"`
}

func webhookPath(id string) string { return "/v1/webhooks/" + url.PathEscape(id) }

// CreatedID names the webhook a create answered with (httpclient.Identified).
func (w *Webhook) CreatedID() string { return w.ID }

// Validate rejects an answer without the webhook's id (httpclient.Validator).
func (w *Webhook) Validate() error {
	if w.ID == "" {
		return errors.New("the webhook in the answer has no id")
	}
	return nil
}

// webhookList is a list answer; every webhook in it must be complete.
type webhookList []Webhook

// Validate rejects a list with an incomplete webhook (httpclient.Validator).
func (l webhookList) Validate() error {
	for i := range l {
		if err := l[i].Validate(); err != nil {
			return fmt.Errorf("webhook %d of the list: %w", i, err)
		}
	}
	return nil
}

// ListWebhooks returns every webhook, or with accountIDs those that push events of any of those
// accounts (which includes every webhook without an account filter).
func (c *Client) ListWebhooks(ctx context.Context, accountIDs []string) ([]Webhook, error) {
	q := url.Values{}
	for _, id := range accountIDs {
		q.Add("account_id", id)
	}
	var out webhookList
	if _, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodGet, Path: "/v1/webhooks", Query: q, MustExist: true}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetWebhook returns one webhook; its Secret holds only the last four characters.
func (c *Client) GetWebhook(ctx context.Context, id string) (*Webhook, error) {
	var out Webhook
	if _, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodGet, Path: webhookPath(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateWebhook creates a webhook and returns it with its full signing secret.
//
// When the answer to the create is lost, the webhook it may have made is looked for: same URL and
// account filter, created around the request, not made or adopted by another create of this
// process (httpclient.ClaimOnly). The only such webhook is adopted, and its secret, which nobody
// has seen, is rotated so that the caller still gets a full secret. When several match, none is
// adopted and none rotated: the error (*httpclient.AmbiguousError) lists them.
//
// If that rotation fails, CreateWebhook returns the adopted webhook (Secret holding only what a
// read shows) together with the error: the webhook exists and the caller must keep track of it.
func (c *Client) CreateWebhook(ctx context.Context, in CreateWebhookInput) (*Webhook, error) {
	defer c.wrote()
	var out Webhook
	adopted, err := c.http.CreateOrAdopt(ctx, httpclient.Request{Method: http.MethodPost, Path: "/v1/webhooks", Body: in}, &out,
		func(ctx context.Context, lk *httpclient.Lookup) (bool, error) {
			found, err := c.findCreated(ctx, lk, in)
			if found != nil {
				out = *found
			}
			return found != nil, err
		})
	if err != nil {
		return nil, err
	}
	if !adopted {
		return &out, nil
	}
	// Even when the create was interrupted, get the adopted webhook a secret someone knows.
	rotateCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	rotated, err := c.RotateSecret(rotateCtx, out.ID)
	if err != nil {
		return &out, fmt.Errorf("adopted webhook %s, whose create answer was lost, but rotating its unseen secret failed: %w", out.ID, err)
	}
	return rotated, nil
}

// findCreated claims and returns the one unclaimed webhook matching in that was created around
// the create (httpclient.ClaimOnly), nil when there is none, and an error when there are several.
func (c *Client) findCreated(ctx context.Context, lk *httpclient.Lookup, in CreateWebhookInput) (*Webhook, error) {
	all, err := c.ListWebhooks(ctx, nil)
	if err != nil {
		return nil, err
	}
	return httpclient.ClaimOnly(ctx, lk, all, func(w *Webhook) httpclient.Candidate {
		return httpclient.Candidate{ID: w.ID, Created: w.CreatedAt, Matches: w.URL == in.URL && httpclient.SameSet(w.AccountIDs, in.AccountIDs)}
	})
}

// UpdateWebhook changes a webhook and returns it (with the last four characters of the secret).
func (c *Client) UpdateWebhook(ctx context.Context, id string, in UpdateWebhookInput) (*Webhook, error) {
	defer c.wrote()
	var out Webhook
	if _, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodPut, Path: webhookPath(id), Body: in}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteWebhook deletes a webhook. A webhook that does not exist gives ErrNotFound.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	defer c.wrote()
	_, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodDelete, Path: webhookPath(id)}, nil)
	return err
}

// RotateSecret replaces the webhook's signing secret and returns the webhook with the new full
// secret. The old secret stops working at once. Repeating a rotation whose answer was lost is
// harmless: the secret that finally comes back is the valid one.
func (c *Client) RotateSecret(ctx context.Context, id string) (*Webhook, error) {
	defer c.wrote()
	var out Webhook
	if _, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodPut, Path: webhookPath(id) + "/rotate-secret"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
