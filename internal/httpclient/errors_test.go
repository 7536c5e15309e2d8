package httpclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestKindForStatus(t *testing.T) {
	tests := []struct {
		status int
		want   error
	}{
		{400, ErrValidation},
		{409, ErrValidation},
		{422, ErrValidation},
		{418, ErrValidation},
		{401, ErrUnauthorized},
		{403, ErrUnauthorized},
		{404, ErrNotFound},
		{410, ErrNotFound},
		{429, ErrRateLimited},
		{500, ErrServer},
		{502, ErrServer},
		{503, ErrServer},
		{504, ErrServer},
		{599, ErrServer},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			if got := KindForStatus(tt.status); got != tt.want {
				t.Errorf("KindForStatus(%d) = %v, want %v", tt.status, got, tt.want)
			}
		})
	}
}

func TestAPIErrorString(t *testing.T) {
	cause := errors.New("connection reset by peer")
	tests := []struct {
		name string
		err  *APIError
		want string
	}{
		{"status with code and message",
			&APIError{Kind: ErrValidation, Vendor: "Lune", Method: "POST", Path: "/v1/webhooks", StatusCode: 422, Code: "invalid_url", Message: "url must be https", Attempts: 1},
			"Lune API: POST /v1/webhooks answered HTTP 422 (invalid_url): url must be https"},
		{"status after retries",
			&APIError{Kind: ErrServer, Vendor: "BLAZE", Method: "GET", Path: "/hooks/1", StatusCode: 500, Attempts: 4},
			"BLAZE API: GET /hooks/1 answered HTTP 500 [after 4 attempts]"},
		{"transport cause",
			&APIError{Kind: ErrOutcomeUnknown, Vendor: "Inveterate", Method: "POST", Path: "/x", Cause: cause, Attempts: 1},
			"Inveterate API: POST /x failed: connection reset by peer"},
		{"no status, no cause",
			&APIError{Kind: ErrServer, Vendor: "Lune", Method: "GET", Path: "/y"},
			"Lune API: GET /y failed: server error"},
		{"message only",
			&APIError{Kind: ErrUnauthorized, Vendor: "Lune", Method: "GET", Path: "/z", StatusCode: 401, Message: "bad key"},
			"Lune API: GET /z answered HTTP 401: bad key"},
		{"no path",
			&APIError{Kind: ErrNotFound, Vendor: "Inveterate", Method: "GET", Message: `webhook "a" is not in the list`},
			`Inveterate API: GET failed: not found: webhook "a" is not in the list`},
		{"no request",
			&APIError{Kind: ErrServer, Vendor: "Inveterate", Cause: errors.New("record 3 of the list: it has no id")},
			"Inveterate API: failed: record 3 of the list: it has no id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q\nwant      %q", got, tt.want)
			}
		})
	}
}

func TestAPIErrorUnwrap(t *testing.T) {
	cause := fmt.Errorf("read: %w", io.ErrUnexpectedEOF)
	var err error = &APIError{Kind: ErrOutcomeUnknown, Vendor: "V", Method: "POST", Path: "/p", Cause: cause}
	wrapped := fmt.Errorf("creating webhook: %w", err)
	if !errors.Is(wrapped, ErrOutcomeUnknown) {
		t.Error("errors.Is(kind) failed through a wrapper")
	}
	if !errors.Is(wrapped, io.ErrUnexpectedEOF) {
		t.Error("errors.Is(cause) failed through a wrapper")
	}
	if errors.Is(wrapped, ErrServer) {
		t.Error("errors.Is matched a kind the error does not have")
	}
	var apiErr *APIError
	if !errors.As(wrapped, &apiErr) || apiErr.Path != "/p" {
		t.Errorf("errors.As = %v, %+v", apiErr != nil, apiErr)
	}
	if IsNotFound(wrapped) {
		t.Error("IsNotFound true for an unknown outcome")
	}
	if !IsNotFound(fmt.Errorf("x: %w", &APIError{Kind: ErrNotFound})) {
		t.Error("IsNotFound false for a not-found error")
	}
	noCause := &APIError{Kind: ErrServer}
	if got := noCause.Unwrap(); len(got) != 1 || got[0] != ErrServer {
		t.Errorf("Unwrap() without cause = %v", got)
	}
}

