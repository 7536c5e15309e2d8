package httpclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
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
		n := max(int(cfg.RateLimit), 1)
		if cfg.RateShareLimit > 0 {
			// No client of a shared limit goes beyond it.
			n = min(n, cfg.RateShareLimit)
		}
		var l *ledger
		var lost error
		if cfg.RateShare != "" {
			// Without the machine's ledger (no cache directory, no file locks) the pacer goes alone.
			if l, lost = openLedger(cfg.RateLedgerDir, cfg.RateShare, cfg.RateWindow, cfg.RequestTimeout, now()); lost != nil {
				lost = fmt.Errorf("opening it: %w", lost)
			}
		}
		// With the ledger, what the others used is known: nothing is reserved.
		reserved := 0
		if l == nil {
			// What a predecessor or a client starting with this one used is unknown: see the sharing
			// rule.
			reserved = max(cfg.RateReserved, n/2)
		}
		p := newWindowPacer(n, cfg.RateWindow, reserved, now)
		p.ledger, p.shareN, p.ledgerLost, p.subsystem = l, n, lost, cfg.Subsystem
		if cfg.RateShareLimit > 0 {
			p.shareN = cfg.RateShareLimit
		}
		// A hold never outlasts the wait the retries themselves allow for a Retry-After.
		p.maxHold = cfg.MaxRetryAfter
		return p
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
// in any second), as fully as that is safe whatever the network does, and shares it with the
// clients it cannot see that use the same key (other processes, other machines).
//
// It has n slots. A request takes a free slot before it is sent and keeps it until a window has
// passed since the request ended. The server received a request before it ended, and receives the
// next request of the same slot after that one was sent, so two requests of one slot reach the
// server at least a window apart: n+1 requests in one window would need two of them in one slot.
// Retries are requests like any other, and reserved slots stand for requests made just before the
// client existed. Requests of free slots go at once: the vendor counts requests in windows, so a
// burst of up to n is within its limit, and a client that has been idle catches up.
//
// A slot is busy while its request is out and for the window after it ended, and at most limit
// slots are busy at once (limit is n until the server refuses a request), so the client sends at
// most limit requests in any window by the same argument. Alone on a key the client is never
// refused and limit stays n; how limit follows refusals when the key is shared is the sharing
// rule below.
type windowPacer struct {
	n      int
	window time.Duration
	now    func() time.Time
	// reserved slots stand, until firstEnd (a window after the pacer was made), for others'
	// requests (see the sharing rule); they are not the client's own.
	reserved int
	firstEnd time.Time
	// maxHold caps a hold the server asks for with Retry-After (zero: no cap).
	maxHold time.Duration

	// ledger, when set, shares the limit with the pacers of this machine's other processes (see
	// ledger.go); the pacer drops it, and goes on alone, if it fails. lastID numbers the places it
	// takes in it. shareN is the limit all the pacers of the ledger keep to between them.
	ledger *ledger
	lastID uint64
	shareN int
	// ledgerNext is when the ledger, which held the pacer back when it had room for ledgerRoom more
	// places, is worth reading again: the pacer's waiters look at it once between them, unless the
	// pacer's own slots coming back give it more room before then. lockedSince is when the pacer
	// first found the ledger's lock held in a row of looks each ledgerLockPoll after the last,
	// lastLocked when it last did.
	ledgerNext, lockedSince, lastLocked time.Time
	ledgerRoom                          int
	// ledgerLost is why the pacer is without the ledger it was meant to share (nil: it has it, or
	// was never meant to). The first wait after the loss logs it once, at debug level, in the
	// client's log subsystem: ledgerTold is then set.
	ledgerLost error
	ledgerTold bool
	subsystem  string

	mu sync.Mutex
	// free holds, for each slot not in use, when it may be used again.
	free []time.Time
	// released is closed, and replaced, whenever an attempt ends (a slot comes back, and limit may
	// have changed): a waiter looks again.
	released chan struct{}
	// limit is how many slots may be busy at once, between 1 and n (see the sharing rule).
	limit float64
	// heldUntil is when requests may go again after a refusal.
	heldUntil time.Time
	// lastCut is when limit was last cut; shared is set once a request sent after the first window
	// has been refused.
	lastCut time.Time
	shared  bool
}

