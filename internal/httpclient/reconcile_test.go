package httpclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type created struct {
	ID string `json:"id"`
}

func (c *created) CreatedID() string { return c.ID }

func TestCreateOrAdopt(t *testing.T) {
	errLookup := errors.New("listing webhooks failed")
	ok := reply(201, `{"id":"wh_new"}`)
	tests := []struct {
		name        string
		maxRetries  int // 0: 3; negative: none
		actions     []action
		find        []bool // answers of successive find calls (last one repeats)
		findErr     error
		wantAdopted bool
		wantKind    error // nil: success
		wantFindErr bool
		wantPOSTs   int
		wantFinds   int
		wantID      string
	}{
		{name: "confirmed create", actions: []action{ok}, wantPOSTs: 1, wantFinds: 0, wantID: "wh_new"},
		{name: "429 then created: no lookup", actions: []action{reply(429, ""), ok}, wantPOSTs: 2, wantFinds: 0, wantID: "wh_new"},
		{name: "503, found: adopted (a CDN or gateway may have answered while the origin went on)", actions: []action{reply(503, ""), ok},
			find: []bool{true}, wantAdopted: true, wantPOSTs: 1, wantFinds: 1, wantID: "wh_found"},
		{name: "524 with an HTML page, not found: create resent", actions: []action{reply(524, "<html><body>A timeout occurred</body></html>", "Content-Type", "text/html"), ok},
			find: []bool{false}, wantPOSTs: 2, wantFinds: 1, wantID: "wh_new"},
		{name: "a redirect: refused, nothing followed, no lookup", actions: []action{reply(307, "", "Location", "http://127.0.0.1:1/elsewhere")},
			wantKind: ErrRedirect, wantPOSTs: 1, wantFinds: 0},
		{name: "lost response, found: adopted without a second POST", actions: []action{drop, ok}, find: []bool{true},
			wantAdopted: true, wantPOSTs: 1, wantFinds: 1, wantID: "wh_found"},
		{name: "lost response, not found: create resent", actions: []action{drop, ok}, find: []bool{false},
			wantPOSTs: 2, wantFinds: 1, wantID: "wh_new"},
		{name: "500, found: adopted", actions: []action{reply(500, ""), ok}, find: []bool{true},
			wantAdopted: true, wantPOSTs: 1, wantFinds: 1, wantID: "wh_found"},
		{name: "504 then lost response, then found", actions: []action{reply(504, ""), drop, ok}, find: []bool{false, true},
			wantAdopted: true, wantPOSTs: 2, wantFinds: 2, wantID: "wh_found"},
		// Every attempt was looked for and not found: nothing was created, and the error says so
		// (not "may exist: import it").
		{name: "lost responses until the retries run out", maxRetries: 2, actions: []action{drop}, find: []bool{false},
			wantKind: ErrServer, wantPOSTs: 3, wantFinds: 3},
		{name: "MaxRetries=0: no resend", maxRetries: -1, actions: []action{drop, ok}, find: []bool{false},
			wantKind: ErrServer, wantPOSTs: 1, wantFinds: 1},
		{name: "lookup fails", actions: []action{drop, ok}, findErr: errLookup,
			wantKind: ErrOutcomeUnknown, wantFindErr: true, wantPOSTs: 1, wantFinds: 1},
		{name: "400: returned without lookup", actions: []action{reply(400, `{"code":"invalid","message":"bad url"}`)},
			wantKind: ErrValidation, wantPOSTs: 1, wantFinds: 0},
		{name: "401: returned without lookup", actions: []action{reply(401, "")},
			wantKind: ErrUnauthorized, wantPOSTs: 1, wantFinds: 0},
		{name: "429 until the retries run out: nothing was created, no lookup", maxRetries: 1, actions: []action{reply(429, "")},
			wantKind: ErrRateLimited, wantPOSTs: 2, wantFinds: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seqServer(t, tt.actions...)
			cfg := testConfig(srv.URL)
			cfg.MaxRetries = 3
			if tt.maxRetries != 0 {
				cfg.MaxRetries = tt.maxRetries // negative: New makes it 0
			}
			cfg.DecodeError = testDecodeError
			c := newClient(t, cfg)

			var out created
			var finds int
			find := func(ctx context.Context, _ *Lookup) (bool, error) {
				finds++
				if ctx.Err() != nil {
					t.Errorf("find called with a dead context: %v", ctx.Err())
				}
				if tt.findErr != nil {
					return false, tt.findErr
				}
				found := tt.find[min(finds-1, len(tt.find)-1)]
				if found {
					out.ID = "wh_found"
				}
				return found, nil
			}
			// The request is not marked non-idempotent: CreateOrAdopt must mark it.
			adopted, err := c.CreateOrAdopt(context.Background(), Request{Method: "POST", Path: "/v1/webhooks", Body: map[string]string{"url": "u"}}, &out, find)

			if adopted != tt.wantAdopted {
				t.Errorf("adopted = %v, want %v", adopted, tt.wantAdopted)
			}
			if tt.wantKind == nil {
				if err != nil {
					t.Fatalf("CreateOrAdopt: %v", err)
				}
				if out.ID != tt.wantID {
					t.Errorf("out.ID = %q, want %q", out.ID, tt.wantID)
				}
			} else {
				assertKind(t, err, tt.wantKind)
				if got := errors.Is(err, errLookup); got != tt.wantFindErr {
					t.Errorf("errors.Is(err, lookup error) = %v, want %v (err: %v)", got, tt.wantFindErr, err)
				}
			}
			if got := srv.countMethod("POST"); got != tt.wantPOSTs {
				t.Errorf("server got %d POSTs, want %d", got, tt.wantPOSTs)
			}
			if finds != tt.wantFinds {
				t.Errorf("find called %d times, want %d", finds, tt.wantFinds)
			}
		})
	}
}

