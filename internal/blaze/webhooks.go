package blaze

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// IDPattern is the shape of BLAZE's ids (webhooks, shops, companies): 24 lowercase hexadecimal
// characters.
var IDPattern = regexp.MustCompile(`^[0-9a-f]{24}$`)

const webhooksPath = "/api/v1/partner/webHooks"

// WebhookTypes are the webhook types BLAZE documents.
var WebhookTypes = []string{
	"NEW_CONSUMER_ORDER",
	"NEW_CONSUMER_SIGNUP",
	"UPDATE_CONSUMER_ORDER",
	"UPDATE_CONSUMER_USER",
	"NEW_MEMBER",
	"UPDATE_MEMBER",
	"CREATE_TRANSACTION",
	"UPDATE_TRANSACTION",
	"CANCEL_TRANSACTION",
	"COMPLETE_TRANSACTION",
	"UPDATE_PRODUCT",
}

// Webhook is a PartnerWebHook. Extra keeps every field this client does not know, so that an
// update (a full replacement) sends them back.
type Webhook struct {
	ID        string `json:"id"`
	CompanyID string `json:"companyId"`
	ShopID    string `json:"shopId"`
	// Created and Modified travel as epoch milliseconds.
	Created     time.Time `json:"-"`
	Modified    time.Time `json:"-"`
	Deleted     bool      `json:"deleted"`
	Updated     bool      `json:"updated"`
	URL         string    `json:"url"`
	WebHookType string    `json:"webHookType"`
	WebHookURLs []string  `json:"webHookUrls"`

	Extra map[string]json.RawMessage `json:"-"`
}

// knownFields are the JSON keys of Webhook's typed fields.
var knownFields = []string{"id", "companyId", "shopId", "created", "modified", "deleted", "updated", "url", "webHookType", "webHookUrls"}

// UnmarshalJSON reads the typed fields and keeps the rest in Extra.
func (w *Webhook) UnmarshalJSON(data []byte) error {
	var p wireWebhook
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	for _, k := range knownFields {
		delete(all, k)
	}
	*w = Webhook(p.plainWebhook)
	w.Created, w.Modified = time.UnixMilli(p.Created).UTC(), time.UnixMilli(p.Modified).UTC()
	if len(all) > 0 {
		w.Extra = all
	}
	return nil
}

// MarshalJSON writes the typed fields and everything in Extra.
func (w Webhook) MarshalJSON() ([]byte, error) {
	typed, err := json.Marshal(wireWebhook{plainWebhook(w), w.Created.UnixMilli(), w.Modified.UnixMilli()})
	if err != nil || len(w.Extra) == 0 {
		return typed, err
	}
	all := make(map[string]json.RawMessage, len(w.Extra)+len(knownFields))
	for k, v := range w.Extra {
		all[k] = v
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(typed, &fields); err != nil {
		return nil, err
	}
	for k, v := range fields {
		all[k] = v
	}
	return json.Marshal(all)
}

// plainWebhook is Webhook without its JSON methods; wireWebhook is it as BLAZE sends it, with the
// times in epoch milliseconds.
type (
	plainWebhook Webhook
	wireWebhook  struct {
		plainWebhook
		Created  int64 `json:"created"`
		Modified int64 `json:"modified"`
	}
)

// CreateWebhookInput is the body of a create. An empty ShopID means the developer key's shop.
type CreateWebhookInput struct {
	WebHookType string   `json:"webHookType"`
	WebHookURLs []string `json:"webHookUrls"`
	ShopID      string   `json:"shopId,omitempty"`
	URL         string   `json:"url,omitempty"`
}

// UpdateWebhookInput holds the fields the caller manages. The update sends the whole object, so
// every other field keeps its current value.
type UpdateWebhookInput struct {
	WebHookType string
	WebHookURLs []string
	URL         string
}

func webhookPath(id string) string { return webhooksPath + "/" + url.PathEscape(id) }

// CreatedID names the webhook a create answered with (httpclient.Identified).
func (w *Webhook) CreatedID() string { return w.ID }

// Validate rejects an answer without the webhook's id (httpclient.Validator).
func (w *Webhook) Validate() error {
	if w.ID == "" {
		return errors.New("the webhook in the answer has no id")
	}
	return nil
}

// errDeleted is the not-found answer for a soft-deleted webhook.
func errDeleted(id string) error {
	return &httpclient.APIError{Kind: httpclient.ErrNotFound, Vendor: "BLAZE", Method: http.MethodGet, Path: webhookPath(id), Message: "the webhook is deleted"}
}

// GetWebhook returns one webhook. A soft-deleted webhook (deleted: true) gives ErrNotFound, like
// one that never existed.
func (c *Client) GetWebhook(ctx context.Context, id string) (*Webhook, error) {
	var out Webhook
	if _, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodGet, Path: webhookPath(id)}, &out); err != nil {
		return nil, err
	}
	if out.Deleted {
		return nil, errDeleted(id)
	}
	return &out, nil
}

// ListOptions filters a list.
type ListOptions struct {
	// ShopID keeps one shop's webhooks (empty: every shop of the company).
	ShopID string
}

// page accepts both of BLAZE's list shapes: {"count","total","searchResult"} and the older
// {"values","skip","limit","total"}.
type page struct {
	Total        *int      `json:"total"`
	SearchResult []Webhook `json:"searchResult"`
	Values       []Webhook `json:"values"`
}

// Validate rejects a page with a webhook without its id, or with a negative total
// (httpclient.Validator).
func (p *page) Validate() error {
	if p.Total != nil && *p.Total < 0 {
		return fmt.Errorf("the page's total is %d", *p.Total)
	}
	for _, items := range [][]Webhook{p.SearchResult, p.Values} {
		for i := range items {
			if err := items[i].Validate(); err != nil {
				return fmt.Errorf("webhook %d of the page: %w", i, err)
			}
		}
	}
	return nil
}

