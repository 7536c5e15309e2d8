package httpclient

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// MayHaveBeenApplied reports whether an error status, in answer to a write, may mean that the write
// was applied: the origin failed part way (500), or something in front of it (a gateway, a CDN)
// answered while the origin may have gone on (502, 503, 504, and a CDN's 520-524, such as 524
// "a timeout occurred"). A create so answered is looked for before it is sent again; a read, or a
// write that is safe to repeat, is retried.
func MayHaveBeenApplied(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout,
		520, 521, 522, 523, 524:
		return true
	}
	return false
}

// backoff waits exponentially longer after each attempt (capped), with jitter so that parallel
// clients do not retry in step. A Retry-After header, in seconds or as an HTTP date, wins, capped
// by MaxRetryAfter; the request's context bounds every wait.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, header http.Header) time.Duration {
	if d, ok := retryAfter(header.Get("Retry-After"), time.Now()); ok {
		return min(d, c.cfg.MaxRetryAfter)
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

// endOf is what the pacer learns from an attempt's answer (status 0 when none came).
func endOf(status int, header http.Header) attemptEnd {
	if status != http.StatusTooManyRequests {
		return attemptEnd{}
	}
	wait, _ := retryAfter(header.Get("Retry-After"), time.Now())
	return attemptEnd{refused: true, retryAfter: wait}
}
