package inveterate_test

import (
	"context"
	"testing"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient/httpclienttest"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
)

// FuzzDecodeAnswers answers every kind of request with an arbitrary status and body: the client
// never panics, and returns either an API error or complete records (with ids).
func FuzzDecodeAnswers(f *testing.F) {
	for _, seed := range []struct {
		status byte
		body   string
	}{
		{0, `{"message":"ok","data":[{"id":"0123456789abcdef0123456789abcdef","topic":"customer.updated","callbackUrl":"https://x","name":"n"}]}`},
		{0, `{"message":"ok","data":{"subscriptions":[{"id":"a","topic":"t.x"}]}}`},
		{0, `{"message":"ok","data":[{"id":"a"}]}`},
		{0, `{"message":"ok","data":[{}]}`},
		{0, `{"message":"ok","data":{"a":1,"b":[{"id":"x","topic":"y.z"}]}}`},
		{0, `{"message":"ok","data":null}`},
		{0, `{"message":"ok"}`},
		{0, `[]`},
		{3, `{"message":"Invalid API key"}`},
		{3, `{"message":"Webhook subscription not found"}`},
		{11, `{"message":"Internal error","data":{"step":2}}`},
		{11, ``},
	} {
		f.Add(seed.status, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, status byte, body []byte) {
		c, err := inveterate.New(inveterate.Config{
			Settings: httpclient.Settings{BaseURL: "https://inveterate.example", MaxRetries: 0, RateLimit: -1,
				Transport: httpclienttest.Answer(httpclienttest.Status(status), body)},
			APIKey: "k", VisibilityWait: time.Millisecond, PollInterval: time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		subs, err := c.ListSubscriptions(ctx)
		if err != nil {
			httpclienttest.Complete(t, "list subscriptions", "", err)
		}
		for _, s := range subs {
			httpclienttest.Complete(t, "list subscriptions", s.ID, nil)
			if s.Topic == "" {
				t.Errorf("a listed subscription without topic: %+v", s)
			}
		}
		hooks, err := c.ListWebhooks(ctx)
		if err != nil {
			httpclienttest.Complete(t, "list webhooks", "", err)
		}
		for _, w := range hooks {
			httpclienttest.Complete(t, "list webhooks", w.ID, nil)
		}
		if s, err := c.FindSubscription(ctx, "a"); err != nil {
			httpclienttest.Complete(t, "find subscription", "", err)
		} else {
			httpclienttest.Complete(t, "find subscription", s.ID, nil)
		}
	})
}
