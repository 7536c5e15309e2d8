package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// serveLocked runs one Inveterate operation as ServeHTTP does, under the lock, and returns its reply
// as decided there: not yet built if it is built late.
func serveLocked(s *Sandbox, op string) reply {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Inveterate-Api-Key", DefaultInveterateKey)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serveInveterate(&request{route: route{api: Inveterate, op: op}, r: r})
}

// listIDsAndNames decodes a list answer's records as "id name" pairs, in the list's order.
func listIDsAndNames(t *testing.T, rep reply) []string {
	t.Helper()
	var env struct {
		Message string `json:"message"`
		Data    []struct {
			ID, Name string
			Token    *string
		} `json:"data"`
	}
	if err := json.Unmarshal(rep.body, &env); err != nil || env.Message == "" || env.Data == nil {
		t.Fatalf("list answer %d %s: %v", rep.status, rep.body, err)
	}
	var out []string
	for _, d := range env.Data {
		if d.Token != nil {
			t.Fatalf("a list shows a token: %s", rep.body)
		}
		out = append(out, d.ID+" "+d.Name)
	}
	return out
}

// A list is decided under the lock but built after it (sorted, viewed, encoded), from copies: what it
// answers is the account as it was when the list was decided, in the list's order, whatever is written
// before it is built. Building it under the lock would hold every other request back while thousands
// of records are encoded.
func TestInveterateLists_builtAfterTheLockFromASnapshot(t *testing.T) {
	sb := New(Config{})
	base := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	// Stored out of order, two at the same time to be ordered by id.
	for i, at := range []time.Duration{2, 0, 1, 1} {
		id := fmt.Sprintf("%032d", 4-i)
		sb.AddInveterateSubscription(InveterateSubscription{ID: id, Topic: "customer.updated", Name: "sub" + id[31:], CallbackURL: "https://example.com/" + id, CreatedAt: base.Add(at * time.Second)})
		sb.AddInveterateWebhook(InveterateWebhook{ID: id, Name: "hook" + id[31:], CallbackURL: "https://example.com/" + id, CreatedAt: base.Add(at * time.Second)})
	}
	want := func(prefix string) []string {
		var out []string
		for _, n := range []string{"3", "1", "2", "4"} {
			out = append(out, fmt.Sprintf("%032s %s%s", n, prefix, n))
		}
		return out
	}

	for _, tc := range []struct {
		op, prefix string
		// write changes, adds and removes records behind the list once it is decided; callers hold s.mu.
		write func(s *Sandbox)
	}{
		{"inveterate.subscriptions.list", "sub", func(s *Sandbox) {
			s.invSubs[fmt.Sprintf("%032d", 1)].Name = "renamed"
			delete(s.invSubs, fmt.Sprintf("%032d", 2))
			s.invSubs["x"] = &invSubscription{InveterateSubscription: InveterateSubscription{ID: "x", MerchantID: DefaultInveterateMerchant, CreatedAt: base}, seeded: true}
		}},
		{"inveterate.webhooks.list", "hook", func(s *Sandbox) {
			s.invHooks[fmt.Sprintf("%032d", 1)].Name = "renamed"
			delete(s.invHooks, fmt.Sprintf("%032d", 2))
			s.invHooks["x"] = &invWebhook{InveterateWebhook: InveterateWebhook{ID: "x", MerchantID: DefaultInveterateMerchant, CreatedAt: base}, seeded: true}
		}},
	} {
		t.Run(tc.op, func(t *testing.T) {
			rep := serveLocked(sb, tc.op)
			if rep.status != http.StatusOK || rep.body != nil || rep.encode == nil {
				t.Fatalf("the list was built under the lock: status %d, body %q", rep.status, rep.body)
			}
			sb.mu.Lock()
			tc.write(sb)
			sb.mu.Unlock()
			if got := listIDsAndNames(t, rep.encoded()); !slices.Equal(got, want(tc.prefix)) {
				t.Errorf("list = %q, want the account as it was when the list was decided, %q", got, want(tc.prefix))
			}
		})
	}
}

// Lists built outside the lock race with nothing: lists and writes side by side, under the race detector.
func TestInveterateLists_concurrentWithWrites(t *testing.T) {
	srv := NewServer(t, Config{})
	// send sends one request from any goroutine and returns its body, or nil (and fails the test).
	send := func(method, path, body string, status int) []byte {
		r, err := try(t, srv.URL, method, path, invHdr(), body)
		if err != nil || r.status != status {
			t.Errorf("%s %s: %v, status %d, want %d: %s", method, path, err, r.status, status, r.body)
			return nil
		}
		return r.body
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 25 {
				if g%2 == 0 {
					send(http.MethodGet, subsPath, "", http.StatusOK)
					send(http.MethodGet, hooksPath, "", http.StatusOK)
					continue
				}
				body := send(http.MethodPost, hooksPath, fmt.Sprintf(`{"callbackUrl":"https://example.com/%d/%d","name":"n"}`, g, i), http.StatusCreated)
				var created struct{ Data struct{ ID string } }
				if body != nil && json.Unmarshal(body, &created) == nil && i%2 == 0 {
					send(http.MethodDelete, hooksPath+"/"+created.Data.ID, "", http.StatusOK)
				}
				topic := inveterateTopics[(g*25+i)%len(inveterateTopics)]
				body = send(http.MethodPost, subsPath, fmt.Sprintf(`{"topic":%q,"callbackUrl":"https://example.com/hook","name":"sub"}`, topic), http.StatusCreated)
				if body != nil && json.Unmarshal(body, &created) == nil {
					// A field the lists show changes while they are built.
					send(http.MethodPut, subsPath, fmt.Sprintf(`{"topic":%q,"id":%q,"name":"renamed"}`, topic, created.Data.ID), http.StatusOK)
				}
			}
		})
	}
	wg.Wait()
	subs := invList(t, srv.URL, subsPath)
	if len(subs) != 50 {
		t.Errorf("%d subscriptions listed, want 50", len(subs))
	}
	for _, sub := range subs {
		if sub["name"] != "renamed" {
			t.Errorf("subscription %v was not renamed", sub)
		}
	}
	// 26 of the 50 admin webhooks were deleted; the sandbox's default delete delay may still list them.
	if n := len(invList(t, srv.URL, hooksPath)); n < 24 || n > 50 {
		t.Errorf("%d admin webhooks listed, want 24 to 50", n)
	}
}

// BenchmarkInveterateList2000 is a list of 2,000 admin webhooks: the part decided under the lock (which
// holds every other request back) and the whole of it.
func BenchmarkInveterateList2000(b *testing.B) {
	sb := New(Config{})
	base := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	for i := range 2000 {
		sb.AddInveterateWebhook(InveterateWebhook{Name: fmt.Sprintf("hook %d", i), CallbackURL: fmt.Sprintf("https://example.com/hooks/%d", i), CreatedAt: base.Add(time.Duration(i) * time.Millisecond)})
	}
	b.Run("locked", func(b *testing.B) {
		for b.Loop() {
			serveLocked(sb, "inveterate.webhooks.list")
		}
	})
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			serveLocked(sb, "inveterate.webhooks.list").encoded()
		}
	})
}
