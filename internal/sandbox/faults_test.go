package sandbox

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// createCall is one create request per API, with a way to count what it made.
type createCall struct {
	api          API
	op           string
	method, path string
	hdr          map[string]string
	body         string
	records      func(*Server) int
}

func createCalls() []createCall {
	return []createCall{
		{Lune, "lune.create", http.MethodPost, "/v1/webhooks", luneHdr(), luneBase1,
			func(s *Server) int { return len(s.LuneWebhooks()) }},
		{Inveterate, "inveterate.subscriptions.create", http.MethodPost, subsPath, invHdr(),
			`{"topic":"customer.updated","callbackUrl":"https://example.com","name":"n"}`,
			func(s *Server) int { return len(s.InveterateSubscriptions()) }},
		{Inveterate, "inveterate.webhooks.create", http.MethodPost, hooksPath, invHdr(),
			`{"callbackUrl":"https://example.com"}`,
			func(s *Server) int { return len(s.InveterateWebhooks()) }},
		{Blaze, "blaze.create", http.MethodPost, blazePath, blazeHdr(), blazeBody,
			func(s *Server) int { return len(s.BlazeWebhooks()) }},
	}
}

func TestInjectedStatusFailures(t *testing.T) {
	for _, c := range createCalls() {
		for _, kind := range []FailureKind{Fail429, Fail429RetryAfter, Fail500, Fail503} {
			t.Run(c.op+"/"+string(kind), func(t *testing.T) {
				srv := NewServer(t, Config{})
				srv.FailNext(c.api, c.op, kind, 1)
				r := do(t, srv.URL, c.method, c.path, c.hdr, c.body)

				want := map[FailureKind]int{Fail429: 429, Fail429RetryAfter: 429, Fail500: 500, Fail503: 503}[kind]
				if r.status != want {
					t.Fatalf("status = %d, want %d", r.status, want)
				}
				if got, wantRA := r.header.Get("Retry-After"), kind == Fail429RetryAfter; (got == "1") != wantRA || (!wantRA && got != "") {
					t.Errorf("Retry-After = %q", got)
				}
				switch c.api {
				case Lune:
					if len(r.body) != 0 || r.header.Get("Lune-Version") != luneVersion {
						t.Errorf("Lune failure: body %q, version %q", r.body, r.header.Get("Lune-Version"))
					}
				case Inveterate:
					wantInvError(t, r, want, "")
				case Blaze:
					wantBlazeError(t, r, want, "")
				}
				// Only an Inveterate create is (documented to be) partly applied on 500.
				applied := c.api == Inveterate && kind == Fail500
				if n := c.records(srv); (n == 1) != applied || n > 1 {
					t.Errorf("%d records after the failure, applied = %v", n, applied)
				}
				if got := srv.Count(string(c.api) + ".injected"); got != 1 {
					t.Errorf("%s.injected = %d", c.api, got)
				}
				if got := srv.Count(c.op); got != 1 {
					t.Errorf("%s = %d", c.op, got)
				}
			})
		}
	}
}

func TestInjectedConnectionFailures(t *testing.T) {
	for _, c := range createCalls() {
		for _, kind := range []FailureKind{FailReset, FailLostResponse} {
			t.Run(c.op+"/"+string(kind), func(t *testing.T) {
				srv := NewServer(t, Config{})
				srv.FailNext(c.api, c.op, kind, 1)
				if r, err := try(t, srv.URL, c.method, c.path, c.hdr, c.body); err == nil {
					t.Fatalf("got a response (%d %s), want a connection error", r.status, r.body)
				}
				applied := kind == FailLostResponse
				if n := c.records(srv); (n == 1) != applied || n > 1 {
					t.Errorf("%d records, applied = %v", n, applied)
				}
				// The next request is served normally.
				wantStatus(t, do(t, srv.URL, http.MethodGet, map[API]string{Lune: "/v1/webhooks", Inveterate: subsPath, Blaze: blazePath}[c.api], c.hdr, ""), http.StatusOK)
			})
		}
	}
}