// The sharing rule. A windowPacer cannot see the other clients of its key (other processes, such
// as CI runs of one organisation); a refusal (429) is the only sign of them. It shares the key by
// additive increase and multiplicative decrease, as TCP flows share a link and as the adaptive
// retry modes of aws-sdk-go-v2 and botocore share a throttled API, counted in slots:
//
//   - A refusal holds every request back for the Retry-After the server named, else for a window
//     (by then the window that was full has turned over), and cuts limit to refusalKeep times the
//     slots the client was using, never below 1. A refusal of a request sent before the last cut
//     only holds: that request met the crowding the cut answered.
//   - A success, while limit is what holds the client back, raises limit by probeSlots/limit, so by
//     probeSlots a window, never above n. Each probe past the key's limit costs someone a refusal.
//   - Other processes of the same machine share the limit exactly, through its ledger (see
//     ledger.go). Without one, a new pacer leaves max(reserved, n/2) of its first window to others:
//     to the process that used the key just before (the plan before an apply), and to clients
//     starting with it, which then overshoot the key by less. A refused request of that first window may be the
//     predecessor's doing, gone a window later: until a request sent after the first window is
//     refused, limit climbs back after a cut by regainShare a window, not by probeSlots.
//
// The figures below were measured with TestWindowPacer_sharedKey and TestWindowPacer_handover, on a
// limit of 15 in any second (the alternatives by changing the constant).
const (
	// refusalKeep is TCP's halving: whichever clients are refused make room that the others take
	// some windows to fill, whatever their number.
	refusalKeep = 0.5
	// probeSlots is one slot every three windows: three clients of 300 requests each had 3% of
	// their attempts refused (4% at half a slot, 6.5% at one, for 11.1, 11.5 and 12.2 requests a
	// second between them).
	probeSlots = 1.0 / 3
	// regainShare, per success so 25% a window, takes an apply whose first second was refused back
	// from 4 slots to 15 in six windows: its 150 requests went at 11.4 a second (6.3 climbing by
	// probeSlots, 14 when none is refused).
	regainShare = 0.25
)

func newWindowPacer(n int, window time.Duration, reserved int, now func() time.Time) *windowPacer {
	start := now()
	p := &windowPacer{
		n: n, window: window, now: now,
		reserved: min(reserved, n), firstEnd: start.Add(window),
		free: make([]time.Time, n), released: make(chan struct{}), limit: float64(n),
	}
	// A reserved slot was used by a request that ended, at the latest, now.
	for i := range p.reserved {
		p.free[i] = p.firstEnd
	}
	return p
}

