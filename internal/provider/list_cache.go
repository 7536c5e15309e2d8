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
//
// # Which call a read waits for
//
// A plain read (get) waits for the first call since the last write, so that every read of the
// operation misses in the same list and all its misses can be confirmed by one newer list. A
// confirmation (freshAfter) waits for the latest call, when it started after the one that missed.
// When the cache has no such call, the read starts one. The cache remembers only calls that are
// fetching or done: a write, or the abandonment of a call, makes it forget them.
//
// # A call's states
//
// Every transition is one method below (by), made under mu; this table is all of them:
//
//	state      event                           by          next       effect
//	-          a read finds no call to join    start       fetching   numbered (seq); fetched on a context
//	                                                                  of its own, within listTimeout; the
//	                                                                  read is its first waiter
//	fetching   a read picks it                 join        fetching   one waiter more, in the same step
//	done       a read picks it                 join        done       one waiter more, answered at once
//	fetching   the fetch returns               finish      done       answer kept, waiters answered;
//	                                                                  succeeded set if it is no error
//	fetching   a waiter leaves, others stay    leave       fetching   one waiter fewer
//	fetching   its last waiter leaves          abandon     abandoned  fetch cancelled, call forgotten
//	done       a waiter is answered or leaves  leave       done       one waiter fewer
//	abandoned  the fetch returns               finish      abandoned  none: nobody waits, or can join
//	any        a write                         invalidate  unchanged  call forgotten: its waiters still get
//	                                                                  its answer, the next read starts anew
//
// Picking a call and joining it are one step (join): were they two, the last waiter of a call could
// leave between another read's pick and its join, abandon the call under it, and fail that read
// with "context canceled" although it never gave up.
type listCache[T any] struct {
	fetch func(context.Context) ([]T, error)
	base  context.Context

	mu  sync.Mutex
	seq uint64
	// first is the first call since the last write, which serves every read; latest is the newest
	// call, which serves the confirmations of misses. Each is nil or a call fetching or done.
	first, latest *listCall[T]
	// succeeded is set once any list has been taken without error in this operation.
	succeeded atomic.Bool
}

// callState is where a listCall is in its life (see listCache).
type callState int

const (
	callFetching  callState = iota // the fetch runs
	callDone                       // the fetch returned: items and err are the answer
	callAbandoned                  // every waiter left before the answer: the fetch was cancelled
)

// listCall is one list call.
type listCall[T any] struct {
	// seq orders the calls: a call with a higher seq was started after one with a lower.
	seq uint64
	// answered is closed once the fetch has returned; items and err, its answer, are read after.
	answered chan struct{}
	items    []T
	err      error
	// index maps each id to its item's position, built by the first find: a plan of thousands of
	// resources looks each up in the same list.
	indexOnce sync.Once
	index     map[string]int

	// state and waiters (how many reads wait for the call) are guarded by the cache's mu; cancel
	// stops the fetch.
	state   callState
	waiters int
	cancel  context.CancelFunc
}

// find returns a copy of the item with id in the call's answer, or nil. Call it once the call is
// answered; idOf must be the same for every find of a call.
func (c *listCall[T]) find(id string, idOf func(*T) string) *T {
	c.indexOnce.Do(func() {
		c.index = make(map[string]int, len(c.items))
		for i := range c.items {
			k := idOf(&c.items[i])
			if _, dup := c.index[k]; !dup {
				c.index[k] = i // the first of duplicates, as a scan would find it
			}
		}
	})
	i, ok := c.index[id]
	if !ok {
		return nil
	}
	found := c.items[i]
	return &found
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

// get returns the list of the first call since the last write, taking it if there is none.
func (s *listCache[T]) get(ctx context.Context) ([]T, error) {
	c, err := s.getCall(ctx)
	if err != nil {
		return nil, err
	}
	return c.items, nil
}

// getCall is get, with the call that answered: its seq is what freshAfter needs to confirm a miss.
func (s *listCache[T]) getCall(ctx context.Context) (*listCall[T], error) {
	return s.wait(ctx, s.join(0, false))
}

// freshAfter returns a list taken after the call numbered seq: the latest call, in flight or done,
// if it started after that one and no write has happened since, else a new one. A read uses it to
// confirm that an object missing from a shared list is really gone, and reads that missed
// together share one confirmation.
func (s *listCache[T]) freshAfter(ctx context.Context, seq uint64) (*listCall[T], error) {
	return s.wait(ctx, s.join(seq, true))
}

// findAfter looks for id in a list taken after the call numbered seq (see freshAfter). Missing from
// it is no error here: it returns nil, nil, and the caller names the miss in its vendor's terms.
func (s *listCache[T]) findAfter(ctx context.Context, seq uint64, id string, idOf func(*T) string) (*T, error) {
	call, err := s.freshAfter(ctx, seq)
	if err != nil {
		return nil, err
	}
	return call.find(id, idOf), nil
}

// invalidate is the transition of a write (the vendor clients call it on every write): the cache
// forgets its calls, so that the next read starts a new one. Reads already waiting for a call keep
// waiting for it.
func (s *listCache[T]) invalidate() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.first, s.latest = nil, nil
	s.mu.Unlock()
}

