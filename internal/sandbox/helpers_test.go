package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for Config.Now, so delays are tested by
// moving time rather than by sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 14, 15, 9, 26, 535_000_000, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// resp is a fully read response.
type resp struct {
	status int
	header http.Header
	body   []byte
	// protoMajor is the HTTP version the client spoke (2 over HTTP/2).
	protoMajor int
}

// decode unmarshals the body into a generic value, failing the test on bad JSON.
func (r resp) decode(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

func (r resp) decodeInto(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode body: %v: %s", err, r.body)
	}
}

// testClient never reuses connections: the transport would otherwise replay
// an idempotent request transparently after an injected connection drop. It
// does not follow redirects, so that an injected one is seen as it is.
var testClient = &http.Client{
	Transport:     &http.Transport{DisableKeepAlives: true},
	Timeout:       20 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// try sends one request and returns the transport error, if any.
func try(t *testing.T, base, method, path string, hdr map[string]string, body string) (resp, error) {
	t.Helper()
	return tryWith(t, testClient, base, method, path, hdr, body)
}

// tryWith is try through client c (a TLS server's Client, say).
func tryWith(t *testing.T, c *http.Client, base, method, path string, hdr map[string]string, body string) (resp, error) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, err
	}
	return resp{status: res.StatusCode, header: res.Header, body: b, protoMajor: res.ProtoMajor}, nil
}

// do sends one request that must get a response.
func do(t *testing.T, base, method, path string, hdr map[string]string, body string) resp {
	t.Helper()
	r, err := try(t, base, method, path, hdr, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func wantStatus(t *testing.T, r resp, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.status, status, r.body)
	}
}

func luneHdr() map[string]string {
	return map[string]string{"Authorization": "Bearer " + DefaultLuneTestKey, "Lune-Version": luneVersion}
}

func invHdr() map[string]string {
	return map[string]string{"X-Inveterate-Api-Key": DefaultInveterateKey}
}

func blazeHdr() map[string]string {
	return map[string]string{"x-api-key": DefaultBlazePartnerKey, "Authorization": DefaultBlazeDeveloperKey}
}

// with returns a copy of h with the given pairs set; an empty value removes the header.
func with(h map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

// Shortcuts that create one record through the API and return its id.

func luneCreate(t *testing.T, base string, body string) map[string]any {
	t.Helper()
	r := do(t, base, http.MethodPost, "/v1/webhooks", luneHdr(), body)
	wantStatus(t, r, http.StatusOK)
	return r.decode(t)
}

func invCreateSub(t *testing.T, base, topic string) map[string]any {
	t.Helper()
	r := do(t, base, http.MethodPost, "/v2.0/admin/webhook-subscriptions", invHdr(),
		`{"topic":"`+topic+`","callbackUrl":"https://example.com/hook","name":"sub"}`)
	wantStatus(t, r, http.StatusCreated)
	return r.decode(t)["data"].(map[string]any)
}

func blazeCreate(t *testing.T, base, body string) map[string]any {
	t.Helper()
	r := do(t, base, http.MethodPost, "/api/v1/partner/webHooks", blazeHdr(), body)
	wantStatus(t, r, http.StatusOK)
	return r.decode(t)
}

const blazeBody = `{"webHookType":"NEW_MEMBER","webHookUrls":["https://example.com/a"]}`
