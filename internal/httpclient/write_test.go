package httpclient

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

// The tests of this file follow the table at the top of write.go: one test per transition.

// queued → ended: a caller that gives up while its request waits for the pacer sends nothing, and
// is told it was interrupted, not that the vendor failed.
func TestWrite_queuedInterruptedSendsNothing(t *testing.T) {
	srv := seqServer(t, reply(200, `{}`))
	cfg := testConfig(srv.URL)
	cfg.RateLimit, cfg.RateBurst = 0.1, 1 // the second request waits ten seconds for its turn
	c := newClient(t, cfg)
	if _, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/warm-up"}, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/webhooks", Body: map[string]string{"url": "u"}, NonIdempotent: true}, nil)
	assertKind(t, err, ErrInterrupted)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "nothing was sent") {
		t.Errorf("error %q does not say that the interrupt came before anything was sent", err)
	}
	if n := srv.countMethod(http.MethodPost); n != 0 {
		t.Fatalf("%d POSTs reached the server after the caller gave up", n)
	}
}

// queued → sent: the per-attempt timeout starts when the request leaves the queue, not while it
// waits for the pacer.
func TestWrite_timeoutStartsWhenSent(t *testing.T) {
	srv := seqServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(150 * time.Millisecond)
		reply(200, `{}`)(w, r)
	})
	cfg := testConfig(srv.URL)
	cfg.RateLimit, cfg.RateBurst = 2, 1 // the second request waits half a second in the queue
	cfg.RequestTimeout = 400 * time.Millisecond
	cfg.MaxRetries = 0
	c := newClient(t, cfg)
	for i := range 2 {
		if _, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/hooks"}, nil); err != nil {
			t.Fatalf("request %d: %v (the time spent queued counted against the attempt's timeout)", i, err)
		}
	}
}

// sent is the point of no return: a write whose caller gives up after it left the queue is
// finished, and its answer returned (a rotation's new secret is not lost).
func TestWrite_sentWriteFinishesAfterInterrupt(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := seqServer(t, signal(arrived, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		reply(200, `{"id":"wh_1","secret":"whsec_new"}`)(w, r)
	}))
	c := newClient(t, testConfig(srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-arrived; cancel() }()
	var out struct{ Secret string }
	if _, err := c.Do(ctx, Request{Method: http.MethodPut, Path: "/v1/webhooks/wh_1/rotate-secret"}, &out); err != nil {
		t.Fatalf("a rotation sent before the interrupt failed: %v", err)
	}
	if out.Secret != "whsec_new" {
		t.Fatalf("secret %q, want the rotation's answer", out.Secret)
	}
	if srv.Count() != 1 {
		t.Fatalf("%d requests, want 1", srv.Count())
	}
}

// sent → queued: an attempt that never got a connection sent nothing, so even a create is sent
// again (without a lookup); a connection problem no retry can fix ends it at once.
func TestWrite_notConnectedIsNotUnknown(t *testing.T) {
	var dials atomic.Int32
	cfg := testConfig("http://127.0.0.1:1")
	cfg.MaxRetries = 2
	cfg.Transport = transportFunc(func(r *http.Request) (*http.Response, error) {
		dials.Add(1)
		return nil, errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	})
	c := newClient(t, cfg)
	finds := 0
	_, err := c.CreateOrAdopt(context.Background(), Request{Method: http.MethodPost, Path: "/v1/webhooks"}, nil,
		func(context.Context, *Lookup) (bool, error) { finds++; return false, nil })
	assertKind(t, err, ErrServer)
	if dials.Load() != 3 || finds != 0 {
		t.Fatalf("%d attempts and %d lookups, want 3 and 0: a create that never connected is safe to resend", dials.Load(), finds)
	}
}

type transportFunc func(*http.Request) (*http.Response, error)

func (f transportFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// answered → ended: a redirect is never followed, so no credential leaves for the address it names
// (Go's client drops only Authorization across hosts, and follows to http:// too). The error names
// the Location and the base URL to check.
func TestWrite_redirectNotFollowed(t *testing.T) {
	elsewhere := seqServer(t, reply(200, `{}`))
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			t.Run(fmt.Sprintf("%d %s", status, method), func(t *testing.T) {
				before := elsewhere.Count()
				srv := seqServer(t, reply(status, "", "Location", elsewhere.URL+"/v1/webhooks?key=leak"))
				cfg := testConfig(srv.URL)
				cfg.Header = http.Header{"X-Inveterate-Api-Key": {"ik_secret"}, "X-Api-Key": {"pk_secret"}, "Authorization": {"Bearer lk_secret"}}
				c := newClient(t, cfg)
				_, err := c.Do(context.Background(), Request{Method: method, Path: "/v1/webhooks", NonIdempotent: method == http.MethodPost}, nil)
				assertKind(t, err, ErrRedirect)
				if elsewhere.Count() != before {
					t.Fatal("the redirect was followed: the credentials went to another origin")
				}
				if srv.Count() != 1 {
					t.Errorf("%d requests to the base URL, want 1 (a redirect is not retried)", srv.Count())
				}
				msg := err.Error()
				if !strings.Contains(msg, elsewhere.URL+"/v1/webhooks") || !strings.Contains(msg, "base URL") || strings.Contains(msg, "leak") {
					t.Errorf("error %q does not name the Location (without its query) and the base URL", msg)
				}
			})
		}
	}
}

