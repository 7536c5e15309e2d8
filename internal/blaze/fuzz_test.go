package blaze_test

import (
	"context"
	"testing"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient/httpclienttest"
)

// FuzzDecodeAnswers answers every kind of request with an arbitrary status and body: the client
// never panics or pages forever, and returns either an API error or complete webhooks (with ids).
func FuzzDecodeAnswers(f *testing.F) {
	for _, seed := range []struct {
		status byte
		body   string
	}{
		{0, `{"id":"65a1f0c2b3d4e5f607182940","companyId":"c","shopId":"s","created":1735689600000,"modified":1735689600000,"deleted":false,"webHookType":"NEW_MEMBER","webHookUrls":["https://x"]}`},
		{0, `{"count":1,"total":1,"searchResult":[{"id":"a","webHookUrls":[]}]}`},
		{0, `{"values":[{"id":"a"},{"id":"b","deleted":true}],"skip":0,"limit":2,"total":2}`},
		{0, `{"count":1,"total":-5,"searchResult":[{"id":"a"}]}`},
		{0, `{"searchResult":[{}]}`},
		{0, `{"id":"a","deleted":true}`},
		{0, `{"id":"a","created":"yesterday"}`},
		{0, `{}`},
		{5, `{"error":"Unauthorized","message":"Invalid partner key","status":401}`},
		{10, `{"status":"x"}`},
		{11, ``},
	} {
		f.Add(seed.status, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, status byte, body []byte) {
		c, err := blaze.New(blaze.Config{
			Settings: httpclient.Settings{BaseURL: "https://api.blaze.example", MaxRetries: 0, RateLimit: -1,
				Transport: httpclienttest.Answer(httpclienttest.Status(status), body)},
			PartnerKey: "p", DeveloperKey: "d", PageSize: 2,
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		complete := func(op string, w *blaze.Webhook, err error) {
			t.Helper()
			id := ""
			if w != nil {
				id = w.ID
			}
			httpclienttest.Complete(t, op, id, err)
		}
		w, err := c.GetWebhook(ctx, "a")
		complete("get", w, err)
		all, err := c.ListWebhooks(ctx, blaze.ListOptions{})
		if err == nil {
			for i := range all {
				complete("list", &all[i], nil)
			}
		} else {
			complete("list", nil, err)
		}
	})
}
