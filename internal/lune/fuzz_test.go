package lune_test

import (
	"context"
	"testing"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient/httpclienttest"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
)

// FuzzDecodeAnswers answers every kind of request with an arbitrary status and body: the client
// never panics, and returns either an *httpclient.APIError or complete webhooks (with ids).
func FuzzDecodeAnswers(f *testing.F) {
	for _, seed := range []struct {
		status byte
		body   string
	}{
		{0, `{"id":"wh_1","url":"https://x.example.com","enabled":true,"account_type":"test","created_at":"2025-01-01T00:00:00Z","secret":"whsec_0123456789abcdef0123456789abcdef"}`},
		{0, `[{"id":"wh_1","url":"https://x.example.com"},{"id":"wh_2","account_ids":["a"]}]`},
		{0, `{}`},
		{0, `[{}]`},
		{0, `null`},
		{0, `[null]`},
		{0, `{"id":7}`},
		{0, `{"id":"x","created_at":"yesterday"}`},
		{3, `{"error":{"error_code":"validation_error","message":"bad url"},"errors":[]}`},
		{3, `{"error":"nope"}`},
		{6, ``},
		{10, `<html>oops</html>`},
	} {
		f.Add(seed.status, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, status byte, body []byte) {
		c, err := lune.New(lune.Config{
			Settings: httpclient.Settings{BaseURL: "https://api.lune.example", MaxRetries: 0, RateLimit: -1,
				Transport: httpclienttest.Answer(httpclienttest.Status(status), body)},
			APIKey: "test_key",
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		complete := func(op string, w *lune.Webhook, err error) {
			t.Helper()
			id := ""
			if w != nil {
				id = w.ID
			}
			httpclienttest.Complete(t, op, id, err)
		}
		w, err := c.GetWebhook(ctx, "wh_1")
		complete("get", w, err)
		w, err = c.UpdateWebhook(ctx, "wh_1", lune.UpdateWebhookInput{URL: "https://x.example.com"})
		complete("update", w, err)
		w, err = c.RotateSecret(ctx, "wh_1")
		complete("rotate", w, err)
		all, err := c.ListWebhooks(ctx, []string{"acc"})
		if err == nil {
			for i := range all {
				complete("list", &all[i], nil)
			}
		} else {
			complete("list", nil, err)
		}
	})
}