func TestInjectedFailuresComeBeforeAuth(t *testing.T) {
	srv := NewServer(t, Config{})
	srv.FailNext(Lune, "", Fail503, 1)
	wantStatus(t, do(t, srv.URL, http.MethodGet, "/v1/webhooks", nil, ""), http.StatusServiceUnavailable)
	wantStatus(t, do(t, srv.URL, http.MethodGet, "/v1/webhooks", nil, ""), http.StatusUnauthorized)

	// A lost response applies only what would have succeeded: a request with
	// a bad key changes nothing, yet its answer is still lost.
	srv.FailNext(Blaze, "blaze.create", FailLostResponse, 1)
	if _, err := try(t, srv.URL, http.MethodPost, blazePath, nil, blazeBody); err == nil {
		t.Fatal("want a connection error")
	}
	if n := len(srv.BlazeWebhooks()); n != 0 {
		t.Errorf("an unauthenticated lost-response request created %d webhooks", n)
	}
}

func TestLostResponseAppliesUpdates(t *testing.T) {
	srv := NewServer(t, Config{})
	id := luneCreate(t, srv.URL, luneBase1)["id"].(string)
	srv.FailNext(Lune, "lune.update", FailLostResponse, 1)
	if _, err := try(t, srv.URL, http.MethodPut, "/v1/webhooks/"+id, luneHdr(), `{"url":"https://example.com/hook","enabled":false}`); err == nil {
		t.Fatal("want a connection error")
	}
	if w, _ := srv.LuneWebhook(id); w.Enabled {
		t.Error("lost-response update was not applied")
	}

	bid := blazeCreate(t, srv.URL, blazeBody)["id"].(string)
	srv.FailNext(Blaze, "blaze.delete", FailLostResponse, 1)
	if _, err := try(t, srv.URL, http.MethodDelete, blazePath+"/"+bid, blazeHdr(), ""); err == nil {
		t.Fatal("want a connection error")
	}
	if w, _ := srv.BlazeWebhook(bid); !w.Deleted {
		t.Error("lost-response delete was not applied")
	}
}

func TestInveterate500OnlyAppliesValidCreates(t *testing.T) {
	srv := NewServer(t, Config{})
	// An invalid create still gets the injected 500, and creates nothing.
	srv.FailNext(Inveterate, "inveterate.subscriptions.create", Fail500, 1)
	wantInvError(t, do(t, srv.URL, http.MethodPost, subsPath, invHdr(), `{"topic":"nope"}`), http.StatusInternalServerError, "")
	if n := len(srv.InveterateSubscriptions()); n != 0 {
		t.Fatalf("%d subscriptions", n)
	}
	// A 500 on an update applies nothing.
	id := invCreateSub(t, srv.URL, "customer.updated")["id"].(string)
	srv.FailNext(Inveterate, "inveterate.subscriptions.update", Fail500, 1)
	r := do(t, srv.URL, http.MethodPut, subsPath, invHdr(), `{"topic":"customer.updated","id":"`+id+`","name":"changed"}`)
	wantInvError(t, r, http.StatusInternalServerError, "")
	if s, _ := srv.InveterateSubscription(id); s.Name != "sub" {
		t.Errorf("500 on update applied it: %+v", s)
	}
}

func TestFailNext_deterministic(t *testing.T) {
	srv := NewServer(t, Config{})
	unknown := "/v1/webhooks/" + "0123456789abcdefABCDEF0123456789"
	srv.FailNext(Lune, "lune.get", Fail503, 2)
	var got []int
	got = append(got, do(t, srv.URL, http.MethodGet, "/v1/webhooks", luneHdr(), "").status) // other op: untouched
	for range 3 {
		got = append(got, do(t, srv.URL, http.MethodGet, unknown, luneHdr(), "").status)
	}
	if want := []int{200, 503, 503, 404}; !slices.Equal(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}

	// Registrations are consumed in order; "" matches any operation.
	srv.FailNext(Blaze, "", Fail429, 1)
	srv.FailNext(Blaze, "", Fail500, 1)
	got = nil
	for range 3 {
		got = append(got, do(t, srv.URL, http.MethodGet, blazePath, blazeHdr(), "").status)
	}
	if want := []int{429, 500, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}

	// n <= 0 cancels pending registrations for that api and op.
	srv.FailNext(Inveterate, "inveterate.webhooks.list", Fail503, 5)
	srv.FailNext(Inveterate, "inveterate.webhooks.list", Fail503, 0)
	wantStatus(t, do(t, srv.URL, http.MethodGet, hooksPath, invHdr(), ""), http.StatusOK)

	if c := srv.Counts(); c["lune.injected"] != 2 || c["blaze.injected"] != 2 || c["inveterate.injected"] != 0 {
		t.Errorf("injected counters = %v", c)
	}
}

