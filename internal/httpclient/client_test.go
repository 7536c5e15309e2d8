package httpclient

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNewValidatesBaseURL(t *testing.T) {
	tests := []struct {
		name    string
		baseURL string
		wantErr bool
	}{
		{"empty", "", true},
		{"no scheme", "api.example.com", true},
		{"relative path", "/v1", true},
		{"no host", "http://", true},
		{"unparsable", "http://[::1", true},
		{"host only", "http://127.0.0.1:1", false},
		{"with path prefix and trailing slash", "https://api.example.com/v1/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(tt.baseURL)
			cfg.Vendor = "Lune"
			c, err := New(cfg)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("New(%q) succeeded, want an error", tt.baseURL)
				}
				if !strings.Contains(err.Error(), "Lune") {
					t.Errorf("error %q does not name the vendor", err)
				}
				return
			}
			if err != nil || c == nil {
				t.Fatalf("New(%q) = %v, %v", tt.baseURL, c, err)
			}
		})
	}
}

func TestNewDefaultsAndAccessors(t *testing.T) {
	tests := []struct {
		name        string
		maxRetries  int
		wantRetries int
	}{
		{"negative retries become zero", -3, 0},
		{"zero retries", 0, 0},
		{"positive retries kept", 7, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Settings: Settings{BaseURL: "http://127.0.0.1:1", MaxRetries: tt.maxRetries}, Vendor: "BLAZE"}
			c := newClient(t, cfg)
			if got := c.MaxRetries(); got != tt.wantRetries {
				t.Errorf("MaxRetries() = %d, want %d", got, tt.wantRetries)
			}
			if got := c.Vendor(); got != "BLAZE" {
				t.Errorf("Vendor() = %q, want BLAZE", got)
			}
			if c.cfg.RequestTimeout != DefaultRequestTimeout || c.cfg.RetryWaitMin != DefaultRetryWaitMin ||
				c.cfg.RetryWaitMax != DefaultRetryWaitMax || c.cfg.MaxRetryAfter != DefaultMaxRetryAfter {
				t.Errorf("defaults not applied: %+v", c.cfg.Settings)
			}
			if c.cfg.ResolveTimeout != DefaultResolveTimeout {
				t.Errorf("ResolveTimeout = %v, want %v", c.cfg.ResolveTimeout, DefaultResolveTimeout)
			}
			if c.pacer != nil {
				t.Errorf("a zero RateLimit must not create a limiter in the shared layer")
			}
		})
	}
}

func TestDoSuccessSendsHeadersAndDecodes(t *testing.T) {
	type hook struct {
		ID     string   `json:"id"`
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	const answer = `{"id":"wh_123","url":"https://example.com/h","events":["a","b"]}`
	tests := []struct {
		name       string
		method     string
		body       any
		status     int
		wantCT     string
		wantBody   string
		nonIdemp   bool
		wantStatus int
	}{
		{name: "GET without body", method: http.MethodGet, status: 200, wantStatus: 200},
		{name: "POST with JSON body", method: http.MethodPost, body: map[string]any{"url": "https://example.com/h", "events": []string{"a", "b"}},
			status: 201, wantCT: "application/json", wantBody: `{"events":["a","b"],"url":"https://example.com/h"}`, wantStatus: 201, nonIdemp: true},
		{name: "PATCH with struct body", method: http.MethodPatch, body: hook{URL: "u"}, status: 200,
			wantCT: "application/json", wantBody: `{"id":"","url":"u","events":null}`, wantStatus: 200},
		{name: "DELETE", method: http.MethodDelete, status: 200, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seqServer(t, reply(tt.status, answer, "X-Request-Id", "req-42"))
			cfg := testConfig(srv.URL)
			cfg.Header = http.Header{}
			cfg.Header.Set("X-Api-Version", "2024-06-01")
			cfg.Header.Set("Authorization", "Bearer test-key")
			c := newClient(t, cfg)

			var out hook
			resp, err := c.Do(context.Background(), Request{Method: tt.method, Path: "/v1/hooks", Body: tt.body, NonIdempotent: tt.nonIdemp}, &out)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			want := hook{ID: "wh_123", URL: "https://example.com/h", Events: []string{"a", "b"}}
			if !reflect.DeepEqual(out, want) {
				t.Errorf("decoded %+v, want %+v", out, want)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("StatusCode = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("X-Request-Id"); got != "req-42" {
				t.Errorf("response header X-Request-Id = %q", got)
			}
			if string(resp.Body) != answer {
				t.Errorf("response body = %q, want %q", resp.Body, answer)
			}

			hits := srv.Hits()
			if len(hits) != 1 {
				t.Fatalf("server got %d requests, want 1", len(hits))
			}
			h := hits[0]
			if h.Method != tt.method {
				t.Errorf("method = %q, want %q", h.Method, tt.method)
			}
			checks := map[string]string{
				"User-Agent":    cfg.UserAgent,
				"Accept":        "application/json",
				"Content-Type":  tt.wantCT,
				"X-Api-Version": "2024-06-01",
				"Authorization": "Bearer test-key",
			}
			for k, v := range checks {
				if got := h.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.wantBody == "" {
				if len(h.Body) != 0 {
					t.Errorf("sent body %q, want none", h.Body)
				}
			} else {
				var got, wantJSON any
				if err := json.Unmarshal(h.Body, &got); err != nil {
					t.Fatalf("sent body %q is not JSON: %v", h.Body, err)
				}
				_ = json.Unmarshal([]byte(tt.wantBody), &wantJSON)
				if !reflect.DeepEqual(got, wantJSON) {
					t.Errorf("sent body %s, want %s", h.Body, tt.wantBody)
				}
			}
		})
	}
}

func TestDoConfiguredHeaderCannotOverrideUserAgent(t *testing.T) {
	srv := seqServer(t, reply(200, `{}`))
	cfg := testConfig(srv.URL)
	cfg.Header = http.Header{"User-Agent": {"spoofed"}, "Accept": {"text/html"}}
	c := newClient(t, cfg)
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil); err != nil {
		t.Fatal(err)
	}
	h := srv.Hits()[0]
	if got := h.Header.Get("User-Agent"); got != cfg.UserAgent {
		t.Errorf("User-Agent = %q, want %q", got, cfg.UserAgent)
	}
	if got := h.Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept = %q, want application/json", got)
	}
}