func TestTypedErrorsFromStatus(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		nonIdemp    bool
		status      int
		body        string
		decoder     ErrorDecoder
		wantKind    error
		wantCode    string
		wantMessage string
	}{
		{name: "404", method: "GET", status: 404, body: `{"code":"nope","message":"no such webhook"}`, decoder: testDecodeError,
			wantKind: ErrNotFound, wantCode: "nope", wantMessage: "no such webhook"},
		{name: "410", method: "GET", status: 410, wantKind: ErrNotFound},
		{name: "401", method: "GET", status: 401, body: `{"code":"unauthenticated","message":"bad key"}`, decoder: testDecodeError,
			wantKind: ErrUnauthorized, wantCode: "unauthenticated", wantMessage: "bad key"},
		{name: "403", method: "DELETE", status: 403, wantKind: ErrUnauthorized},
		{name: "400", method: "POST", nonIdemp: true, status: 400, body: `{"code":"bad_request","message":"events must not be empty"}`,
			decoder: testDecodeError, wantKind: ErrValidation, wantCode: "bad_request", wantMessage: "events must not be empty"},
		{name: "409", method: "PUT", status: 409, body: `{"code":"conflict","message":"url already registered"}`,
			decoder: testDecodeError, wantKind: ErrValidation, wantCode: "conflict", wantMessage: "url already registered"},
		{name: "422", method: "PATCH", status: 422, body: `{"code":"invalid_url","message":"url must be https"}`,
			decoder: testDecodeError, wantKind: ErrValidation, wantCode: "invalid_url", wantMessage: "url must be https"},
		{name: "422 without decoder", method: "POST", status: 422, body: `{"code":"invalid_url","message":"url must be https"}`,
			wantKind: ErrValidation},
		{name: "decoder overrides the status", method: "GET", status: 400, body: `{"code":"missing","message":"webhook 7 not found"}`,
			decoder: testDecodeError, wantKind: ErrNotFound, wantCode: "missing", wantMessage: "webhook 7 not found"},
		{name: "a non-JSON body is summarized, not decoded", method: "GET", status: 403, body: `<html>forbidden</html>`,
			decoder: testDecodeError, wantKind: ErrUnauthorized,
			wantMessage: `a body that is not JSON (application/json, 22 bytes), beginning "forbidden"`},
		{name: "unknown outcome status beats the decoder on a create", method: "POST", nonIdemp: true, status: 500,
			body: `{"code":"missing","message":"boom"}`, decoder: testDecodeError, wantKind: ErrOutcomeUnknown, wantCode: "missing", wantMessage: "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seqServer(t, reply(tt.status, tt.body))
			cfg := testConfig(srv.URL)
			cfg.Vendor = "Lune"
			cfg.DecodeError = tt.decoder
			c := newClient(t, cfg)
			var out map[string]any
			resp, err := c.Do(context.Background(), Request{Method: tt.method, Path: "/v1/webhooks/7", NonIdempotent: tt.nonIdemp}, &out)
			if resp != nil {
				t.Errorf("got a response %+v with the error", resp)
			}
			assertKind(t, err, tt.wantKind)
			e := asAPIError(t, err)
			if e.StatusCode != tt.status || e.Code != tt.wantCode || e.Message != tt.wantMessage {
				t.Errorf("APIError status/code/message = %d/%q/%q, want %d/%q/%q",
					e.StatusCode, e.Code, e.Message, tt.status, tt.wantCode, tt.wantMessage)
			}
			if e.Vendor != "Lune" || e.Method != tt.method || e.Path != "/v1/webhooks/7" {
				t.Errorf("APIError vendor/method/path = %q/%q/%q", e.Vendor, e.Method, e.Path)
			}
			if e.Attempts != 1 {
				t.Errorf("Attempts = %d, want 1", e.Attempts)
			}
			msg := err.Error()
			for _, want := range []string{"Lune", tt.method, "/v1/webhooks/7", fmt.Sprintf("HTTP %d", tt.status), tt.wantCode, tt.wantMessage} {
				if !strings.Contains(msg, want) {
					t.Errorf("Error() = %q does not contain %q", msg, want)
				}
			}
			if srv.Count() != 1 {
				t.Errorf("server got %d requests, want 1 (these statuses are not retried)", srv.Count())
			}
			if out != nil {
				t.Errorf("out was filled from an error answer: %v", out)
			}
		})
	}
}

func TestServerErrorOnGETIsRetriedThenReported(t *testing.T) {
	for _, maxRetries := range []int{0, 1, 3} {
		t.Run(fmt.Sprintf("MaxRetries=%d", maxRetries), func(t *testing.T) {
			srv := seqServer(t, reply(500, `{"code":"internal","message":"try later"}`))
			cfg := testConfig(srv.URL)
			cfg.MaxRetries = maxRetries
			cfg.DecodeError = testDecodeError
			c := newClient(t, cfg)
			_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/hooks"}, nil)
			assertKind(t, err, ErrServer)
			e := asAPIError(t, err)
			if e.Attempts != maxRetries+1 {
				t.Errorf("Attempts = %d, want %d", e.Attempts, maxRetries+1)
			}
			if got := srv.Count(); got != maxRetries+1 {
				t.Errorf("server got %d requests, want %d", got, maxRetries+1)
			}
			if e.StatusCode != 500 || e.Code != "internal" || e.Message != "try later" {
				t.Errorf("last answer not reported: %+v", e)
			}
			suffix := fmt.Sprintf("[after %d attempts]", maxRetries+1)
			if got := strings.Contains(err.Error(), suffix); got != (maxRetries > 0) {
				t.Errorf("Error() = %q, contains %q: %v", err.Error(), suffix, got)
			}
		})
	}
}

