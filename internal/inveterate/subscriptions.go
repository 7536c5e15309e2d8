package inveterate

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// IDPattern is the shape of the id of an Inveterate subscription or admin webhook: 32 lowercase
// hexadecimal characters.
var IDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// TopicPattern is the shape of every Inveterate topic: dot-separated words of lowercase letters
// and underscores.
var TopicPattern = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)+$`)

const subscriptionsPath = "/v2.0/admin/webhook-subscriptions"

// Topics are the webhook subscription topics Inveterate documents. Inveterate adds topics over
// time, so callers should not reject a well-formed topic missing from this list.
var Topics = []string{
	"customer.joined.paid_tier",
	"customer.joined.free_tier",
	"customer.joined.free_trial",
	"customer.joined.lifetime_tier",
	"customer.changed_tier",
	"customer.updated",
	"customer.ordered",
	"customer.payment_succeeded",
	"customer.payment_failed",
	"customer_billing.attempt.failed",
	"customer.payment_methods.updated",
	"customer.credits.updated",
	"customer.credits.expired",
	"customer.cancelled",
	"customer.pending_cancellation",
}

// Subscription is a webhook subscription. Every field but ID and Topic may be absent.
type Subscription struct {
	ID          string `json:"id"`
	Topic       string `json:"topic"`
	CallbackURL string `json:"callbackUrl"`
	Name        string `json:"name"`
	MerchantID  string `json:"merchantId,omitempty"`
	// CreatedAt and UpdatedAt are zero when Inveterate leaves them out.
	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// subscriptionWire is a subscription as Inveterate sends it, its timestamps as strings. A list
// decodes straight into it, with no decoder of its own per record: a list that confirms creates at
// scale carries thousands of them.
type subscriptionWire struct {
	ID          string `json:"id"`
	Topic       string `json:"topic"`
	CallbackURL string `json:"callbackUrl"`
	Name        string `json:"name"`
	MerchantID  string `json:"merchantId"`
	CreatedAt   string `json:"createdAt"`
	UpdatedAt   string `json:"updatedAt"`
}

// subscription is w with its RFC 3339 timestamps as times.
func (w *subscriptionWire) subscription() Subscription {
	return Subscription{ID: w.ID, Topic: w.Topic, CallbackURL: w.CallbackURL, Name: w.Name, MerchantID: w.MerchantID,
		CreatedAt: parseTime(w.CreatedAt), UpdatedAt: parseTime(w.UpdatedAt)}
}

// UnmarshalJSON reads a subscription, with its RFC 3339 timestamps as times.
func (s *Subscription) UnmarshalJSON(data []byte) error {
	return decodeVia(data, s, (*subscriptionWire).subscription)
}

// Validate rejects a subscription without its id or topic, which address it (httpclient.Validator).
func (s *Subscription) Validate() error {
	if s.ID == "" || s.Topic == "" {
		return errors.New("the subscription has no id or no topic")
	}
	return nil
}

// CreateSubscriptionInput is the body of a create; every field is required.
type CreateSubscriptionInput struct {
	Topic       string `json:"topic"`
	CallbackURL string `json:"callbackUrl"`
	Name        string `json:"name"`
}

// UpdateSubscriptionInput is the body of an update. Topic and ID address the record; a nil
// CallbackURL or Name leaves it unchanged.
type UpdateSubscriptionInput struct {
	Topic       string  `json:"topic"`
	ID          string  `json:"id"`
	CallbackURL *string `json:"callbackUrl,omitempty"`
	Name        *string `json:"name,omitempty"`
}

type subscriptionKey struct {
	Topic string `json:"topic"`
	ID    string `json:"id"`
}

// ListSubscriptions returns every subscription the list shows now. A subscription just created
// may not be in it yet.
func (c *Client) ListSubscriptions(ctx context.Context) ([]Subscription, error) {
	return list(ctx, c, subscriptionsPath, (*subscriptionWire).subscription)
}

// FindSubscription returns the subscription with id from a fresh list, or ErrNotFound. There is no
// get-by-id in the API.
func (c *Client) FindSubscription(ctx context.Context, id string) (*Subscription, error) {
	all, err := c.ListSubscriptions(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, NotListed("webhook subscription", id)
}

// CreateSubscription creates a subscription. Inveterate accepts it with 201: it shows in the list
// only a little later (see WaitForSubscription, which its caller is expected to call next).
//
// When the answer is lost, the list is searched (for up to the visibility wait) for the one
// matching unclaimed subscription created around the request, which is adopted; the create is
// sent again only when none appears, and nothing is adopted when several match or one has no
// creation time (httpclient.ClaimOnly).
func (c *Client) CreateSubscription(ctx context.Context, in CreateSubscriptionInput) (*Subscription, error) {
	var out Subscription
	err := c.createOrAdopt(ctx, httpclient.Request{Method: http.MethodPost, Path: subscriptionsPath, Body: in}, &out,
		func(ctx context.Context, lk *httpclient.Lookup) (bool, error) {
			return c.poll(ctx, c.visibilityWait, func(ctx context.Context) (bool, error) {
				all, err := c.ListSubscriptions(ctx)
				if err != nil {
					return false, err
				}
				found, err := httpclient.ClaimOnly(ctx, lk, all, func(s *Subscription) httpclient.Candidate {
					return httpclient.Candidate{ID: s.ID, Created: s.CreatedAt,
						Matches: s.Topic == in.Topic && s.CallbackURL == in.CallbackURL && s.Name == in.Name}
				})
				if found != nil {
					out = *found
				}
				return found != nil, err
			})
		})
	if err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, errNoID("webhook subscription", subscriptionsPath)
	}
	return &out, nil
}

// WaitForSubscription waits until the subscription with id shows in the list, for at most wait
// (or until ctx ends), and returns it as listed. It returns ErrNotFound if it never shows. Waits
// that overlap share their list calls.
func (c *Client) WaitForSubscription(ctx context.Context, id string, wait time.Duration) (*Subscription, error) {
	found, ok, err := c.subscriptions.await(ctx, id, false, time.Time{}, wait)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, NotListed("webhook subscription", id)
	}
	listed, err := decodeListed(found, (*subscriptionWire).subscription)
	return listed, onList(subscriptionsPath, err)
}

// UpdateSubscription changes a subscription's callback URL or name.
func (c *Client) UpdateSubscription(ctx context.Context, in UpdateSubscriptionInput) (*Subscription, error) {
	var out Subscription
	if err := c.write(ctx, httpclient.Request{Method: http.MethodPut, Path: subscriptionsPath, Body: in}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteSubscription deletes a subscription. One that does not exist gives ErrNotFound.
func (c *Client) DeleteSubscription(ctx context.Context, topic, id string) error {
	return c.write(ctx, httpclient.Request{Method: http.MethodDelete, Path: subscriptionsPath, Body: subscriptionKey{Topic: topic, ID: id}}, nil)
}
