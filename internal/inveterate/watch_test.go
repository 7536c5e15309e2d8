package inveterate_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// TestWaitsShareTheirLists: creates waiting side by side for their records to show are served by
// shared list calls, and so are deletes waiting for theirs to leave: not one list each.
func TestWaitsShareTheirLists(t *testing.T) {
	const n = 30
	srv := sandbox.NewServer(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: 300 * time.Millisecond, DeleteDelay: 300 * time.Millisecond}})
	c := newClient(t, srv, func(cfg *inveterate.Config) { cfg.PollInterval = 100 * time.Millisecond })
	ctx := context.Background()

	var subs []*inveterate.Subscription
	var hooks []*inveterate.Webhook
	for i := range n {
		sub, err := c.CreateSubscription(ctx, inveterate.CreateSubscriptionInput{Topic: "customer.updated", CallbackURL: fmt.Sprintf("https://hooks.example.com/s/%d", i), Name: "s"})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
		hook, err := c.CreateWebhook(ctx, inveterate.CreateWebhookInput{CallbackURL: fmt.Sprintf("https://hooks.example.com/w/%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		hooks = append(hooks, hook)
	}
	srv.ResetCounts()
	all := func(f func(i int) error) {
		t.Helper()
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if err := f(i); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	all(func(i int) error {
		found, err := c.WaitForSubscription(ctx, subs[i].ID, 10*time.Second)
		if err == nil && found.ID != subs[i].ID {
			err = fmt.Errorf("waited for %s, got %s", subs[i].ID, found.ID)
		}
		return err
	})
	all(func(i int) error { _, err := c.WaitForWebhook(ctx, hooks[i].ID, 10*time.Second); return err })
	// Every record was created over 300 ms ago or will be within a poll interval or two: a
	// handful of lists, never one per wait.
	if lists := srv.Count("inveterate.subscriptions.list") + srv.Count("inveterate.webhooks.list"); lists > 8 {
		t.Errorf("%d waits for records to show made %d list calls; they must share them", 2*n, lists)
	}

	for _, h := range hooks {
		if err := c.DeleteWebhook(ctx, h.ID); err != nil {
			t.Fatal(err)
		}
	}
	srv.ResetCounts()
	all(func(i int) error {
		gone, err := c.WaitForWebhookGone(ctx, hooks[i].ID, 10*time.Second)
		if err == nil && !gone {
			err = fmt.Errorf("webhook %s still listed", hooks[i].ID)
		}
		return err
	})
	if lists := srv.Count("inveterate.webhooks.list"); lists > 6 {
		t.Errorf("%d waits for deleted webhooks to leave the list made %d list calls; they must share them", n, lists)
	}
}

// TestWaitCountsOnlyListsSentAfterItBegan: a list already on its way when a wait begins may not
// show the record the wait is for, so it does not answer that wait: a wait with no time to spare
// gets one look of its own.
func TestWaitCountsOnlyListsSentAfterItBegan(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	c := newClient(t, srv)
	ctx := context.Background()
	// A first wait, for a record that never shows, keeps a slow list in flight.
	srv.SetLatency(sandbox.Inveterate, 300*time.Millisecond)
	first := make(chan error, 1)
	go func() {
		_, err := c.WaitForSubscription(ctx, "0123456789abcdef0123456789abcdef", 0)
		first <- err
	}()
	time.Sleep(100 * time.Millisecond) // the first wait's list is out
	sub := srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/x", Name: "x"})
	found, err := c.WaitForSubscription(ctx, sub.ID, 0)
	if err != nil || found.ID != sub.ID {
		t.Fatalf("a wait that began after a list was sent was answered by it: %v, %v", found, err)
	}
	if err := <-first; !httpclient.IsNotFound(err) {
		t.Fatalf("the first wait, for a record that does not exist, ended with %v, want not found", err)
	}
	if got := srv.Count("inveterate.subscriptions.list"); got != 2 {
		t.Fatalf("%d list calls, want 2: one for each wait, the second sent after it began", got)
	}
}

// TestWaitGivesUpWithItsCaller: a wait whose context ends returns at once, and a list nobody waits
// for any more is stopped.
func TestWaitGivesUpWithItsCaller(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	srv.SetLatency(sandbox.Inveterate, time.Minute)
	c := newClient(t, srv, func(cfg *inveterate.Config) { cfg.RequestTimeout = 2 * time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.WaitForSubscription(ctx, "0123456789abcdef0123456789abcdef", time.Hour)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	// The abandoned list was cancelled: a new wait is not stuck behind it for a minute.
	srv.SetLatency(sandbox.Inveterate, 0)
	sub := srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/y", Name: "y"})
	quick, cancelQuick := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelQuick()
	if _, err := c.WaitForSubscription(quick, sub.ID, time.Hour); err != nil {
		t.Fatalf("a wait after an abandoned list: %v", err)
	}
}

// TestWaitReportsTheListsError: a list that fails (after the client's retries) ends the waits it
// answers with its error.
func TestWaitReportsTheListsError(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	srv.FailNext(sandbox.Inveterate, "inveterate.webhooks.list", sandbox.Fail500, 100)
	c := newClient(t, srv, func(cfg *inveterate.Config) { cfg.MaxRetries = 1 })
	_, err := c.WaitForWebhookGone(context.Background(), "0123456789abcdef0123456789abcdef", time.Hour)
	if !errors.Is(err, httpclient.ErrServer) {
		t.Fatalf("got %v, want the list's server error", err)
	}
}
