package inveterate

import (
	"context"
	"sync"
	"time"
)

// watch serves every wait on one of Inveterate's lists (records that should show after a create,
// or leave after a delete) from shared list calls: one list in flight at a time, answering every
// wait that began before it was sent, every wait whose record it shows, and every wait for a
// record to leave that it lacks, if it was sent after the delete was. However many creates wait at
// once, they cost one list call between them, not one each.
//
// The rules are two small state machines, the waits' and the loop's, whose every transition is one
// method (by) of surface or waiter: plain data, guarded by watch.mu, that never reads the clock (it
// is given the time), so the tests drive it with made-up times. watch only adds the machinery: the
// mutex, the clock, the loop's goroutine and timer, and the list calls.
//
// # A wait
//
//	state         event                         by      next       effect
//	-             its caller calls await        begin   first      counted
//	first|looked  a list answers:               onList
//	                it shows the record, for a          shown      the caller gets the record
//	                wait that it shows
//	                it lacks the record, for a          gone       the caller gets ok
//	                wait that it leaves, and was
//	                sent since the delete was
//	                else, if sent before the            unchanged  none: it may predate what the
//	                wait began                                     wait is for
//	                else, if sent >= its deadline       timed out  the caller gets not ok
//	                else                                looked     it needs the next list
//	first|looked  a list fails:                 onList
//	                if sent before the wait began       unchanged  none
//	                else                                failed     the caller gets the error
//	first|looked  its caller gives up           leave   left       uncounted; the last to leave
//	                                                               cancels the list in flight
//
// A wait needs its next list (waiter.due): first, at once; looked, an interval after the latest
// list was sent; and in any case at its deadline, so that a wait never gives up on a list older
// than its deadline. One list is in flight at a time, so the writes Terraform runs side by side
// share their looks without waiting for each other: a wait that begins while a list is out is
// ended by it if it shows the record (or, after a delete, lacks it and was sent since the delete;
// see onList), and otherwise takes the next list, sent as soon as that one answers. A wait holds
// one of Terraform's parallel slots, so holding a first look back for other writes to join it would
// cost every write that time, for a list saved now and then (internal/bench/README.md: No gather).
//
// # The loop
//
//	state     event                      by            next      effect
//	idle      a wait begins              begin         sleeping  the loop's goroutine starts
//	sleeping  nobody waits               decide, stop  idle      the goroutine ends
//	sleeping  the earliest due has come  decide, send  listing   a list is sent
//	sleeping  it has not                 decide        sleeping  until it comes, or a wait begins
//	                                                             or leaves
//	listing   the list answers           listed        sleeping  every wait counted takes its
//	                                                             transition (onList)
//	listing   the last wait leaves       leave         listing   the list is cancelled
type watch[T any] struct {
	list func(ctx context.Context) ([]T, error)
	id   func(*T) string
	base context.Context
	// wake tells the sleeping loop that the state changed: it decides again.
	wake chan struct{}

	mu sync.Mutex
	s  surface[T]
}

// loopState is where the loop that sends the lists is (see watch).
type loopState int

const (
	loopIdle     loopState = iota // no goroutine: nobody waits
	loopSleeping                  // until the next list is due
	loopListing                   // one list is in flight
)

// surface is the state of one list's waits and of the loop that serves them, guarded by watch.mu.
// Its methods are the transitions of the tables of watch.
type surface[T any] struct {
	// interval is the pause between two looks of a wait.
	interval time.Duration
	loop     loopState
	waits    map[*waiter[T]]struct{}
	// sent is when the list in flight, or else the latest list, was sent; cancel stops the one in
	// flight.
	sent   time.Time
	cancel context.CancelFunc
}

// waitState is where a wait is (see watch).
type waitState int

const (
	waitFirst    waitState = iota // for a first list (see onList for the lists it takes)
	waitLooked                    // a list sent since it began did not end it: for the next
	waitShown                     // ended: the record showed
	waitGone                      // ended: the record left
	waitTimedOut                  // ended: a list sent at or after its deadline did not end it
	waitFailed                    // ended: a list failed
	waitLeft                      // ended: its caller gave up
)

