// Package httpclient is the HTTP layer every vendor client shares: retries with capped,
// jittered exponential backoff that honour Retry-After, a per-attempt timeout, a client-side
// rate limit, writes that are finished once sent and creates whose unknown outcome is resolved
// (write.go), typed errors, a User-Agent, and request logging through tflog with every credential
// and secret masked. It never follows a redirect: credentials go to the base URL only.
//
// It knows nothing about Terraform resources: vendor packages build typed methods on it.
package httpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// Defaults used when a Config leaves a field at its zero value.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultRetryWaitMin   = 500 * time.Millisecond
	DefaultRetryWaitMax   = 30 * time.Second
	DefaultMaxRetryAfter  = 60 * time.Second
	DefaultResolveTimeout = 2 * time.Minute
	maxResponseBytes      = 10 << 20
)

// ErrorDecoder reads a vendor's error body.
type ErrorDecoder func(status int, body []byte) ErrorInfo

// ErrorInfo is what a vendor's error body says.
type ErrorInfo struct {
	// Kind is one of the sentinel errors, or nil to classify by status with KindForStatus.
	Kind error
	// Code is the vendor's machine-readable error code, if any.
	Code string
	// Message is the vendor's human-readable message, if any.
	Message string
}

// Settings are the connection settings every vendor client takes from the provider
// configuration.
type Settings struct {
	// BaseURL is the scheme and host (and optional path prefix) requests are sent to.
	BaseURL string
	// UserAgent is sent on every request.
	UserAgent string
	// MaxRetries is how many times one request is retried after its first attempt.
	MaxRetries int
	// RequestTimeout bounds one attempt (not the whole request with its retries).
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between attempts.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxRetryAfter caps how long a server's Retry-After may make us wait.
	MaxRetryAfter time.Duration
	// RateLimit is the most requests per second this client sends (0: the vendor's default,
	// negative: no limit); RateBurst is how many may go at once (at least 1), unless the vendor
	// counts its limit in windows (Config.RateWindow).
	RateLimit float64
	RateBurst int
	// RateLedgerDir is where the ledgers of limits shared by the processes of this machine are
	// kept (see Config.RateShare). Empty: a directory in the user's cache directory.
	RateLedgerDir string
	// Transport carries every attempt. Nil is a pooled transport with the system's proxy and
	// trust settings; a program that embeds the provider may route requests its own way.
	Transport http.RoundTripper
}

// Config describes one vendor API.
type Config struct {
	Settings
	// Vendor is the API's display name, used in errors.
	Vendor string
	// Subsystem is the tflog subsystem the requests are logged under.
	Subsystem string
	// Header holds headers sent on every request (credentials, API version).
	Header http.Header
	// ResolveTimeout bounds the lookup that settles a create of unknown outcome, which runs
	// detached from the caller (zero: DefaultResolveTimeout, and never less than two request
	// timeouts). A vendor whose lists lag behind its creates, or come in pages, gives it room.
	ResolveTimeout time.Duration
	// RateWindow, when set, is how the vendor counts its limit: at most RateLimit requests (a whole
	// number) in any window this long, bursts allowed. The client then keeps each request's place
	// until RateWindow after it ended, which keeps to the limit whatever the network's jitter (see
	// windowPacer); RateBurst is unused. Zero spreads RateLimit per second evenly.
	RateWindow time.Duration
	// RateReserved is how many requests of the first window are left to whoever used the API with
	// the same credentials just before the client existed (with RateWindow), when the machine's
	// ledger cannot tell.
	RateReserved int
	// RateShare, with RateWindow, names the holder of the limit at the client's base URL (its
	// credentials): the clients of this machine's processes with the same RateShare at the same
	// base URL (however its scheme and host are cased, with or without a default port or a
	// trailing slash) keep to the limit together, through a ledger in Settings.RateLedgerDir (see
	// ledger.go). Empty: the client paces alone.
	RateShare string
	// RateShareLimit is the limit those clients keep to between them, each within its own
	// RateLimit (zero: RateLimit).
	RateShareLimit int
	// APIPath is the path the vendor's endpoints begin with ("/v1"), which a base URL must not
	// repeat: an error about a wrong base URL names it.
	APIPath string
	// DecodeError reads the vendor's error bodies; nil classifies by status alone.
	DecodeError ErrorDecoder
	// Redact says what never reaches a log.
	Redact Redaction
}

