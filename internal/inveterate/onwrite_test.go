package inveterate_test

import (
	"context"
	"testing"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// Config.OnWrite is how the owner of a read cache learns of writes: called once after every write,
// never after a read (waits for a record to show are reads).
func TestOnWriteIsCalledAfterEveryWrite(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: time.Millisecond}})
	writes := 0
	c := newClient(t, srv, func(cfg *inveterate.Config) { cfg.OnWrite = func() { writes++ } })
	ctx := context.Background()
	expect := func(step string, want int) {
		t.Helper()
		if writes != want {
			t.Fatalf("after %s: OnWrite called %d times, want %d", step, writes, want)
		}
	}

	sub, err := c.CreateSubscription(ctx, inveterate.CreateSubscriptionInput{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/inv", Name: "updates"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := c.CreateWebhook(ctx, inveterate.CreateWebhookInput{CallbackURL: "https://hooks.example.com/admin", Name: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	expect("two creates", 2)
	if _, err := c.WaitForSubscription(ctx, sub.ID, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	expect("wait and list", 2)
	name := "renamed"
	if _, err := c.UpdateSubscription(ctx, inveterate.UpdateSubscriptionInput{Topic: sub.Topic, ID: sub.ID, Name: &name}); err != nil {
		t.Fatal(err)
	}
	expect("update", 3)
	if err := c.DeleteSubscription(ctx, sub.Topic, sub.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	expect("two deletes", 5)
}
