package blaze_test

import (
	"context"
	"testing"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// Config.OnWrite is how the owner of a read cache learns of writes: called once after every write,
// never after a read.
func TestOnWriteIsCalledAfterEveryWrite(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	writes := 0
	c := newClient(t, srv, func(cfg *blaze.Config) { cfg.OnWrite = func() { writes++ } })
	ctx := context.Background()
	expect := func(step string, want int) {
		t.Helper()
		if writes != want {
			t.Fatalf("after %s: OnWrite called %d times, want %d", step, writes, want)
		}
	}

	w, err := c.CreateWebhook(ctx, blaze.CreateWebhookInput{WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://a.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	expect("create", 1)
	if _, err := c.ListWebhooks(ctx, blaze.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	expect("list and get", 1)
	if _, err := c.UpdateWebhook(ctx, w.ID, blaze.UpdateWebhookInput{WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://b.example.com"}}); err != nil {
		t.Fatal(err)
	}
	expect("update", 2)
	if err := c.DeleteWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	expect("delete", 3)
}