// join picks the call a read is to wait for, or starts one, and counts the read among its waiters:
// one step under mu, so that no call is abandoned between a read's pick and its join. Without
// fresh it picks the first call; with fresh, the latest, if it started after the call numbered
// after.
func (s *listCache[T]) join(after uint64, fresh bool) *listCall[T] {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.first
	if fresh {
		c = s.latest
		if c != nil && c.seq <= after {
			c = nil // it may be the very list that missed
		}
	}
	if c == nil {
		c = s.start()
	}
	c.waiters++
	return c
}

// start is the transition from nothing to fetching (callers hold mu): a new call, the latest, and
// the first too when there is none since the last write. Its fetch runs on a context of its own,
// cut off at listTimeout.
func (s *listCache[T]) start() *listCall[T] {
	s.seq++
	ctx, cancel := context.WithTimeout(s.base, listTimeout) //nolint:gosec // G118: the call keeps cancel; finish and abandon call it
	c := &listCall[T]{seq: s.seq, answered: make(chan struct{}), cancel: cancel}
	s.latest = c
	if s.first == nil {
		s.first = c
	}
	go func() {
		items, err := s.fetch(ctx)
		s.finish(c, items, err)
	}()
	return c
}

// finish is the transition on the fetch's return: fetching becomes done and its waiters are
// answered; an abandoned call stays abandoned (nobody waits for it).
func (s *listCache[T]) finish(c *listCall[T], items []T, err error) {
	c.cancel() // frees the timer of listTimeout
	if err == nil {
		// Before the answer, so that a read it answers already sees proven().
		s.succeeded.Store(true)
	}
	s.mu.Lock()
	c.items, c.err = items, err
	if c.state == callFetching {
		c.state = callDone
	}
	s.mu.Unlock()
	close(c.answered)
}

// leave is the transition of a read that stops waiting, answered or not (callers hold mu): one
// waiter fewer. The last waiter of a call still fetching abandons it.
func (s *listCache[T]) leave(c *listCall[T]) {
	c.waiters--
	if c.waiters == 0 && c.state == callFetching {
		s.abandon(c)
	}
}

// abandon is the transition from fetching to abandoned (callers hold mu): nobody needs the answer,
// so the fetch is cancelled, and the cache forgets the call so that no read ever joins it again (it
// would only get "context canceled").
func (s *listCache[T]) abandon(c *listCall[T]) {
	c.state = callAbandoned
	c.cancel()
	if s.first == c {
		s.first = nil
	}
	if s.latest == c {
		s.latest = nil
	}
}

// wait waits for the answer of c, which join counted the caller among the waiters of, or for ctx,
// and then leaves it.
func (s *listCache[T]) wait(ctx context.Context, c *listCall[T]) (*listCall[T], error) {
	select {
	case <-c.answered:
		s.release(c)
		if c.err != nil {
			return nil, c.err
		}
		return c, nil
	case <-ctx.Done():
		s.release(c)
		return nil, ctx.Err()
	}
}

// release is leave, under mu.
func (s *listCache[T]) release(c *listCall[T]) {
	s.mu.Lock()
	s.leave(c)
	s.mu.Unlock()
}
