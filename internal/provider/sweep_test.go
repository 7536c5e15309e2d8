package provider

import (
	"context"
	"errors"
	"log"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient/httpclienttest"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// TestMain runs the tests, or with -sweep the sweepers (make sweep), with a cache directory of
// their own.
func TestMain(m *testing.M) {
	resource.TestMain(httpclienttest.OwnCache{M: m})
}

// The sweepers delete what acceptance runs left behind at the vendors (a run that was killed, a
// destroy that failed): every webhook whose URL carries a run marker (a path segment beginning
// "tfacc-"), and nothing else, so that they are safe in shared test accounts. They use the
// credentials and base URLs in the environment, like the live tests.
func init() {
	for _, s := range sweepers {
		resource.AddTestSweepers(s.name, &resource.Sweeper{Name: s.name, F: func(string) error {
			clients, err := clientsFromEnv(os.Getenv)
			if err != nil {
				return err
			}
			n, err := s.sweep(context.Background(), clients)
			log.Printf("[INFO] %s: deleted %d objects left by acceptance tests", s.name, n)
			return err
		}})
	}
}

// sweepers are the sweepers of every resource type.
var sweepers = []struct {
	name  string
	sweep func(context.Context, *Clients) (int, error)
}{
	{luneWebhookTypeName, sweepLuneWebhooks},
	{inveterateWebhookSubscriptionTypeName, sweepInveterateSubscriptions},
	{inveterateWebhookTypeName, sweepInveterateWebhooks},
	{partnerWebhookTypeName, sweepPartnerWebhooks},
}

// marked reports whether any of urls carries a run marker as a path segment.
func marked(urls ...string) bool {
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		if slices.ContainsFunc(strings.Split(u.Path, "/"), func(seg string) bool {
			return strings.HasPrefix(seg, accMarkerPrefix) && len(seg) > len(accMarkerPrefix)
		}) {
			return true
		}
	}
	return false
}

// sweep deletes the items that are marked; a vendor without credentials has nothing to sweep.
func sweep[T any](ctx context.Context, configured bool, list func(context.Context) ([]T, error), urls func(*T) []string, del func(context.Context, *T) error) (int, error) {
	if !configured {
		return 0, nil
	}
	items, err := list(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for i := range items {
		if !marked(urls(&items[i])...) {
			continue
		}
		switch err := del(ctx, &items[i]); {
		case httpclient.IsNotFound(err):
			// Already gone (an eventually consistent list still showed it): nothing was deleted.
		case err != nil:
			errs = append(errs, err)
		default:
			n++
		}
	}
	return n, errors.Join(errs...)
}

func sweepLuneWebhooks(ctx context.Context, c *Clients) (int, error) {
	client := c.Lune.Client
	return sweep(ctx, client != nil,
		func(ctx context.Context) ([]lune.Webhook, error) { return client.ListWebhooks(ctx, nil) },
		func(w *lune.Webhook) []string { return []string{w.URL} },
		func(ctx context.Context, w *lune.Webhook) error { return client.DeleteWebhook(ctx, w.ID) })
}

func sweepInveterateSubscriptions(ctx context.Context, c *Clients) (int, error) {
	client := c.Inveterate.Client
	return sweep(ctx, client != nil, func(ctx context.Context) ([]inveterate.Subscription, error) { return client.ListSubscriptions(ctx) },
		func(s *inveterate.Subscription) []string { return []string{s.CallbackURL} },
		func(ctx context.Context, s *inveterate.Subscription) error {
			return client.DeleteSubscription(ctx, s.Topic, s.ID)
		})
}

func sweepInveterateWebhooks(ctx context.Context, c *Clients) (int, error) {
	client := c.Inveterate.Client
	return sweep(ctx, client != nil, func(ctx context.Context) ([]inveterate.Webhook, error) { return client.ListWebhooks(ctx) },
		func(w *inveterate.Webhook) []string { return []string{w.CallbackURL} },
		func(ctx context.Context, w *inveterate.Webhook) error { return client.DeleteWebhook(ctx, w.ID) })
}

func sweepPartnerWebhooks(ctx context.Context, c *Clients) (int, error) {
	client := c.Blaze.Client
	return sweep(ctx, client != nil,
		func(ctx context.Context) ([]blaze.Webhook, error) {
			return client.ListWebhooks(ctx, blaze.ListOptions{})
		},
		func(w *blaze.Webhook) []string { return append([]string{w.URL}, w.WebHookURLs...) },
		func(ctx context.Context, w *blaze.Webhook) error { return client.DeleteWebhook(ctx, w.ID) })
}

// TestSweepers_deleteOnlyMarked runs every sweeper against a sandbox holding, for each resource
// type, objects a test run left behind and objects of someone else: only the first are deleted.
func TestSweepers_deleteOnlyMarked(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{})
	srv := e.sandbox()
	marker := accMarkerPrefix + "0badc0de"
	leftover := func(path string) string { return "https://hooks.example.com/" + marker + "/" + path }
	ids := map[string][2]string{} // type: {leftover, someone else's}
	ids[luneWebhookTypeName] = [2]string{
		srv.AddLuneWebhook(sandbox.LuneWebhook{URL: leftover("lune"), Enabled: true}).ID,
		srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://hooks.example.com/tfacc/lune", Enabled: true}).ID,
	}
	ids[inveterateWebhookSubscriptionTypeName] = [2]string{
		srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: leftover("sub"), Name: "x"}).ID,
		srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://tfacc-1.example.com/sub", Name: "x"}).ID,
	}
	ids[inveterateWebhookTypeName] = [2]string{
		srv.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: leftover("admin")}).ID,
		srv.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: "https://hooks.example.com/admin?run=" + marker}).ID,
	}
	ids[partnerWebhookTypeName] = [2]string{
		srv.AddBlazeWebhook(sandbox.BlazeWebhook{WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://a.example.com/x", leftover("blaze")}}).ID,
		srv.AddBlazeWebhook(sandbox.BlazeWebhook{WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://a.example.com/tfacc-"}}).ID,
	}
	exists := map[string]func(string) bool{
		luneWebhookTypeName:                   func(id string) bool { _, ok := srv.LuneWebhook(id); return ok },
		inveterateWebhookSubscriptionTypeName: func(id string) bool { _, ok := srv.InveterateSubscription(id); return ok },
		inveterateWebhookTypeName: func(id string) bool {
			w, ok := srv.InveterateWebhook(id)
			return ok && !w.Deleted
		},
		partnerWebhookTypeName: func(id string) bool { w, ok := srv.BlazeWebhook(id); return ok && !w.Deleted },
	}

	clients := e.api()
	for _, s := range sweepers {
		n, err := s.sweep(context.Background(), clients)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if n != 1 {
			t.Errorf("%s deleted %d objects, want 1", s.name, n)
		}
		if exists[s.name](ids[s.name][0]) {
			t.Errorf("%s left the marked object %s", s.name, ids[s.name][0])
		}
		if !exists[s.name](ids[s.name][1]) {
			t.Errorf("%s deleted %s, which carries no marker", s.name, ids[s.name][1])
		}
	}

	// A vendor without credentials has nothing to sweep, and is no error.
	none, err := clientsFromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sweepers {
		if n, err := s.sweep(context.Background(), none); n != 0 || err != nil {
			t.Errorf("%s without credentials: %d, %v", s.name, n, err)
		}
	}
}
