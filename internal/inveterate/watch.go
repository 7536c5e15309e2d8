package inveterate

import (
	"context"
	"sync"
	"time"
)

// watch serves every wait on one of Inveterate's lists (records that should show after a create,
// or leave after a delete) from shared list calls: one list in flight at a time, answering every
// wait that began before it was sent. However many creates wait at once, they cost one list call
// between them, not one each.
//
// A wait's first look is a list sent once the surface is quiet (no write that will be waited for is
// out, and nothing has changed for a moment), or gather after the wait began at the latest: creates
// that Terraform runs side by side wait for each other's answers and share one look. A record not
// listed yet is looked for again every interval, and a last look is sent when the wait's time runs
// out, so a wait never gives up on a list older than its deadline.
type watch[T any] struct {
	list     func(ctx context.Context) ([]T, error)
	id       func(*T) string
	base     context.Context
	gather   time.Duration
	settle   time.Duration
	interval time.Duration

	mu      sync.Mutex
	waits   map[*waiter[T]]struct{}
	running bool
	// writes is how many writes whose wait will follow are out; changed is when a write or a wait
	// last came or went.
	writes  int
	changed time.Time
	// wake tells the loop that a wait began or ended.
	wake chan struct{}
	// lastSent is when the latest list was sent; cancelList stops the list in flight.
	lastSent   time.Time
	cancelList context.CancelFunc
}

// waiter is one wait for one record.
type waiter[T any] struct {
	id string
	// gone is set when the wait is for the record to leave the list.
	gone bool
	// began is when the wait began: only lists sent after it count. deadline is when it ends.
	began, deadline time.Time
	// looked is set once a list sent after began has answered without ending the wait.
	looked bool
	done   chan waitResult[T]
}

type waitResult[T any] struct {
	// record is what the list showed, for a wait that it shows.
	record *T
	// ok is whether the wait ended as hoped: the record showed, or left.
	ok  bool
	err error
}

// newWatch returns a watch of the list that list takes, whose calls run on contexts derived from
// base (their logs carry its fields, not one waiter's).
func newWatch[T any](base context.Context, list func(ctx context.Context) ([]T, error), id func(*T) string, interval time.Duration) *watch[T] {
	return &watch[T]{
		list: list, id: id, base: context.WithoutCancel(base), interval: interval,
		// Long enough for creates that Terraform runs side by side to join one look, short next to
		// the time Inveterate takes to list a record.
		gather: interval / 10, settle: interval / 30,
		waits: map[*waiter[T]]struct{}{}, wake: make(chan struct{}, 1),
	}
}

// await waits until the record with id shows in the list (gone false) or leaves it (gone true), for
// at most wait. ok reports whether it did; record is the record, for a wait that it shows. err is a
// list's error, or ctx's.
func (w *watch[T]) await(ctx context.Context, id string, gone bool, wait time.Duration) (record *T, ok bool, err error) {
	now := time.Now()
	wt := &waiter[T]{id: id, gone: gone, began: now, deadline: now.Add(max(wait, 0)), done: make(chan waitResult[T], 1)}
	w.mu.Lock()
	w.waits[wt] = struct{}{}
	w.changed = now
	if !w.running {
		w.running = true
		go w.run()
	}
	w.mu.Unlock()
	w.poke()

	select {
	case r := <-wt.done:
		return r.record, r.ok, r.err
	case <-ctx.Done():
		w.leave(wt)
		// The wait may have ended just as ctx did: its result wins.
		select {
		case r := <-wt.done:
			return r.record, r.ok, r.err
		default:
			return nil, false, ctx.Err()
		}
	}
}

// writing notes a write whose answer a wait will follow (a create, a delete): the first look waits
// for it. Call the returned func once the write has been answered, whatever the answer.
func (w *watch[T]) writing() (answered func()) {
	w.mu.Lock()
	w.writes++
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		w.writes--
		w.changed = time.Now()
		w.mu.Unlock()
		w.poke()
	}
}

// leave ends a wait whose caller gave up. The list in flight is stopped when nobody waits for it.
func (w *watch[T]) leave(wt *waiter[T]) {
	w.mu.Lock()
	delete(w.waits, wt)
	if len(w.waits) == 0 && w.cancelList != nil {
		w.cancelList()
	}
	w.mu.Unlock()
	w.poke()
}

// poke wakes the loop to look at the waits again.
func (w *watch[T]) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run sends lists while anyone waits, each when the first wait needs it.
func (w *watch[T]) run() {
	for {
		w.mu.Lock()
		if len(w.waits) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		due := w.nextLook()
		w.mu.Unlock()
		if d := time.Until(due); d > 0 {
			timer := time.NewTimer(d)
			select {
			case <-timer.C:
			case <-w.wake:
			}
			timer.Stop()
			continue
		}
		w.look()
	}
}

// nextLook is when the next list is due: the earliest a wait needs one (callers hold w.mu).
func (w *watch[T]) nextLook() time.Time {
	var due time.Time
	quiet := time.Time{}
	if w.writes == 0 {
		quiet = w.changed.Add(w.settle)
	}
	for wt := range w.waits {
		at := wt.began.Add(w.gather)
		if wt.looked {
			at = w.lastSent.Add(w.interval)
		} else if !quiet.IsZero() && quiet.Before(at) {
			at = quiet
		}
		if wt.deadline.Before(at) {
			at = wt.deadline
		}
		if due.IsZero() || at.Before(due) {
			due = at
		}
	}
	return due
}

// look sends one list and ends every wait it answers.
func (w *watch[T]) look() {
	ctx, cancel := context.WithCancel(w.base)
	defer cancel()
	w.mu.Lock()
	w.cancelList = cancel
	sent := time.Now()
	w.mu.Unlock()

	items, err := w.list(ctx)

	w.mu.Lock()
	defer w.mu.Unlock()
	w.cancelList, w.lastSent = nil, sent
	listed := make(map[string]*T, len(items))
	for i := range items {
		listed[w.id(&items[i])] = &items[i]
	}
	for wt := range w.waits {
		if wt.began.After(sent) {
			continue // this list may not show what the wait is for
		}
		record, shows := listed[wt.id]
		var r waitResult[T]
		switch {
		case err != nil:
			r.err = err
		case shows != wt.gone:
			r.ok = true
			if shows {
				own := *record
				r.record = &own
			}
		case !sent.Before(wt.deadline):
			// The last look, sent when the wait's time had run out, did not end it.
		default:
			wt.looked = true
			continue
		}
		delete(w.waits, wt)
		wt.done <- r
	}
}