func TestDoBuildsURL(t *testing.T) {
	tests := []struct {
		name        string
		prefix      string // appended to the server URL to form the base URL
		path        string
		query       url.Values
		wantPath    string // decoded, as the server sees it
		wantURI     string // escaped, as sent on the wire
		wantQuery   url.Values
		wantNoQuery bool
	}{
		{name: "no prefix", path: "/v1/webhooks", wantPath: "/v1/webhooks", wantURI: "/v1/webhooks", wantNoQuery: true},
		{name: "path prefix", prefix: "/api/v2", path: "/hooks", wantPath: "/api/v2/hooks", wantURI: "/api/v2/hooks", wantNoQuery: true},
		{name: "path prefix with trailing slash", prefix: "/api/v2/", path: "/hooks", wantPath: "/api/v2/hooks", wantURI: "/api/v2/hooks", wantNoQuery: true},
		{name: "escaped id with slash and space", prefix: "/api", path: "/hooks/" + url.PathEscape("a/b c"),
			wantPath: "/api/hooks/a/b c", wantURI: "/api/hooks/a%2Fb%20c", wantNoQuery: true},
		{name: "escaped id with query and fragment characters", path: "/hooks/" + url.PathEscape("x?y#z"),
			wantPath: "/hooks/x?y#z", wantURI: "/hooks/x%3Fy%23z", wantNoQuery: true},
		{name: "escaped id with percent", path: "/hooks/" + url.PathEscape("50%off"),
			wantPath: "/hooks/50%off", wantURI: "/hooks/50%25off", wantNoQuery: true},
		{name: "plain id", path: "/hooks/wh_123", wantPath: "/hooks/wh_123", wantURI: "/hooks/wh_123", wantNoQuery: true},
		{name: "query encoding", prefix: "/api", path: "/hooks",
			query:     url.Values{"q": {"a b&c=d"}, "tag": {"x", "y/z"}, "empty": {""}},
			wantPath:  "/api/hooks",
			wantURI:   "/api/hooks?empty=&q=a+b%26c%3Dd&tag=x&tag=y%2Fz",
			wantQuery: url.Values{"q": {"a b&c=d"}, "tag": {"x", "y/z"}, "empty": {""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seqServer(t, reply(200, `{}`))
			c := newClient(t, testConfig(srv.URL+tt.prefix))
			if _, err := c.Do(context.Background(), Request{Method: "GET", Path: tt.path, Query: tt.query}, nil); err != nil {
				t.Fatalf("Do: %v", err)
			}
			h := srv.Hits()[0]
			if h.Path != tt.wantPath {
				t.Errorf("server path = %q, want %q", h.Path, tt.wantPath)
			}
			if h.EscapedURI != tt.wantURI {
				t.Errorf("request URI = %q, want %q", h.EscapedURI, tt.wantURI)
			}
			if tt.wantNoQuery && h.RawQuery != "" {
				t.Errorf("unexpected query %q", h.RawQuery)
			}
			if tt.wantQuery != nil {
				got, err := url.ParseQuery(h.RawQuery)
				if err != nil || !reflect.DeepEqual(got, tt.wantQuery) {
					t.Errorf("query = %v (%v), want %v", got, err, tt.wantQuery)
				}
			}
		})
	}
}

func TestDoAnswerBodies(t *testing.T) {
	tests := []struct {
		name     string
		answer   action
		out      bool
		wantErr  error
		wantBody string
	}{
		{name: "204 with out", answer: reply(204, ""), out: true},
		{name: "200 empty body with out", answer: reply(200, ""), out: true},
		{name: "200 whitespace body with out", answer: reply(200, " \n"), out: true, wantBody: " \n"},
		{name: "200 body without out", answer: reply(200, `{"id":"x"}`), wantBody: `{"id":"x"}`},
		{name: "200 unreadable JSON on GET", answer: reply(200, `{"id":`), out: true, wantErr: ErrServer},
		{name: "200 JSON of the wrong shape", answer: reply(200, `["not","an","object"]`), out: true, wantErr: ErrServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seqServer(t, tt.answer)
			c := newClient(t, testConfig(srv.URL))
			var out struct {
				ID string `json:"id"`
			}
			var outArg any
			if tt.out {
				outArg = &out
			}
			resp, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, outArg)
			if tt.wantErr != nil {
				assertKind(t, err, tt.wantErr)
				e := asAPIError(t, err)
				if e.StatusCode != 200 || e.Cause == nil {
					t.Errorf("APIError = %+v, want status 200 and a cause", e)
				}
				if srv.Count() != 1 {
					t.Errorf("server got %d requests, want 1 (a bad 2xx body is not retried)", srv.Count())
				}
				return
			}
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if string(resp.Body) != tt.wantBody {
				t.Errorf("body = %q, want %q", resp.Body, tt.wantBody)
			}
		})
	}
}

