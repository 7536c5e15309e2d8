// Package httpclient is the HTTP layer every vendor client shares: retries with capped,
// jittered exponential backoff that honour Retry-After, a per-attempt timeout, a client-side
// rate limit, reconciliation of creates whose outcome is unknown, typed errors, a User-Agent,
// and request logging through tflog with every credential and secret masked.
//
// It knows nothing about Terraform resources: vendor packages build typed methods on it.
package httpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Defaults used when a Config leaves a field at its zero value.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultRetryWaitMin   = 500 * time.Millisecond
	DefaultRetryWaitMax   = 30 * time.Second
	DefaultMaxRetryAfter  = 60 * time.Second
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
	// UnknownOutcomeStatuses are the statuses that, in answer to a non-idempotent request, mean
	// that it may have been applied. Nil means 500, 502 and 504.
	UnknownOutcomeStatuses []int
	// RateWindow, when set, is how the vendor counts its limit: at most RateLimit requests (a whole
	// number) in any window this long, bursts allowed. The client then keeps each request's place
	// until RateWindow after it ended, which keeps to the limit whatever the network's jitter (see
	// windowPacer); RateBurst is unused. Zero spreads RateLimit per second evenly.
	RateWindow time.Duration
	// RateReserved is how many requests of the first window are left to whoever used the API with
	// the same credentials just before the client existed (with RateWindow).
	RateReserved int
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
	cfg     Config
	base    *url.URL
	retry   *retryablehttp.Client
	pacer   pacer
	unknown map[int]bool
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
	if cfg.UnknownOutcomeStatuses == nil {
		cfg.UnknownOutcomeStatuses = []int{500, 502, 504}
	}
	c := &Client{cfg: cfg, base: base, unknown: map[int]bool{}}
	for _, s := range cfg.UnknownOutcomeStatuses {
		c.unknown[s] = true
	}
	c.pacer = newPacer(cfg, time.Now)

	transport := cfg.Transport
	if transport == nil {
		transport = cleanhttp.DefaultPooledTransport()
	}
	c.retry = &retryablehttp.Client{
		HTTPClient: &http.Client{
			Timeout:   cfg.RequestTimeout,
			Transport: &attemptTransport{client: c, next: transport},
		},
		RetryMax:     cfg.MaxRetries,
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		// Keep the last response when the retries run out, so its body can be decoded.
		ErrorHandler: func(resp *http.Response, err error, attempts int) (*http.Response, error) {
			return resp, &exhausted{attempts: attempts, err: err}
		},
	}
	return c, nil
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
}

// Response is what a successful call returned.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Do sends req, retrying as configured, and decodes a successful JSON answer into out (when out
// is not nil and the body is not empty). Every failure is an *APIError.
func (c *Client) Do(ctx context.Context, req Request, out any) (*Response, error) {
	ctx = c.logContext(ctx)
	apiErr := func(kind error) *APIError {
		return &APIError{Kind: kind, Vendor: c.cfg.Vendor, Method: req.Method, Path: req.Path}
	}
	if err := ctx.Err(); err != nil {
		// The caller gave up before anything was sent: nothing is sent, so nothing is unknown. (A
		// create runs on a context of its own below; without this check it could start before the
		// caller's cancellation reaches it.)
		e := apiErr(ErrServer)
		e.Cause = err
		return nil, e
	}

	var body []byte
	if req.Body != nil {
		var err error
		if body, err = json.Marshal(req.Body); err != nil {
			e := apiErr(ErrValidation)
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

	st := &attemptState{nonIdempotent: req.NonIdempotent}
	ctx = context.WithValue(ctx, stateKey{}, st)
	if req.NonIdempotent {
		// A create that has reached the server is allowed to finish even when the caller gives up
		// (Terraform interrupted, a timeout): its answer is the only sure way to learn what it
		// created. Giving up still stops it before it is sent, and stops any retry.
		st.caller = ctx
		detached, cancel := context.WithCancel(context.WithoutCancel(ctx))
		defer cancel()
		stop := context.AfterFunc(ctx, func() {
			if !st.wrote.Load() {
				cancel()
			}
		})
		defer stop()
		ctx = detached
	}
	var rawBody any
	if body != nil {
		rawBody = body
	}
	hreq, err := retryablehttp.NewRequestWithContext(ctx, req.Method, u.String(), rawBody)
	if err != nil {
		e := apiErr(ErrValidation)
		e.Cause = err
		return nil, e
	}
	for k, v := range c.cfg.Header {
		hreq.Header[k] = v
	}
	hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	hreq.Header.Set("Accept", "application/json")
	if body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}

	resp, err := c.retry.Do(hreq)
	attempts := st.attempts
	var ex *exhausted
	if errors.As(err, &ex) {
		attempts = ex.attempts
		err = ex.err
	}
	if resp == nil && st.caller != nil && st.caller.Err() != nil && errors.Is(err, context.Canceled) {
		// Stopped on the caller's behalf: report the caller's reason, not the inner context's.
		err = st.caller.Err()
	}
	if resp == nil {
		e := apiErr(ErrServer)
		e.Attempts = attempts
		e.Cause = err
		switch {
		case connectionProblem(c.base, err) != "":
			e.Kind, e.Message = ErrConnection, connectionProblem(c.base, err)
		case errors.Is(err, errOutcomeUnknown):
			e.Kind, e.Cause = ErrOutcomeUnknown, outcomeUnknownCause(err)
		case st.nonIdempotent && st.wrote.Load():
			// Cancelled or failed after the request left: it may have been applied.
			e.Kind = ErrOutcomeUnknown
		}
		return nil, e
	}
	defer resp.Body.Close()
	data, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if readErr != nil {
			e := apiErr(ErrServer)
			if st.nonIdempotent {
				e.Kind = ErrOutcomeUnknown
			}
			e.StatusCode, e.Attempts, e.Cause = resp.StatusCode, attempts, readErr
			return nil, e
		}
		if out != nil {
			var err error
			if len(bytes.TrimSpace(data)) > 0 {
				err = json.Unmarshal(data, out)
			}
			if v, ok := out.(Validator); ok && err == nil {
				err = v.Validate() // an empty answer too: it is not the object asked for
			}
			if err != nil {
				e := apiErr(ErrServer)
				if st.nonIdempotent {
					// It was applied, but what it made cannot be read: look for it.
					e.Kind = ErrOutcomeUnknown
				}
				e.StatusCode, e.Attempts = resp.StatusCode, attempts
				e.Cause = fmt.Errorf("unreadable answer: %w", err)
				return nil, e
			}
		}
		return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: data}, nil
	}

	e := apiErr(nil)
	e.StatusCode, e.Attempts = resp.StatusCode, attempts
	if c.cfg.DecodeError != nil {
		info := c.cfg.DecodeError(resp.StatusCode, data)
		e.Kind, e.Code, e.Message = info.Kind, info.Code, info.Message
	}
	if e.Kind == nil {
		e.Kind = KindForStatus(resp.StatusCode)
	}
	if st.nonIdempotent && c.unknown[resp.StatusCode] {
		e.Kind = ErrOutcomeUnknown
	}
	return nil, e
}

