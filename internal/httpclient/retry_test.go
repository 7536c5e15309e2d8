package httpclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRetriesThenSucceeds(t *testing.T) {
	ok := reply(200, `{"id":"wh_1"}`)
	tests := []struct {
		name     string
		method   string
		nonIdemp bool
		actions  []action
		wantHits int
	}{
		{"429 without Retry-After on GET", "GET", false, []action{reply(429, ""), ok}, 2},
		{"429 twice on GET", "GET", false, []action{reply(429, ""), reply(429, ""), ok}, 3},
		{"503 on GET", "GET", false, []action{reply(503, ""), ok}, 2},
		{"500 on GET", "GET", false, []action{reply(500, ""), ok}, 2},
		{"502 on GET", "GET", false, []action{reply(502, ""), ok}, 2},
		{"504 on DELETE", "DELETE", false, []action{reply(504, ""), ok}, 2},
		{"connection dropped on GET", "GET", false, []action{drop, ok}, 2},
		{"connection dropped on idempotent PUT", "PUT", false, []action{drop, ok}, 2},
		{"429 on a create", "POST", true, []action{reply(429, ""), ok}, 2},
		{"503 on PUT", "PUT", false, []action{reply(503, `{"message":"maintenance"}`), reply(503, ""), ok}, 3},
		{"524 from a CDN on GET", "GET", false, []action{reply(524, "<html>A timeout occurred</html>", "Content-Type", "text/html"), ok}, 2},
		{"520 to 523 from a CDN on DELETE", "DELETE", false, []action{reply(520, ""), reply(521, ""), reply(522, ""), reply(523, ""), ok}, 5},
		{"429 twice on a create", "POST", true, []action{reply(429, ""), reply(429, ""), ok}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seqServer(t, tt.actions...)
			cfg := testConfig(srv.URL)
			cfg.MaxRetries = 5
			c := newClient(t, cfg)
			var out struct{ ID string }
			var body any
			if tt.method != "GET" && tt.method != "DELETE" {
				body = map[string]string{"url": "https://example.com"}
			}
			_, err := c.Do(context.Background(), Request{Method: tt.method, Path: "/hooks", Body: body, NonIdempotent: tt.nonIdemp}, &out)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if out.ID != "wh_1" {
				t.Errorf("out.ID = %q, want wh_1", out.ID)
			}
			hits := srv.Hits()
			if len(hits) != tt.wantHits {
				t.Fatalf("server got %d requests, want %d", len(hits), tt.wantHits)
			}
			// Every retry resends the same request, body included.
			for i, h := range hits[1:] {
				if string(h.Body) != string(hits[0].Body) || h.Method != tt.method {
					t.Errorf("retry %d sent %s %q, want %s %q", i+1, h.Method, h.Body, tt.method, hits[0].Body)
				}
			}
		})
	}
}

func TestRetriesExhausted(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		nonIdemp   bool
		maxRetries int
		answer     action
		wantKind   error
		wantStatus int
	}{
		{"503 on GET", "GET", false, 3, reply(503, ""), ErrServer, 503},
		{"429 on GET", "GET", false, 2, reply(429, ""), ErrRateLimited, 429},
		{"429 on a create", "POST", true, 2, reply(429, ""), ErrRateLimited, 429},
		{"503 on a DELETE", "DELETE", false, 1, reply(503, ""), ErrServer, 503},
		{"524 on GET", "GET", false, 1, reply(524, ""), ErrServer, 524},
		{"502 on GET", "GET", false, 2, reply(502, ""), ErrServer, 502},
		{"dropped connections on GET", "GET", false, 2, drop, ErrServer, 0},
		{"MaxRetries=0 means one attempt (503)", "GET", false, 0, reply(503, ""), ErrServer, 503},
		{"MaxRetries=0 means one attempt (429)", "POST", true, 0, reply(429, ""), ErrRateLimited, 429},
		{"MaxRetries=0 means one attempt (drop)", "GET", false, 0, drop, ErrServer, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seqServer(t, tt.answer)
			cfg := testConfig(srv.URL)
			cfg.MaxRetries = tt.maxRetries
			c := newClient(t, cfg)
			_, err := c.Do(context.Background(), Request{Method: tt.method, Path: "/hooks", NonIdempotent: tt.nonIdemp}, nil)
			assertKind(t, err, tt.wantKind)
			e := asAPIError(t, err)
			want := tt.maxRetries + 1
			if e.Attempts != want {
				t.Errorf("Attempts = %d, want %d", e.Attempts, want)
			}
			if got := srv.Count(); got != want {
				t.Errorf("server got %d requests, want %d", got, want)
			}
			if e.StatusCode != tt.wantStatus {
				t.Errorf("StatusCode = %d, want %d", e.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus == 0 && e.Cause == nil {
				t.Error("a transport failure carries no cause")
			}
			if want > 1 && !strings.Contains(err.Error(), fmt.Sprintf("after %d attempts", want)) {
				t.Errorf("Error() = %q does not say how many attempts were made", err.Error())
			}
		})
	}
}