func TestRandomFailures_seeded(t *testing.T) {
	run := func() []int {
		srv := NewServer(t, Config{Seed: 42, Lune: LuneConfig{RateLimit: -1,
			Faults: Faults{FailureRate: 0.5, Kinds: []FailureKind{Fail503, Fail429}}}})
		var out []int
		for range 40 {
			out = append(out, do(t, srv.URL, http.MethodGet, "/v1/webhooks", luneHdr(), "").status)
		}
		if got, want := srv.Count("lune.injected"), 40-countOf(out, 200); got != want {
			t.Errorf("lune.injected = %d, want %d", got, want)
		}
		return out
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different outcomes:\n%v\n%v", a, b)
	}
	if countOf(a, 200) == 0 || countOf(a, 503) == 0 || countOf(a, 429) == 0 {
		t.Errorf("rate 0.5 over 40 requests should mix outcomes: %v", a)
	}

	srv := NewServer(t, Config{})
	srv.SetFaults(Blaze, Faults{FailureRate: 1, Kinds: []FailureKind{Fail500}})
	for range 3 {
		wantStatus(t, do(t, srv.URL, http.MethodGet, blazePath, blazeHdr(), ""), http.StatusInternalServerError)
	}
	srv.SetFaults(Blaze, Faults{})
	wantStatus(t, do(t, srv.URL, http.MethodGet, blazePath, blazeHdr(), ""), http.StatusOK)

	if New(Config{}).Config().Seed == 0 {
		t.Error("a time-based seed should be reported by Config")
	}
}

func countOf(s []int, v int) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

func TestLatency(t *testing.T) {
	srv := NewServer(t, Config{Inveterate: InveterateConfig{Faults: Faults{Latency: 60 * time.Millisecond}}})
	start := time.Now()
	wantStatus(t, do(t, srv.URL, http.MethodGet, subsPath, invHdr(), ""), http.StatusOK)
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("Inveterate request took %v, want at least the configured 60ms", d)
	}

	srv.SetLatency(Blaze, 100*time.Millisecond)
	start = time.Now()
	wantStatus(t, do(t, srv.URL, http.MethodGet, blazePath, blazeHdr(), ""), http.StatusOK)
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("BLAZE request took %v, want at least 100ms", d)
	}
	if got := srv.Config().Blaze.Faults.Latency; got != 100*time.Millisecond {
		t.Errorf("Config latency = %v", got)
	}
}

func TestFaultKnobs_rejectMistakes(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	s := New(Config{})
	mustPanic("SetFaults unknown kind", func() { s.SetFaults(Lune, Faults{Kinds: []FailureKind{"boom"}}) })
	mustPanic("FailNext unknown kind", func() { s.FailNext(Lune, "", "boom", 1) })
	mustPanic("FailNext unknown API", func() { s.FailNext("nope", "", Fail500, 1) })
	mustPanic("SetLatency unknown API", func() { s.SetLatency("nope", time.Second) })
	mustPanic("New unknown kind", func() { New(Config{Blaze: BlazeConfig{Faults: Faults{Kinds: []FailureKind{"x"}}}}) })

	kinds, err := ParseFailureKinds(" 429, reset ,lost-response,")
	if err != nil || !slices.Equal(kinds, []FailureKind{Fail429, FailReset, FailLostResponse}) {
		t.Errorf("ParseFailureKinds = %v, %v", kinds, err)
	}
	if kinds, err := ParseFailureKinds(""); err != nil || kinds != nil {
		t.Errorf("ParseFailureKinds(\"\") = %v, %v", kinds, err)
	}
	if _, err := ParseFailureKinds("429,boom"); err == nil {
		t.Error("ParseFailureKinds accepted an unknown kind")
	}
}