// Validator is a decoded answer that can tell whether it is complete. Do checks every answer that
// implements it: one that is not (an object without its id, say) is as unreadable as bad JSON, so
// that callers never get a half-filled object.
type Validator interface {
	Validate() error
}

// Adopter looks for the object that a create of unknown outcome may have made. It returns true
// when it found one (and filled the caller's result with it).
type Adopter func(ctx context.Context) (bool, error)

// CreateOrAdopt sends a create (req is marked non-idempotent). When the outcome of an attempt is
// unknown it never repeats the create blindly: it first asks find whether the object exists and
// adopts it if so. Only when find says it does not exist is the create sent again, up to the
// configured number of retries. The returned bool is true when the object was adopted rather
// than created by a confirmed answer.
//
// If ctx is cancelled while the outcome is unknown, find still runs on a short, uncancelled
// context so that an object created just before the interruption is not orphaned.
func (c *Client) CreateOrAdopt(ctx context.Context, req Request, out any, find Adopter) (bool, error) {
	req.NonIdempotent = true
	for attempt := 0; ; attempt++ {
		_, err := c.Do(ctx, req, out)
		if err == nil || !errors.Is(err, ErrOutcomeUnknown) {
			return false, err
		}
		lookupCtx := ctx
		if ctx.Err() != nil {
			var cancel context.CancelFunc
			lookupCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 2*c.cfg.RequestTimeout)
			defer cancel()
		}
		found, findErr := find(lookupCtx)
		var ambiguous *AmbiguousError
		if errors.As(findErr, &ambiguous) {
			return false, findErr
		}
		if findErr != nil {
			return false, fmt.Errorf("%w; looking for the object it may have created also failed: %w", err, findErr)
		}
		if found {
			return true, nil
		}
		if ctx.Err() != nil || attempt >= c.cfg.MaxRetries {
			return false, err
		}
		if werr := sleep(ctx, c.backoff(c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, attempt, nil)); werr != nil {
			return false, err
		}
	}
}

// outcomeUnknownCause returns the transport error that checkRetry joined with errOutcomeUnknown.
// (errors.Unwrap cannot: a joined error only has Unwrap() []error.)
func outcomeUnknownCause(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !errors.Is(e, errOutcomeUnknown) {
				return e
			}
		}
	}
	return err
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

// exhausted carries the attempt count out of retryablehttp.
type exhausted struct {
	attempts int
	err      error
}

func (e *exhausted) Error() string {
	if e.err == nil {
		return fmt.Sprintf("giving up after %d attempts", e.attempts)
	}
	return e.err.Error()
}

func (e *exhausted) Unwrap() error { return e.err }
