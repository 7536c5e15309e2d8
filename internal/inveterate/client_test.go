package inveterate_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

const testKey = "sandbox_inveterate_key"

func newClient(t *testing.T, srv *sandbox.Server, mutate ...func(*inveterate.Config)) *inveterate.Client {
	t.Helper()
	cfg := inveterate.Config{
		Settings: httpclient.Settings{BaseURL: srv.URL, UserAgent: "inveterate-test", MaxRetries: 3,
			RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond, RequestTimeout: 5 * time.Second},
		APIKey:         testKey,
		VisibilityWait: time.Second,
		PollInterval:   20 * time.Millisecond,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := inveterate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSubscriptionLifecycleWithVisibilityDelay(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: 300 * time.Millisecond}})
	c := newClient(t, srv)
	ctx := context.Background()

	sub, err := c.CreateSubscription(ctx, inveterate.CreateSubscriptionInput{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/inv", Name: "updates"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sub.ID) != 32 || sub.Topic != "customer.updated" || sub.MerchantID == "" {
		t.Fatalf("create returned %+v", sub)
	}
	// Not visible yet: the list-based find says not found, which is not "deleted".
	if _, err := c.FindSubscription(ctx, sub.ID); !errors.Is(err, httpclient.ErrNotFound) {
		t.Fatalf("find before visible: %v, want ErrNotFound", err)
	}
	visible, err := c.WaitForSubscription(ctx, sub.ID, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if visible.CallbackURL != "https://hooks.example.com/inv" || visible.Name != "updates" {
		t.Fatalf("listed %+v", visible)
	}

	name := "renamed"
	updated, err := c.UpdateSubscription(ctx, inveterate.UpdateSubscriptionInput{Topic: sub.Topic, ID: sub.ID, Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Name != "renamed" || updated.CallbackURL != "https://hooks.example.com/inv" {
		t.Fatalf("update returned %+v", updated)
	}
	if rec, _ := srv.InveterateSubscription(sub.ID); rec.Name != "renamed" {
		t.Fatalf("sandbox holds name %q", rec.Name)
	}

	if err := c.DeleteSubscription(ctx, sub.Topic, sub.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSubscription(ctx, sub.Topic, sub.ID); !errors.Is(err, httpclient.ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	if _, err := c.UpdateSubscription(ctx, inveterate.UpdateSubscriptionInput{Topic: sub.Topic, ID: sub.ID, Name: &name}); !errors.Is(err, httpclient.ErrNotFound) {
		t.Fatalf("update of a deleted subscription: %v, want ErrNotFound", err)
	}
}

func TestWebhookTokenAndDeleteDelay(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{DeleteDelay: 300 * time.Millisecond}})
	c := newClient(t, srv)
	ctx := context.Background()

	w, err := c.CreateWebhook(ctx, inveterate.CreateWebhookInput{CallbackURL: "https://hooks.example.com/admin", Name: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	rec, ok := srv.InveterateWebhook(w.ID)
	if !ok || w.Token == "" || w.Token != rec.Token {
		t.Fatalf("create returned token %q, sandbox holds %q", w.Token, rec.Token)
	}
	listed, err := c.FindWebhook(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if listed.Token != "" || listed.CreatedByApp == "" || listed.Name != "admin" {
		t.Fatalf("listed %+v", listed)
	}

	deleted := time.Now()
	if err := c.DeleteWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindWebhook(ctx, w.ID); err != nil {
		t.Fatalf("right after delete the webhook should still be listed (delete delay): %v", err)
	}
	gone, err := c.WaitForWebhookGone(ctx, w.ID, deleted, 5*time.Second)
	if err != nil || !gone {
		t.Fatalf("webhook never left the list: %v", err)
	}
	if err := c.DeleteWebhook(ctx, strings.Repeat("0", 32)); !errors.Is(err, httpclient.ErrNotFound) {
		t.Fatalf("delete of an unknown webhook: %v, want ErrNotFound", err)
	}
}

func TestTypedErrors(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	ctx := context.Background()

	_, err := newClient(t, srv, func(c *inveterate.Config) { c.APIKey = "wrong" }).ListSubscriptions(ctx)
	var apiErr *httpclient.APIError
	if !errors.Is(err, httpclient.ErrUnauthorized) || !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Message == "" {
		t.Fatalf("wrong key: %v, want ErrUnauthorized from a 400 with Inveterate's message", err)
	}

	_, err = newClient(t, srv).CreateSubscription(ctx, inveterate.CreateSubscriptionInput{Topic: "customer.teleported", CallbackURL: "https://x.example.com", Name: "n"})
	if !errors.Is(err, httpclient.ErrValidation) || !strings.Contains(err.Error(), "topic") {
		t.Fatalf("unknown topic: %v, want ErrValidation naming the topic", err)
	}
	if n := len(srv.InveterateSubscriptions()); n != 0 {
		t.Fatalf("rejected creates left %d records", n)
	}
}

func TestCreatesOfUnknownOutcomeLeaveExactlyOneRecord(t *testing.T) {
	for _, kind := range []sandbox.FailureKind{sandbox.FailLostResponse, sandbox.Fail500, sandbox.FailReset} {
		t.Run("subscription/"+string(kind), func(t *testing.T) {
			srv := sandbox.NewServer(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: 200 * time.Millisecond}})
			srv.FailNext(sandbox.Inveterate, "inveterate.subscriptions.create", kind, 1)
			sub, err := newClient(t, srv).CreateSubscription(context.Background(), inveterate.CreateSubscriptionInput{Topic: "customer.cancelled", CallbackURL: "https://lost.example.com", Name: "lost"})
			if err != nil {
				t.Fatal(err)
			}
			all := srv.InveterateSubscriptions()
			if len(all) != 1 || all[0].ID != sub.ID {
				t.Fatalf("sandbox holds %d subscriptions, want exactly the one returned (%s)", len(all), sub.ID)
			}
		})
		t.Run("webhook/"+string(kind), func(t *testing.T) {
			srv := sandbox.NewServer(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: 200 * time.Millisecond}})
			srv.FailNext(sandbox.Inveterate, "inveterate.webhooks.create", kind, 1)
			w, err := newClient(t, srv).CreateWebhook(context.Background(), inveterate.CreateWebhookInput{CallbackURL: "https://lost.example.com"})
			if err != nil {
				t.Fatal(err)
			}
			// A webhook whose token was lost is useless: it is deleted and a fresh one made, whose
			// token the caller gets.
			all := srv.InveterateWebhooks()
			if len(all) != 1 || all[0].ID != w.ID || all[0].Token != w.Token {
				t.Fatalf("sandbox holds %+v, want exactly the returned webhook %s with its token", all, w.ID)
			}
		})
	}
}

func TestVisibilityWait(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	if got := newClient(t, srv).VisibilityWait(); got != time.Second {
		t.Fatalf("VisibilityWait = %s, want the configured 1s", got)
	}
	if got := newClient(t, srv, func(c *inveterate.Config) { c.VisibilityWait = 0 }).VisibilityWait(); got != inveterate.DefaultVisibilityWait {
		t.Fatalf("VisibilityWait = %s, want the default %s", got, inveterate.DefaultVisibilityWait)
	}
}

// TestWaitUsesTheWholeWait: a record that shows after the last full poll interval but before the
// wait runs out is still found: the wait does not give up one poll interval early.
func TestWaitUsesTheWholeWait(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: 2500 * time.Millisecond}})
	c := newClient(t, srv, func(cfg *inveterate.Config) { cfg.PollInterval = 2 * time.Second })
	ctx := context.Background()
	sub, err := c.CreateSubscription(ctx, inveterate.CreateSubscriptionInput{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/late", Name: "late"})
	if err != nil {
		t.Fatal(err)
	}
	// Polls at 0 s and 2 s miss it; the one at 3 s, when the wait runs out, finds it.
	if _, err := c.WaitForSubscription(ctx, sub.ID, 3*time.Second); err != nil {
		t.Fatalf("a subscription listed within the wait was not found: %v", err)
	}
}

// TestCreateNeverAdoptsAStranger: after a lost answer, a matching subscription created moments
// before by somebody else makes two candidates: nothing is adopted and the error names both; an
// admin webhook in the same situation is not deleted (one may be somebody else's).
func TestCreateNeverAdoptsAStranger(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	sub := srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/s", Name: "shared"})
	srv.FailNext(sandbox.Inveterate, "inveterate.subscriptions.create", sandbox.FailLostResponse, 1)
	got, err := newClient(t, srv).CreateSubscription(context.Background(), inveterate.CreateSubscriptionInput{Topic: sub.Topic, CallbackURL: sub.CallbackURL, Name: sub.Name})
	var ambiguous *httpclient.AmbiguousError
	if got != nil || !errors.As(err, &ambiguous) || len(ambiguous.IDs) != 2 || !slices.Contains(ambiguous.IDs, sub.ID) {
		t.Fatalf("subscription: got %v, %v; want no adoption and an ambiguity naming both", got, err)
	}

	hook := srv.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: "https://hooks.example.com/w", Name: "shared"})
	srv.FailNext(sandbox.Inveterate, "inveterate.webhooks.create", sandbox.FailLostResponse, 1)
	w, err := newClient(t, srv).CreateWebhook(context.Background(), inveterate.CreateWebhookInput{CallbackURL: hook.CallbackURL, Name: hook.Name})
	if w != nil || !errors.As(err, &ambiguous) || !slices.Contains(ambiguous.IDs, hook.ID) {
		t.Fatalf("admin webhook: got %v, %v; want an ambiguity naming the stranger's", w, err)
	}
	if n := srv.Count("inveterate.webhooks.delete"); n != 0 {
		t.Errorf("%d deletes: neither candidate may be deleted", n)
	}
}

