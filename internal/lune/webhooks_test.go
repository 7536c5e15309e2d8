package lune_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

const testKey = "test_sandbox_lune_key"

// newClient returns a client of the sandbox with short retry waits.
func newClient(t *testing.T, srv *sandbox.Server, mutate ...func(*lune.Config)) *lune.Client {
	t.Helper()
	cfg := lune.Config{
		Settings: httpclient.Settings{BaseURL: srv.URL, UserAgent: "lune-test", MaxRetries: 3,
			RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond, RequestTimeout: 5 * time.Second},
		APIKey: testKey,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := lune.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWebhookLifecycle(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	c := newClient(t, srv)
	ctx := context.Background()

	created, err := c.CreateWebhook(ctx, lune.CreateWebhookInput{URL: "https://hooks.example.com/lune", AccountIDs: []string{"acc_1"}})
	if err != nil {
		t.Fatal(err)
	}
	rec, ok := srv.LuneWebhook(created.ID)
	if !ok {
		t.Fatalf("webhook %s not in the sandbox", created.ID)
	}
	if created.Secret != rec.Secret || !strings.HasPrefix(created.Secret, "whsec_") {
		t.Fatalf("create returned secret %q, sandbox holds %q", created.Secret, rec.Secret)
	}
	if !created.Enabled || created.AccountType != "test" || created.CreatedAt.IsZero() {
		t.Fatalf("unexpected webhook %+v", created)
	}

	got, err := c.GetWebhook(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Secret != rec.Secret[len(rec.Secret)-4:] || got.SecretLast4() != created.SecretLast4() {
		t.Fatalf("get returned secret %q, want the last 4 of %q", got.Secret, rec.Secret)
	}

	disabled := false
	updated, err := c.UpdateWebhook(ctx, created.ID, lune.UpdateWebhookInput{URL: "https://hooks.example.com/v2", Enabled: &disabled, AccountIDs: []string{"acc_1", "acc_2"}})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Enabled || updated.URL != "https://hooks.example.com/v2" || len(updated.AccountIDs) != 2 {
		t.Fatalf("update returned %+v", updated)
	}
	// Omitting enabled and account_ids leaves them as they are.
	again, err := c.UpdateWebhook(ctx, created.ID, lune.UpdateWebhookInput{URL: "https://hooks.example.com/v3"})
	if err != nil {
		t.Fatal(err)
	}
	if again.Enabled || len(again.AccountIDs) != 2 {
		t.Fatalf("a partial update changed other fields: %+v", again)
	}

	rotated, err := c.RotateSecret(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ = srv.LuneWebhook(created.ID)
	if rotated.Secret == created.Secret || rotated.Secret != rec.Secret {
		t.Fatalf("rotation returned %q (old %q), sandbox holds %q", rotated.Secret, created.Secret, rec.Secret)
	}
	if srv.Count("lune.rotate") != 1 {
		t.Fatalf("rotate calls = %d, want 1", srv.Count("lune.rotate"))
	}

	if err := c.DeleteWebhook(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.LuneWebhook(created.ID); ok {
		t.Fatal("webhook still in the sandbox after delete")
	}
	if err := c.DeleteWebhook(ctx, created.ID); !errors.Is(err, httpclient.ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	if _, err := c.GetWebhook(ctx, created.ID); !errors.Is(err, httpclient.ErrNotFound) {
		t.Fatalf("get after delete: %v, want ErrNotFound", err)
	}
}

func TestListWebhooksFiltersByAccount(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	all := srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://all.example.com", Enabled: true})
	one := srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://one.example.com", Enabled: true, AccountIDs: []string{"acc_1"}})
	srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://two.example.com", Enabled: true, AccountIDs: []string{"acc_2"}})
	c := newClient(t, srv)

	got, err := c.ListWebhooks(context.Background(), nil)
	if err != nil || len(got) != 3 {
		t.Fatalf("list: %d webhooks, %v", len(got), err)
	}
	for _, w := range got {
		if len(w.Secret) != 4 {
			t.Fatalf("list exposed more than the last 4 characters of a secret: %q", w.Secret)
		}
	}
	got, err = c.ListWebhooks(context.Background(), []string{"acc_1"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, w := range got {
		ids = append(ids, w.ID)
	}
	if !httpclient.SameSet(ids, []string{all.ID, one.ID}) {
		t.Fatalf("filtered list = %v, want %s and %s", ids, all.ID, one.ID)
	}
}

func TestTypedErrors(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	ctx := context.Background()

	_, err := newClient(t, srv, func(c *lune.Config) { c.APIKey = "wrong" }).ListWebhooks(ctx, nil)
	var apiErr *httpclient.APIError
	if !errors.Is(err, httpclient.ErrUnauthorized) || !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != "unauthorised" {
		t.Fatalf("wrong key: %v", err)
	}

	_, err = newClient(t, srv, func(c *lune.Config) { c.AccountID = "acc_nobody" }).ListWebhooks(ctx, nil)
	if !errors.Is(err, httpclient.ErrUnauthorized) {
		t.Fatalf("unknown Lune-Account: %v", err)
	}

	c := newClient(t, srv)
	_, err = c.CreateWebhook(ctx, lune.CreateWebhookInput{URL: "http://insecure.example.com"})
	if !errors.Is(err, httpclient.ErrValidation) || !errors.As(err, &apiErr) || apiErr.Code != "validation_error" || apiErr.Message == "" {
		t.Fatalf("invalid url: %v", err)
	}
	if !strings.Contains(err.Error(), "validation_error") {
		t.Fatalf("error text %q does not carry Lune's code", err)
	}

	_, err = c.GetWebhook(ctx, strings.Repeat("a", 32))
	if !errors.Is(err, httpclient.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	if n := len(srv.LuneWebhooks()); n != 0 {
		t.Fatalf("failed calls left %d webhooks", n)
	}
}

func TestRetriesRateLimitAndUnavailable(t *testing.T) {
	for _, kind := range []sandbox.FailureKind{sandbox.Fail429, sandbox.Fail429RetryAfter, sandbox.Fail503, sandbox.Fail500, sandbox.FailReset} {
		t.Run(string(kind), func(t *testing.T) {
			srv := sandbox.NewServer(t, sandbox.Config{})
			w := srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://x.example.com", Enabled: true})
			srv.FailNext(sandbox.Lune, "lune.get", kind, 2)
			got, err := newClient(t, srv).GetWebhook(context.Background(), w.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != w.ID || srv.Count("lune.get") != 3 {
				t.Fatalf("got %s after %d gets, want 3", got.ID, srv.Count("lune.get"))
			}
		})
	}

	t.Run("gives up", func(t *testing.T) {
		srv := sandbox.NewServer(t, sandbox.Config{})
		srv.FailNext(sandbox.Lune, "lune.list", sandbox.Fail429, 10)
		_, err := newClient(t, srv).ListWebhooks(context.Background(), nil)
		var apiErr *httpclient.APIError
		if !errors.Is(err, httpclient.ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.Attempts != 4 {
			t.Fatalf("got %v, want ErrRateLimited after 4 attempts", err)
		}
		if !strings.Contains(err.Error(), "after 4 attempts") {
			t.Fatalf("error %q does not say how many attempts were made", err)
		}
	})
}

func TestCreateWithLostResponseLeavesNoDuplicate(t *testing.T) {
	for _, kind := range []sandbox.FailureKind{sandbox.FailLostResponse, sandbox.Fail500} {
		t.Run(string(kind), func(t *testing.T) {
			srv := sandbox.NewServer(t, sandbox.Config{})
			srv.FailNext(sandbox.Lune, "lune.create", kind, 1)
			c := newClient(t, srv)
			w, err := c.CreateWebhook(context.Background(), lune.CreateWebhookInput{URL: "https://lost.example.com/hook"})
			if err != nil {
				t.Fatal(err)
			}
			all := srv.LuneWebhooks()
			if len(all) != 1 || all[0].ID != w.ID {
				t.Fatalf("sandbox holds %d webhooks, want exactly the one returned (%s)", len(all), w.ID)
			}
			// Whether adopted or re-created, the caller gets the valid full secret.
			if w.Secret != all[0].Secret {
				t.Fatalf("returned secret %q, sandbox holds %q", w.Secret, all[0].Secret)
			}
		})
	}
}

func TestCreateAdoptsOnlyItsOwnWebhook(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	c := newClient(t, srv)
	ctx := context.Background()
	first, err := c.CreateWebhook(ctx, lune.CreateWebhookInput{URL: "https://same.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	// A second webhook with the same URL whose create answer is lost must not adopt the first.
	srv.FailNext(sandbox.Lune, "lune.create", sandbox.FailLostResponse, 1)
	second, err := c.CreateWebhook(ctx, lune.CreateWebhookInput{URL: "https://same.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if second.ID == first.ID || len(srv.LuneWebhooks()) != 2 {
		t.Fatalf("second create adopted %s (first %s); sandbox holds %d", second.ID, first.ID, len(srv.LuneWebhooks()))
	}
}

func TestClientStaysUnderLunesRateLimit(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	w := srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://x.example.com", Enabled: true})
	c := newClient(t, srv, func(cfg *lune.Config) { cfg.MaxRetries = 0 })
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.GetWebhook(context.Background(), w.ID); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("request failed: %v", err)
	}
	if n := srv.Count("lune.rate_limited"); n != 0 {
		t.Fatalf("the sandbox rate-limited %d requests; the client must stay under 15/s", n)
	}
}

func TestCancellation(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	srv.SetLatency(sandbox.Lune, 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := newClient(t, srv).ListWebhooks(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("cancellation took %s", took)
	}
}

func TestCreateReturnsTheAdoptedWebhookWhenItsRotationFails(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	srv.FailNext(sandbox.Lune, "lune.create", sandbox.FailLostResponse, 1)
	srv.FailNext(sandbox.Lune, "lune.rotate", sandbox.Fail500, 100)
	w, err := newClient(t, srv).CreateWebhook(context.Background(), lune.CreateWebhookInput{URL: "https://lost.example.com/hook"})
	if err == nil || w == nil {
		t.Fatalf("got webhook %v and error %v, want both", w, err)
	}
	all := srv.LuneWebhooks()
	if len(all) != 1 || all[0].ID != w.ID {
		t.Fatalf("sandbox holds %d webhooks; the adopted one (%s) must be returned", len(all), w.ID)
	}
	if !strings.Contains(err.Error(), w.ID) {
		t.Fatalf("error %q does not name the adopted webhook", err)
	}
}

// TestCreateNeverAdoptsAStranger: after a lost answer, a matching webhook that somebody else
// created before the adoption window is not a candidate (the provider's own is adopted, and only
// its secret is rotated); when a stranger's matching webhook falls inside the window too, nothing
// is adopted, nothing rotated, and the error lists both.
func TestCreateNeverAdoptsAStranger(t *testing.T) {
	const url = "https://hooks.example.com/shared"
	t.Run("foreign object before the window", func(t *testing.T) {
		srv := sandbox.NewServer(t, sandbox.Config{})
		stranger := srv.AddLuneWebhook(sandbox.LuneWebhook{URL: url, Enabled: true, CreatedAt: time.Now().Add(-2 * time.Minute)})
		srv.FailNext(sandbox.Lune, "lune.create", sandbox.FailLostResponse, 1)
		w, err := newClient(t, srv).CreateWebhook(context.Background(), lune.CreateWebhookInput{URL: url})
		if err != nil {
			t.Fatal(err)
		}
		if w.ID == stranger.ID {
			t.Fatalf("adopted the stranger's webhook %s", w.ID)
		}
		if len(srv.LuneWebhooks()) != 2 || srv.Count("lune.create") != 1 {
			t.Errorf("sandbox holds %d webhooks after %d creates; want the stranger's and the one create", len(srv.LuneWebhooks()), srv.Count("lune.create"))
		}
		if got, ok := srv.LuneWebhook(stranger.ID); !ok || got.Secret != stranger.Secret {
			t.Error("the stranger's secret was rotated")
		}
	})
	t.Run("two candidates inside the window", func(t *testing.T) {
		srv := sandbox.NewServer(t, sandbox.Config{})
		stranger := srv.AddLuneWebhook(sandbox.LuneWebhook{URL: url, Enabled: true})
		srv.FailNext(sandbox.Lune, "lune.create", sandbox.FailLostResponse, 1)
		w, err := newClient(t, srv).CreateWebhook(context.Background(), lune.CreateWebhookInput{URL: url})
		var ambiguous *httpclient.AmbiguousError
		if w != nil || !errors.As(err, &ambiguous) || len(ambiguous.IDs) != 2 || !slices.Contains(ambiguous.IDs, stranger.ID) {
			t.Fatalf("got %v, %v; want no webhook and an ambiguity naming both", w, err)
		}
		if n := srv.Count("lune.rotate"); n != 0 {
			t.Errorf("%d rotations: the provider is not sure which webhook it created", n)
		}
		if n := srv.Count("lune.create"); n != 1 {
			t.Errorf("%d creates: nothing more may be sent", n)
		}
		if got, ok := srv.LuneWebhook(stranger.ID); !ok || got.Secret != stranger.Secret {
			t.Error("the stranger's secret was rotated")
		}
	})
}
