package sandbox

import (
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
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
	kinds, err = ParseFailureKinds("cdn_timeout,cdn_error,redirect")
	if err != nil || !slices.Equal(kinds, []FailureKind{FailCDNTimeout, FailCDNError, FailRedirect}) {
		t.Errorf("ParseFailureKinds(CDN kinds) = %v, %v", kinds, err)
	}
	if kinds, err := ParseFailureKinds(""); err != nil || kinds != nil {
		t.Errorf("ParseFailureKinds(\"\") = %v, %v", kinds, err)
	}
	if _, err := ParseFailureKinds("429,boom"); err == nil {
		t.Error("ParseFailureKinds accepted an unknown kind")
	}
}

// TestInjectedCDNAnswers checks the answers of something in front of the API:
// a CDN's 524 after the origin applied the request, a CDN's 502/520-523 that
// applied nothing, and a redirect to another origin that applied nothing. All
// are HTML without the vendor's headers, and count as injected failures.
func TestInjectedCDNAnswers(t *testing.T) {
	for _, c := range createCalls() {
		for _, kind := range []FailureKind{FailCDNTimeout, FailCDNError, FailRedirect} {
			t.Run(c.op+"/"+string(kind), func(t *testing.T) {
				srv := NewServer(t, Config{})
				srv.FailNext(c.api, c.op, kind, 1)
				r := do(t, srv.URL, c.method, c.path, c.hdr, c.body)

				switch kind {
				case FailCDNTimeout:
					wantStatus(t, r, 524)
					wantCDNPage(t, r, "Error code 524")
				case FailCDNError:
					if !slices.Contains([]int{502, 520, 521, 522, 523}, r.status) {
						t.Fatalf("status = %d, want 502 or 520-523", r.status)
					}
					wantCDNPage(t, r, fmt.Sprintf("Error code %d", r.status))
				case FailRedirect:
					wantStatus(t, r, http.StatusTemporaryRedirect)
					wantHTML(t, r)
					loc, err := url.Parse(r.header.Get("Location"))
					if err != nil || loc.Scheme != "http" || loc.Host != "127.0.0.1:1" || loc.Path != c.path {
						t.Errorf("Location = %q, want %s on http://127.0.0.1:1", r.header.Get("Location"), c.path)
					}
					if ip := net.ParseIP(loc.Hostname()); ip == nil || !ip.IsLoopback() {
						t.Errorf("Location %q leaves the machine", loc)
					}
				}
				if v := r.header.Get("Lune-Version"); v != "" {
					t.Errorf("Lune-Version = %q on an answer the vendor never wrote", v)
				}
				applied := kind == FailCDNTimeout
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

// wantHTML fails unless r is HTML.
func wantHTML(t *testing.T, r resp) {
	t.Helper()
	if mt, _, err := mime.ParseMediaType(r.header.Get("Content-Type")); err != nil || mt != "text/html" {
		t.Errorf("Content-Type = %q, want text/html", r.header.Get("Content-Type"))
	}
	if json.Valid(r.body) {
		t.Errorf("body is JSON: %s", r.body)
	}
}

// wantCDNPage fails unless r is a Cloudflare-like error page: a few kilobytes
// of multi-line HTML naming the error, with the Ray ID of its CF-RAY header.
func wantCDNPage(t *testing.T, r resp, errorCode string) {
	t.Helper()
	wantHTML(t, r)
	page := string(r.body)
	if len(page) < 2000 || strings.Count(page, "\n") < 20 || !strings.HasPrefix(page, "<!DOCTYPE html>") {
		t.Errorf("page of %d bytes, %d lines: %.200q", len(page), strings.Count(page, "\n"), page)
	}
	if !strings.Contains(page, errorCode) || !strings.Contains(page, "<title>127.0.0.1:") {
		t.Errorf("page does not name %q on the request's host: %.600q", errorCode, page)
	}
	if ray := r.header.Get("CF-RAY"); ray == "" || !strings.Contains(page, "Ray ID: <strong>"+ray+"</strong>") {
		t.Errorf("CF-RAY %q is not the page's Ray ID", ray)
	}
	if r.header.Get("Server") != "cloudflare" {
		t.Errorf("Server = %q", r.header.Get("Server"))
	}
}

// TestCDNAnswers_updatesAndAuth checks the CDN kinds beyond creates: a 524 on
// an update has applied it and a CDN error on a delete has not, and, like a
// lost response, a 524 applies only what would have succeeded.
func TestCDNAnswers_updatesAndAuth(t *testing.T) {
	srv := NewServer(t, Config{})
	id := luneCreate(t, srv.URL, luneBase1)["id"].(string)
	srv.FailNext(Lune, "lune.update", FailCDNTimeout, 1)
	wantStatus(t, do(t, srv.URL, http.MethodPut, "/v1/webhooks/"+id, luneHdr(), `{"url":"https://example.com/hook","enabled":false}`), 524)
	if w, _ := srv.LuneWebhook(id); w.Enabled {
		t.Error("an update answered 524 was not applied")
	}

	bid := blazeCreate(t, srv.URL, blazeBody)["id"].(string)
	srv.FailNext(Blaze, "blaze.delete", FailCDNError, 1)
	if r := do(t, srv.URL, http.MethodDelete, blazePath+"/"+bid, blazeHdr(), ""); r.status != 502 && (r.status < 520 || r.status > 523) {
		t.Errorf("delete answered %d", r.status)
	}
	if w, _ := srv.BlazeWebhook(bid); w.Deleted {
		t.Error("a delete answered by a CDN error was applied")
	}
	srv.FailNext(Blaze, "blaze.delete", FailRedirect, 1)
	wantStatus(t, do(t, srv.URL, http.MethodDelete, blazePath+"/"+bid, blazeHdr(), ""), http.StatusTemporaryRedirect)
	if w, _ := srv.BlazeWebhook(bid); w.Deleted {
		t.Error("a redirected delete was applied")
	}

	srv.FailNext(Blaze, "blaze.create", FailCDNTimeout, 1)
	wantStatus(t, do(t, srv.URL, http.MethodPost, blazePath, nil, blazeBody), 524)
	if n := len(srv.BlazeWebhooks()); n != 1 {
		t.Errorf("an unauthenticated create answered 524 made a webhook: %d", n)
	}
}

// TestCDNError_statusesSeeded checks that random CDN errors use all five
// statuses and replay with the seed.
func TestCDNError_statusesSeeded(t *testing.T) {
	run := func() []int {
		srv := NewServer(t, Config{Seed: 7, Blaze: BlazeConfig{Faults: Faults{FailureRate: 1, Kinds: []FailureKind{FailCDNError}}}})
		var out []int
		for range 40 {
			out = append(out, do(t, srv.URL, http.MethodGet, blazePath, blazeHdr(), "").status)
		}
		if got := srv.Count("blaze.injected"); got != 40 {
			t.Errorf("blaze.injected = %d", got)
		}
		return out
	}
	a := run()
	for _, status := range []int{502, 520, 521, 522, 523} {
		if countOf(a, status) == 0 {
			t.Errorf("no %d in 40 CDN errors: %v", status, a)
		}
	}
	if len(a) != countOf(a, 502)+countOf(a, 520)+countOf(a, 521)+countOf(a, 522)+countOf(a, 523) {
		t.Errorf("statuses outside 502, 520-523: %v", a)
	}
	if b := run(); !slices.Equal(a, b) {
		t.Errorf("same seed, different statuses:\n%v\n%v", a, b)
	}
}

// TestFailureKinds_defaultSet checks that the CDN answers and the redirect are
// injected only when named: Faults with no Kinds injects the API's own failures.
func TestFailureKinds_defaultSet(t *testing.T) {
	known := KnownFailureKinds()
	for _, k := range []FailureKind{FailCDNTimeout, FailCDNError, FailRedirect} {
		if slices.Contains(AllFailureKinds(), k) || !slices.Contains(known, k) {
			t.Errorf("%s: in AllFailureKinds %v, in KnownFailureKinds %v", k, slices.Contains(AllFailureKinds(), k), slices.Contains(known, k))
		}
	}
	if !slices.Equal(known[:len(AllFailureKinds())], AllFailureKinds()) {
		t.Errorf("KnownFailureKinds = %v", known)
	}
	srv := NewServer(t, Config{Seed: 3, Inveterate: InveterateConfig{Faults: Faults{FailureRate: 1}}})
	for range 60 {
		r, err := try(t, srv.URL, http.MethodGet, subsPath, invHdr(), "")
		if err == nil && !slices.Contains([]int{429, 500, 503}, r.status) {
			t.Fatalf("default kinds answered %d", r.status)
		}
	}
}
