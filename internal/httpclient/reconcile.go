package httpclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// ClockSkew is how far a vendor's clock may be from ours when an object's creation time is
// compared with the moment its create was sent: an object adopted after a lost answer must have
// been created within [sent - ClockSkew, looked for + ClockSkew].
const ClockSkew = 30 * time.Second

// Claims remembers the ids of objects this process created or adopted, so that reconciling one
// create of unknown outcome never adopts an object that belongs to another resource.
type Claims struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

// Add records ids as taken.
func (c *Claims) Add(ids ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[string]struct{}{}
	}
	for _, id := range ids {
		c.ids[id] = struct{}{}
	}
}

// TryClaim takes id if nobody has, and reports whether it did: two reconciliations racing for
// the same object cannot both adopt it.
func (c *Claims) TryClaim(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, taken := c.ids[id]; taken {
		return false
	}
	if c.ids == nil {
		c.ids = map[string]struct{}{}
	}
	c.ids[id] = struct{}{}
	return true
}

// Has reports whether id is taken.
func (c *Claims) Has(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.ids[id]
	return ok
}

// CreatedWithin reports whether an object created at t (by the vendor's clock) may be the result
// of a create sent at sent and looked for at lookedAt (by ours), allowing ClockSkew either way.
func CreatedWithin(t, sent, lookedAt time.Time) bool {
	return !t.Before(sent.Add(-ClockSkew)) && !t.After(lookedAt.Add(ClockSkew))
}

// SameSet reports whether a and b hold the same strings, ignoring order and repeats.
func SameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// AmbiguousError is the error of a create whose answer was lost when the lookup cannot tell which
// object, if any, the create made: more than one matches what it sent, or one that matches has no
// creation time, so it cannot be told apart from an object that was there before. Nothing is
// adopted, rotated or deleted.
type AmbiguousError struct {
	Vendor string
	// IDs are every candidate's id, sorted; Untimed those of candidates without a creation time.
	IDs     []string
	Untimed []string
}

func (e *AmbiguousError) Error() string {
	if len(e.Untimed) > 0 {
		return fmt.Sprintf("the answer to the create was lost, and %d %s objects match what it sent (ids %s), %s no creation "+
			"time (ids %s): the provider cannot tell whether it created them, so it adopted none and sent nothing more",
			len(e.IDs), e.Vendor, strings.Join(e.IDs, ", "), map[bool]string{true: "one of them with", false: "some with"}[len(e.Untimed) == 1],
			strings.Join(e.Untimed, ", "))
	}
	return fmt.Sprintf("the answer to the create was lost, and %d %s objects match what it sent and were created since "+
		"(ids %s): the provider cannot tell which one it created, so it adopted none and sent nothing more",
		len(e.IDs), e.Vendor, strings.Join(e.IDs, ", "))
}

// Unwrap classifies the error: the create's outcome stays unknown.
func (e *AmbiguousError) Unwrap() error { return ErrOutcomeUnknown }

// Candidate is what a lookup's match function says of one listed object.
type Candidate struct {
	// ID is the object's id.
	ID string
	// Created is when the vendor says it was created; zero when it did not say.
	Created time.Time
	// Matches is set when every field the create sent has the sent value.
	Matches bool
}

