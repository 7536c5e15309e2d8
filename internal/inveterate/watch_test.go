package inveterate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// The first tests drive the state machines of watch (surface and waiter) by hand, with made-up
// times: one or more per transition of its tables, and the rule of when a list is due. The last
// ones run whole watches, on a fake list and on the sandbox.

// rec is a listed record; n tells which list showed it.
type rec struct {
	ID string
	n  int
}

// t0 is the made-up time the hand-driven tests count from.
var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// testInterval is the pause between two looks of a wait in the hand-driven tests.
const testInterval = time.Second

func newSurface() *surface[rec] {
	return &surface[rec]{interval: testInterval, waits: map[*waiter[rec]]struct{}{}}
}

// addLooked counts on s a wait for id that began at 0 and has looked at the latest list, sent at
// sent: the state a wait is in between its looks.
func addLooked(s *surface[rec], id string, sent time.Time) {
	wt := newWaiter[rec](id, false, at(0), time.Time{}, time.Minute)
	wt.state = waitLooked
	s.sent = sent
	s.waits[wt] = struct{}{}
}

// showing is a list's answer that shows the records with ids.
func showing(ids ...string) map[string]*rec {
	m := map[string]*rec{}
	for _, id := range ids {
		m[id] = &rec{ID: id}
	}
	return m
}

// result is the result a wait handed to its caller, if any.
func result(wt *waiter[rec]) (waitResult[rec], bool) {
	select {
	case r := <-wt.done:
		return r, true
	default:
		return waitResult[rec]{}, false
	}
}

// - → first, and idle → sleeping: a wait begins, is counted, and starts the loop only when it was
// idle.
func TestWatch_waitBegins(t *testing.T) {
	s := newSurface()
	a := newWaiter[rec]("a", false, at(0), time.Time{}, time.Minute)
	if !s.begin(a) || s.loop != loopSleeping {
		t.Fatalf("the first wait did not start the loop (loop %v)", s.loop)
	}
	b := newWaiter[rec]("b", false, at(time.Second), time.Time{}, time.Minute)
	if s.begin(b) {
		t.Fatal("a second wait started a second loop")
	}
	if a.state != waitFirst || b.state != waitFirst || len(s.waits) != 2 {
		t.Fatalf("states %v %v, %d waits; want first, first, 2", a.state, b.state, len(s.waits))
	}
	if !a.deadline.Equal(at(time.Minute)) || !newWaiter[rec]("c", false, at(0), time.Time{}, -time.Second).deadline.Equal(at(0)) {
		t.Fatal("a wait's deadline is not its start plus its wait (never before its start)")
	}
}

// first → first: a list sent before the wait began may have been taken before the record was made
// or removed: that the record is missing from it, or that it failed, ends no wait.
func TestWatch_waitIgnoresAListSentBeforeItBegan(t *testing.T) {
	for _, gone := range []bool{false, true} {
		wt := newWaiter[rec]("a", gone, at(time.Second), time.Time{}, 0)
		if wt.onList(at(0), showing("b"), nil) || wt.onList(at(0), nil, errors.New("boom")) {
			t.Fatalf("gone %v: a list sent before the wait began ended it", gone)
		}
		if gone && wt.onList(at(0), showing("a"), nil) {
			t.Fatal("a list sent before a wait for the record to leave, showing it, ended the wait")
		}
		if _, got := result(wt); got || wt.state != waitFirst {
			t.Fatalf("gone %v: state %v (result handed: %v), want first and nothing", gone, wt.state, got)
		}
	}
}

// first → shown: a list that shows the record proves it is listed, whenever it was sent: one sent
// before the wait began (in flight when the create was answered) ends it.
func TestWatch_waitShownByAListSentBeforeItBegan(t *testing.T) {
	wt := newWaiter[rec]("a", false, at(time.Second), time.Time{}, time.Minute)
	if !wt.onList(at(0), showing("a"), nil) || wt.state != waitShown {
		t.Fatalf("state %v, want shown", wt.state)
	}
	if r, ok := result(wt); !ok || !r.ok || r.err != nil || r.record == nil || r.record.ID != "a" {
		t.Fatalf("result %+v, want the record", r)
	}
}

// first|looked → failed: a list sent since the wait began fails: the wait ends with its error.
func TestWatch_waitFails(t *testing.T) {
	boom := errors.New("boom")
	for _, looked := range []bool{false, true} {
		wt := newWaiter[rec]("a", false, at(0), time.Time{}, time.Minute)
		if looked {
			wt.state = waitLooked
		}
		if !wt.onList(at(0), nil, boom) || wt.state != waitFailed {
			t.Fatalf("looked %v: state %v, want failed", looked, wt.state)
		}
		if r, ok := result(wt); !ok || !errors.Is(r.err, boom) || r.ok {
			t.Fatalf("looked %v: result %+v, want the list's error", looked, r)
		}
	}
}