// Redaction lists what must be masked in logs.
type Redaction struct {
	// Headers whose values are credentials ("Authorization").
	Headers []string
	// Values are literal secrets (the configured keys) masked wherever they appear.
	Values []string
	// JSONFields are body fields whose values are secrets ("secret", "token").
	JSONFields []string
	// Patterns match secrets in any text (a vendor's recognizable secret format).
	Patterns []*regexp.Regexp
}

// Client sends requests to one vendor API. It is safe for concurrent use.
type Client struct {
	cfg       Config
	base      *url.URL
	transport http.RoundTripper
	pacer     pacer
	// claims are the ids of the objects this client's creates made or adopted; creates are the
	// creates under way, whose answers a lookup waits for (reconcile.go).
	claims  Claims
	creates creates
	// reached is set by the first answer that succeeded: the base URL is then proven right, and a
	// "not found" from an endpoint that always exists is a fault on the way (a CDN, a deploy), not
	// a wrong base URL.
	reached atomic.Bool
}

// New validates cfg, fills its defaults and returns a client.
func New(cfg Config) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("%s base URL %q is not an absolute URL", cfg.Vendor, cfg.BaseURL)
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RateShare != "" {
		cfg.RateShare = origin(base) + "\x00" + cfg.RateShare
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		cfg.RetryWaitMax = max(DefaultRetryWaitMax, cfg.RetryWaitMin)
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.ResolveTimeout <= 0 {
		cfg.ResolveTimeout = DefaultResolveTimeout
	}
	cfg.ResolveTimeout = max(cfg.ResolveTimeout, 2*cfg.RequestTimeout)
	c := &Client{cfg: cfg, base: base, transport: cfg.Transport}
	if c.transport == nil {
		c.transport = cleanhttp.DefaultPooledTransport()
	}
	c.pacer = newPacer(cfg, time.Now)
	return c, nil
}

// origin is base spelled one way: the scheme and host in lower case, the host without the trailing
// dot of a fully qualified name, the port as a plain number and only when it is not the scheme's
// default, and the path without a trailing slash (New has trimmed it) and with its escapes spelled
// one way (oneWayEscapes): spellings of one API that differ only in these share its ledger.
func origin(base *url.URL) string {
	scheme, host := strings.ToLower(base.Scheme), strings.TrimSuffix(strings.ToLower(base.Hostname()), ".")
	defaultPort := map[string]string{"http": "80", "https": "443"}[scheme]
	port := base.Port()
	if n, err := strconv.ParseUint(port, 10, 16); err == nil {
		port = strconv.FormatUint(n, 10)
	}
	if port != "" && port != defaultPort {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]" // an IPv6 address
	}
	return scheme + "://" + host + oneWayEscapes(base.EscapedPath())
}

// oneWayEscapes is path with its percent escapes spelled as RFC 3986 (section 6.2.2) makes them
// equivalent: an escaped unreserved character (a letter, a digit, '-', '.', '_' or '~') as the
// character itself, any other escape with its hex digits in upper case.
func oneWayEscapes(path string) string {
	var b strings.Builder
	b.Grow(len(path))
	for i := 0; i < len(path); i++ {
		if path[i] == '%' && i+2 < len(path) {
			if c, err := strconv.ParseUint(path[i+1:i+3], 16, 8); err == nil {
				if unreserved(byte(c)) {
					b.WriteByte(byte(c))
				} else {
					b.WriteString("%" + strings.ToUpper(path[i+1:i+3]))
				}
				i += 2
				continue
			}
		}
		b.WriteByte(path[i])
	}
	return b.String()
}

// unreserved reports whether c is one of RFC 3986's unreserved characters, which mean the same
// escaped or not.
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0
}

// Vendor returns the API's display name.
func (c *Client) Vendor() string { return c.cfg.Vendor }

// MaxRetries returns how many times a request is retried after its first attempt.
func (c *Client) MaxRetries() int { return c.cfg.MaxRetries }

