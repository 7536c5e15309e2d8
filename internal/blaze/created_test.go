package blaze_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// BLAZE's created and modified are optional: one that is absent (or null) is not known, the zero
// time, not 1970-01-01 (which would make the webhook look decades old to the lookup that adopts a
// webhook after a lost create answer).
func TestCreatedAndModifiedAreOptional(t *testing.T) {
	for raw, want := range map[string][2]time.Time{
		`{"id":"a"}`: {},
		`{"id":"a","created":null,"modified":null}`: {},
		`{"id":"a","created":1735689600000}`:        {time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), {}},
		`{"id":"a","modified":1735689600123}`:       {{}, time.Date(2025, 1, 1, 0, 0, 0, 123e6, time.UTC)},
		// An explicit 0 is what BLAZE said: keep it.
		`{"id":"a","created":0,"modified":0}`: {time.UnixMilli(0).UTC(), time.UnixMilli(0).UTC()},
	} {
		var w blaze.Webhook
		if err := json.Unmarshal([]byte(raw), &w); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if !w.Created.Equal(want[0]) || !w.Modified.Equal(want[1]) || w.Created.IsZero() != want[0].IsZero() || w.Modified.IsZero() != want[1].IsZero() {
			t.Errorf("%s: created %s, modified %s; want %s, %s", raw, w.Created, w.Modified, want[0], want[1])
		}
		if w.Extra != nil {
			t.Errorf("%s: created/modified landed in Extra: %v", raw, w.Extra)
		}
	}
}

// The update sends the whole object back, and BLAZE owns created and modified: a round trip of an
// answer without them must not invent them (as 0, or as the zero time's year 1), with or without
// fields the client does not know.
func TestRoundTripWithoutCreatedInventsNone(t *testing.T) {
	for _, raw := range []string{
		`{"id":"a","companyId":"c","shopId":"s","deleted":false,"updated":false,"url":"","webHookType":"NEW_MEMBER","webHookUrls":["x"]}`,
		`{"id":"a","companyId":"c","shopId":"s","deleted":false,"updated":false,"url":"","webHookType":"NEW_MEMBER","webHookUrls":["x"],"retries":3}`,
		`{"id":"a","companyId":"c","shopId":"s","created":0,"modified":1735689600000,"deleted":false,"updated":false,"url":"","webHookType":"NEW_MEMBER","webHookUrls":["x"]}`,
	} {
		var w blaze.Webhook
		if err := json.Unmarshal([]byte(raw), &w); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		var in, got map[string]any
		_ = json.Unmarshal([]byte(raw), &in)
		_ = json.Unmarshal(out, &got)
		if len(in) != len(got) {
			t.Errorf("round trip of %s gave %s", raw, out)
		}
		for k, v := range in {
			if gv, ok := got[k]; !ok || !jsonEqual(v, gv) {
				t.Errorf("round trip of %s gave %s", raw, out)
				break
			}
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestUpdateSendsNoInventedCreated: the PUT of an update, built from a GET whose answer has no
// created or modified, carries neither.
func TestUpdateSendsNoInventedCreated(t *testing.T) {
	var mu sync.Mutex
	var put map[string]json.RawMessage
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			_ = json.Unmarshal(body, &put)
			mu.Unlock()
		}
		_, _ = io.WriteString(w, `{"id":"65a1f0c2b3d4e5f607182940","companyId":"c","shopId":"s","webHookType":"NEW_MEMBER","webHookUrls":["https://a"]}`)
	}))
	defer srv.Close()
	c, err := blaze.New(blaze.Config{Settings: httpclient.Settings{BaseURL: srv.URL, RateLimit: -1}, PartnerKey: "p", DeveloperKey: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateWebhook(context.Background(), "65a1f0c2b3d4e5f607182940", blaze.UpdateWebhookInput{WebHookType: "UPDATE_MEMBER", WebHookURLs: []string{"https://b"}}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if put == nil || string(put["webHookType"]) != `"UPDATE_MEMBER"` {
		t.Fatalf("the PUT body was %v", put)
	}
	for _, k := range []string{"created", "modified"} {
		if v, ok := put[k]; ok {
			t.Errorf("the PUT sent %s=%s, which the GET did not have", k, v)
		}
	}
}