// first|looked → shown: the list shows the record; the caller gets a copy of it, not the list's.
func TestWatch_waitShown(t *testing.T) {
	for _, looked := range []bool{false, true} {
		wt := newWaiter[rec]("a", false, at(0), time.Time{}, time.Minute)
		if looked {
			wt.state = waitLooked
		}
		listed := showing("a", "b")
		if !wt.onList(at(time.Millisecond), listed, nil) || wt.state != waitShown {
			t.Fatalf("looked %v: state %v, want shown", looked, wt.state)
		}
		listed["a"].n = 99
		if r, ok := result(wt); !ok || !r.ok || r.err != nil || r.record == nil || r.record.ID != "a" || r.record.n == 99 {
			t.Fatalf("looked %v: result %+v, want its own copy of the record", looked, r)
		}
	}
}

// first|looked → gone: a wait for the record to leave ends when a list lacks it, and goes on while
// lists show it.
func TestWatch_waitGone(t *testing.T) {
	wt := newWaiter[rec]("a", true, at(0), time.Time{}, time.Minute)
	if wt.onList(at(0), showing("a"), nil) || wt.state != waitLooked {
		t.Fatalf("a list still showing the record: state %v, want looked", wt.state)
	}
	if !wt.onList(at(time.Second), showing("b"), nil) || wt.state != waitGone {
		t.Fatalf("a list without the record: state %v, want gone", wt.state)
	}
	if r, ok := result(wt); !ok || !r.ok || r.err != nil || r.record != nil {
		t.Fatalf("result %+v, want ok and no record", r)
	}
}

// first → gone: a wait for the record to leave takes a list sent since the delete was, even before
// the wait began, that lacks the record; one sent before the delete, or one that still shows the
// record, leaves the wait as it was (first, not looked: it has had no look of its own).
func TestWatch_waitGoneByAListSentSinceTheDelete(t *testing.T) {
	deleted, began := at(100*time.Millisecond), at(time.Second)
	wt := newWaiter[rec]("a", true, began, deleted, time.Minute)
	if wt.onList(at(50*time.Millisecond), showing("b"), nil) || wt.state != waitFirst {
		t.Fatalf("a list sent before the delete: state %v, want first", wt.state)
	}
	if wt.onList(at(200*time.Millisecond), showing("a"), nil) || wt.state != waitFirst {
		t.Fatalf("a list sent since the delete, still showing the record: state %v, want first", wt.state)
	}
	if wt.onList(at(200*time.Millisecond), nil, errors.New("boom")) || wt.state != waitFirst {
		t.Fatalf("a list sent since the delete that failed: state %v, want first", wt.state)
	}
	if !wt.onList(at(200*time.Millisecond), showing("b"), nil) || wt.state != waitGone {
		t.Fatalf("a list sent since the delete, without the record: state %v, want gone", wt.state)
	}
	if r, ok := result(wt); !ok || !r.ok || r.err != nil {
		t.Fatalf("result %+v, want ok", r)
	}
	// A delete's time after the wait began (a caller's mistake) counts as the wait's start.
	if late := newWaiter[rec]("a", true, began, at(2*time.Second), time.Minute); !late.since.Equal(began) {
		t.Fatalf("since %v, want the wait's start", late.since.Sub(t0))
	}
}

// first|looked → looked: a list sent before the deadline that does not end the wait leaves it
// waiting for the next, with nothing handed to its caller.
func TestWatch_waitLooked(t *testing.T) {
	wt := newWaiter[rec]("a", false, at(0), time.Time{}, time.Minute)
	for _, sent := range []time.Duration{0, time.Second, time.Minute - time.Nanosecond} {
		if wt.onList(at(sent), showing("b"), nil) || wt.state != waitLooked {
			t.Fatalf("a list sent at %v: state %v, want looked", sent, wt.state)
		}
	}
	if r, got := result(wt); got {
		t.Fatalf("a looked wait handed %+v to its caller", r)
	}
}

// first|looked → timed out: a list sent at or after the deadline that does not end the wait ends it
// not ok: the last look. A wait with no time to spare gets that one look.
func TestWatch_waitTimesOut(t *testing.T) {
	looked := newWaiter[rec]("a", false, at(0), time.Time{}, time.Minute)
	looked.state = waitLooked
	for name, wt := range map[string]*waiter[rec]{
		"looked":     looked,
		"no time":    newWaiter[rec]("a", false, at(0), time.Time{}, 0),
		"gone, late": newWaiter[rec]("a", true, at(0), time.Time{}, time.Second),
	} {
		sent := wt.deadline
		if name == "gone, late" {
			sent = wt.deadline.Add(time.Hour)
		}
		records := showing("b")
		if wt.gone {
			records = showing("a")
		}
		if !wt.onList(sent, records, nil) || wt.state != waitTimedOut {
			t.Fatalf("%s: state %v, want timed out", name, wt.state)
		}
		if r, ok := result(wt); !ok || r.ok || r.err != nil || r.record != nil {
			t.Fatalf("%s: result %+v, want not ok and no error", name, r)
		}
	}
}