func TestNonIdempotentUnknownOutcome(t *testing.T) {
	tests := []struct {
		name       string
		answer     action
		wantKind   error
		wantHits   int
		wantStatus int
	}{
		{name: "500", answer: reply(500, ""), wantKind: ErrOutcomeUnknown, wantHits: 1, wantStatus: 500},
		{name: "502", answer: reply(502, ""), wantKind: ErrOutcomeUnknown, wantHits: 1, wantStatus: 502},
		{name: "504", answer: reply(504, ""), wantKind: ErrOutcomeUnknown, wantHits: 1, wantStatus: 504},
		{name: "connection dropped after the request was written", answer: drop, wantKind: ErrOutcomeUnknown, wantHits: 1},
		{name: "truncated 201 body", answer: truncated(201, `{"id":"wh_`), wantKind: ErrOutcomeUnknown, wantHits: 1, wantStatus: 201},
		{name: "400 is a plain validation error", answer: reply(400, ""), wantKind: ErrValidation, wantHits: 1, wantStatus: 400},
		// A gateway or CDN in front of the API answers these while the origin may go on and apply it.
		{name: "503", answer: reply(503, ""), wantKind: ErrOutcomeUnknown, wantHits: 1, wantStatus: 503},
		{name: "520", answer: reply(520, "<html>Web server is returning an unknown error</html>", "Content-Type", "text/html"), wantKind: ErrOutcomeUnknown, wantHits: 1, wantStatus: 520},
		{name: "524 origin timed out", answer: reply(524, "<html>A timeout occurred</html>", "Content-Type", "text/html"), wantKind: ErrOutcomeUnknown, wantHits: 1, wantStatus: 524},
		{name: "429 retried: the server did nothing", answer: reply(429, ""), wantKind: ErrRateLimited, wantHits: 4, wantStatus: 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seqServer(t, tt.answer)
			c := newClient(t, testConfig(srv.URL))
			var out struct{ ID string }
			_, err := c.Do(context.Background(), Request{Method: "POST", Path: "/hooks", Body: map[string]string{"a": "b"}, NonIdempotent: true}, &out)
			assertKind(t, err, tt.wantKind)
			e := asAPIError(t, err)
			if got := srv.Count(); got != tt.wantHits {
				t.Errorf("server got %d requests, want %d", got, tt.wantHits)
			}
			if e.Attempts != tt.wantHits {
				t.Errorf("Attempts = %d, want %d", e.Attempts, tt.wantHits)
			}
			if e.StatusCode != tt.wantStatus {
				t.Errorf("StatusCode = %d, want %d", e.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus == 0 && e.Cause == nil {
				t.Errorf("transport failure lost its cause: %v", err)
			}
		})
	}
}

// truncated announces a longer body than it sends, then closes the connection.
func truncated(status int, partial string) action {
	return func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			status, http.StatusText(status), len(partial)+100, partial)
		_ = buf.Flush()
	}
}

