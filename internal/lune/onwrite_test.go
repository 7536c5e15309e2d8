package lune_test

import (
	"context"
	"testing"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// Config.OnWrite is how the owner of a read cache learns of writes: called once after every write,
// never after a read.
func TestOnWriteIsCalledAfterEveryWrite(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	writes := 0
	c := newClient(t, srv, func(cfg *lune.Config) { cfg.OnWrite = func() { writes++ } })
	ctx := context.Background()
	expect := func(step string, want int) {
		t.Helper()
		if writes != want {
			t.Fatalf("after %s: OnWrite called %d times, want %d", step, writes, want)
		}
	}

	w, err := c.CreateWebhook(ctx, lune.CreateWebhookInput{URL: "https://hooks.example.com/w"})
	if err != nil {
		t.Fatal(err)
	}
	expect("create", 1)
	if _, err := c.ListWebhooks(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	expect("list and get", 1)
	if _, err := c.UpdateWebhook(ctx, w.ID, lune.UpdateWebhookInput{URL: "https://hooks.example.com/v"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RotateSecret(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	expect("update and rotation", 3)
	if err := c.DeleteWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	// A write that fails may still have changed something: it counts too.
	_ = c.DeleteWebhook(ctx, "00000000000000000000000000000000")
	expect("two deletes, one failed", 5)
}