// A create that has reached the server when the caller gives up (Terraform interrupted) is
// allowed to finish: its answer is the only sure way to know what it created.
func TestCreateCancelledAfterSendingCompletes(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := seqServer(t, signal(arrived, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		reply(201, `{"id":"wh_late"}`)(w, r)
	}))
	c := newClient(t, testConfig(srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	var out created
	finds := 0
	adopted, err := c.CreateOrAdopt(ctx, Request{Method: "POST", Path: "/v1/webhooks", Body: map[string]string{"url": "u"}}, &out,
		func(context.Context, *Lookup) (bool, error) { finds++; return false, nil })
	if err != nil || adopted || out.ID != "wh_late" {
		t.Fatalf("got adopted=%v id=%q err=%v; want the create's own answer", adopted, out.ID, err)
	}
	if finds != 0 || srv.countMethod("POST") != 1 {
		t.Fatalf("%d lookups and %d POSTs, want 0 and 1", finds, srv.countMethod("POST"))
	}
}

// Giving up before a create is sent stops it: nothing reaches the server.
func TestCreateCancelledBeforeSendingStops(t *testing.T) {
	srv := seqServer(t, reply(201, `{"id":"never"}`))
	cfg := testConfig(srv.URL)
	cfg.RateLimit, cfg.RateBurst = 0.1, 1 // the second request waits ten seconds for its turn
	c := newClient(t, cfg)
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/warm-up"}, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Do(ctx, Request{Method: "POST", Path: "/v1/webhooks", Body: map[string]string{"url": "u"}, NonIdempotent: true}, nil)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want the caller's deadline and a known outcome (nothing was sent)", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("returned after %v", took)
	}
	if n := srv.countMethod("POST"); n != 0 {
		t.Fatalf("%d POSTs reached the server after the caller gave up", n)
	}
}