func TestIdempotentTransportFailureIsNotUnknown(t *testing.T) {
	srv := seqServer(t, drop)
	cfg := testConfig(srv.URL)
	cfg.MaxRetries = 1
	c := newClient(t, cfg)
	// The same dropped connection on a request that is not marked non-idempotent is retried and
	// reported as a server error, never as an unknown outcome.
	_, err := c.Do(context.Background(), Request{Method: "POST", Path: "/search", Body: map[string]string{"q": "x"}}, nil)
	assertKind(t, err, ErrServer)
	if srv.Count() != 2 {
		t.Errorf("server got %d requests, want 2", srv.Count())
	}
}

func TestConnectionRefused(t *testing.T) {
	// A port nobody listens on, on this machine: the request never leaves, and as nothing on the
	// way could have refused it, waiting cannot help. It fails at once, even a create (which is not
	// an unknown outcome: nothing was sent). A remote host's refusal is retried
	// (TestConnectionRefused_remoteHostRetried).
	cfg := testConfig("http://" + closedPort(t))
	cfg.MaxRetries = 2
	c := newClient(t, cfg)
	_, err := c.Do(context.Background(), Request{Method: "POST", Path: "/hooks", Body: map[string]string{"a": "b"}, NonIdempotent: true}, nil)
	assertKind(t, err, ErrConnection)
	e := asAPIError(t, err)
	if e.Attempts != 1 {
		t.Errorf("Attempts = %d, want 1", e.Attempts)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("cause %v is not the dial error", e.Cause)
	}
}

func TestPerAttemptTimeout(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		nonIdemp bool
		wantKind error // nil: success after a retry
		wantHits int
	}{
		{"create times out: outcome unknown, not retried", "POST", true, ErrOutcomeUnknown, 1},
		{"GET times out: retried", "GET", false, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seqServer(t, hang, reply(200, `{"id":"wh_9"}`))
			cfg := testConfig(srv.URL)
			cfg.RequestTimeout = 300 * time.Millisecond
			c := newClient(t, cfg)
			var out struct{ ID string }
			_, err := c.Do(context.Background(), Request{Method: tt.method, Path: "/hooks", Body: map[string]string{"a": "b"}, NonIdempotent: tt.nonIdemp}, &out)
			if got := srv.Count(); got != tt.wantHits {
				t.Errorf("server got %d requests, want %d", got, tt.wantHits)
			}
			if tt.wantKind == nil {
				if err != nil || out.ID != "wh_9" {
					t.Fatalf("Do = %v, out %+v; want success after a retry", err, out)
				}
				return
			}
			assertKind(t, err, tt.wantKind)
			e := asAPIError(t, err)
			if e.Attempts != 1 {
				t.Errorf("Attempts = %d, want 1", e.Attempts)
			}
			// The cause must survive: it is the timeout, not a bare "outcome unknown".
			var netErr net.Error
			if !errors.As(err, &netErr) || !netErr.Timeout() {
				t.Errorf("error %v does not expose the timeout (cause %v)", err, e.Cause)
			}
			if e.Cause == nil || !strings.Contains(err.Error(), e.Cause.Error()) {
				t.Errorf("Error() = %q does not describe the timeout (cause %v)", err.Error(), e.Cause)
			}
		})
	}
}

func TestRetryAfterSecondsIsHonoured(t *testing.T) {
	for _, status := range []int{429, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv := seqServer(t, reply(status, "", "Retry-After", "1"), reply(200, `{}`))
			c := newClient(t, testConfig(srv.URL)) // RetryWaitMax is 5ms: only Retry-After can make it wait 1s
			if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/hooks"}, nil); err != nil {
				t.Fatalf("Do: %v", err)
			}
			hits := srv.Hits()
			if len(hits) != 2 {
				t.Fatalf("server got %d requests, want 2", len(hits))
			}
			if gap := hits[1].At.Sub(hits[0].At); gap < 950*time.Millisecond {
				t.Errorf("retried after %v, want at least ~1s (Retry-After: 1)", gap)
			}
		})
	}
}

