package blaze_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

func newClient(t *testing.T, srv *sandbox.Server, mutate ...func(*blaze.Config)) *blaze.Client {
	t.Helper()
	cfg := blaze.Config{
		Settings: httpclient.Settings{BaseURL: srv.URL, UserAgent: "blaze-test", MaxRetries: 3,
			RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond, RequestTimeout: 5 * time.Second},
		PartnerKey:   srv.Config().Blaze.PartnerKeys[0],
		DeveloperKey: "sandbox_blaze_developer_key",
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := blaze.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWebhookLifecycle(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	c := newClient(t, srv)
	ctx := context.Background()
	shop := srv.Config().Blaze.DeveloperKeys["sandbox_blaze_developer_key"].ShopID

	w, err := c.CreateWebhook(ctx, blaze.CreateWebhookInput{WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://a.example.com", "https://b.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.ID) != 24 || w.ShopID != shop || w.CompanyID == "" || w.Created.IsZero() {
		t.Fatalf("create returned %+v", w)
	}
	if w.Created.Location() != time.UTC || time.Since(w.Created) > time.Minute || time.Since(w.Created) < -time.Minute {
		t.Fatalf("Created %s is not now, in UTC", w.Created)
	}

	// A field the provider does not manage, set behind its back, must survive an update.
	srv.UpdateBlazeWebhook(w.ID, func(r *sandbox.BlazeWebhook) {
		r.Extra = map[string]json.RawMessage{"secretHeader": json.RawMessage(`"keep-me"`)}
	})
	got, err := c.GetWebhook(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Extra["secretHeader"]) != `"keep-me"` {
		t.Fatalf("get lost the unknown field: %+v", got.Extra)
	}
	updated, err := c.UpdateWebhook(ctx, w.ID, blaze.UpdateWebhookInput{WebHookType: "UPDATE_MEMBER", WebHookURLs: []string{"https://c.example.com"}, URL: "https://single.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := srv.BlazeWebhook(w.ID)
	if rec.WebHookType != "UPDATE_MEMBER" || rec.URL != "https://single.example.com" || len(rec.WebHookURLs) != 1 || !updated.Updated {
		t.Fatalf("sandbox record after update: %+v", rec)
	}
	if string(rec.Extra["secretHeader"]) != `"keep-me"` || rec.ShopID != shop {
		t.Fatalf("the update's full replacement dropped fields: extra=%v shop=%q", rec.Extra, rec.ShopID)
	}
	if srv.Count("blaze.get") != 2 || srv.Count("blaze.update") != 1 {
		t.Fatalf("update should read then put once: counts %v", srv.Counts())
	}

	if err := c.DeleteWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetWebhook(ctx, w.ID); !errors.Is(err, httpclient.ErrNotFound) {
		t.Fatalf("get of a soft-deleted webhook: %v, want ErrNotFound", err)
	}
	if err := c.DeleteWebhook(ctx, w.ID); err != nil {
		t.Fatalf("deleting a deleted webhook must succeed: %v", err)
	}
	if err := c.DeleteWebhook(ctx, strings.Repeat("a", 24)); !errors.Is(err, httpclient.ErrNotFound) {
		t.Fatalf("delete of a webhook that never existed: %v, want ErrNotFound", err)
	}
	if _, err := c.UpdateWebhook(ctx, w.ID, blaze.UpdateWebhookInput{WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://x.example.com"}}); !errors.Is(err, httpclient.ErrNotFound) {
		t.Fatalf("update of a deleted webhook: %v, want ErrNotFound", err)
	}
}

func TestListReadsEveryPage(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{Blaze: sandbox.BlazeConfig{MaxPageSize: 3}})
	c := newClient(t, srv)
	ctx := context.Background()
	for i := range 8 {
		if _, err := c.CreateWebhook(ctx, blaze.CreateWebhookInput{WebHookType: "NEW_CONSUMER_ORDER", WebHookURLs: []string{fmt.Sprintf("https://%d.example.com", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	deleted := srv.BlazeWebhooks()[0].ID
	srv.DeleteBlazeWebhook(deleted)
	srv.ResetCounts()

	all, err := c.ListWebhooks(ctx, blaze.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 7 {
		t.Fatalf("listed %d webhooks, want the 7 not deleted", len(all))
	}
	for _, w := range all {
		if w.ID == deleted {
			t.Fatal("a deleted webhook was listed")
		}
	}
	// The client asks for 100 but the sandbox caps pages at 3: 7 records take 3 pages.
	if n := srv.Count("blaze.list"); n != 3 {
		t.Fatalf("%d list calls, want 3", n)
	}

	shop := srv.Config().Blaze.DeveloperKeys["sandbox_blaze_developer_key"].ShopID
	if mine, err := c.ListWebhooks(ctx, blaze.ListOptions{ShopID: shop}); err != nil || len(mine) != 7 {
		t.Fatalf("filtered by the key's shop: %d, %v", len(mine), err)
	}
	if other, err := c.ListWebhooks(ctx, blaze.ListOptions{ShopID: strings.Repeat("f", 24)}); err != nil || len(other) != 0 {
		t.Fatalf("filtered by another shop: %d, %v", len(other), err)
	}
}

func TestTypedErrors(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	ctx := context.Background()
	var apiErr *httpclient.APIError

	_, err := newClient(t, srv, func(c *blaze.Config) { c.PartnerKey = "wrong" }).ListWebhooks(ctx, blaze.ListOptions{})
	if !errors.Is(err, httpclient.ErrUnauthorized) || !errors.As(err, &apiErr) || apiErr.Message != "Invalid partner key" {
		t.Fatalf("wrong partner key: %v", err)
	}
	_, err = newClient(t, srv, func(c *blaze.Config) { c.DeveloperKey = "wrong" }).ListWebhooks(ctx, blaze.ListOptions{})
	if !errors.Is(err, httpclient.ErrUnauthorized) || !strings.Contains(err.Error(), "developer key") {
		t.Fatalf("wrong developer key: %v", err)
	}

	c := newClient(t, srv)
	_, err = c.CreateWebhook(ctx, blaze.CreateWebhookInput{WebHookType: "NEW_PIZZA", WebHookURLs: []string{"https://x.example.com"}})
	if !errors.Is(err, httpclient.ErrValidation) || !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Fatalf("unknown type: %v", err)
	}
	_, err = c.CreateWebhook(ctx, blaze.CreateWebhookInput{WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://x.example.com"}, ShopID: strings.Repeat("f", 24)})
	if !errors.Is(err, httpclient.ErrUnauthorized) || !errors.As(err, &apiErr) || apiErr.StatusCode != 403 {
		t.Fatalf("another shop: %v, want a 403", err)
	}
	if !strings.Contains(err.Error(), "may not manage webhooks of shop "+strings.Repeat("f", 24)) {
		t.Fatalf("a 403 for another shop should name the shop and say why: %v", err)
	}
	if n := len(srv.BlazeWebhooks()); n != 0 {
		t.Fatalf("rejected creates left %d records", n)
	}
}

func TestCreateWithLostResponseLeavesNoDuplicate(t *testing.T) {
	for _, kind := range []sandbox.FailureKind{sandbox.FailLostResponse, sandbox.FailReset, sandbox.Fail500, sandbox.Fail503, sandbox.Fail429} {
		t.Run(string(kind), func(t *testing.T) {
			srv := sandbox.NewServer(t, sandbox.Config{})
			srv.FailNext(sandbox.Blaze, "blaze.create", kind, 1)
			w, err := newClient(t, srv).CreateWebhook(context.Background(), blaze.CreateWebhookInput{WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://lost.example.com"}})
			if err != nil {
				t.Fatal(err)
			}
			all := srv.BlazeWebhooks()
			if len(all) != 1 || all[0].ID != w.ID {
				t.Fatalf("sandbox holds %d webhooks, want exactly the one returned (%s)", len(all), w.ID)
			}
		})
	}
}

func TestWebhookJSONRoundTripsUnknownFields(t *testing.T) {
	in := `{"id":"abc","companyId":"c","shopId":"s","created":1,"modified":2,"deleted":false,"updated":true,"url":"u","webHookType":"NEW_MEMBER","webHookUrls":["x"],"headers":{"a":"b"},"retries":3}`
	var w blaze.Webhook
	if err := json.Unmarshal([]byte(in), &w); err != nil {
		t.Fatal(err)
	}
	if w.ID != "abc" || len(w.Extra) != 2 {
		t.Fatalf("decoded %+v", w)
	}
	out, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	_ = json.Unmarshal([]byte(in), &a)
	_ = json.Unmarshal(out, &b)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("round trip changed the object:\n in %v\nout %v", a, b)
	}
}

// TestCreateNeverAdoptsAStranger: after a lost answer, a matching webhook created moments before by
// somebody else makes two candidates: nothing is adopted and the error names both.
func TestCreateNeverAdoptsAStranger(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	in := blaze.CreateWebhookInput{WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://hooks.example.com/shared"}}
	stranger := srv.AddBlazeWebhook(sandbox.BlazeWebhook{WebHookType: in.WebHookType, WebHookURLs: in.WebHookURLs})
	srv.FailNext(sandbox.Blaze, "blaze.create", sandbox.FailLostResponse, 1)
	w, err := newClient(t, srv).CreateWebhook(context.Background(), in)
	var ambiguous *httpclient.AmbiguousError
	if w != nil || !errors.As(err, &ambiguous) || len(ambiguous.IDs) != 2 || !slices.Contains(ambiguous.IDs, stranger.ID) {
		t.Fatalf("got %v, %v; want no webhook and an ambiguity naming both", w, err)
	}
	if n := srv.Count("blaze.create"); n != 1 {
		t.Errorf("%d creates, want the one whose answer was lost", n)
	}
}