// ClaimOnly claims and returns the one listed item that the create of lk may have made: it matches
// what was sent, was created within the create's window (CreatedWithin), and no create of this
// client has claimed it. It returns nil when there is none, and an *AmbiguousError, claiming
// nothing, when more than one may be it, or when a matching item has no creation time (it cannot be
// told apart from an object that was there before the create).
//
// It first waits for the answers of the other creates of this client that are in flight (sent and
// not answered): one of them may have made a matching object, and claims it when its answer comes.
// Without that wait a lookup could adopt, rotate or delete another resource's new object.
func ClaimOnly[T any](ctx context.Context, lk *Lookup, items []T, describe func(*T) Candidate) (*T, error) {
	if err := lk.awaitOthers(ctx); err != nil {
		return nil, err
	}
	claims, lookedAt := &lk.client.claims, time.Now()
	for {
		var found *T
		var ids, untimed []string
		for i := range items {
			cand := describe(&items[i])
			if !cand.Matches || claims.Has(cand.ID) {
				continue
			}
			if cand.Created.IsZero() {
				untimed = append(untimed, cand.ID)
				ids = append(ids, cand.ID)
				continue
			}
			if CreatedWithin(cand.Created, lk.Sent, lookedAt) {
				found = &items[i]
				ids = append(ids, cand.ID)
			}
		}
		switch {
		case len(ids) == 0:
			return nil, nil
		case len(ids) > 1 || len(untimed) > 0:
			slices.Sort(ids)
			slices.Sort(untimed)
			return nil, &AmbiguousError{Vendor: lk.client.cfg.Vendor, IDs: ids, Untimed: untimed}
		case claims.TryClaim(ids[0]):
			return found, nil
		}
		// Claimed by a concurrent lookup in the meantime: look again.
	}
}

// Identified is a create's decoded answer that can name the object it made: the client claims that
// id as soon as the answer arrives, before any lookup of another create can see it (ClaimOnly).
type Identified interface {
	CreatedID() string
}

// Finder looks for the object that a create of unknown outcome may have made. It returns true when
// it found one (and filled the caller's result with it). It runs on a context detached from the
// caller's, bounded by Config.ResolveTimeout: a lookup is never cut short by an interrupt.
type Finder func(ctx context.Context, lk *Lookup) (bool, error)

// Lookup is one search for what a create of unknown outcome made.
type Lookup struct {
	client *Client
	self   *creation
	// Sent is when the create was first queued (it was sent no earlier): what it made was created
	// after Sent - ClockSkew.
	Sent time.Time
}

// creation is one create among the client's creates (Client.creates): the part of its state that
// other creates' lookups need.
type creation struct {
	client *Client
	// queuedAt is when the create was first queued.
	queuedAt time.Time
	// inFlight is non-nil while an attempt is sent and not answered; it is closed when the attempt
	// ends, after the answer's id has been claimed.
	inFlight chan struct{}
}

// creates are the creates of one client whose attempts other lookups may have to wait for.
type creates struct {
	mu  sync.Mutex
	all map[*creation]struct{}
}

// begin registers a create.
func (cs *creates) begin(c *Client) *creation {
	cr := &creation{client: c, queuedAt: time.Now()}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.all == nil {
		cs.all = map[*creation]struct{}{}
	}
	cs.all[cr] = struct{}{}
	return cr
}

// end forgets a create that is done.
func (cs *creates) end(cr *creation) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	delete(cs.all, cr)
}

// inFlight returns the channels of the creates other than self that are sent and not answered.
func (cs *creates) inFlight(self *creation) []chan struct{} {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	var out []chan struct{}
	for cr := range cs.all {
		if cr != self && cr.inFlight != nil {
			out = append(out, cr.inFlight)
		}
	}
	return out
}

// send marks the create as sent (nil-safe: other requests have no creation).
func (cr *creation) send() {
	if cr == nil {
		return
	}
	cr.client.creates.mu.Lock()
	cr.inFlight = make(chan struct{})
	cr.client.creates.mu.Unlock()
}

// settle marks the attempt in flight as ended. out is the decoded answer of a create that
// succeeded: the id it names is claimed first, so that a lookup that waited for this attempt never
// takes its object.
func (cr *creation) settle(out any) {
	if cr == nil {
		return
	}
	if id, ok := out.(Identified); ok && id.CreatedID() != "" {
		cr.client.claims.Add(id.CreatedID())
	}
	cr.client.creates.mu.Lock()
	ch := cr.inFlight
	cr.inFlight = nil
	cr.client.creates.mu.Unlock()
	if ch != nil {
		close(ch)
	}
}