func TestRetryAfterIsCapped(t *testing.T) {
	srv := seqServer(t, reply(429, "", "Retry-After", "3600"), reply(200, `{}`))
	cfg := testConfig(srv.URL)
	cfg.MaxRetryAfter = 20 * time.Millisecond
	c := newClient(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	if _, err := c.Do(ctx, Request{Method: "GET", Path: "/hooks"}, nil); err != nil {
		t.Fatalf("Do: %v", err)
	}
	if took := time.Since(start); took > time.Minute {
		t.Errorf("took %v: the 3600s Retry-After was not capped", took)
	}
	if srv.Count() != 2 {
		t.Errorf("server got %d requests, want 2", srv.Count())
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"1", time.Second, true},
		{"120", 2 * time.Minute, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true}, // a date in the past: retry now
		{"Sat, 01 Mar 2025 12:00:45 GMT", 45 * time.Second, true},
		{"Saturday, 01-Mar-25 12:01:00 GMT", time.Minute, true}, // RFC 850
		{"Sat Mar  1 12:00:10 2025", 10 * time.Second, true},    // ANSI C asctime
		{"Sat, 01 Mar 2025 12:00:45", 0, false},                 // no zone
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got, ok := retryAfter(tt.value, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	c := newClient(t, Config{Settings: Settings{BaseURL: "http://127.0.0.1:1", MaxRetryAfter: 90 * time.Second}})
	withRetryAfter := func(v string) *http.Response {
		return &http.Response{Header: http.Header{"Retry-After": {v}}}
	}
	tests := []struct {
		name     string
		min, max time.Duration
		attempt  int
		resp     *http.Response
		lo, hi   time.Duration // inclusive bounds
	}{
		{"first attempt", 100 * time.Millisecond, 10 * time.Second, 0, nil, 50 * time.Millisecond, 100 * time.Millisecond},
		{"third attempt doubles twice", 100 * time.Millisecond, 10 * time.Second, 2, nil, 200 * time.Millisecond, 400 * time.Millisecond},
		{"capped by max", 100 * time.Millisecond, time.Second, 10, nil, 500 * time.Millisecond, time.Second},
		{"very late attempt", 100 * time.Millisecond, time.Second, 1000, nil, 500 * time.Millisecond, time.Second},
		{"large min and attempt 29 does not overflow", time.Minute, 2 * time.Minute, 29, nil, time.Minute, 2 * time.Minute},
		{"large min, attempts 20..29", 30 * time.Second, 5 * time.Minute, -1, nil, 150 * time.Second, 5 * time.Minute},
		{"response without Retry-After", 100 * time.Millisecond, time.Second, 0, &http.Response{Header: http.Header{}}, 50 * time.Millisecond, 100 * time.Millisecond},
		{"Retry-After wins over max", time.Millisecond, 5 * time.Millisecond, 0, withRetryAfter("2"), 2 * time.Second, 2 * time.Second},
		{"Retry-After capped by MaxRetryAfter", time.Millisecond, 5 * time.Millisecond, 0, withRetryAfter("86400"), 90 * time.Second, 90 * time.Second},
		{"invalid Retry-After falls back to backoff", 100 * time.Millisecond, time.Second, 0, withRetryAfter("later"), 50 * time.Millisecond, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attempts := []int{tt.attempt}
			if tt.attempt < 0 {
				attempts = []int{20, 21, 22, 23, 24, 25, 26, 27, 28, 29}
			}
			for _, a := range attempts {
				for range 50 {
					var got time.Duration
					func() {
						defer func() {
							if r := recover(); r != nil {
								t.Fatalf("backoff(%v, %v, %d) panicked: %v", tt.min, tt.max, a, r)
							}
						}()
						got = c.backoff(tt.min, tt.max, a, headerOf(tt.resp))
					}()
					if got < tt.lo || got > tt.hi {
						t.Fatalf("backoff(%v, %v, %d) = %v, want within [%v, %v]", tt.min, tt.max, a, got, tt.lo, tt.hi)
					}
				}
			}
		})
	}
}

func TestBackoffJitters(t *testing.T) {
	c := newClient(t, testConfig("http://127.0.0.1:1"))
	seen := map[time.Duration]bool{}
	for range 100 {
		seen[c.backoff(time.Second, time.Minute, 3, nil)] = true
	}
	if len(seen) < 10 {
		t.Errorf("backoff produced only %d distinct waits in 100 draws: no jitter", len(seen))
	}
}

func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	tests := []struct {
		name     string
		answer   action
		nonIdemp bool
		waitMin  time.Duration
	}{
		{name: "long exponential backoff", answer: reply(503, ""), waitMin: time.Minute},
		{name: "long Retry-After", answer: reply(429, "", "Retry-After", "60"), waitMin: time.Millisecond},
		{name: "long Retry-After on a create", answer: reply(429, "", "Retry-After", "60"), nonIdemp: true, waitMin: time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arrived := make(chan struct{}, 1)
			srv := seqServer(t, signal(arrived, tt.answer))
			cfg := testConfig(srv.URL)
			cfg.RetryWaitMin, cfg.RetryWaitMax = tt.waitMin, tt.waitMin
			cfg.MaxRetries = 5
			c := newClient(t, cfg)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				<-arrived
				time.Sleep(50 * time.Millisecond) // let the client start waiting
				cancel()
			}()
			start := time.Now()
			_, err := c.Do(ctx, Request{Method: "POST", Path: "/hooks", NonIdempotent: tt.nonIdemp}, nil)
			took := time.Since(start)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v is not context.Canceled", err)
			}
			_ = asAPIError(t, err)
			if took > 5*time.Second {
				t.Errorf("returned after %v: the cancellation did not stop the wait", took)
			}
			if srv.Count() != 1 {
				t.Errorf("server got %d requests, want 1", srv.Count())
			}
		})
	}
}