// first|looked → left: a wait whose caller gives up is no longer counted. The list in flight is
// cancelled when it was the last, not before, and there is nothing to cancel while sleeping.
func TestWatch_waitLeaves(t *testing.T) {
	s := newSurface()
	a := newWaiter[rec]("a", false, at(0), time.Time{}, time.Minute)
	b := newWaiter[rec]("b", false, at(0), time.Time{}, time.Minute)
	s.begin(a)
	s.begin(b)
	cancelled := 0
	s.send(at(time.Second), func() { cancelled++ })
	a.state = waitLooked // a has looked, b not yet: both leave alike
	if !s.leave(a) || a.state != waitLeft || len(s.waits) != 1 || cancelled != 0 {
		t.Fatalf("the first to leave: state %v, %d waits, %d cancels; want left, 1, 0", a.state, len(s.waits), cancelled)
	}
	if !s.leave(b) || b.state != waitLeft || len(s.waits) != 0 || cancelled != 1 {
		t.Fatalf("the last to leave: state %v, %d waits, %d cancels; want left, 0, 1", b.state, len(s.waits), cancelled)
	}
	if _, got := result(a); got {
		t.Fatal("a wait that left was handed a result")
	}
	// Sleeping, no list is out: the last wait leaving cancels nothing (s.cancel is nil).
	s.listed(nil, context.Canceled)
	c := newWaiter[rec]("c", false, at(2*time.Second), time.Time{}, time.Minute)
	s.begin(c)
	if !s.leave(c) || s.loop != loopSleeping {
		t.Fatalf("leaving a sleeping loop: loop %v", s.loop)
	}
}

// A wait that ended just as its caller gave up keeps its result: leave changes nothing.
func TestWatch_leaveAfterTheWaitEnded(t *testing.T) {
	s := newSurface()
	wt := newWaiter[rec]("a", false, at(0), time.Time{}, time.Minute)
	s.begin(wt)
	s.send(at(time.Millisecond), func() { t.Fatal("the list was cancelled after it answered") })
	s.listed(showing("a"), nil)
	if s.leave(wt) || wt.state != waitShown {
		t.Fatalf("leave after the wait ended: state %v, want shown", wt.state)
	}
	if r, ok := result(wt); !ok || !r.ok {
		t.Fatalf("the result %+v was lost", r)
	}
}

// When a wait needs its next list: the rule of waiter.due, case by case.
func TestWatch_waitDue(t *testing.T) {
	for _, tc := range []struct {
		name     string
		state    waitState
		began    time.Duration
		wait     time.Duration
		sent     time.Duration // when the latest list was sent
		want     time.Duration
		describe string
	}{
		{"first", waitFirst, 5 * time.Millisecond, time.Minute, 0, 5 * time.Millisecond, "at once: when it began"},
		{"first, a list sent before it began", waitFirst, 5 * time.Millisecond, time.Minute, 2 * time.Millisecond, 5 * time.Millisecond, "at once still: the loop sends it when that list answers"},
		{"first, no time", waitFirst, 0, 0, 0, 0, "at once"},
		{"looked", waitLooked, 0, time.Minute, 2 * time.Second, 2*time.Second + testInterval, "an interval after the latest list"},
		{"looked, deadline first", waitLooked, 0, 2500 * time.Millisecond, 2 * time.Second, 2500 * time.Millisecond, "its deadline: the last look"},
	} {
		wt := newWaiter[rec]("a", false, at(tc.began), time.Time{}, tc.wait)
		wt.state = tc.state
		if got := wt.due(testInterval, at(tc.sent)); !got.Equal(at(tc.want)) {
			t.Errorf("%s: due at %v, want %v (%s)", tc.name, got.Sub(t0), tc.want, tc.describe)
		}
	}
}

// The surface's due: the earliest of its waits', whatever else is going on. A first look beside
// a wait that looked is due when it began, before the other's interval is up; with only waits that
// looked, the earliest interval or deadline.
func TestWatch_surfaceDue(t *testing.T) {
	s := newSurface()
	addLooked(s, "a", at(0))
	if got := s.due(); !got.Equal(at(testInterval)) {
		t.Fatalf("a wait that looked at a list sent at 0: due at %v, want an interval after it", got.Sub(t0))
	}
	late := newWaiter[rec]("b", false, at(10*time.Millisecond), time.Time{}, time.Minute)
	s.begin(late)
	if got := s.due(); !got.Equal(at(10 * time.Millisecond)) {
		t.Fatalf("a first look beside it, begun at 10ms: due at %v, want 10ms (at once)", got.Sub(t0))
	}
	s.leave(late)
	c := newWaiter[rec]("c", false, at(0), time.Time{}, 500*time.Millisecond)
	s.begin(c)
	c.state = waitLooked
	if got := s.due(); !got.Equal(at(500 * time.Millisecond)) {
		t.Fatalf("two waits that looked, one with its deadline at 500ms: due at %v, want the deadline", got.Sub(t0))
	}
	if got := newSurface().due(); !got.IsZero() {
		t.Fatalf("nobody waits: due at %v, want the zero time", got.Sub(t0))
	}
}