// answered → ended: an error body that is not the vendor's JSON (a proxy's or CDN's HTML page) is
// summarized: status, content type, its first line of text, bounded and redacted.
func TestWrite_htmlErrorBodySummarised(t *testing.T) {
	page := "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>key lk_secret " +
		strings.Repeat("x", 5000) + "</body></html>"
	srv := seqServer(t, reply(502, page, "Content-Type", "text/html; charset=UTF-8"))
	cfg := testConfig(srv.URL)
	cfg.MaxRetries = 1
	cfg.Redact.Values = []string{"lk_secret"}
	c := newClient(t, cfg)
	_, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/v1/webhooks"}, nil)
	assertKind(t, err, ErrServer)
	msg := err.Error()
	for _, want := range []string{"HTTP 502", "text/html", "502 Bad Gateway", "a proxy or CDN may have answered"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "lk_secret") || strings.Contains(msg, "<html") || len(msg) > 600 {
		t.Errorf("error (%d characters) pastes the page or a credential: %q", len(msg), msg)
	}
	if srv.Count() != 2 {
		t.Errorf("%d attempts, want 2: a 502 on a read is retried", srv.Count())
	}
}

// answered → unknown: an answer over the size limit says so, and a create so answered is looked
// for.
func TestWrite_answerTooLarge(t *testing.T) {
	huge := `{"id":"` + strings.Repeat("a", maxResponseBytes) + `"}`
	srv := seqServer(t, reply(200, huge))
	c := newClient(t, testConfig(srv.URL))
	var out created
	_, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/v1/webhooks"}, &out)
	assertKind(t, err, ErrServer)
	if !strings.Contains(err.Error(), "larger than 10 MiB") || strings.Contains(err.Error(), "unexpected end of JSON input") {
		t.Errorf("error %q does not say the answer was too large", err)
	}
	finds := 0
	_, err = c.CreateOrAdopt(context.Background(), Request{Method: http.MethodPost, Path: "/v1/webhooks"}, &out,
		func(context.Context, *Lookup) (bool, error) { finds++; out.ID = "found"; return true, nil })
	if err != nil || finds != 1 {
		t.Errorf("a create answered with too large a body: err %v after %d lookups, want adoption after 1", err, finds)
	}
}

