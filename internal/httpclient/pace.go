package httpclient

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// pacer holds each attempt back until the vendor's rate limit lets it go. done is called once the
// attempt has ended, whatever its outcome (an answer, an error, a timeout), with what the pacer may
// learn from it.
type pacer interface {
	wait(ctx context.Context) (done func(attemptEnd), err error)
}

// attemptEnd is what a pacer learns of an attempt when it ends.
type attemptEnd struct {
	// refused is set when the server refused the attempt for its rate (HTTP 429).
	refused bool
	// retryAfter is the wait the server asked for with Retry-After (zero when it named none).
	retryAfter time.Duration
}

// newPacer returns the pacer cfg describes, or nil when the client sends without a limit.
func newPacer(cfg Config, now func() time.Time) pacer {
	switch {
	case cfg.RateLimit <= 0:
		return nil
	case cfg.RateWindow > 0:
		return newWindowPacer(max(int(cfg.RateLimit), 1), cfg.RateWindow, cfg.RateReserved, now)
	default:
		return evenPacer{rate.NewLimiter(rate.Limit(cfg.RateLimit), max(cfg.RateBurst, 1))}
	}
}

// evenPacer spreads requests evenly: RateLimit per second, RateBurst at once.
type evenPacer struct{ limiter *rate.Limiter }

func (p evenPacer) wait(ctx context.Context) (func(attemptEnd), error) {
	return func(attemptEnd) {}, p.limiter.Wait(ctx)
}

// windowPacer keeps to a limit the vendor counts as "at most n requests in any window" (such as 15
// in any second), as fully as that is safe whatever the network does.
//
// It has n slots. A request takes a free slot before it is sent and keeps it until a window has
// passed since the request ended. The server received a request before it ended, and receives the
// next request of the same slot after that one was sent, so two requests of one slot reach the
// server at least a window apart: n+1 requests in one window would need two of them in one slot.
// Retries are requests like any other, and reserved slots stand for requests made just before the
// client existed. Requests of free slots go at once: the vendor counts requests in windows, so a
// burst of up to n is within its limit, and a client that has been idle catches up.
type windowPacer struct {
	window time.Duration
	now    func() time.Time

	mu sync.Mutex
	// free holds, for each slot not in use, when it may be used again.
	free []time.Time
	// released is closed, and replaced, whenever a slot comes back: a waiter looks again.
	released chan struct{}
}

func newWindowPacer(n int, window time.Duration, reserved int, now func() time.Time) *windowPacer {
	p := &windowPacer{window: window, now: now, free: make([]time.Time, n), released: make(chan struct{})}
	// A reserved slot was used by a request that ended, at the latest, now.
	reuse := now().Add(window)
	for i := range min(reserved, n) {
		p.free[i] = reuse
	}
	return p
}

func (p *windowPacer) wait(ctx context.Context) (func(attemptEnd), error) {
	for {
		p.mu.Lock()
		now := p.now()
		soonest, at := -1, time.Time{}
		for i, t := range p.free {
			if soonest < 0 || t.Before(at) {
				soonest, at = i, t
			}
		}
		if soonest >= 0 && !at.After(now) {
			// Take the slot: remove it from free until the request ends.
			last := len(p.free) - 1
			p.free[soonest] = p.free[last]
			p.free = p.free[:last]
			p.mu.Unlock()
			return p.release, nil
		}
		released := p.released
		p.mu.Unlock()

		// Every slot is in use (look again when one comes back), or the soonest is free at at.
		var timer *time.Timer
		var ring <-chan time.Time
		if soonest >= 0 {
			timer = time.NewTimer(at.Sub(now))
			ring = timer.C
		}
		select {
		case <-ctx.Done():
		case <-released:
		case <-ring:
		}
		if timer != nil {
			timer.Stop()
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// release gives back the slot of a request that has just ended: it may be used a window later.
func (p *windowPacer) release(attemptEnd) {
	p.mu.Lock()
	p.free = append(p.free, p.now().Add(p.window))
	close(p.released)
	p.released = make(chan struct{})
	p.mu.Unlock()
}