// selfDecoded is an answer that reads its own body (BodyDecoder) and must have one (Validator).
type selfDecoded struct {
	body  []byte
	calls int
}

func (d *selfDecoded) DecodeBody(body []byte) error {
	d.calls++
	d.body = append([]byte(nil), body...)
	if !json.Valid(body) {
		return errors.New("not JSON")
	}
	return nil
}

func (d *selfDecoded) Validate() error {
	if d.body == nil {
		return errors.New("no body")
	}
	return nil
}

// A BodyDecoder gets the body as received, once; an empty body is not handed over, and the answer
// is validated all the same; what it rejects is an unreadable answer.
func TestDoBodyDecoder(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		wantErr    bool
		wantCalls  int
	}{
		{name: "JSON", body: `{"data":[1,2]}`, wantCalls: 1},
		{name: "not JSON", body: `<html>`, wantErr: true, wantCalls: 1},
		{name: "empty", body: " ", wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, testConfig(seqServer(t, reply(200, tt.body)).URL))
			var out selfDecoded
			_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, &out)
			if tt.wantErr {
				assertKind(t, err, ErrServer)
			} else if err != nil || string(out.body) != tt.body {
				t.Fatalf("Do: %v; body %q, want %q", err, out.body, tt.body)
			}
			if out.calls != tt.wantCalls {
				t.Errorf("DecodeBody called %d times, want %d", out.calls, tt.wantCalls)
			}
		})
	}
}

func TestDoBodyEncodingFailure(t *testing.T) {
	srv := seqServer(t, reply(200, `{}`))
	c := newClient(t, testConfig(srv.URL))
	_, err := c.Do(context.Background(), Request{Method: "POST", Path: "/x", Body: map[string]any{"f": func() {}}}, nil)
	assertKind(t, err, ErrValidation)
	if e := asAPIError(t, err); e.Cause == nil || e.Method != "POST" || e.Path != "/x" {
		t.Errorf("APIError = %+v", e)
	}
	if srv.Count() != 0 {
		t.Errorf("server got %d requests, want 0", srv.Count())
	}
}

func TestDoInvalidMethod(t *testing.T) {
	srv := seqServer(t, reply(200, `{}`))
	c := newClient(t, testConfig(srv.URL))
	_, err := c.Do(context.Background(), Request{Method: "BAD METHOD", Path: "/x"}, nil)
	assertKind(t, err, ErrValidation)
	if srv.Count() != 0 {
		t.Errorf("server got %d requests, want 0", srv.Count())
	}
}

func TestDoConcurrentUse(t *testing.T) {
	srv := seqServer(t, reply(200, `{"id":"x"}`))
	cfg := testConfig(srv.URL)
	cfg.RateLimit, cfg.RateBurst = 1000, 10
	c := newClient(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	errs := make(chan error, 20)
	for range 20 {
		go func() {
			var out struct{ ID string }
			_, err := c.Do(ctx, Request{Method: "POST", Path: "/x", Body: map[string]string{"a": "b"}, NonIdempotent: true}, &out)
			if err == nil && out.ID != "x" {
				err = errNotDecoded
			}
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if srv.Count() != 20 {
		t.Errorf("server got %d requests, want 20", srv.Count())
	}
}

var errNotDecoded = &APIError{Kind: ErrServer, Vendor: "test", Message: "answer not decoded"}
