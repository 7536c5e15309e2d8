package httpclient

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// hit is one request as the test server saw it.
type hit struct {
	Method     string
	Path       string // decoded path
	EscapedURI string // path (and query) exactly as sent on the wire
	RawQuery   string
	Header     http.Header
	Body       []byte
	At         time.Time
}

// server is a loopback httptest server that records every request before answering it.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	hits []hit
}

// action answers one request.
type action func(w http.ResponseWriter, r *http.Request)

// newServer starts a server whose n-th request (0-based) is answered by handle.
func newServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the whole body first: once the handler acts, the request has been fully written.
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		n := len(s.hits)
		s.hits = append(s.hits, hit{
			Method:     r.Method,
			Path:       r.URL.Path,
			EscapedURI: r.RequestURI,
			RawQuery:   r.URL.RawQuery,
			Header:     r.Header.Clone(),
			Body:       body,
			At:         time.Now(),
		})
		s.mu.Unlock()
		handle(w, r, n)
	}))
	t.Cleanup(s.Close)
	return s
}

// seqServer answers the n-th request with actions[n], repeating the last action after that.
func seqServer(t *testing.T, actions ...action) *server {
	t.Helper()
	if len(actions) == 0 {
		t.Fatal("seqServer needs at least one action")
	}
	return newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		actions[min(n, len(actions)-1)](w, r)
	})
}

func (s *server) Hits() []hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.hits)
}

func (s *server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.hits)
}

// countMethod counts the requests made with method.
func (s *server) countMethod(method string) int {
	n := 0
	for _, h := range s.Hits() {
		if h.Method == method {
			n++
		}
	}
	return n
}

// reply answers with status, an optional body and header pairs ("Name", "value", ...).
func reply(status int, body string, header ...string) action {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		if body != "" && w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// drop closes the connection without answering, after the request has been fully read.
func drop(w http.ResponseWriter, _ *http.Request) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// hang never answers: it waits until the client goes away (or a long safety timeout).
func hang(_ http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(20 * time.Second):
	}
}

// signal runs next after telling ch that the request arrived.
func signal(ch chan<- struct{}, next action) action {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case ch <- struct{}{}:
		default:
		}
		next(w, r)
	}
}

// testConfig is a client configuration for srvURL with tiny waits and no rate limit.
func testConfig(srvURL string) Config {
	return Config{
		Settings: Settings{
			BaseURL:        srvURL,
			UserAgent:      "terraform-provider-webhooks/1.2.3 (+https://www.terraform.io) Terraform/1.11.4",
			MaxRetries:     3,
			RequestTimeout: 10 * time.Second,
			RetryWaitMin:   time.Millisecond,
			RetryWaitMax:   5 * time.Millisecond,
			RateLimit:      -1,
		},
		Vendor:    "Test",
		Subsystem: "test",
	}
}

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// asAPIError fails the test unless err is an *APIError.
func asAPIError(t *testing.T, err error) *APIError {
	t.Helper()
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return apiErr
}

var allKinds = []error{ErrNotFound, ErrUnauthorized, ErrValidation, ErrRateLimited, ErrServer, ErrOutcomeUnknown,
	ErrConnection, ErrRedirect, ErrInterrupted}

// assertKind checks that err is classified as want and as no other sentinel.
func assertKind(t *testing.T, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", want)
	}
	for _, k := range allKinds {
		if got := errors.Is(err, k); got != (k == want) {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", err, k, got, k == want)
		}
	}
}

// testDecodeError reads {"code": "...", "message": "..."} and lets the status classify, except
// that code "missing" means not found.
func testDecodeError(_ int, body []byte) ErrorInfo {
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ErrorInfo{}
	}
	if e.Code == "missing" {
		return ErrorInfo{Kind: ErrNotFound, Code: e.Code, Message: e.Message}
	}
	return ErrorInfo{Code: e.Code, Message: e.Message}
}