func (p *windowPacer) wait(ctx context.Context) (func(attemptEnd), error) {
	p.tellLedgerLost(ctx)
	for {
		if err := ctx.Err(); err != nil {
			// A caller that gave up is not admitted, even when a slot is free.
			return nil, err
		}
		p.mu.Lock()
		now := p.now()
		slot, busy, next := p.look(now)
		if now.Before(p.heldUntil) {
			next = p.heldUntil
		} else if slot >= 0 && busy < int(p.limit) {
			id, retry := p.claim(now, busy)
			if retry.IsZero() {
				// Take the slot: remove it from free until the request ends.
				last := len(p.free) - 1
				p.free[slot] = p.free[last]
				p.free = p.free[:last]
				p.mu.Unlock()
				return func(end attemptEnd) { p.release(now, id, end) }, nil
			}
			// Other processes hold the rest of the limit: look again when the first of their places
			// is free, or when one of the pacer's own slots comes back, which leaves it more room
			// beside the others' places.
			if next.IsZero() || retry.Before(next) {
				next = retry
			}
		}
		released := p.released
		p.mu.Unlock()

		// Held back (look again when the hold ends), or limit slots are busy: look again when the
		// soonest comes back, or when an attempt ends (a slot comes back, limit changes).
		var timer *time.Timer
		var ring <-chan time.Time
		if !next.IsZero() {
			timer = time.NewTimer(next.Sub(now))
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

// look returns a slot that is free at now (-1 if none), how many slots are busy (in use, or used
// less than a window ago), and when the soonest of those used comes back (zero if none was).
// Callers hold p.mu.
func (p *windowPacer) look(now time.Time) (slot, busy int, soonest time.Time) {
	slot, busy = -1, p.n-len(p.free)
	for i, t := range p.free {
		switch {
		case t.After(now):
			busy++
			if soonest.IsZero() || t.Before(soonest) {
				soonest = t
			}
		case slot < 0:
			slot = i
		}
	}
	return slot, busy, soonest
}

// claim records in the machine's ledger the place of a request about to go at now, if the other
// processes' places leave room for it beside the pacer's busy slots, within the limit they share;
// else it returns when to look again. Without a ledger there is always room. Callers hold p.mu, so
// claim does not wait for the ledger's lock: it looks again ledgerLockPoll later, and gives the
// ledger up once it has found the lock held for ledgerLockWait.
func (p *windowPacer) claim(now time.Time, busy int) (id uint64, retry time.Time) {
	switch {
	case p.ledger == nil:
		return 0, time.Time{}
	case now.Before(p.ledgerNext) && p.shareN-busy <= p.ledgerRoom:
		return 0, p.ledgerNext
	}
	p.lastID++
	retry, err := p.ledger.claim(now, p.lastID, p.shareN-busy)
	if errors.Is(err, errLedgerBusy) {
		// Only a lock held throughout counts: a row of looks broken off (their callers gave up,
		// a hold came first) is not continued by a brief clash much later.
		if p.lockedSince.IsZero() || now.Sub(p.lastLocked) > lockRowGap {
			p.lockedSince = now
		}
		p.lastLocked = now
		if now.Sub(p.lockedSince) < ledgerLockWait {
			return 0, now.Add(ledgerLockPoll)
		}
	}
	if errors.Is(err, errLedgerBusy) {
		err = fmt.Errorf("its lock was held for %v", now.Sub(p.lockedSince))
	}
	if err != nil {
		p.dropLedger(err)
		return 0, time.Time{}
	}
	p.ledgerNext, p.ledgerRoom, p.lockedSince = retry, p.shareN-busy, time.Time{}
	return p.lastID, retry
}

// release gives back the slot of a request sent at sent, with ledger place id, that has just
// ended: it may be used a window later. The pacer learns from how it ended (see the sharing rule).
func (p *windowPacer) release(sent time.Time, id uint64, end attemptEnd) {
	p.mu.Lock()
	now := p.now()
	p.free = append(p.free, now.Add(p.window))
	if end.refused {
		p.refused(sent, now, end.retryAfter)
	} else {
		p.succeeded(now)
	}
	close(p.released)
	p.released = make(chan struct{})
	l := p.ledger
	p.mu.Unlock()

	// The pacer's own places in the ledger do not count against it: the place can be released
	// after the slot, without p.mu, waiting for the ledger's lock if need be.
	// A release that waited for the lock records the later end: its place is then free later.
	if l != nil && id != 0 {
		if err := patiently(func() error { return l.release(p.now(), id) }); err != nil {
			p.mu.Lock()
			if p.ledger == l {
				p.dropLedger(fmt.Errorf("releasing a place: %w", err))
			}
			p.mu.Unlock()
		}
	}
}

// dropLedger goes on without the ledger, which failed with err. Callers hold p.mu.
func (p *windowPacer) dropLedger(err error) {
	p.ledger, p.ledgerLost, p.ledgerTold = nil, err, false
}

// tellLedgerLost logs, once, why the pacer goes on without the machine's ledger: a user who sees
// 429s from runs side by side can then tell that the runs could not share the limit. Callers do
// not hold p.mu.
func (p *windowPacer) tellLedgerLost(ctx context.Context) {
	p.mu.Lock()
	lost := p.ledgerLost
	if p.ledgerTold {
		lost = nil
	}
	p.ledgerTold = true
	p.mu.Unlock()
	if lost != nil {
		tflog.SubsystemDebug(ctx, p.subsystem, "Pacing the rate limit without the machine's ledger: requests of other processes with the same key are not counted", map[string]any{
			"ledger_error": lost.Error(),
		})
	}
}

// refused applies the sharing rule to a refusal, at now, of a request sent at sent. Callers hold
// p.mu.
func (p *windowPacer) refused(sent, now time.Time, retryAfter time.Duration) {
	hold := p.window
	if retryAfter > 0 {
		hold = retryAfter
		if p.maxHold > 0 {
			hold = min(hold, p.maxHold)
		}
	}
	if until := now.Add(hold); until.After(p.heldUntil) {
		p.heldUntil = until
	}
	if !sent.Before(p.firstEnd) {
		p.shared = true
	}
	if sent.Before(p.lastCut) {
		return
	}
	// What the client was using: its busy slots (this one among them), the reserved ones aside.
	_, used, _ := p.look(now)
	if now.Before(p.firstEnd) {
		used -= p.reserved
	}
	p.limit = max(1, refusalKeep*min(p.limit, float64(used)))
	p.lastCut = now
}

// succeeded applies the sharing rule to a success at now. Callers hold p.mu.
func (p *windowPacer) succeeded(now time.Time) {
	if _, busy, _ := p.look(now); busy < int(p.limit) {
		// The client sends less than limit allows: a success says nothing of a higher limit.
		return
	}
	if p.shared {
		p.limit += probeSlots / p.limit
	} else {
		p.limit += regainShare
	}
	p.limit = min(p.limit, float64(p.n))
}