// The loop's decision, from the state alone: idle when nobody waits, sleeping until the earliest
// due, listing once it has come; and stop, send and listed, its transitions.
func TestWatch_loopDecides(t *testing.T) {
	s := newSurface()
	if next, _ := s.decide(at(0)); next != loopIdle {
		t.Fatalf("nobody waits: %v, want idle", next)
	}
	// A wait that looked at a list sent at -970ms needs the next at 30ms.
	wt := newWaiter[rec]("a", false, at(0), time.Time{}, time.Minute)
	s.begin(wt)
	wt.state, s.sent = waitLooked, at(-970*time.Millisecond)
	if next, until := s.decide(at(10 * time.Millisecond)); next != loopSleeping || !until.Equal(at(30*time.Millisecond)) {
		t.Fatalf("before the due: %v until %v, want sleeping until 30ms (an interval after the latest list)", next, until.Sub(t0))
	}
	if next, _ := s.decide(at(30 * time.Millisecond)); next != loopListing {
		t.Fatalf("at the due: %v, want listing", next)
	}
	s.send(at(30*time.Millisecond), func() {})
	if s.loop != loopListing || !s.sent.Equal(at(30*time.Millisecond)) {
		t.Fatalf("after send: loop %v, sent %v", s.loop, s.sent.Sub(t0))
	}
	// A wait that begins while the list is out is not answered by it unless it shows the record.
	late := newWaiter[rec]("b", false, at(40*time.Millisecond), time.Time{}, time.Minute)
	s.begin(late)
	s.listed(showing("c"), nil)
	if s.loop != loopSleeping || s.cancel != nil || wt.state != waitLooked || late.state != waitFirst || len(s.waits) != 2 {
		t.Fatalf("after the answer: loop %v, states %v and %v, %d waits; want sleeping, looked, first, 2", s.loop, wt.state, late.state, len(s.waits))
	}
	// The late wait still needs its first list: at once, not an interval after the one it missed.
	if next, _ := s.decide(at(50 * time.Millisecond)); next != loopListing {
		t.Fatalf("a first wait that a list sent before it began left as it was: %v, want listing at once", next)
	}
	s.send(at(time.Second), func() {})
	s.listed(showing("a", "b"), nil)
	if len(s.waits) != 0 || wt.state != waitShown || late.state != waitShown {
		t.Fatalf("a list that ends every wait: %d waits left, states %v and %v", len(s.waits), wt.state, late.state)
	}
	if next, _ := s.decide(at(time.Second)); next != loopIdle {
		t.Fatalf("nobody waits: %v, want idle", next)
	}
	s.stop()
	if s.loop != loopIdle || !s.begin(newWaiter[rec]("c", false, at(2*time.Second), time.Time{}, 0)) {
		t.Fatal("after stop, the next wait does not start the loop again")
	}
}

// fakeList is a list the test watches: how many calls, how many at once at most, and when each
// was sent. Each call shows shown, after hold (if set) lets it go, or fails with its context.
type fakeList struct {
	mu        sync.Mutex
	calls     int
	inFlight  int
	maxFlight int
	sent      []time.Time
	shown     map[string]bool
	hold      chan struct{}
	started   chan context.Context
}

func (f *fakeList) list(ctx context.Context) ([]rec, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.inFlight++
	f.maxFlight = max(f.maxFlight, f.inFlight)
	f.sent = append(f.sent, time.Now())
	var out []rec
	for id, ok := range f.shown {
		if ok {
			out = append(out, rec{ID: id, n: n})
		}
	}
	hold, started := f.hold, f.started
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.inFlight--; f.mu.Unlock() }()
	if started != nil {
		started <- ctx
	}
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return out, nil
}

func (f *fakeList) count() (calls, maxFlight int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, f.maxFlight
}

func newFakeWatch(f *fakeList, interval time.Duration) *watch[rec] {
	return newWatch(context.Background(), f.list, func(r *rec) string { return r.ID }, interval)
}

// waiting reports how many waits w counts.
func waiting(w *watch[rec]) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.s.waits)
}

// eventually fails the test unless cond holds within a few seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
	}
}

// Waits that begin together share their lists, one in flight at a time: while the first list is
// held, every wait begins; the first list answers those that began before it was sent, one more
// answers all the others.
func TestWatch_oneListInFlightSharedByEveryWait(t *testing.T) {
	const n = 30
	f := &fakeList{shown: map[string]bool{}, hold: make(chan struct{})}
	for i := range n {
		f.shown[fmt.Sprint(i)] = true
	}
	w := newFakeWatch(f, 100*time.Millisecond)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, ok, err := w.await(context.Background(), fmt.Sprint(i), false, time.Time{}, 10*time.Second)
			if err != nil || !ok || r.ID != fmt.Sprint(i) {
				t.Errorf("wait %d: %v, %v, %v", i, r, ok, err)
			}
		})
	}
	eventually(t, "every wait begins", func() bool { return waiting(w) == n })
	close(f.hold)
	wg.Wait()
	if calls, most := f.count(); most != 1 || calls > 2 {
		t.Fatalf("%d waits made %d list calls, %d at once at most; want 1 or 2, one at a time", n, calls, most)
	}
	eventually(t, "the loop goes idle", func() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.s.loop == loopIdle })
}