// A create that never answers stays unknown after its attempt timeout, even when the caller has
// given up meanwhile: it is still looked for, on a live context, and never sent again.
func TestCreateOrAdoptCancelledDuringUnknownOutcome(t *testing.T) {
	tests := []struct {
		name        string
		found       bool
		wantAdopted bool
	}{
		{"found", true, true},
		{"not found", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arrived := make(chan struct{}, 1)
			srv := seqServer(t, signal(arrived, hang), reply(201, `{"id":"wh_late"}`))
			cfg := testConfig(srv.URL)
			cfg.RequestTimeout = 500 * time.Millisecond
			c := newClient(t, cfg)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				<-arrived
				cancel()
			}()
			var finds int
			var findCtxErr error
			var findDeadline bool
			find := func(lookupCtx context.Context, _ *Lookup) (bool, error) {
				finds++
				findCtxErr = lookupCtx.Err()
				_, findDeadline = lookupCtx.Deadline()
				return tt.found, nil
			}
			start := time.Now()
			adopted, err := c.CreateOrAdopt(ctx, Request{Method: "POST", Path: "/v1/webhooks", Body: map[string]string{"url": "u"}}, &created{}, find)
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("returned after %v", took)
			}
			if finds != 1 {
				t.Fatalf("find called %d times, want 1: an interrupted create must still be looked for", finds)
			}
			if findCtxErr != nil {
				t.Errorf("find got a dead context: %v", findCtxErr)
			}
			if !findDeadline {
				t.Error("find's context has no deadline: a hung lookup would block forever")
			}
			if adopted != tt.wantAdopted {
				t.Errorf("adopted = %v, want %v", adopted, tt.wantAdopted)
			}
			if tt.found {
				if err != nil {
					t.Errorf("err = %v, want nil after adoption", err)
				}
			} else {
				// Looked for and not found: nothing was created, and the caller gave up, so nothing
				// is sent again. That is an interrupt with a known outcome.
				assertKind(t, err, ErrInterrupted)
				if !strings.Contains(err.Error(), "confirmed that nothing it may have made is left") {
					t.Errorf("error %q does not say that nothing was created", err)
				}
			}
			if got := srv.countMethod("POST"); got != 1 {
				t.Errorf("server got %d POSTs, want 1 (never resend after cancellation)", got)
			}
		})
	}
}