func TestCancelDuringRequest(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := seqServer(t, signal(arrived, hang))
	c := newClient(t, testConfig(srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	start := time.Now()
	_, err := c.Do(ctx, Request{Method: "GET", Path: "/hooks"}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v is not context.Canceled", err)
	}
	if errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("a cancelled GET is not an unknown outcome: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("returned after %v", took)
	}
	if srv.Count() != 1 {
		t.Errorf("server got %d requests, want 1 (no retry after cancellation)", srv.Count())
	}
}

func TestAlreadyCancelledContextSendsNothing(t *testing.T) {
	srv := seqServer(t, reply(200, `{}`))
	cfg := testConfig(srv.URL)
	cfg.RateLimit = 100
	c := newClient(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Do(ctx, Request{Method: "POST", Path: "/hooks", NonIdempotent: true}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v is not context.Canceled", err)
	}
	if errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("a create that was never sent is not an unknown outcome: %v", err)
	}
	if srv.Count() != 0 {
		t.Errorf("server got %d requests, want 0", srv.Count())
	}
}

func TestRateLimit(t *testing.T) {
	srv := seqServer(t, reply(200, `{}`))
	cfg := testConfig(srv.URL)
	cfg.RateLimit, cfg.RateBurst = 5, 1
	c := newClient(t, cfg)
	start := time.Now()
	for i := range 6 {
		if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/hooks"}, nil); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	// 6 requests at 5/s with a burst of 1: the last leaves ~1s after the first.
	if took := time.Since(start); took < 800*time.Millisecond {
		t.Errorf("6 requests at 5/s took %v, want at least ~0.8s", took)
	}
	hits := srv.Hits()
	if len(hits) != 6 {
		t.Fatalf("server got %d requests, want 6", len(hits))
	}
	if span := hits[5].At.Sub(hits[0].At); span < 800*time.Millisecond {
		t.Errorf("server saw 6 requests within %v, want at least ~0.8s", span)
	}
}

func TestRateLimitAppliesToRetries(t *testing.T) {
	srv := seqServer(t, reply(503, ""), reply(503, ""), reply(200, `{}`))
	cfg := testConfig(srv.URL)
	cfg.RateLimit, cfg.RateBurst = 4, 1
	c := newClient(t, cfg)
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/hooks"}, nil); err != nil {
		t.Fatal(err)
	}
	hits := srv.Hits()
	if len(hits) != 3 {
		t.Fatalf("server got %d requests, want 3", len(hits))
	}
	if span := hits[2].At.Sub(hits[0].At); span < 400*time.Millisecond {
		t.Errorf("3 attempts at 4/s spanned %v, want at least ~0.4s", span)
	}
}

// headerOf is resp's header, nil without a response.
func headerOf(resp *http.Response) http.Header {
	if resp == nil {
		return nil
	}
	return resp.Header
}
