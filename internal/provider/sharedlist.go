package provider

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// sharedListTimeout bounds one shared list call. The call runs detached from the context of the
// read that started it, so that one cancelled read does not fail the others waiting on it.
const sharedListTimeout = 5 * time.Minute

// sharedList serves the reads of many resources of one vendor from one list call.
//
// It lives in the provider data, which Terraform builds anew for every operation (plan, apply),
// so a list is never older than the operation. Any write to the vendor invalidates it: the next
// read takes a fresh list. Concurrent reads wait for the list being taken instead of taking their
// own.
type sharedList[T any] struct {
	fetch func(context.Context) ([]T, error)

	mu      sync.Mutex
	version uint64
	current *listCall[T]
	// succeeded is set once any list has been taken without error in this operation.
	succeeded atomic.Bool
}

type listCall[T any] struct {
	version uint64
	done    chan struct{}
	items   []T
	err     error
}

func newSharedList[T any](fetch func(context.Context) ([]T, error)) *sharedList[T] {
	return &sharedList[T]{fetch: fetch}
}

// get returns the current list, taking it if no valid one is taken or being taken.
func (s *sharedList[T]) get(ctx context.Context) ([]T, error) {
	return s.wait(ctx, s.call(ctx, false))
}

// fresh takes a new list whatever is cached (and keeps it for the reads that follow). A read
// uses it to confirm that an object missing from a shared list is really gone.
func (s *sharedList[T]) fresh(ctx context.Context) ([]T, error) {
	return s.wait(ctx, s.call(ctx, true))
}

// invalidate marks every list taken so far as stale; the vendor clients call it on every write.
func (s *sharedList[T]) invalidate() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.version++
	s.mu.Unlock()
}

func (s *sharedList[T]) call(ctx context.Context, force bool) *listCall[T] {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.current; c != nil && !force && c.version == s.version {
		return c
	}
	c := &listCall[T]{version: s.version, done: make(chan struct{})}
	s.current = c
	go func() {
		defer close(c.done)
		fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedListTimeout)
		defer cancel()
		c.items, c.err = s.fetch(fetchCtx)
		if c.err == nil {
			s.succeeded.Store(true)
		}
	}()
	return c
}

func (s *sharedList[T]) wait(ctx context.Context, c *listCall[T]) ([]T, error) {
	select {
	case <-c.done:
		return c.items, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