// awaitOthers waits until no other create of this client is sent and not answered.
func (lk *Lookup) awaitOthers(ctx context.Context) error {
	for _, ch := range lk.client.creates.inFlight(lk.self) {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// CreateOrAdopt sends a create (req is marked non-idempotent) and follows it to its end (see the
// table at the top of write.go). When the outcome of an attempt is unknown it never repeats the
// create blindly: it first asks find whether the object exists, and adopts it if so. Only when find
// says it does not exist is the create sent again, up to the configured number of retries, and only
// while the caller has not given up. The returned bool is true when the object was adopted rather
// than created by a confirmed answer.
//
// The lookup always runs on a context detached from ctx and bounded by Config.ResolveTimeout,
// whether the caller gives up before, during or after it: an object created just before an
// interrupt is found, not orphaned.
func (c *Client) CreateOrAdopt(ctx context.Context, req Request, out any, find Finder) (bool, error) {
	req.NonIdempotent, req.MustExist = true, true
	cr := c.creates.begin(c)
	defer c.creates.end(cr)
	// absent is the error of a create whose every attempt a lookup confirmed created nothing,
	// stopped by the caller (cause) or by the retries running out (cause nil).
	absent := func(last error, attempts int, cause error) error {
		e := c.apiError(req, ErrServer)
		e.Attempts = attempts
		var lastErr *APIError
		if errors.As(last, &lastErr) {
			e.StatusCode = lastErr.StatusCode
			e.Cause = lastErr.Cause
		}
		said := ""
		if lastErr != nil && lastErr.Message != "" {
			said = lastErr.Message + "; "
		}
		if cause == nil {
			e.Message = said + fmt.Sprintf("nothing was created: every attempt (%d) lost its answer or got one that allows it was "+
				"applied, and every time a lookup found nothing", attempts)
			return e
		}
		e.Cause = cause
		if errors.Is(cause, context.Canceled) {
			e.Kind = ErrInterrupted
		}
		e.Message = said + "stopped after a create whose answer was lost: a lookup confirmed that nothing it may have made is " +
			"left, and nothing was sent again"
		return e
	}
	for attempt := 0; ; attempt++ {
		_, err := c.do(ctx, req, out, cr)
		if err == nil || !errors.Is(err, ErrOutcomeUnknown) {
			return false, err
		}
		found, findErr := c.resolve(ctx, cr, find)
		if findErr == nil {
			c.logState(c.logContext(ctx), req, resolved, attempt+1)
		}
		var ambiguous *AmbiguousError
		switch {
		case errors.As(findErr, &ambiguous):
			return false, findErr
		case findErr != nil:
			return false, &UnsettledError{Create: err, Lookup: findErr}
		case found:
			return true, nil
		case ctx.Err() != nil:
			// Confirmed absent, and the caller gave up: nothing was created, nothing is sent again.
			return false, absent(err, attempt+1, ctx.Err())
		case attempt >= c.cfg.MaxRetries:
			return false, absent(err, attempt+1, nil)
		}
		if werr := sleep(ctx, c.backoff(c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, attempt, nil)); werr != nil {
			return false, absent(err, attempt+1, werr)
		}
	}
}

// resolve is the unknown state of a create: it runs find on a detached context, bounded by
// ResolveTimeout.
func (c *Client) resolve(ctx context.Context, cr *creation, find Finder) (bool, error) {
	lookupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.ResolveTimeout)
	defer cancel()
	return find(lookupCtx, &Lookup{client: c, self: cr, Sent: cr.queuedAt})
}

// UnsettledError is the error of a create whose outcome is unknown and whose lookup failed: the
// object may exist at the vendor.
type UnsettledError struct {
	// Create is the create's error (ErrOutcomeUnknown); Lookup is why the lookup failed.
	Create, Lookup error
}

func (e *UnsettledError) Error() string {
	return fmt.Sprintf("%v; looking for the object it may have created also failed: %v", e.Create, e.Lookup)
}

// Unwrap exposes both errors: the create's outcome is unknown.
func (e *UnsettledError) Unwrap() []error { return []error{e.Create, e.Lookup} }