// TestCreateNeverTakesARecordWithoutCreationTime: Inveterate's createdAt is optional. A record that
// matches what a lost create sent but has no creation time cannot be told apart from one that was
// there before: the lookup neither adopts it (subscription) nor deletes it (admin webhook); the
// error names it. The lookup used to skip the time window for such records.
func TestCreateNeverTakesARecordWithoutCreationTime(t *testing.T) {
	const strangerID = "0123456789abcdef0123456789abcdef"
	var mu sync.Mutex
	var deletes, posts int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		switch r.Method {
		case http.MethodPost: // lost before it was applied
			posts++
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
		case http.MethodDelete:
			deletes++
			_, _ = io.WriteString(w, `{"message":"deleted"}`)
		default: // a stranger's record, listed without createdAt
			_, _ = fmt.Fprintf(w, `{"message":"ok","data":[{"id":%q,"topic":"customer.updated","callbackUrl":"https://hooks.example.com/x","name":"n"}]}`, strangerID)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := inveterate.New(inveterate.Config{
		Settings: httpclient.Settings{BaseURL: srv.URL, UserAgent: "inveterate-test", MaxRetries: 3,
			RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond, RequestTimeout: 5 * time.Second},
		APIKey: testKey, VisibilityWait: 200 * time.Millisecond, PollInterval: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	var ambiguous *httpclient.AmbiguousError
	sub, err := c.CreateSubscription(context.Background(), inveterate.CreateSubscriptionInput{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/x", Name: "n"})
	if sub != nil || !errors.As(err, &ambiguous) || !slices.Equal(ambiguous.Untimed, []string{strangerID}) {
		t.Fatalf("subscription: got %+v, %v; want no adoption and an ambiguity naming the record without a creation time", sub, err)
	}
	w, err := c.CreateWebhook(context.Background(), inveterate.CreateWebhookInput{CallbackURL: "https://hooks.example.com/x", Name: "n"})
	if w != nil || !errors.As(err, &ambiguous) || !slices.Equal(ambiguous.Untimed, []string{strangerID}) {
		t.Fatalf("admin webhook: got %+v, %v; want an ambiguity naming the record without a creation time", w, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if deletes != 0 || posts != 2 {
		t.Fatalf("%d deletes and %d creates: want none deleted and no create sent again", deletes, posts)
	}
}

// TestCreateAnsweredWithoutAnID: a 2xx that names no record cannot be used, so the create's
// outcome is unknown and the record is looked for (it was created without a trace before), and an
// error's data is named, never quoted: a 500 may carry the token of what it made.
func TestCreateAnsweredWithoutAnID(t *testing.T) {
	var mu sync.Mutex
	var posts, lists int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == http.MethodPost && posts == 0:
			posts++
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"message":"Webhook created"}`)
		case r.Method == http.MethodPost:
			posts++
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"message":"Internal error","data":{"id":"abc","token":"tok_SECRET_123"}}`)
		default:
			lists++
			_, _ = io.WriteString(w, `{"message":"ok","data":[]}`)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := inveterate.New(inveterate.Config{
		Settings: httpclient.Settings{BaseURL: srv.URL, UserAgent: "inveterate-test", MaxRetries: 1,
			RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond, RequestTimeout: 5 * time.Second},
		APIKey: testKey, VisibilityWait: 100 * time.Millisecond, PollInterval: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateWebhook(context.Background(), inveterate.CreateWebhookInput{CallbackURL: "https://hooks.example.com/x"})
	mu.Lock()
	defer mu.Unlock()
	if lists == 0 {
		t.Fatalf("a create answered without an id was not looked for (%d creates, %d lists): %v", posts, lists, err)
	}
	if err == nil || strings.Contains(err.Error(), "tok_SECRET_123") || !strings.Contains(err.Error(), "details: id, token") {
		t.Fatalf("error %v: want the 500's data named by its fields, never quoted", err)
	}
}