func TestCreateOrAdoptAlreadyCancelled(t *testing.T) {
	srv := seqServer(t, reply(201, `{"id":"x"}`))
	c := newClient(t, testConfig(srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	finds := 0
	_, err := c.CreateOrAdopt(ctx, Request{Method: "POST", Path: "/v1/webhooks"}, nil, func(context.Context, *Lookup) (bool, error) {
		finds++
		return false, nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v is not context.Canceled", err)
	}
	if finds != 0 || srv.Count() != 0 {
		t.Errorf("finds = %d, requests = %d; want 0 and 0 for a create never sent", finds, srv.Count())
	}
}

func TestCreateOrAdoptCancelledDuringBackoffAfter429(t *testing.T) {
	// The server answered 429: the create was not applied, so a cancellation during the wait that
	// follows is not an unknown outcome and needs no lookup.
	arrived := make(chan struct{}, 1)
	srv := seqServer(t, signal(arrived, reply(429, "", "Retry-After", "60")))
	c := newClient(t, testConfig(srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	finds := 0
	_, err := c.CreateOrAdopt(ctx, Request{Method: "POST", Path: "/v1/webhooks"}, nil, func(context.Context, *Lookup) (bool, error) {
		finds++
		return false, nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v is not context.Canceled", err)
	}
	if errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("a create answered 429 is not of unknown outcome: %v", err)
	}
	if finds != 0 {
		t.Errorf("find called %d times, want 0", finds)
	}
}

func TestCreateOrAdoptUnreadableCreatedAnswer(t *testing.T) {
	// The object was created (201) but the answer cannot be read: look for it rather than lose it.
	srv := seqServer(t, reply(201, `{"id":`), reply(201, `{"id":"wh_dup"}`))
	c := newClient(t, testConfig(srv.URL))
	var out created
	finds := 0
	adopted, err := c.CreateOrAdopt(context.Background(), Request{Method: "POST", Path: "/v1/webhooks"}, &out, func(context.Context, *Lookup) (bool, error) {
		finds++
		out.ID = "wh_found"
		return true, nil
	})
	if err != nil || !adopted || out.ID != "wh_found" {
		t.Errorf("CreateOrAdopt = %v, %v, out %+v; want adoption of the created object", adopted, err, out)
	}
	if finds != 1 || srv.Count() != 1 {
		t.Errorf("finds = %d, POSTs = %d; want 1 and 1", finds, srv.Count())
	}
}

func TestClaims(t *testing.T) {
	var c Claims // the zero value is ready to use
	if c.Has("a") {
		t.Fatal("empty Claims has a")
	}
	c.Add("a", "b")
	c.Add()
	c.Add("b")
	tests := []struct {
		id   string
		want bool
	}{{"a", true}, {"b", true}, {"c", false}, {"", false}}
	for _, tt := range tests {
		if got := c.Has(tt.id); got != tt.want {
			t.Errorf("Has(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}

	// Concurrent use (run with -race).
	var cc Claims
	var wg sync.WaitGroup
	var seen atomic.Int32
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("id-%d", i)
			cc.Add(id)
			if cc.Has(id) {
				seen.Add(1)
			}
			_ = cc.Has("id-0")
		}()
	}
	wg.Wait()
	if seen.Load() != 16 {
		t.Errorf("%d of 16 concurrent claims visible", seen.Load())
	}
}

func TestCreatedWithin(t *testing.T) {
	sent := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	lookedAt := sent.Add(10 * time.Second)
	tests := []struct {
		name    string
		created time.Time
		want    bool
	}{
		{"same instant", sent, true},
		{"between the create and the search", sent.Add(time.Second), true},
		{"vendor clock 20 s behind", sent.Add(-20 * time.Second), true},
		{"exactly the skew before", sent.Add(-ClockSkew), true},
		{"just beyond the skew before", sent.Add(-ClockSkew - time.Nanosecond), false},
		{"two minutes before: somebody else's", sent.Add(-2 * time.Minute), false},
		{"an hour before", sent.Add(-time.Hour), false},
		{"vendor clock ahead, within the skew", lookedAt.Add(ClockSkew), true},
		{"after the search beyond the skew", lookedAt.Add(ClockSkew + time.Nanosecond), false},
		{"other time zone, same instant", sent.In(time.FixedZone("X", 5*3600)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CreatedWithin(tt.created, sent, lookedAt); got != tt.want {
				t.Errorf("CreatedWithin(%v, %v, %v) = %v, want %v", tt.created, sent, lookedAt, got, tt.want)
			}
		})
	}
}

func TestSameSet(t *testing.T) {
	tests := []struct {
		name string
		a, b []string
		want bool
	}{
		{"both nil", nil, nil, true},
		{"nil and empty", nil, []string{}, true},
		{"equal", []string{"a", "b"}, []string{"a", "b"}, true},
		{"order ignored", []string{"b", "a", "c"}, []string{"c", "a", "b"}, true},
		{"repeats ignored", []string{"a", "a", "b"}, []string{"b", "a"}, true},
		{"different", []string{"a", "b"}, []string{"a", "c"}, false},
		{"subset", []string{"a"}, []string{"a", "b"}, false},
		{"empty vs one", nil, []string{"a"}, false},
		{"case matters", []string{"A"}, []string{"a"}, false},
		{"empty string is an element", []string{""}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := append([]string(nil), tt.a...)
			b := append([]string(nil), tt.b...)
			if got := SameSet(a, b); got != tt.want {
				t.Errorf("SameSet(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := SameSet(b, a); got != tt.want {
				t.Errorf("SameSet(%q, %q) = %v, want %v (not symmetric)", tt.b, tt.a, got, tt.want)
			}
			for i := range a {
				if a[i] != tt.a[i] {
					t.Fatalf("SameSet modified its first argument: %q", a)
				}
			}
			for i := range b {
				if b[i] != tt.b[i] {
					t.Fatalf("SameSet modified its second argument: %q", b)
				}
			}
		})
	}
}

// TestClaimOnlyAdoptsTheOnlyMatch: one match is claimed; two matches are ambiguous and neither is
// claimed; a match claimed already (this process made or adopted it) is no candidate; a match
// without a creation time, or created long before the create, is never taken.
func TestClaimOnlyAdoptsTheOnlyMatch(t *testing.T) {
	now := time.Now()
	type obj struct {
		id, url string
		created time.Time
	}
	items := []obj{{"a", "https://x/1", now}, {"b", "https://x/2", now}, {"c", "https://x/2", now},
		{"old", "https://x/3", now.Add(-time.Hour)}, {"untimed", "https://x/4", time.Time{}},
		{"new", "https://x/4", now}}
	matching := func(url string) func(*obj) Candidate {
		return func(o *obj) Candidate { return Candidate{ID: o.id, Created: o.created, Matches: o.url == url} }
	}
	c := newClient(t, testConfig("http://127.0.0.1:1"))
	lookup := func() *Lookup { return &Lookup{client: c, Sent: now.Add(-time.Second)} }
	ctx := context.Background()
	got, err := ClaimOnly(ctx, lookup(), items, matching("https://x/1"))
	if err != nil || got == nil || got.id != "a" || !c.claims.Has("a") {
		t.Fatalf("one match: %v, %v", got, err)
	}
	if got, err := ClaimOnly(ctx, lookup(), items, matching("https://x/1")); got != nil || err != nil {
		t.Fatalf("a claimed match was offered again: %v, %v", got, err)
	}
	got, err = ClaimOnly(ctx, lookup(), items, matching("https://x/2"))
	var ambiguous *AmbiguousError
	if got != nil || !errors.As(err, &ambiguous) || !slices.Equal(ambiguous.IDs, []string{"b", "c"}) || !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("two matches: %v, %v; want no adoption and an ambiguity naming b and c", got, err)
	}
	if c.claims.Has("b") || c.claims.Has("c") {
		t.Fatal("an ambiguous search claimed a candidate")
	}
	if !strings.Contains(err.Error(), "2 Test objects match") || !strings.Contains(err.Error(), "ids b, c") {
		t.Errorf("error %q", err)
	}
	// Once this process has claimed one of them, the other is the only candidate.
	c.claims.Add("b")
	if got, err := ClaimOnly(ctx, lookup(), items, matching("https://x/2")); err != nil || got == nil || got.id != "c" {
		t.Fatalf("after b was claimed: %v, %v", got, err)
	}
	// Created an hour before the create: somebody else's, never a candidate.
	if got, err := ClaimOnly(ctx, lookup(), items, matching("https://x/3")); got != nil || err != nil {
		t.Fatalf("an old match was offered: %v, %v", got, err)
	}
	// Without a creation time a match cannot be told from one that was there before: ambiguous,
	// even beside a match whose time fits, and nothing is claimed.
	got, err = ClaimOnly(ctx, lookup(), items, matching("https://x/4"))
	if got != nil || !errors.As(err, &ambiguous) || !slices.Equal(ambiguous.Untimed, []string{"untimed"}) ||
		!slices.Equal(ambiguous.IDs, []string{"new", "untimed"}) || c.claims.Has("new") || c.claims.Has("untimed") {
		t.Fatalf("a match without a creation time: %v, %v; want an ambiguity naming it and nothing claimed", got, err)
	}
	if !strings.Contains(err.Error(), "no creation time (ids untimed)") {
		t.Errorf("error %q does not say which match has no creation time", err)
	}

	// Racing searches never hand out the same object twice.
	race := newClient(t, testConfig("http://127.0.0.1:1"))
	results := make(chan string, 50)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, _ := ClaimOnly(ctx, &Lookup{client: race, Sent: now.Add(-time.Second)}, items, matching("https://x/1")); got != nil {
				results <- got.id
			}
		}()
	}
	wg.Wait()
	close(results)
	n := 0
	for range results {
		n++
	}
	if n != 1 {
		t.Fatalf("the only match was claimed %d times, want once", n)
	}
}