// An endpoint that always exists (a list, a create) answering "not found" means a wrong base URL
// (an extra /api in it, say): never that the objects are gone, nothing to retry, no lookup, and the
// message says what the base URL should be. Elsewhere a 404 still means "not found".
func TestMustExistNotFoundMeansWrongBaseURL(t *testing.T) {
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("404 page not found"))
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig(srv.URL + "/api")
	cfg.APIPath = "/v1"
	c := newClient(t, cfg)

	check := func(name string, err error, attempts int32) {
		t.Helper()
		if !errors.Is(err, ErrWrongBaseURL) || IsNotFound(err) {
			t.Fatalf("%s: %v; want ErrWrongBaseURL, never 'not found'", name, err)
		}
		for _, want := range []string{"the base URL (" + srv.URL + "/api) is wrong", "the API's root", "the provider adds /v1"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q does not say %q", name, err, want)
			}
		}
		if n := served.Swap(0); n != attempts {
			t.Errorf("%s: %d requests, want %d", name, n, attempts)
		}
	}
	_, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/v1/webhooks", MustExist: true}, nil)
	check("a list", err, 1)

	looked := false
	_, err = c.CreateOrAdopt(context.Background(), Request{Method: http.MethodPost, Path: "/v1/webhooks", Body: map[string]string{}}, nil,
		func(context.Context, *Lookup) (bool, error) { looked = true; return false, nil })
	check("a create", err, 1)
	if looked || errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("a create answered 404 was looked for (%v) or is of unknown outcome: %v", looked, err)
	}

	_, err = c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/v1/webhooks/abc"}, nil)
	if !IsNotFound(err) || errors.Is(err, ErrWrongBaseURL) {
		t.Errorf("a read of one object: %v; want 'not found'", err)
	}
}

func TestIsForbiddenAndIsTimeout(t *testing.T) {
	forbidden := &APIError{Kind: ErrUnauthorized, StatusCode: 403}
	unauthorized := &APIError{Kind: ErrUnauthorized, StatusCode: 401}
	if !IsForbidden(fmt.Errorf("wrapped: %w", forbidden)) || IsForbidden(unauthorized) || IsForbidden(errors.New("x")) {
		t.Error("IsForbidden must hold for a 403 only")
	}
	attempt := &APIError{Kind: ErrServer, Cause: fmt.Errorf("attempt: %w", context.DeadlineExceeded)}
	netTimeout := &APIError{Kind: ErrOutcomeUnknown, Cause: &net.OpError{Op: "read", Err: timeoutError{}}}
	if !IsTimeout(attempt) || !IsTimeout(netTimeout) || IsTimeout(forbidden) || IsTimeout(&APIError{Kind: ErrServer, Cause: errors.New("connection reset")}) {
		t.Error("IsTimeout must hold for deadlines and network timeouts only")
	}
}

// timeoutError is a network error that timed out.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// Once the base URL has answered, a 404 from an endpoint that always exists is something on the way
// (a CDN, a deploy): a read is asked again, and nothing calls it a wrong base URL. A vendor's own
// "not found" for something named in the request (a 400 its decoder maps to ErrNotFound) is not
// about the base URL either.
func TestMustExistNotFound_afterAnAnswerOrFromTheVendor(t *testing.T) {
	srv := seqServer(t, reply(200, `[]`), reply(404, `not here`, "Content-Type", "text/plain"), reply(200, `[]`))
	c := newClient(t, testConfig(srv.URL))
	list := Request{Method: http.MethodGet, Path: "/v1/webhooks", MustExist: true}
	for i := range 2 {
		if _, err := c.Do(context.Background(), list, nil); err != nil {
			t.Fatalf("list %d: %v; want the passing 404 retried", i+1, err)
		}
	}
	if n := len(srv.Hits()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}

	decoded := seqServer(t, reply(400, `{"error":"id_invalid"}`))
	cfg := testConfig(decoded.URL)
	cfg.DecodeError = func(int, []byte) ErrorInfo { return ErrorInfo{Kind: ErrNotFound, Code: "id_invalid"} }
	_, err := newClient(t, cfg).Do(context.Background(), Request{Method: http.MethodPost, Path: "/v1/webhooks", MustExist: true, Body: map[string]string{}}, nil)
	if errors.Is(err, ErrWrongBaseURL) || !IsNotFound(err) {
		t.Errorf("a vendor's 400 id_invalid: %v; want its own 'not found', not a wrong base URL", err)
	}
}
