package provider

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// listTimeout bounds one pass over a vendor's list: a shared list call, whoever waits for it, and
// the list read of a data source or list resource.
const listTimeout = 5 * time.Minute

// listCache serves the reads of many resources of one vendor from one list call.
//
// It lives in the provider data, which Terraform builds anew for every operation (plan, apply),
// so a list is never older than the operation. Any write to the vendor invalidates it: the next
// read takes a fresh list. Concurrent reads wait for the list being taken instead of taking their
// own, and the reads that need a list newer than the one they were served (to confirm a miss)
// share one too.
//
// The call runs on a context of its own, derived from the operation's (base): one read that is
// cancelled does not fail the others waiting, and the call's logs carry the operation's fields,
// never one resource's. The call is cancelled when no read waits for it any more, and at
// listTimeout in any case.
type listCache[T any] struct {
	fetch func(context.Context) ([]T, error)
	base  context.Context

	mu      sync.Mutex
	version uint64
	seq     uint64
	// first is the first call of the current version, which serves every read; latest is the
	// newest call, which serves the confirmations of misses.
	first, latest *listCall[T]
	// succeeded is set once any list has been taken without error in this operation.
	succeeded atomic.Bool
}

// listCall is one list call, and what it answered once done is closed.
type listCall[T any] struct {
	version uint64
	// seq orders the calls: a call with a higher seq was started after one with a lower.
	seq   uint64
	done  chan struct{}
	items []T
	err   error

	// waiters is how many reads wait for it; cancel stops it, and abandoned records that it was
	// stopped because none did (guarded by the list's mu).
	waiters   int
	cancel    context.CancelFunc
	abandoned bool
}

// accessList is a list cache seen without its element type: what the plan-time access check and
// the confirmation of a delete need of it.
type accessList interface {
	// probe takes the list, or waits for the one being taken, and returns its error.
	probe(ctx context.Context) error
	// proven reports whether a list has been taken without error in this operation.
	proven() bool
}

// listOf is l as an accessList: nil when there is no list (the vendor has no client).
func listOf[T any](l *listCache[T]) accessList {
	if l == nil {
		return nil
	}
	return l
}

func (s *listCache[T]) probe(ctx context.Context) error {
	_, err := s.get(ctx)
	return err
}

func (s *listCache[T]) proven() bool { return s.succeeded.Load() }

// newListCache returns a list taken with fetch, on contexts derived from base.
func newListCache[T any](base context.Context, fetch func(context.Context) ([]T, error)) *listCache[T] {
	return &listCache[T]{fetch: fetch, base: context.WithoutCancel(base)}
}

// get returns the list of the current version, taking it if no valid one is taken or being taken.
// Every read is served by the same list (the first of the version), so that the reads that miss
// in it can all be confirmed by one newer list.
func (s *listCache[T]) get(ctx context.Context) ([]T, error) {
	c, err := s.getCall(ctx)
	if err != nil {
		return nil, err
	}
	return c.items, nil
}

// getCall is get, with the call that answered.
func (s *listCache[T]) getCall(ctx context.Context) (*listCall[T], error) {
	return s.wait(ctx, s.call(0, false))
}

// freshAfter returns a list taken after the call numbered seq: the call in flight or done, if it
// was started after that one and no write has happened since, else a new one. A read uses it to
// confirm that an object missing from a shared list is really gone, and reads that missed
// together share one confirmation.
func (s *listCache[T]) freshAfter(ctx context.Context, seq uint64) (*listCall[T], error) {
	return s.wait(ctx, s.call(seq, true))
}

// findAfter looks for id in a list taken after the call numbered seq (see freshAfter). Missing from
// it is no error here: it returns nil, nil, and the caller names the miss in its vendor's terms.
func (s *listCache[T]) findAfter(ctx context.Context, seq uint64, id string, idOf func(*T) string) (*T, error) {
	call, err := s.freshAfter(ctx, seq)
	if err != nil {
		return nil, err
	}
	return findByID(call.items, id, idOf), nil
}

// invalidate marks every list taken so far as stale; the vendor clients call it on every write.
func (s *listCache[T]) invalidate() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.version++
	s.mu.Unlock()
}

// call returns the call to wait for, with the caller already counted among its waiters: picking a
// call and joining it are one step under s.mu, so the last waiter of a call can never abandon it
// between another read's pick and its join (which failed that read with "context canceled").
// Without fresh: the first call of the current version, when it is valid (not abandoned). With
// fresh: the latest call, when it is valid and was started after the call numbered after. Else a
// new call.
func (s *listCache[T]) call(after uint64, fresh bool) *listCall[T] {
	s.mu.Lock()
	defer s.mu.Unlock()
	valid := func(c *listCall[T]) bool { return c != nil && c.version == s.version && !c.abandoned }
	switch {
	case !fresh && valid(s.first):
		s.first.waiters++
		return s.first
	case fresh && valid(s.latest) && s.latest.seq > after:
		s.latest.waiters++
		return s.latest
	}
	s.seq++
	fetchCtx, cancel := context.WithTimeout(s.base, listTimeout)
	c := &listCall[T]{version: s.version, seq: s.seq, done: make(chan struct{}), cancel: cancel, waiters: 1}
	s.latest = c
	if !fresh || !valid(s.first) {
		s.first = c
	}
	go func() {
		defer close(c.done)
		defer cancel()
		c.items, c.err = s.fetch(fetchCtx)
		if c.err == nil {
			s.succeeded.Store(true)
		}
	}()
	return c
}

// wait waits for c, which call counted the caller among the waiters of, or for ctx. The last read
// to stop waiting for a call that is not done cancels it: nobody needs its answer.
func (s *listCache[T]) wait(ctx context.Context, c *listCall[T]) (*listCall[T], error) {
	select {
	case <-c.done:
		s.mu.Lock()
		c.waiters--
		s.mu.Unlock()
		if c.err != nil {
			return nil, c.err
		}
		return c, nil
	case <-ctx.Done():
		s.mu.Lock()
		c.waiters--
		if c.waiters == 0 {
			select {
			case <-c.done:
			default:
				c.abandoned = true
				c.cancel()
			}
		}
		s.mu.Unlock()
		return nil, ctx.Err()
	}
}
