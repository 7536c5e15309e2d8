// Package httpclienttest answers a vendor client's requests without a network, for the fuzz tests
// of the clients' decoding: whatever a server sends, a client returns an error or a complete
// object. Only tests import it.
package httpclienttest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// Statuses are the statuses a fuzz input picks from: every class a vendor answers with.
var Statuses = []int{200, 201, 204, 400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503}

// Status picks a status for a fuzz input's byte.
func Status(b byte) int { return Statuses[int(b)%len(Statuses)] }

// Answer is a transport that answers every request with status and body, as JSON.
func Answer(status int, body []byte) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		if req.Body != nil {
			_, _ = io.Copy(io.Discard, req.Body)
			_ = req.Body.Close()
		}
		return &http.Response{
			StatusCode: status,
			Status:     http.StatusText(status),
			Header:     http.Header{"Content-Type": []string{"application/json"}},
			Body:       io.NopCloser(bytes.NewReader(body)),
			Request:    req,
		}, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// Complete fails t unless a client call either failed with an API error (*httpclient.APIError, or
// the ambiguity of an adoption) or returned a complete object: one with an id.
func Complete(t testing.TB, op, id string, err error) {
	t.Helper()
	var apiErr *httpclient.APIError
	switch {
	case err != nil && !errors.As(err, &apiErr) && !errors.As(err, new(*httpclient.AmbiguousError)):
		t.Errorf("%s: error %v (%T) is not an API error", op, err, err)
	case err == nil && id == "":
		t.Errorf("%s: no error, and an object without id", op)
	}
}

// OwnCache runs M, a package's tests, with a user cache directory of its own, removed when they
// end: the machine's pace ledgers (see httpclient.Settings.RateLedgerDir) that the tests' clients
// keep stay out of the user's cache. It sets XDG_CACHE_HOME, which os.UserCacheDir follows on
// Linux and the BSDs.
type OwnCache struct{ M interface{ Run() int } }

// Run runs the tests and returns their exit code.
func (o OwnCache) Run() int {
	dir, err := os.MkdirTemp("", "webhooks-test-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if err := os.Setenv("XDG_CACHE_HOME", dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return o.M.Run()
}