// A wait that begins while a list is out is answered by that list when it shows the record, and
// else by the next one.
func TestWatch_waitBeganDuringAList(t *testing.T) {
	for _, shownByFirst := range []bool{true, false} {
		f := &fakeList{shown: map[string]bool{"a": true, "b": shownByFirst}, hold: make(chan struct{}), started: make(chan context.Context, 4)}
		w := newFakeWatch(f, 10*time.Millisecond)
		first := make(chan error, 1)
		go func() { _, _, err := w.await(context.Background(), "a", false, time.Time{}, time.Minute); first <- err }()
		<-f.started
		second := make(chan *rec, 1)
		go func() { r, _, _ := w.await(context.Background(), "b", false, time.Time{}, time.Minute); second <- r }()
		eventually(t, "the second wait begins", func() bool { return waiting(w) == 2 })
		f.mu.Lock()
		f.shown["b"] = true // from list 2 on, whatever list 1 showed
		f.mu.Unlock()
		close(f.hold) // list 1 answers; list 2, if it is sent, at once
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		want := 2
		if shownByFirst {
			want = 1
		}
		if r := <-second; r == nil || r.n != want {
			t.Fatalf("shown by list 1: %v: the wait that began during list 1 got %+v, want list %d's record", shownByFirst, r, want)
		}
		if calls, _ := f.count(); calls != want {
			t.Fatalf("shown by list 1: %v: %d list calls, want %d", shownByFirst, calls, want)
		}
	}
}

// The last wait leaving cancels the list in flight, and the loop goes idle.
func TestWatch_listCancelledWhenNobodyWaits(t *testing.T) {
	f := &fakeList{hold: make(chan struct{}), started: make(chan context.Context, 4)}
	w := newFakeWatch(f, 10*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, err := w.await(ctx, "a", false, time.Time{}, time.Hour); done <- err }()
	listCtx := <-f.started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the wait got %v, want its caller's cancellation", err)
	}
	if !errors.Is(listCtx.Err(), context.Canceled) {
		t.Fatalf("the list nobody waits for is not cancelled: %v", listCtx.Err())
	}
	eventually(t, "the loop goes idle", func() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.s.loop == loopIdle })
}

// A wait's first look goes at once, and its last when its deadline passes, not an interval later.
// The clock is checked for a lower bound, and generous upper bounds.
func TestWatch_firstAndLastLooks(t *testing.T) {
	f := &fakeList{shown: map[string]bool{}}
	w := newFakeWatch(f, 5*time.Second)
	began := time.Now()
	_, ok, err := w.await(context.Background(), "a", false, time.Time{}, 700*time.Millisecond)
	took := time.Since(began)
	if err != nil || ok {
		t.Fatalf("the wait for a record never listed got %v, %v; want not ok, no error", ok, err)
	}
	f.mu.Lock()
	sent := f.sent
	f.mu.Unlock()
	if len(sent) != 2 || sent[0].Sub(began) > 250*time.Millisecond {
		t.Fatalf("lists sent %v after the wait began; want two, the first at once", sent)
	}
	if last := sent[len(sent)-1]; last.Sub(began) < 700*time.Millisecond {
		t.Fatalf("the last list was sent %v after the wait began, before its deadline (700ms)", last.Sub(began))
	}
	if took > 4*time.Second {
		t.Fatalf("the wait took %v: its last look waited for the interval (5s), not its deadline", took)
	}
}

// sandboxClient is a client of srv, as client_test.go's newClient makes one (which lives in the
// package's external tests, out of reach here).
func sandboxClient(t testing.TB, srv *sandbox.Server, mutate ...func(*Config)) *Client {
	t.Helper()
	return clientAt(t, srv.URL, mutate...)
}