// Request is one API call.
type Request struct {
	Method string
	// Path is appended to the base URL; callers escape its segments.
	Path  string
	Query url.Values
	// Body is sent as JSON when not nil.
	Body any
	// NonIdempotent marks a request that must never be repeated once it may have reached the
	// server (a create): its unknown outcomes surface as ErrOutcomeUnknown instead of a retry.
	NonIdempotent bool
	// MustExist marks an endpoint the API has whatever its data (a list, a create): a "not found"
	// from it means the base URL is wrong (ErrWrongBaseURL), never that something is gone.
	MustExist bool
}

// Response is what a successful call returned.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Do sends req, retrying as configured, and decodes a successful JSON answer into out (when out
// is not nil and the body is not empty). Every failure is an *APIError. A request that may change
// data is finished once sent, whatever ctx does (write.go).
func (c *Client) Do(ctx context.Context, req Request, out any) (*Response, error) {
	return c.do(ctx, req, out, nil)
}

// do is Do, for a create with its entry among the client's creates (nil for other requests).
func (c *Client) do(ctx context.Context, req Request, out any, cr *creation) (*Response, error) {
	ctx = c.logContext(ctx)
	o, err := c.outgoing(req)
	if err != nil {
		return nil, err
	}
	x := &exchange{c: c, o: o, create: cr}
	return x.run(ctx, out)
}

// outgoing builds what every attempt of req sends.
func (c *Client) outgoing(req Request) (*outgoing, error) {
	o := &outgoing{req: req, header: http.Header{}}
	if req.Body != nil {
		var err error
		if o.body, err = json.Marshal(req.Body); err != nil {
			e := c.apiError(req, ErrValidation)
			e.Cause = fmt.Errorf("encoding the request body: %w", err)
			return nil, e
		}
	}
	u := *c.base
	u.Path = c.base.Path + req.Path
	u.RawPath = ""
	if p, err := url.PathUnescape(u.Path); err == nil && p != u.Path {
		u.RawPath, u.Path = u.Path, p
	}
	u.RawQuery = req.Query.Encode()
	o.url = u.String()
	if _, err := http.NewRequest(req.Method, o.url, nil); err != nil { //nolint:noctx // only checks the method and URL
		e := c.apiError(req, ErrValidation)
		e.Cause = err
		return nil, e
	}
	for k, v := range c.cfg.Header {
		o.header[k] = v
	}
	o.header.Set("User-Agent", c.cfg.UserAgent)
	o.header.Set("Accept", "application/json")
	if o.body != nil {
		o.header.Set("Content-Type", "application/json")
	}
	return o, nil
}

// apiError starts the error of req.
func (c *Client) apiError(req Request, kind error) *APIError {
	return &APIError{Kind: kind, Vendor: c.cfg.Vendor, Method: req.Method, Path: req.Path}
}

// describeError fills e from an error answer: the vendor's code and message from a JSON body, or a
// short summary of any other body (a proxy's or a CDN's HTML page), and the kind.
func (c *Client) describeError(e *APIError, a attempt) {
	if json.Valid(a.data) {
		if c.cfg.DecodeError != nil {
			info := c.cfg.DecodeError(a.status, a.data)
			e.Kind, e.Code, e.Message = info.Kind, info.Code, info.Message
		}
	} else if len(bytes.TrimSpace(a.data)) > 0 {
		e.Message = c.summarize(a.header.Get("Content-Type"), a.data)
	}
	if e.Kind == nil {
		e.Kind = KindForStatus(a.status)
	}
}

// Validator is a decoded answer that can tell whether it is complete. Do checks every answer that
// implements it: one that is not (an object without its id, say) is as unreadable as bad JSON, so
// that callers never get a half-filled object.
type Validator interface {
	Validate() error
}

// BodyDecoder is an answer that reads its own body: Do hands it the body as received instead of
// passing it through json.Unmarshal, which first scans the whole body once more to check that it
// is JSON. An answer that decodes the body with json.Unmarshal itself is checked all the same; one
// that reads it otherwise must reject what is not JSON. An empty body is not handed over.
type BodyDecoder interface {
	DecodeBody(body []byte) error
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