func (s waitState) ended() bool { return s >= waitShown }

// waiter is one wait for one record.
type waiter[T any] struct {
	id string
	// gone is set when the wait is for the record to leave the list.
	gone bool
	// began is when the wait began: only lists sent since count, but for a list that shows the
	// record, for a wait that it shows, and for one sent since since that lacks it, for a wait that
	// it leaves (since is no later than the delete was sent, nor than began; see onList).
	// deadline is when it times out.
	began, since, deadline time.Time
	// state is guarded by watch.mu.
	state waitState
	// done receives the result of a wait that ended otherwise than left; it has room for it, so
	// that a transition never blocks.
	done chan waitResult[T]
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
		list: list, id: id, base: context.WithoutCancel(base), wake: make(chan struct{}, 1),
		s: surface[T]{interval: interval, waits: map[*waiter[T]]struct{}{}},
	}
}

// newWaiter returns a wait that begins at began for at most wait; since is when the write it
// follows was sent (zero, or later than began: began).
func newWaiter[T any](id string, gone bool, began, since time.Time, wait time.Duration) *waiter[T] {
	if since.IsZero() || since.After(began) {
		since = began
	}
	return &waiter[T]{id: id, gone: gone, began: began, since: since, deadline: began.Add(max(wait, 0)),
		done: make(chan waitResult[T], 1)}
}

// await waits until the record with id shows in the list (gone false) or leaves it (gone true), for
// at most wait. since is when the write the wait follows was sent (zero: unknown). ok reports
// whether it did; record is the record, for a wait that it shows. err is a list's error, or ctx's.
func (w *watch[T]) await(ctx context.Context, id string, gone bool, since time.Time, wait time.Duration) (record *T, ok bool, err error) {
	wt := newWaiter[T](id, gone, time.Now(), since, wait)
	w.mu.Lock()
	if w.s.begin(wt) {
		go w.run()
	}
	w.mu.Unlock()
	w.poke()

	select {
	case r := <-wt.done:
		return r.record, r.ok, r.err
	case <-ctx.Done():
	}
	w.mu.Lock()
	left := w.s.leave(wt)
	w.mu.Unlock()
	w.poke()
	if !left {
		// The wait ended just as ctx did: its result wins, and is in done already.
		r := <-wt.done
		return r.record, r.ok, r.err
	}
	return nil, false, ctx.Err()
}

// poke wakes the sleeping loop to decide again.
func (w *watch[T]) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run is the loop: it sends lists while anyone waits, each when the first wait needs it.
func (w *watch[T]) run() {
	for {
		w.mu.Lock()
		now := time.Now()
		next, until := w.s.decide(now)
		switch next {
		case loopIdle:
			w.s.stop()
			w.mu.Unlock()
			return
		case loopSleeping:
			w.mu.Unlock()
			w.sleep(until.Sub(now))
		case loopListing:
			ctx, cancel := context.WithCancel(w.base)
			w.s.send(now, cancel)
			w.mu.Unlock()
			w.look(ctx)
			cancel()
		}
	}
}

// sleep returns after d, or as soon as the loop is poked.
func (w *watch[T]) sleep(d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-w.wake:
	}
}

// look takes the list that the loop sent, and hands its answer to the waits.
func (w *watch[T]) look(ctx context.Context) {
	items, err := w.list(ctx)
	listed := make(map[string]*T, len(items))
	for i := range items {
		listed[w.id(&items[i])] = &items[i]
	}
	w.mu.Lock()
	w.s.listed(listed, err)
	w.mu.Unlock()
}

// begin is the transition of a wait that begins (- → first): it is counted. It reports whether
// the loop was idle (idle → sleeping): the caller starts it.
func (s *surface[T]) begin(wt *waiter[T]) (start bool) {
	s.waits[wt] = struct{}{}
	if s.loop != loopIdle {
		return false
	}
	s.loop = loopSleeping
	return true
}