// unknown → resolved: the lookup runs on a context of its own, whether the interrupt comes before,
// during or after it. An interrupt during a long lookup (Inveterate's visibility wait, the pacer)
// used to cancel the list, leaving the object created and not in state.
func TestWrite_lookupSurvivesInterruptDuringIt(t *testing.T) {
	srv := seqServer(t, drop)
	c := newClient(t, testConfig(srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out created
	adopted, err := c.CreateOrAdopt(ctx, Request{Method: http.MethodPost, Path: "/v1/webhooks"}, &out,
		func(lookupCtx context.Context, _ *Lookup) (bool, error) {
			cancel() // Ctrl-C while the lookup lists
			select {
			case <-lookupCtx.Done():
				return false, lookupCtx.Err()
			case <-time.After(200 * time.Millisecond): // a list that takes a while
			}
			out.ID = "wh_made"
			return true, nil
		})
	if err != nil || !adopted || out.ID != "wh_made" {
		t.Fatalf("adopted=%v id=%q err=%v: an interrupt during the lookup lost the object", adopted, out.ID, err)
	}
}

// unknown → resolved: a lookup never takes the object of another create of this process that is
// still waiting for its answer. Two resources with the same URL: A's create is applied but its
// answer is slow; B's is lost before it is applied. B's lookup lists A's object: it must wait for
// A's answer, which claims it, and then create its own.
func TestWrite_lookupWaitsForCreatesInFlight(t *testing.T) {
	type object struct {
		ID      string    `json:"id"`
		URL     string    `json:"url"`
		Created time.Time `json:"created"`
	}
	var mu sync.Mutex
	var objects []object
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		if r.Method == http.MethodGet {
			mu.Lock()
			defer mu.Unlock()
			_ = json.NewEncoder(w).Encode(objects)
			return
		}
		switch n := posts.Add(1); n {
		case 1: // A: applied, answered late
			mu.Lock()
			o := object{ID: "wh_a", URL: "https://x", Created: time.Now()}
			objects = append(objects, o)
			mu.Unlock()
			time.Sleep(700 * time.Millisecond)
			_ = json.NewEncoder(w).Encode(o)
		case 2: // B: lost before it was applied
			drop(w, r)
		default: // B again
			mu.Lock()
			o := object{ID: fmt.Sprintf("wh_%d", n), URL: "https://x", Created: time.Now()}
			objects = append(objects, o)
			mu.Unlock()
			_ = json.NewEncoder(w).Encode(o)
		}
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, testConfig(srv.URL))
	find := func(out *created) Finder {
		return func(ctx context.Context, lk *Lookup) (bool, error) {
			var all []object
			if _, err := c.Do(ctx, Request{Method: http.MethodGet, Path: "/hooks"}, &all); err != nil {
				return false, err
			}
			found, err := ClaimOnly(ctx, lk, all, func(o *object) Candidate {
				return Candidate{ID: o.ID, Created: o.Created, Matches: o.URL == "https://x"}
			})
			if found != nil {
				out.ID = found.ID
			}
			return found != nil, err
		}
	}
	var a, b created
	var wg sync.WaitGroup
	wg.Add(2)
	var errA, errB error
	go func() {
		defer wg.Done()
		_, errA = c.CreateOrAdopt(context.Background(), Request{Method: http.MethodPost, Path: "/hooks"}, &a, find(&a))
	}()
	time.Sleep(100 * time.Millisecond) // A is applied and waiting for its answer
	go func() {
		defer wg.Done()
		_, errB = c.CreateOrAdopt(context.Background(), Request{Method: http.MethodPost, Path: "/hooks"}, &b, find(&b))
	}()
	wg.Wait()
	if errA != nil || errB != nil {
		t.Fatalf("A: %v, B: %v", errA, errB)
	}
	if a.ID != "wh_a" || b.ID == "wh_a" || b.ID == "" {
		t.Fatalf("A got %q and B got %q: B's lookup took A's webhook", a.ID, b.ID)
	}
}

// sent → answered over HTTP/2: the server may hold the whole request before the client's transport
// reports it written. A create interrupted in that gap used to be cancelled and reported as never
// sent, while the server went on and created it. Now a create that left the queue is finished: every
// create the server received comes back with its answer.
func TestWrite_http2InterruptAfterTheServerHasTheRequest(t *testing.T) {
	var received atomic.Int32
	arrivals := make(chan chan struct{}, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			http.Error(w, "want HTTP/2", http.StatusHTTPVersionNotSupported)
			return
		}
		_, _ = io.ReadAll(r.Body)
		received.Add(1)
		// The whole request is here: the caller gives up now, and the create is applied.
		(<-arrivals) <- struct{}{}
		time.Sleep(20 * time.Millisecond)
		reply(201, `{"id":"wh_1"}`)(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	transport := srv.Client().Transport.(*http.Transport).Clone()
	transport.ForceAttemptHTTP2 = true
	transport.TLSClientConfig = &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs, MinVersion: tls.VersionTLS12}
	cfg := testConfig(srv.URL)
	cfg.Transport = transport
	c := newClient(t, cfg)
	const creates = 100
	answered := 0
	for range creates {
		arrived := make(chan struct{}, 1)
		arrivals <- arrived
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }()
		var out created
		_, err := c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/webhooks", Body: map[string]string{"url": strings.Repeat("u", 20000)}, NonIdempotent: true}, &out)
		cancel()
		if err == nil && out.ID == "wh_1" {
			answered++
		} else if !errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("a create the server received came back as %v: as if never sent", err)
		}
	}
	if int(received.Load()) != creates || answered != creates {
		t.Fatalf("the server received %d creates; %d came back with their answer, want all %d", received.Load(), answered, creates)
	}
}

// A Location that does not parse is not quoted: it may carry credentials in any form.
func TestWrite_redirectToAnUnparsableLocationQuotesNothing(t *testing.T) {
	srv := seqServer(t, reply(302, "", "Location", "https://admin:hunter2@evil.example/%zz?access_token=SECRET"))
	c := newClient(t, testConfig(srv.URL))
	_, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/v1/webhooks"}, nil)
	assertKind(t, err, ErrRedirect)
	if msg := err.Error(); strings.Contains(msg, "hunter2") || strings.Contains(msg, "SECRET") || !strings.Contains(msg, "not a valid URL") {
		t.Fatalf("error %q quotes the Location", msg)
	}
}

