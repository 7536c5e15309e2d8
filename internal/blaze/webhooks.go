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

// UnmarshalJSON reads the typed fields and keeps the rest in Extra. BLAZE's created and modified
// are optional: absent or null, they are the zero time (not known), not the epoch, which would make
// the webhook look decades old.
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
	if p.Created != nil {
		w.Created = time.UnixMilli(*p.Created).UTC()
	}
	if p.Modified != nil {
		w.Modified = time.UnixMilli(*p.Modified).UTC()
	}
	if len(all) > 0 {
		w.Extra = all
	}
	return nil
}

// MarshalJSON writes the typed fields and everything in Extra. A zero Created or Modified is left
// out: BLAZE owns those fields, and an update sends the whole object back, so a time that BLAZE did
// not send must not come back as an invented one.
func (w Webhook) MarshalJSON() ([]byte, error) {
	millis := func(t time.Time) *int64 {
		if t.IsZero() {
			return nil
		}
		ms := t.UnixMilli()
		return &ms
	}
	typed, err := json.Marshal(wireWebhook{plainWebhook(w), millis(w.Created), millis(w.Modified)})
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
// times in epoch milliseconds, nil when absent (or null).
type (
	plainWebhook Webhook
	wireWebhook  struct {
		plainWebhook
		Created  *int64 `json:"created,omitempty"`
		Modified *int64 `json:"modified,omitempty"`
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

// ListWebhooks reads every page and returns the webhooks that are not deleted, each once. Every
// webhook that exists for the whole pass is listed, even while others are created or deleted (see
// ListWebhookPages); one created or deleted during the pass may or may not be. A caller that must
// not decide from a list caught in the middle of a change uses ListWebhooksConsistent.
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

// maxConsistentPasses bounds ListWebhooksConsistent: a list that changes under every pass of a few
// is not going to hold still soon.
const maxConsistentPasses = 4

// ListWebhooksConsistent lists the webhooks like ListWebhooks, pass after pass, until two passes
// in a row list the same webhooks (by id), and returns the last pass. It is for the lookup after a
// lost create answer, which decides from the list whether the create happened: one pass promises
// only that the webhooks that existed throughout it are listed, so a webhook being created or
// deleted meanwhile (by somebody else, or by this run in parallel) may be in it or not. When
// maxConsistentPasses passes still disagree, the list kept changing and nothing can be concluded
// from it: that is an ErrServer error.
func (c *Client) ListWebhooksConsistent(ctx context.Context, opts ListOptions) ([]Webhook, error) {
	var previous map[string]bool
	for range maxConsistentPasses {
		all, err := c.ListWebhooks(ctx, opts)
		if err != nil {
			return nil, err
		}
		ids := make(map[string]bool, len(all))
		for _, w := range all {
			ids[w.ID] = true
		}
		same := previous != nil && len(previous) == len(ids)
		for id := range ids {
			same = same && previous[id]
		}
		if same {
			return all, nil
		}
		previous = ids
	}
	return nil, &httpclient.APIError{Kind: httpclient.ErrServer, Vendor: "BLAZE", Method: http.MethodGet, Path: webhooksPath,
		Message: fmt.Sprintf("the list of webhooks kept changing: %d passes in a row listed different webhooks, so it cannot tell "+
			"which exist. Try again later", maxConsistentPasses)}
}

// maxPages caps one pass over the list: 100,000 webhooks at the default page size. A server whose
// paging is broken (it ignores start, or never ends) is stopped there, not followed forever. The
// requests that step back (see ListWebhookPages) count too.
const maxPages = 1000

// pageOverlap is how many webhooks at the end of a page the next page asks for again (at most half
// a page, so that every page moves on). Fewer deletions than that between two pages cost nothing;
// more cost a step back (see ListWebhookPages), an extra request, never a missed webhook.
const pageOverlap = 5

// ListWebhookPages reads the list page by page, in BLAZE's order, and calls yield with each page's
// webhooks that are not deleted (and not already seen on an earlier page) as soon as it arrives,
// so that a caller can use the first webhooks before the last page is read. It stops after the
// last page (an empty one, one that brings nothing beyond the webhooks it asked for again, or once
// total is reached), or as soon as yield returns false.
//
// BLAZE pages by offset over a list ordered by created. A webhook deleted between two requests
// moves every later one a place towards the head, so a plain offset pager would skip the webhook
// at the page boundary. Each page therefore starts a few webhooks (pageOverlap) before the end of
// the previous one, and must hold at least one webhook already read: since the order is stable,
// that proves the page starts no later than the first webhook not yet read. A page that holds none
// (more was deleted than the overlap covers) is not used: the request is sent again from further
// back, each time asking for twice as many webhooks again, until a page holds one; the head of the
// list always qualifies, so the step-backs are bounded. New webhooks go last and only push later ones back, which the overlap and the dedupe by
// id absorb. So a webhook that exists for the whole pass is always listed, once; one created or
// deleted during the pass may or may not be. Pages of one webhook cannot overlap and lose that
// guarantee.
//
// A full page of nothing but webhooks already read, more of them than it asked for again, or more
// than maxPages requests, means the server's paging is broken: that is an error, not a loop.
func (c *Client) ListWebhookPages(ctx context.Context, opts ListOptions, yield func(page []Webhook) bool) error {
	seen := map[string]bool{}
	// start is the offset of the next request. frontier is the offset just past the furthest
	// webhook read (as the answer that brought it counted), so frontier-start webhooks at the head
	// of the next page are asked for again. full is the longest page answered so far: the server's
	// page size, whatever limit was asked for.
	start, frontier, full := 0, 0, 0
	for pages := 0; ; pages++ {
		if pages == maxPages {
			return brokenPaging(fmt.Sprintf("it was still answering after %d pages (%d webhooks)", maxPages, len(seen)))
		}
		q := url.Values{}
		q.Set("start", strconv.Itoa(start))
		q.Set("limit", strconv.Itoa(c.pageSize))
		if opts.ShopID != "" {
			q.Set("shopId", opts.ShopID)
		}
		var p page
		if _, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodGet, Path: webhooksPath, Query: q, MustExist: true}, &p); err != nil {
			return err
		}
		items := p.SearchResult
		if items == nil {
			items = p.Values
		}
		asked := frontier - start
		anchored := start == 0 || asked == 0 // nothing to overlap: the head of the list, or pages of one
		for i := 0; i < len(items) && !anchored; i++ {
			anchored = seen[items[i].ID]
		}
		if !anchored {
			// Not one webhook of this page was read before: the list moved towards the head by more
			// than the overlap (or the overlapped webhooks themselves were deleted), and this page
			// may begin past webhooks never read. Ask again from further back.
			start = max(0, start-asked)
			continue
		}
		if len(items) == 0 {
			return nil
		}
		full = max(full, len(items))
		var live []Webhook
		news := 0
		for _, w := range items {
			// The overlap, and webhooks created earlier in the order, repeat webhooks: keep one copy.
			if seen[w.ID] {
				continue
			}
			seen[w.ID] = true
			news++
			if !w.Deleted {
				live = append(live, w)
			}
		}
		if len(live) > 0 && !yield(live) {
			return nil
		}
		if p.Total != nil && start+len(items) >= *p.Total {
			return nil
		}
		if news > 0 {
			frontier = start + len(items)
		} else {
			switch {
			case len(items) < full:
				// A short page of webhooks read before: nothing comes after them.
				return nil
			case len(items) > asked:
				// A full page, of more webhooks read before than it asked for again, and nothing
				// else: the server did not move on (it ignores start, say).
				return brokenPaging(fmt.Sprintf("the page at start=%d repeated only webhooks of earlier pages", start))
			}
			// A full page of webhooks read before: ground covered again after a step back. Go on.
			frontier = max(frontier, start+len(items))
		}
		start += len(items) - min(pageOverlap, len(items)/2)
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
			// Two passes that agree: a webhook missed while others come and go would be created twice.
			all, err := c.ListWebhooksConsistent(ctx, ListOptions{ShopID: in.ShopID})
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