// clientAt is a client of the server at baseURL, with the sandbox's key.
func clientAt(t testing.TB, baseURL string, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Settings: httpclient.Settings{BaseURL: baseURL, UserAgent: "inveterate-test", MaxRetries: 3,
			RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond, RequestTimeout: 5 * time.Second},
		APIKey:         sandbox.DefaultInveterateKey,
		VisibilityWait: time.Second,
		PollInterval:   20 * time.Millisecond,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWaitsShareTheirLists: creates waiting side by side for their records to show are served by
// shared list calls, and so are deletes waiting for theirs to leave: not one list each.
func TestWaitsShareTheirLists(t *testing.T) {
	const n = 30
	srv := sandbox.NewServer(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: 300 * time.Millisecond, DeleteDelay: 300 * time.Millisecond}})
	c := sandboxClient(t, srv, func(cfg *Config) { cfg.PollInterval = 100 * time.Millisecond })
	ctx := context.Background()

	var subs []*Subscription
	var hooks []*Webhook
	for i := range n {
		sub, err := c.CreateSubscription(ctx, CreateSubscriptionInput{Topic: "customer.updated", CallbackURL: fmt.Sprintf("https://hooks.example.com/s/%d", i), Name: "s"})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
		hook, err := c.CreateWebhook(ctx, CreateWebhookInput{CallbackURL: fmt.Sprintf("https://hooks.example.com/w/%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		hooks = append(hooks, hook)
	}
	srv.ResetCounts()
	all := func(f func(i int) error) {
		t.Helper()
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if err := f(i); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	all(func(i int) error {
		found, err := c.WaitForSubscription(ctx, subs[i].ID, 10*time.Second)
		if err == nil && found.ID != subs[i].ID {
			err = fmt.Errorf("waited for %s, got %s", subs[i].ID, found.ID)
		}
		return err
	})
	all(func(i int) error { _, err := c.WaitForWebhook(ctx, hooks[i].ID, 10*time.Second); return err })
	// Every record was created over 300 ms ago or will be within a poll interval or two: a
	// handful of lists, never one per wait.
	if lists := srv.Count("inveterate.subscriptions.list") + srv.Count("inveterate.webhooks.list"); lists > 8 {
		t.Errorf("%d waits for records to show made %d list calls; they must share them", 2*n, lists)
	}

	for _, h := range hooks {
		if err := c.DeleteWebhook(ctx, h.ID); err != nil {
			t.Fatal(err)
		}
	}
	srv.ResetCounts()
	all(func(i int) error {
		gone, err := c.WaitForWebhookGone(ctx, hooks[i].ID, time.Time{}, 10*time.Second)
		if err == nil && !gone {
			err = fmt.Errorf("webhook %s still listed", hooks[i].ID)
		}
		return err
	})
	if lists := srv.Count("inveterate.webhooks.list"); lists > 6 {
		t.Errorf("%d waits for deleted webhooks to leave the list made %d list calls; they must share them", n, lists)
	}
}

// TestWaitTakesAnEarlierListOnlyIfItShowsTheRecord: a list already on its way when a wait begins may have
// been taken before the record the wait is for was made, so its lacking the record does not answer
// the wait: a wait with no time to spare gets one look of its own. When it shows the record, it
// does answer the wait, which then needs no list of its own.
func TestWaitTakesAnEarlierListOnlyIfItShowsTheRecord(t *testing.T) {
	for _, exists := range []bool{true, false} {
		srv := sandbox.NewServer(t, sandbox.Config{})
		c := sandboxClient(t, srv)
		ctx := context.Background()
		// A first wait, for a record that never shows, keeps a slow list in flight; the sandbox
		// counts it as it arrives, and answers it as things are once its latency has passed.
		srv.SetLatency(sandbox.Inveterate, 600*time.Millisecond)
		first := make(chan error, 1)
		go func() {
			_, err := c.WaitForSubscription(ctx, "0123456789abcdef0123456789abcdef", 0)
			first <- err
		}()
		eventually(t, "the first wait's list arrives", func() bool { return srv.Count("inveterate.subscriptions.list") == 1 })
		id := "fedcba9876543210fedcba9876543210"
		if exists {
			id = srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/x", Name: "x"}).ID
		}
		found, err := c.WaitForSubscription(ctx, id, 0)
		switch {
		case exists && (err != nil || found.ID != id):
			t.Fatalf("the wait for a record that the list in flight shows: %v, %v", found, err)
		case !exists && !httpclient.IsNotFound(err):
			t.Fatalf("the wait for a record that does not exist ended with %v, want not found", err)
		}
		if err := <-first; !httpclient.IsNotFound(err) {
			t.Fatalf("the first wait, for a record that does not exist, ended with %v, want not found", err)
		}
		want := 1 // the list in flight, which shows the record
		if !exists {
			want = 2 // one for each wait, the second sent after it began
		}
		if got := srv.Count("inveterate.subscriptions.list"); got != want {
			t.Fatalf("record exists: %v: %d list calls, want %d", exists, got, want)
		}
	}
}

// TestWaitForGoneTakesAListSentSinceTheDelete: the list in flight when a delete is answered, sent
// after the delete was, ends the wait for the record to leave when it lacks the record; a wait
// that does not know when the delete was sent needs a list of its own.
func TestWaitForGoneTakesAListSentSinceTheDelete(t *testing.T) {
	for _, knowsDelete := range []bool{true, false} {
		srv := sandbox.NewServer(t, sandbox.Config{})
		c := sandboxClient(t, srv)
		ctx := context.Background()
		hook := srv.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: "https://hooks.example.com/x", Name: "x"})
		// The sandbox counts each request as it arrives, and applies it once its latency has
		// passed.
		srv.SetLatency(sandbox.Inveterate, 600*time.Millisecond)
		deleted := time.Now()
		deleteErr := make(chan error, 1)
		go func() { deleteErr <- c.DeleteWebhook(ctx, hook.ID) }()
		eventually(t, "the delete arrives", func() bool { return srv.Count("inveterate.webhooks.delete") == 1 })
		// A wait for a record that never shows sends a list a little later, which the sandbox
		// answers after it applied the delete, and after the delete's wait began.
		time.Sleep(100 * time.Millisecond)
		first := make(chan error, 1)
		go func() {
			_, err := c.WaitForWebhook(ctx, "0123456789abcdef0123456789abcdef", 0)
			first <- err
		}()
		if err := <-deleteErr; err != nil {
			t.Fatal(err)
		}
		since := deleted
		if !knowsDelete {
			since = time.Time{}
		}
		if gone, err := c.WaitForWebhookGone(ctx, hook.ID, since, time.Minute); err != nil || !gone {
			t.Fatalf("knows the delete: %v: gone %v, %v; want gone", knowsDelete, gone, err)
		}
		if err := <-first; !httpclient.IsNotFound(err) {
			t.Fatalf("the wait for a record that does not exist ended with %v, want not found", err)
		}
		want := 1 // the list that was in flight
		if !knowsDelete {
			want = 2
		}
		if got := srv.Count("inveterate.webhooks.list"); got != want {
			t.Fatalf("knows the delete: %v: %d list calls, want %d", knowsDelete, got, want)
		}
	}
}

// TestWaitGivesUpWithItsCaller: a wait whose context ends returns at once, and a list nobody waits
// for any more is stopped.
func TestWaitGivesUpWithItsCaller(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	srv.SetLatency(sandbox.Inveterate, time.Minute)
	c := sandboxClient(t, srv, func(cfg *Config) { cfg.RequestTimeout = 2 * time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.WaitForSubscription(ctx, "0123456789abcdef0123456789abcdef", time.Hour)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	// The abandoned list was cancelled: a new wait is not stuck behind it for a minute.
	srv.SetLatency(sandbox.Inveterate, 0)
	sub := srv.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/y", Name: "y"})
	quick, cancelQuick := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelQuick()
	if _, err := c.WaitForSubscription(quick, sub.ID, time.Hour); err != nil {
		t.Fatalf("a wait after an abandoned list: %v", err)
	}
}

// TestWaitReportsTheListsError: a list that fails (after the client's retries) ends the waits it
// answers with its error.
func TestWaitReportsTheListsError(t *testing.T) {
	srv := sandbox.NewServer(t, sandbox.Config{})
	srv.FailNext(sandbox.Inveterate, "inveterate.webhooks.list", sandbox.Fail500, 100)
	c := sandboxClient(t, srv, func(cfg *Config) { cfg.MaxRetries = 1 })
	_, err := c.WaitForWebhookGone(context.Background(), "0123456789abcdef0123456789abcdef", time.Time{}, time.Hour)
	if !errors.Is(err, httpclient.ErrServer) {
		t.Fatalf("got %v, want the list's server error", err)
	}
}

// listServer answers every list with body, as whatever stands in front of Inveterate might.
func listServer(t *testing.T, contentType, body string) *Client {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || (r.URL.Path != subscriptionsPath && r.URL.Path != webhooksPath) {
			http.Error(w, "not a list", http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return clientAt(t, ts.URL, func(cfg *Config) { cfg.MaxRetries = 1 })
}

// TestWaitForGoneIsNotFooledByWhatIsNoList: an answer of 200 that is not Inveterate's list (a
// maintenance page, a proxy's JSON, an object where the list should be) ends a wait for a deleted
// webhook to leave with an error: it never reads as a list without the webhook, which would let a
// destroy end while the webhook still exists.
func TestWaitForGoneIsNotFooledByWhatIsNoList(t *testing.T) {
	for _, answer := range []struct{ contentType, body string }{
		{"application/json", `{"status":"maintenance"}`},
		{"application/json", `{"message":"ok"}`},
		{"application/json", `{"message":"ok","data":{}}`},
		{"application/json", `{"message":"ok","data":{"items":[],"next":null}}`},
		{"application/json", `{"message":"ok","data":[{"name":"no id"}]}`},
		{"application/json", `{"message":"ok","data":["0123456789abcdef0123456789abcdef"]}`},
		{"text/html", `<html><body>Down for maintenance</body></html>`},
	} {
		c := listServer(t, answer.contentType, answer.body)
		gone, err := c.WaitForWebhookGone(context.Background(), "0123456789abcdef0123456789abcdef", time.Time{}, time.Second)
		if gone || !errors.Is(err, httpclient.ErrServer) {
			t.Errorf("%s answered with %s: gone %v, %v; want an unreadable list", answer.contentType, answer.body, gone, err)
		}
	}
}

// TestWaitTakesItsRecordBesideAnIncompleteOne: a list where another record is incomplete still
// shows the record a wait is for, and a wait for the incomplete record ends with an error that
// names it rather than with a record missing its topic.
func TestWaitTakesItsRecordBesideAnIncompleteOne(t *testing.T) {
	c := listServer(t, "application/json", `{"message":"ok","data":[`+
		`{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","topic":"customer.updated","callbackUrl":"https://hooks.example.com/a","name":"a"},`+
		`{"id":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","callbackUrl":"https://hooks.example.com/b"}]}`)
	got, err := c.WaitForSubscription(context.Background(), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", time.Second)
	if err != nil || got.ID != "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" || got.Topic != "customer.updated" || got.CallbackURL != "https://hooks.example.com/a" || got.Name != "a" {
		t.Fatalf("the complete record: %+v, %v", got, err)
	}
	got, err = c.WaitForSubscription(context.Background(), "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", time.Second)
	if !errors.Is(err, httpclient.ErrServer) || !strings.Contains(err.Error(), `record "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"`) ||
		!strings.Contains(err.Error(), "GET "+subscriptionsPath) {
		t.Fatalf("the record without a topic: %+v, %v; want an error naming it and its list", got, err)
	}
}

// BenchmarkCreateConfirmed measures a create and its wait for a list to show it, against the sandbox
// at 20ms a request and the default poll interval: one create at a time, and four side by side, each
// after a pause of up to 8ms (Terraform's own steps between two resources), about what Terraform runs
// of one type at parallelism 10. It reports the time from the create sent to the wait's end (the
// ideal is two requests in a row: 40ms) and the lists sent per create.
func BenchmarkCreateConfirmed(b *testing.B) {
	for _, sideBySide := range []int{1, 4} {
		b.Run(fmt.Sprintf("side_by_side=%d", sideBySide), func(b *testing.B) {
			srv := sandbox.NewServer(b, sandbox.Config{})
			srv.SetLatency(sandbox.Inveterate, 20*time.Millisecond)
			c := sandboxClient(b, srv, func(cfg *Config) { cfg.PollInterval, cfg.VisibilityWait = 0, 15*time.Second })
			var started, confirming atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range sideBySide {
				wg.Go(func() {
					for started.Add(1) <= int64(b.N) {
						time.Sleep(rand.N(8 * time.Millisecond))
						began := time.Now()
						sub, err := c.CreateSubscription(context.Background(), CreateSubscriptionInput{
							Topic: "customer.updated", CallbackURL: "https://hooks.example.com/inv", Name: "bench"})
						if err == nil {
							_, err = c.WaitForSubscription(context.Background(), sub.ID, 15*time.Second)
						}
						if err != nil {
							b.Error(err)
							return
						}
						confirming.Add(int64(time.Since(began)))
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(confirming.Load())/float64(b.N)/float64(time.Millisecond), "ms/confirmed")
			b.ReportMetric(float64(srv.Count("inveterate.subscriptions.list"))/float64(b.N), "lists/create")
		})
	}
}

// TestWaitDoesNotWaitForAWriteInFlight: a wait ends without waiting for the answer of a write that
// is out. The server holds a create's request until the wait for another, listed, subscription has
// returned, and lets it go after 20 s at most: a wait whose list, or whose answer, waited for that
// create's would find the create released by the timeout, not by the wait's end.
func TestWaitDoesNotWaitForAWriteInFlight(t *testing.T) {
	sb := sandbox.New(sandbox.Config{})
	seeded := sb.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/seeded", Name: "seeded"})
	posted, waitEnded := make(chan struct{}), make(chan struct{})
	var postOnce sync.Once
	var heldUntilWaitEnded atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == subscriptionsPath && r.Method == http.MethodPost {
			postOnce.Do(func() { close(posted) })
			select {
			case <-waitEnded:
				heldUntilWaitEnded.Store(true)
			case <-time.After(20 * time.Second):
			}
		}
		sb.ServeHTTP(w, r)
	}))
	defer ts.Close()
	c := clientAt(t, ts.URL, func(cfg *Config) { cfg.MaxRetries = 0; cfg.RequestTimeout = time.Minute })
	ctx := context.Background()

	created := make(chan error, 1)
	go func() {
		_, err := c.CreateSubscription(ctx, CreateSubscriptionInput{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/new", Name: "new"})
		created <- err
	}()
	<-posted
	found, err := c.WaitForSubscription(ctx, seeded.ID, time.Minute)
	close(waitEnded)
	if err != nil {
		t.Fatalf("the wait for a listed subscription, beside a create in flight: %v", err)
	}
	if found.ID != seeded.ID {
		t.Fatalf("waited for %s, got %s", seeded.ID, found.ID)
	}
	if err := <-created; err != nil {
		t.Fatalf("the create: %v", err)
	}
	if !heldUntilWaitEnded.Load() {
		t.Fatal("the wait ended only after the create in flight was answered")
	}
}