// ListWebhooks reads every page and returns the webhooks that are not deleted.
func (c *Client) ListWebhooks(ctx context.Context, opts ListOptions) ([]Webhook, error) {
	var all []Webhook
	err := c.ListWebhookPages(ctx, opts, func(page []Webhook) bool {
		all = append(all, page...)
		return true
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// maxPages caps one pass over the list: 100,000 webhooks at the default page size. A server whose
// paging is broken (it ignores start, or never ends) is stopped there, not followed forever.
const maxPages = 1000

// ListWebhookPages reads the list page by page, in BLAZE's order, and calls yield with each page's
// webhooks that are not deleted (and not already seen on an earlier page) as soon as it arrives,
// so that a caller can use the first webhooks before the last page is read. It stops after the
// last page (an empty one, or once total is reached), or as soon as yield returns false. A page
// that brings no webhook not seen before, or more than maxPages pages, means the server's paging
// is broken: that is an error, not a loop.
func (c *Client) ListWebhookPages(ctx context.Context, opts ListOptions, yield func(page []Webhook) bool) error {
	seen := map[string]bool{}
	for start, pages := 0, 0; ; pages++ {
		if pages == maxPages {
			return brokenPaging(fmt.Sprintf("it was still answering after %d pages (%d webhooks)", maxPages, start))
		}
		q := url.Values{}
		q.Set("start", strconv.Itoa(start))
		q.Set("limit", strconv.Itoa(c.pageSize))
		if opts.ShopID != "" {
			q.Set("shopId", opts.ShopID)
		}
		var p page
		if _, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodGet, Path: webhooksPath, Query: q}, &p); err != nil {
			return httpclient.ListError(err, "/api/v1")
		}
		items := p.SearchResult
		if items == nil {
			items = p.Values
		}
		if len(items) == 0 {
			return nil
		}
		var live []Webhook
		news := 0
		for _, w := range items {
			// Pages shift when a webhook is created or deleted between two calls: keep one copy.
			if seen[w.ID] {
				continue
			}
			seen[w.ID] = true
			news++
			if !w.Deleted {
				live = append(live, w)
			}
		}
		if news == 0 {
			return brokenPaging(fmt.Sprintf("the page at start=%d repeated only webhooks of earlier pages", start))
		}
		if len(live) > 0 && !yield(live) {
			return nil
		}
		start += len(items)
		if p.Total != nil && start >= *p.Total {
			return nil
		}
	}
}

// brokenPaging is the error of a list whose paging cannot be followed to its end.
func brokenPaging(why string) error {
	return &httpclient.APIError{Kind: httpclient.ErrServer, Vendor: "BLAZE", Method: http.MethodGet, Path: webhooksPath,
		Message: "BLAZE's paging looks broken: " + why + "; the list was stopped there. Try again later, or check the base URL"}
}

// CreateWebhook creates a webhook.
//
// BLAZE has no idempotency key: when the answer to a create is lost, the webhook it may have made
// is looked for (same type, URLs and shop, created around the request, not claimed by this
// process) and adopted when it is the only one; the create is sent again only when there is none,
// and fails when there are several.
func (c *Client) CreateWebhook(ctx context.Context, in CreateWebhookInput) (*Webhook, error) {
	defer c.wrote()
	var out Webhook
	_, err := c.http.CreateOrAdopt(ctx, httpclient.Request{Method: http.MethodPost, Path: webhooksPath, Body: in}, &out,
		func(ctx context.Context, lk *httpclient.Lookup) (bool, error) {
			all, err := c.ListWebhooks(ctx, ListOptions{ShopID: in.ShopID})
			if err != nil {
				return false, err
			}
			found, err := httpclient.ClaimOnly(ctx, lk, all, func(w *Webhook) httpclient.Candidate {
				return httpclient.Candidate{ID: w.ID, Created: w.Created,
					Matches: w.WebHookType == in.WebHookType && w.URL == in.URL && httpclient.SameSet(w.WebHookURLs, in.WebHookURLs)}
			})
			if found != nil {
				out = *found
			}
			return found != nil, err
		})
	if err != nil {
		return nil, shopError(in.ShopID, err)
	}
	return &out, nil
}

// shopError explains BLAZE's 403 to a create that names a shop: a developer key is tied to one
// company and shop, and BLAZE's own message does not say which argument to change.
func shopError(shopID string, err error) error {
	var apiErr *httpclient.APIError
	if shopID == "" || !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden {
		return err
	}
	return fmt.Errorf("the developer key may not manage webhooks of shop %s (a BLAZE developer key is tied to one company and shop: "+
		"leave the shop out to use the key's own, or use a developer key of shop %s): %w", shopID, shopID, err)
}

// UpdateWebhook changes the managed fields of a webhook. BLAZE's PUT replaces the whole object,
// so the current object is read first and sent back with only the managed fields changed: fields
// this provider does not manage survive.
func (c *Client) UpdateWebhook(ctx context.Context, id string, in UpdateWebhookInput) (*Webhook, error) {
	defer c.wrote()
	current, err := c.GetWebhook(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reading the webhook before updating it: %w", err)
	}
	current.WebHookType = in.WebHookType
	current.WebHookURLs = in.WebHookURLs
	current.URL = in.URL
	var out Webhook
	if _, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodPut, Path: webhookPath(id), Body: current}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteWebhook deletes a webhook (BLAZE marks it deleted). Deleting one that is already deleted
// succeeds; one that never existed gives ErrNotFound.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	defer c.wrote()
	_, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodDelete, Path: webhookPath(id)}, nil)
	return err
}
