package httpclient

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// errOutcomeUnknown marks, inside the retry loop, a transport failure after a non-idempotent
// request was written.
var errOutcomeUnknown = errors.New("the request may have been applied")

type stateKey struct{}

// attemptState follows one logical request across its attempts.
type attemptState struct {
	nonIdempotent bool
	attempts      int
	// wrote is true once the current attempt's request has been fully written: from then on a
	// broken connection leaves the outcome unknown. It is cleared when an answer arrives: the
	// status then says what happened (a cancellation while waiting to retry a 429 is not unknown).
	wrote atomic.Bool
	// caller is the caller's context of a non-idempotent request, which runs on a context of its
	// own once it has been sent (see Do): when the caller has given up, nothing is retried.
	caller context.Context
}

func stateFrom(ctx context.Context) *attemptState {
	st, _ := ctx.Value(stateKey{}).(*attemptState)
	if st == nil {
		st = &attemptState{}
	}
	return st
}

// attemptTransport wraps every attempt: it waits for the pacer (the rate limit), notes when the request has
// been written, and logs the exchange.
type attemptTransport struct {
	client *Client
	next   http.RoundTripper
}

func (t *attemptTransport) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	ctx := req.Context()
	st := stateFrom(ctx)
	st.attempts++
	st.wrote.Store(false)
	if t.client.pacer != nil {
		done, err := t.client.pacer.wait(ctx)
		if err != nil {
			return nil, err
		}
		// The attempt has ended when RoundTrip returns: the server has answered, or never will.
		defer func() { done(endOf(resp)) }()
	}
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				st.wrote.Store(true)
			}
		},
	}
	req = req.WithContext(httptrace.WithClientTrace(ctx, trace))

	start := time.Now()
	t.client.logRequest(ctx, req, st.attempts)
	resp, err = t.next.RoundTrip(req)
	if err == nil {
		st.wrote.Store(false)
	}
	t.client.logResponse(ctx, req, resp, err, time.Since(start))
	return resp, err
}

// checkRetry decides, after each attempt, whether to try again.
//
// Safe to repeat: 429 and 503 (the server did nothing), and for idempotent requests also 500, 502,
// 504 and transport errors. A non-idempotent request is never repeated once it may have been
// applied: that is reported as unknown so that the caller can look for the object first.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	st := stateFrom(ctx)
	retry, checkErr := c.retryPolicy(st, resp, err)
	if retry && st.caller != nil && st.caller.Err() != nil {
		// The caller gave up while the request was out: report what came back, try nothing more.
		return false, st.caller.Err()
	}
	return retry, checkErr
}

func (c *Client) retryPolicy(st *attemptState, resp *http.Response, err error) (bool, error) {
	if err != nil {
		if !retryableTransportError(err) {
			return false, err
		}
		if st.nonIdempotent && st.wrote.Load() {
			return false, errors.Join(errOutcomeUnknown, err)
		}
		return true, nil
	}
	switch code := resp.StatusCode; code {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true, nil
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return !st.nonIdempotent || !c.unknown[code], nil
	}
	return false, nil
}

// retryableTransportError is false for failures that another attempt cannot fix: those that
// connectionProblem explains.
func retryableTransportError(err error) bool {
	return connectionProblem(&url.URL{}, err) == ""
}

// backoff waits exponentially longer after each attempt (capped), with jitter so that parallel
// clients do not retry in step. A Retry-After header, in seconds or as an HTTP date, wins, capped
// by MaxRetryAfter; the request's context bounds every wait.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, c.cfg.MaxRetryAfter)
		}
	}
	// Double step by step: minWait<<attempt overflows (and rand.N panics) for large minWait.
	d := min(minWait, maxWait)
	for i := 0; i < attempt && d < maxWait; i++ {
		if d > maxWait/2 {
			d = maxWait
		} else {
			d *= 2
		}
	}
	// Equal jitter: between half and all of the exponential step.
	half := d / 2
	return half + rand.N(half+1) //nolint:gosec // G404: jitter needs no cryptographic randomness.
}

// retryAfter parses a Retry-After value: delta seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// endOf is what the pacer learns from an attempt's answer (nil when none came).
func endOf(resp *http.Response) attemptEnd {
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		return attemptEnd{}
	}
	wait, _ := retryAfter(resp.Header.Get("Retry-After"), time.Now())
	return attemptEnd{refused: true, retryAfter: wait}
}