// answered → queued: a read whose 2xx body breaks off is asked again, not failed.
func TestWrite_brokenOffBodyOfAReadIsRetried(t *testing.T) {
	srv := seqServer(t, truncated(200, `[{"id":"wh_`), reply(200, `[{"id":"wh_1"}]`))
	c := newClient(t, testConfig(srv.URL))
	var out []created
	if _, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/v1/webhooks"}, &out); err != nil || len(out) != 1 {
		t.Fatalf("Do = %v, %+v; want the second attempt's list", err, out)
	}
}

// resolved (absent) → ended: an interrupt during the wait before the create is sent again is an
// interrupt with a known outcome (nothing was created), never "it may exist: import it".
func TestWrite_interruptBeforeResendAfterAbsent(t *testing.T) {
	srv := seqServer(t, drop)
	cfg := testConfig(srv.URL)
	cfg.RetryWaitMin, cfg.RetryWaitMax = time.Minute, time.Minute
	c := newClient(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := c.CreateOrAdopt(ctx, Request{Method: http.MethodPost, Path: "/v1/webhooks"}, nil,
		func(context.Context, *Lookup) (bool, error) {
			time.AfterFunc(50*time.Millisecond, cancel)
			return false, nil
		})
	assertKind(t, err, ErrInterrupted)
	if srv.Count() != 1 {
		t.Fatalf("%d POSTs, want 1", srv.Count())
	}
}

// readAll reads what the body holds, whatever length it declares: the declared length only sizes
// the buffer (one buffer, when it is right), and an error while reading is kept.
func TestReadAll(t *testing.T) {
	broken := errors.New("connection reset")
	body := strings.Repeat("x", 3000)
	for _, c := range []struct {
		name     string
		r        io.Reader
		size     int64
		want     string
		tooLarge bool
		err      error
	}{
		{"the declared length", strings.NewReader(body), 3000, body, false, nil},
		{"no declared length", strings.NewReader(body), -1, body, false, nil},
		{"longer than declared", strings.NewReader(body), 10, body, false, nil},
		{"shorter than declared", strings.NewReader(body), 5000, body, false, nil},
		{"empty", strings.NewReader(""), 0, "", false, nil},
		{"declared past the limit", strings.NewReader(body), maxResponseBytes + 1, body, false, nil},
		{"cut short", io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(broken)), 3000, "abc", false, broken},
		{"cut short with the last bytes", &lastRead{data: "abc", err: io.ErrUnexpectedEOF}, 3000, "abc", false, io.ErrUnexpectedEOF},
		{"the end with the last bytes", iotest.DataErrReader(strings.NewReader(body)), 3000, body, false, nil},
		{"a byte at a time", iotest.OneByteReader(strings.NewReader(body)), 3000, body, false, nil},
		{"past the limit", strings.NewReader(strings.Repeat("y", maxResponseBytes+10)), maxResponseBytes, strings.Repeat("y", maxResponseBytes), true, nil},
		{"past the limit, no declared length", strings.NewReader(strings.Repeat("y", maxResponseBytes+10)), -1, strings.Repeat("y", maxResponseBytes), true, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			data, tooLarge, err := readAll(c.r, c.size)
			if string(data) != c.want || tooLarge != c.tooLarge || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
				t.Errorf("got %d bytes, tooLarge %v, err %v; want %d bytes, tooLarge %v, err %v", len(data), tooLarge, err, len(c.want), c.tooLarge, c.err)
			}
		})
	}
	// Nothing is read past the limit, declared or not.
	for _, size := range []int64{-1, 100, maxResponseBytes} {
		r := strings.NewReader(strings.Repeat("z", maxResponseBytes+10))
		if _, tooLarge, _ := readAll(r, size); !tooLarge || r.Len() != 9 {
			t.Errorf("declared %d: tooLarge %v, %d bytes left unread, want 9", size, tooLarge, r.Len())
		}
	}
	// A body of the declared length takes one buffer, one byte larger, not a series of growing ones.
	allocs := testing.AllocsPerRun(10, func() {
		if data, _, _ := readAll(strings.NewReader(body), int64(len(body))); cap(data) != len(body)+1 {
			t.Fatalf("capacity %d for %d bytes declared", cap(data), len(body))
		}
	})
	undeclared := testing.AllocsPerRun(10, func() { _, _, _ = readAll(strings.NewReader(body), -1) })
	// The reader, its limit and the buffer.
	if allocs > 3 || allocs >= undeclared {
		t.Errorf("%v allocations to read a body of the declared length (%v undeclared), want the one buffer", allocs, undeclared)
	}
}

// lastRead answers its data and its error in one read, as a body cut by a proxy does.
type lastRead struct {
	data string
	err  error
	done bool
}

func (r *lastRead) Read(p []byte) (int, error) {
	if r.done {
		return 0, r.err
	}
	r.done = true
	return copy(p, r.data), r.err
}
