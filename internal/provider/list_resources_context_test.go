package provider

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// contextRecorder is a transport that records, for every request, whether its context was
// already done when it was sent and when it expires.
type contextRecorder struct {
	mu   sync.Mutex
	seen []sentRequest
}

type sentRequest struct {
	path     string
	err      error
	deadline time.Time // zero: none
}

func (c *contextRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	deadline, _ := req.Context().Deadline()
	c.mu.Lock()
	c.seen = append(c.seen, sentRequest{path: req.URL.Path, err: req.Context().Err(), deadline: deadline})
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (c *contextRecorder) take() []sentRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := c.seen
	c.seen = nil
	return seen
}

// TestListResources_contextLivesWhileTheStreamIsRead: Terraform reads a list's results after List
// has returned (the framework calls the stream's iterator then), so a context List derives and
// cancels on return must not be what the iterator uses. The BLAZE list asks for its pages while
// the stream is read: every page goes out with a live context, one context for the whole stream,
// whose listTimeout starts when the reading does. The other lists make their one call in List,
// with a live context bounded by listTimeout, and push from memory.
func TestListResources_contextLivesWhileTheStreamIsRead(t *testing.T) {
	rec := &contextRecorder{}
	e := newProtoEnv(t, sandbox.Config{}, func(o *Options) {
		o.Connection.Transport = rec
		o.BlazePageSize = 3
	})
	// One attempt may take an hour: any deadline the requests carry is the list's.
	configureWith(t, e, map[string]tftypes.Value{"request_timeout": str("1h")})
	sb := e.srv.Sandbox
	var blazeIDs []string
	for i := range 8 {
		w := sb.AddBlazeWebhook(sandbox.BlazeWebhook{WebHookType: "NEW_MEMBER", WebHookURLs: []string{fmt.Sprintf("https://hooks.example.com/%d", i)},
			Created: time.Now().Add(time.Duration(i-10) * time.Minute)})
		blazeIDs = append(blazeIDs, w.ID)
	}
	sb.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://hooks.example.com/lune", Enabled: true})
	sb.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/updated"})
	sb.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: "https://hooks.example.com/admin"})

	t.Run("pages asked for while the stream is read", func(t *testing.T) {
		rec.take()
		stream := e.listStream(partnerWebhookTypeName, nil, true, 0)
		returned := time.Now() // ListResource, and so List, has returned
		if got := rec.take(); len(got) != 0 {
			t.Fatalf("%d requests before the stream was read, want none", len(got))
		}
		var results []tfprotov6.ListResourceResult
		for r := range stream {
			results = append(results, r)
			time.Sleep(time.Millisecond) // a reader slower than the provider
		}
		if got := resultIDs(t, results); !slices.Equal(got, blazeIDs) {
			t.Fatalf("listed %v, want %v", got, blazeIDs)
		}
		sent := rec.take()
		// How many pages the client asks for depends on its overlap rules; what matters is that
		// there are several, all asked for after List returned.
		if len(sent) < 3 {
			t.Fatalf("%d page requests for 8 webhooks in pages of 3, want at least 3", len(sent))
		}
		for i, s := range sent {
			if s.err != nil {
				t.Errorf("page %d went out with its context already done: %v", i+1, s.err)
			}
			if s.deadline.IsZero() || !s.deadline.Equal(sent[0].deadline) {
				t.Errorf("page %d: deadline %v, want %v, the one deadline of the stream", i+1, s.deadline, sent[0].deadline)
			}
		}
		if started := sent[0].deadline.Add(-listTimeout); started.Before(returned) {
			t.Errorf("the stream's listTimeout started %v before List returned, want when the reading starts", returned.Sub(started))
		}
	})

	for _, typeName := range []string{luneWebhookTypeName, inveterateWebhookSubscriptionTypeName, inveterateWebhookTypeName} {
		t.Run(typeName, func(t *testing.T) {
			rec.take()
			results := e.list(typeName, nil, true, 0)
			if got := resultIDs(t, results); len(got) != 1 {
				t.Fatalf("listed %v, want one", got)
			}
			for _, s := range rec.take() {
				if s.err != nil || s.deadline.IsZero() || time.Until(s.deadline) > listTimeout {
					t.Errorf("%s: context error %v, deadline in %v, want a live context within %v", s.path, s.err, time.Until(s.deadline), listTimeout)
				}
			}
		})
	}
}

// configureWith configures e's provider against its sandbox, with top-level arguments extra.
func configureWith(t *testing.T, e *protoEnv, extra map[string]tftypes.Value) {
	t.Helper()
	typ := e.schema.Provider.ValueType().(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, args := range e.sandboxSections() {
		sv := map[string]tftypes.Value{}
		for k, v := range args {
			sv[k] = str(v)
		}
		vals[name] = objectValue(typ.AttributeTypes[name].(tftypes.Object), sv)
	}
	for name, v := range extra {
		vals[name] = v
	}
	resp, err := e.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0", Config: dynamicValue(t, typ, objectValue(typ, vals)),
	})
	if err != nil || hasError(resp.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %s", err, diagText(resp.Diagnostics))
	}
}