// leave is the transition of a wait whose caller gave up (first | looked → left). The list in
// flight is cancelled when nobody waits for it any more. It reports false, and changes nothing,
// when the wait had already ended: its result wins.
func (s *surface[T]) leave(wt *waiter[T]) bool {
	if wt.state.ended() {
		return false
	}
	wt.state = waitLeft
	delete(s.waits, wt)
	if len(s.waits) == 0 && s.loop == loopListing {
		s.cancel()
	}
	return true
}

// decide is the sleeping loop's decision at now: idle when nobody waits, listing when the
// earliest wait's next list is due, else sleeping until it is. It changes nothing.
func (s *surface[T]) decide(now time.Time) (next loopState, until time.Time) {
	if len(s.waits) == 0 {
		return loopIdle, time.Time{}
	}
	if due := s.due(); due.After(now) {
		return loopSleeping, due
	}
	return loopListing, now
}

// stop is the transition of the loop when nobody waits (sleeping → idle).
func (s *surface[T]) stop() { s.loop = loopIdle }

// send is the transition of the loop that sends a list at now (sleeping → listing); cancel stops
// it.
func (s *surface[T]) send(now time.Time, cancel context.CancelFunc) {
	s.loop, s.sent, s.cancel = loopListing, now, cancel
}

// listed is the transition of the loop when the list answers (listing → sleeping), with the
// records it showed by id, or err: every wait counted takes its own transition (onList), and those
// that ended are no longer counted.
func (s *surface[T]) listed(records map[string]*T, err error) {
	s.loop, s.cancel = loopSleeping, nil
	for wt := range s.waits {
		if wt.onList(s.sent, records, err) {
			delete(s.waits, wt)
		}
	}
}

// due is when the next list is due: the earliest that a wait needs one. The zero time is at once.
func (s *surface[T]) due() time.Time {
	var due time.Time
	set := false
	for wt := range s.waits {
		if at := wt.due(s.interval, s.sent); !set || at.Before(due) {
			due, set = at, true
		}
	}
	return due
}

// due is when the wait needs its next list (see watch), given the pause between two looks and
// when the latest list was sent: for a first look, when it began (at once).
func (wt *waiter[T]) due(interval time.Duration, sent time.Time) time.Time {
	at := wt.began
	if wt.state == waitLooked {
		at = sent.Add(interval)
	}
	if wt.deadline.Before(at) {
		at = wt.deadline
	}
	return at
}

// onList is the transition of a wait (first | looked) on the answer of a list sent at sent: the
// records it showed by id, or err. It reports whether the wait ended; its result is then in done.
//
// A list that shows the record proves it is listed, whenever it was sent: the ids are random and
// never reused, so a list that shows the new one was taken after the create was applied. The list
// in flight when a create is answered thus ends its wait when it shows the record, and the create
// needs no list of its own. Likewise for a delete: a webhook that was listed stays listed until it
// is deleted, so a list sent since the delete was (since) that lacks it was taken after the delete
// was applied, even if it went out before the delete was answered; one that the server took
// before the delete still shows it, and ends nothing. Anything else a list sent before the wait
// began says (an error, the record's absence from a list for a wait that it shows, or from one
// sent before since, its presence for a wait that it leaves) may predate what the wait is for,
// and is not taken: the wait stays where it was, with no look of its own yet.
func (wt *waiter[T]) onList(sent time.Time, records map[string]*T, err error) (ended bool) {
	record, shows := records[wt.id]
	switch {
	case err == nil && shows && !wt.gone:
		own := *record // the caller's, not the list's
		wt.end(waitShown, waitResult[T]{record: &own, ok: true})
	case err == nil && !shows && wt.gone && !sent.Before(wt.since):
		wt.end(waitGone, waitResult[T]{ok: true})
	case sent.Before(wt.began):
		return false // this list may not show what the wait is for
	case err != nil:
		wt.end(waitFailed, waitResult[T]{err: err})
	case !sent.Before(wt.deadline):
		wt.end(waitTimedOut, waitResult[T]{}) // the last look, sent once its time had run out
	default:
		wt.state = waitLooked
		return false
	}
	return true
}

// end moves the wait to the ended state st, and hands r to its caller.
func (wt *waiter[T]) end(st waitState, r waitResult[T]) {
	wt.state = st
	wt.done <- r
}
