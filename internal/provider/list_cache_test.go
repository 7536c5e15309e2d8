package provider

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// The tests below follow the transitions of listCache's table, one (or more) each; the fetches
// are driven by the test (fetcher), so that which call is in which state is known, not timed.

// fetcher is a fetch the test drives: each call hands its context to started, then returns what
// the test sends on answer, or its context's error once that is done.
type fetcher struct {
	calls   atomic.Int32
	started chan context.Context
	answer  chan []int
}

func newFetcher() *fetcher {
	return &fetcher{started: make(chan context.Context, 16), answer: make(chan []int)}
}

func (f *fetcher) fetch(ctx context.Context) ([]int, error) {
	f.calls.Add(1)
	f.started <- ctx
	select {
	case items := <-f.answer:
		return items, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// readAsync is a get in a goroutine, whose result comes on the returned channel.
type readResult struct {
	items []int
	err   error
}

func readAsync(ctx context.Context, s *listCache[int]) <-chan readResult {
	out := make(chan readResult, 1)
	go func() {
		items, err := s.get(ctx)
		out <- readResult{items, err}
	}()
	return out
}

// stateOf is c's state and number of waiters, read under the cache's lock.
func stateOf[T any](s *listCache[T], c *listCall[T]) (callState, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return c.state, c.waiters
}

// current is the cache's first and latest calls, read under its lock.
func current[T any](s *listCache[T]) (first, latest *listCall[T]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first, s.latest
}

// eventually fails the test unless cond holds within a few seconds; it polls (cond reads state
// under the cache's lock), so it only waits for goroutines to get where they are going.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
	}
}

// - → fetching: a read with no call to join starts one, and is its first waiter; the call is
// both the first and the latest.
func TestListCache_startsACall(t *testing.T) {
	f := newFetcher()
	s := newListCache(context.Background(), f.fetch)
	c := s.join(0, false)
	<-f.started
	if st, waiters := stateOf(s, c); st != callFetching || waiters != 1 || c.seq != 1 {
		t.Fatalf("state %v with %d waiters, seq %d; want fetching, 1, 1", st, waiters, c.seq)
	}
	if first, latest := current(s); first != c || latest != c {
		t.Fatalf("the cache remembers %p and %p, want the new call %p as both", first, latest, c)
	}
	// fetching → done: the fetch returns, the waiter is answered, and leaves.
	f.answer <- []int{1}
	got, err := s.wait(context.Background(), c)
	if err != nil || got != c || len(c.items) != 1 {
		t.Fatalf("wait = %v, %v", got, err)
	}
	if st, waiters := stateOf(s, c); st != callDone || waiters != 0 {
		t.Fatalf("state %v with %d waiters after the answer, want done, 0", st, waiters)
	}
}

// fetching → fetching: a read joins the call in flight instead of starting its own.
func TestListCache_joinsTheCallInFlight(t *testing.T) {
	f := newFetcher()
	s := newListCache(context.Background(), f.fetch)
	a := readAsync(context.Background(), s)
	<-f.started
	b := readAsync(context.Background(), s)
	first, _ := current(s)
	eventually(t, "the second read joins the call in flight", func() bool { _, w := stateOf(s, first); return w == 2 })
	f.answer <- []int{1, 2}
	for _, r := range []readResult{<-a, <-b} {
		if r.err != nil || len(r.items) != 2 {
			t.Fatalf("a read got %v, %v", r.items, r.err)
		}
	}
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("%d fetches for 2 reads, want 1", n)
	}
}

// The same, with many readers piling up behind one call.
func TestListCache_servesConcurrentReadsFromOneCall(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	s := newListCache(context.Background(), func(context.Context) ([]int, error) {
		calls.Add(1)
		<-release
		return []int{1, 2, 3}, nil
	})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			items, err := s.get(context.Background())
			if err != nil || len(items) != 3 {
				t.Errorf("get = %v, %v", items, err)
			}
		})
	}
	time.Sleep(20 * time.Millisecond) // let the readers pile up behind the first call
	close(release)
	wg.Wait()
	if _, err := s.get(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d list calls for 21 reads, want 1", n)
	}
}

// done → done: a read after the answer, with no write since, gets the same call at once.
func TestListCache_joinsADoneCall(t *testing.T) {
	var calls atomic.Int32
	s := newListCache(context.Background(), func(context.Context) ([]int32, error) {
		return []int32{calls.Add(1)}, nil
	})
	ctx := context.Background()
	first, err := s.getCall(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.getCall(ctx)
	if err != nil || again != first || calls.Load() != 1 {
		t.Fatalf("the second read got call %d (%v) after %d fetches, want the first call and 1 fetch", again.seq, err, calls.Load())
	}
	if st, waiters := stateOf(s, first); st != callDone || waiters != 0 {
		t.Fatalf("state %v with %d waiters, want done, 0", st, waiters)
	}
}

// A failed list is a done call too: a vendor that is down is not asked again by every resource of
// the refresh, until a write.
func TestListCache_keepsAFailureUntilTheNextWrite(t *testing.T) {
	var calls atomic.Int32
	s := newListCache(context.Background(), func(context.Context) ([]int, error) {
		if calls.Add(1) == 1 {
			return nil, errors.New("boom")
		}
		return []int{7}, nil
	})
	if _, err := s.get(context.Background()); err == nil {
		t.Fatal("the failure was not returned")
	}
	if _, err := s.get(context.Background()); err == nil || calls.Load() != 1 {
		t.Fatalf("the second read got %v after %d list calls; want the same failure without a new call", err, calls.Load())
	}
	s.invalidate()
	items, err := s.get(context.Background())
	if err != nil || len(items) != 1 {
		t.Fatalf("after a write the next read got %v, %v; want a new list", items, err)
	}
}

// A write: the next read starts a new call, while the reads that were waiting for the call in
// flight still get its answer.
func TestListCache_writeStartsANewCall(t *testing.T) {
	f := newFetcher()
	s := newListCache(context.Background(), f.fetch)
	before := readAsync(context.Background(), s)
	<-f.started
	old, _ := current(s)
	eventually(t, "the first read waits", func() bool { _, w := stateOf(s, old); return w == 1 })
	s.invalidate()
	if first, latest := current(s); first != nil || latest != nil {
		t.Fatal("the cache still remembers a call after a write")
	}
	after := readAsync(context.Background(), s)
	<-f.started
	if n := f.calls.Load(); n != 2 {
		t.Fatalf("%d fetches, want a new one for the read after the write", n)
	}
	if st, waiters := stateOf(s, old); st != callFetching || waiters != 1 {
		t.Fatalf("the call before the write is %v with %d waiters, want still fetching for its reader", st, waiters)
	}
	f.answer <- []int{1}
	f.answer <- []int{2}
	if r1, r2 := <-before, <-after; r1.err != nil || r2.err != nil || len(r1.items)+len(r2.items) != 2 {
		t.Fatalf("the reads got %v and %v, want an answer each", r1, r2)
	}
}

// Reads keep the first list since the write; confirmations of its misses share a newer one.
func TestListCache_invalidateAndFresh(t *testing.T) {
	var calls atomic.Int32
	s := newListCache(context.Background(), func(context.Context) ([]int32, error) {
		n := calls.Add(1)
		return []int32{n}, nil
	})
	ctx := context.Background()
	first, _ := s.get(ctx)
	again, _ := s.get(ctx)
	if first[0] != 1 || again[0] != 1 {
		t.Fatalf("a second read took a new list: %v %v", first, again)
	}
	s.invalidate()
	afterWrite, _ := s.getCall(ctx)
	if afterWrite.items[0] != 2 {
		t.Fatalf("after a write the list was not taken again: %v", afterWrite.items)
	}
	freshCall, _ := s.freshAfter(ctx, afterWrite.seq)
	fresh := freshCall.items
	second, _ := s.freshAfter(ctx, afterWrite.seq)
	cached, _ := s.get(ctx)
	if fresh[0] != 3 || second.items[0] != 3 || cached[0] != 2 {
		t.Fatalf("fresh = %v, second = %v, the next read = %v; want 3, 3, 2", fresh, second.items, cached)
	}
}

// A miss is confirmed by a call started after the one that served it, never by that one, even
// while it is still in flight.
func TestListCache_confirmationNeverJoinsTheCallThatMissed(t *testing.T) {
	f := newFetcher()
	s := newListCache(context.Background(), f.fetch)
	missed := s.join(0, false)
	<-f.started
	confirm := s.join(missed.seq, true)
	if confirm == missed || confirm.seq <= missed.seq {
		t.Fatalf("the confirmation of a miss in call %d joined call %d", missed.seq, confirm.seq)
	}
	<-f.started
	// The reads still join the first call; a second confirmation joins the first confirmation's.
	if c := s.join(0, false); c != missed {
		t.Fatalf("a read joined call %d, want the first, %d", c.seq, missed.seq)
	}
	if c := s.join(missed.seq, true); c != confirm {
		t.Fatalf("a second confirmation joined call %d, want %d", c.seq, confirm.seq)
	}
	if n := f.calls.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
	f.answer <- []int{1}
	f.answer <- []int{2}
	for _, c := range []*listCall[int]{missed, missed, confirm, confirm} {
		if _, err := s.wait(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
}

// Twenty reads that missed in the same list, confirming at the same time or one after the other,
// share one newer list.
func TestListCache_confirmationsShareOneCall(t *testing.T) {
	var calls atomic.Int32
	s := newListCache(context.Background(), func(context.Context) ([]int32, error) {
		return []int32{calls.Add(1)}, nil
	})
	ctx := context.Background()
	first, err := s.getCall(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if c, err := s.freshAfter(ctx, first.seq); err != nil || c.items[0] != 2 {
				t.Errorf("confirmation got %v, %v", c, err)
			}
		})
	}
	wg.Wait()
	for range 10 {
		read, _ := s.getCall(ctx)
		if c, err := s.freshAfter(ctx, read.seq); err != nil || c.items[0] != 2 {
			t.Errorf("a later confirmation got %v, %v", c, err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d list calls, want 2: the list that missed and one that confirms", n)
	}
}

// fetching → abandoned: when the last read waiting for a list stops waiting, the call is cancelled
// (nobody needs it), the cache forgets it, and the next read takes a new one.
func TestListCache_lastWaiterLeavingAbandonsTheCall(t *testing.T) {
	f := newFetcher()
	s := newListCache(context.Background(), f.fetch)
	ctx, cancel := context.WithCancel(context.Background())
	r := readAsync(ctx, s)
	fetchCtx := <-f.started
	c, _ := current(s)
	cancel()
	if got := <-r; !errors.Is(got.err, context.Canceled) {
		t.Fatalf("the reader got %v, want its own cancellation", got.err)
	}
	if st, waiters := stateOf(s, c); st != callAbandoned || waiters != 0 {
		t.Fatalf("state %v with %d waiters, want abandoned, 0", st, waiters)
	}
	if !errors.Is(fetchCtx.Err(), context.Canceled) {
		t.Fatalf("the abandoned fetch's context: %v, want cancelled", fetchCtx.Err())
	}
	if first, latest := current(s); first != nil || latest != nil {
		t.Fatal("the cache still remembers the abandoned call")
	}
	next := readAsync(context.Background(), s)
	<-f.started
	f.answer <- []int{2}
	if got := <-next; got.err != nil || len(got.items) != 1 || f.calls.Load() != 2 {
		t.Fatalf("the next read got %v after %d calls; want a new list", got, f.calls.Load())
	}
}

// fetching → fetching: a waiter leaves while another stays; the call goes on, uncancelled, and
// answers the one that stayed.
func TestListCache_waiterLeavingWhileOthersStayDoesNotCancel(t *testing.T) {
	f := newFetcher()
	s := newListCache(context.Background(), f.fetch)
	ctx, cancel := context.WithCancel(context.Background())
	leaving := readAsync(ctx, s)
	fetchCtx := <-f.started
	c, _ := current(s)
	staying := readAsync(context.Background(), s)
	eventually(t, "both reads wait", func() bool { _, w := stateOf(s, c); return w == 2 })
	cancel()
	if got := <-leaving; !errors.Is(got.err, context.Canceled) {
		t.Fatalf("the read that left got %v, want its own cancellation", got.err)
	}
	if st, waiters := stateOf(s, c); st != callFetching || waiters != 1 || fetchCtx.Err() != nil {
		t.Fatalf("state %v with %d waiters, fetch context %v; want fetching, 1, live", st, waiters, fetchCtx.Err())
	}
	f.answer <- []int{1}
	if got := <-staying; got.err != nil || len(got.items) != 1 || f.calls.Load() != 1 {
		t.Fatalf("the read that stayed got %v after %d calls", got, f.calls.Load())
	}
}

// A cancelled reader does not fail the reads after it.
func TestListCache_cancelledReaderDoesNotFailOthers(t *testing.T) {
	release := make(chan struct{})
	s := newListCache(context.Background(), func(ctx context.Context) ([]int, error) {
		select {
		case <-release:
			return []int{1}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := s.get(ctx); errc <- err }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled reader got %v", err)
	}
	close(release)
	items, err := s.get(context.Background())
	if err != nil || len(items) != 1 {
		t.Fatalf("the other reader got %v, %v", items, err)
	}
}

// An abandoned call is never handed to a new reader, plain or confirming, even while its fetch has
// not returned yet; and when it does return, it stays abandoned (abandoned → abandoned).
func TestListCache_abandonedCallIsNeverJoined(t *testing.T) {
	var calls atomic.Int32
	hold := make(chan struct{})
	s := newListCache(context.Background(), func(ctx context.Context) ([]int, error) {
		if calls.Add(1) == 1 {
			<-hold // deaf to its cancellation for a while: the abandoned call is still out
			return []int{1}, nil
		}
		return []int{2}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	r := readAsync(ctx, s)
	eventually(t, "the first fetch runs", func() bool { return calls.Load() == 1 })
	abandoned, _ := current(s)
	cancel()
	<-r
	if c := s.join(0, true); c == abandoned {
		t.Fatal("a confirmation joined the abandoned call")
	} else if _, err := s.wait(context.Background(), c); err != nil || c.items[0] != 2 {
		t.Fatalf("the confirmation after the abandonment got %v, %v", c.items, err)
	}
	if c := s.join(0, false); c == abandoned {
		t.Fatal("a read joined the abandoned call")
	} else if _, err := s.wait(context.Background(), c); err != nil || c.items[0] != 2 {
		t.Fatalf("the read after the abandonment got %v, %v", c.items, err)
	}
	close(hold)
	<-abandoned.answered
	if st, waiters := stateOf(s, abandoned); st != callAbandoned || waiters != 0 {
		t.Fatalf("the abandoned call is %v with %d waiters once its fetch returned, want abandoned, 0", st, waiters)
	}
}

// TestListCache_pickAndJoinAreOneStep: a read that has picked the call in flight is one of its
// waiters at once. The last other waiter leaving must not abandon (and cancel) the call under it.
// Picking and joining used to be two steps (call, then wait), and a read caught between them failed
// with "context canceled" although it never gave up; join then wait is that seam, held open here.
func TestListCache_pickAndJoinAreOneStep(t *testing.T) {
	f := newFetcher()
	s := newListCache(context.Background(), f.fetch)
	ctx, leave := context.WithCancel(context.Background())
	leaving := readAsync(ctx, s)
	fetchCtx := <-f.started // the first read has started the call (and joined it)
	picked := s.join(0, false)
	leave()
	if got := <-leaving; !errors.Is(got.err, context.Canceled) {
		t.Fatalf("the read that left got %v, want its own cancellation", got.err)
	}
	if err := fetchCtx.Err(); err != nil {
		t.Fatalf("the fetch was stopped (%v) under a read that had picked it", err)
	}
	go func() { f.answer <- []int{1} }()
	call, err := s.wait(context.Background(), picked)
	if err != nil || len(call.items) != 1 {
		t.Fatalf("the read that stayed got %v: the call was abandoned under it", err)
	}
}

// A list call has a deadline of its own, listTimeout, whatever the reads': not a shorter one of
// the read that started it, and none longer than listTimeout.
func TestListCache_callHasItsOwnDeadline(t *testing.T) {
	var deadline time.Time
	s := newListCache(context.Background(), func(ctx context.Context) ([]int, error) {
		deadline, _ = ctx.Deadline()
		return nil, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	before := time.Now()
	if _, err := s.get(ctx); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	// The call started during the read: its deadline is listTimeout after some moment of it.
	if deadline.Before(before.Add(listTimeout)) || deadline.After(after.Add(listTimeout)) {
		t.Fatalf("the fetch's deadline is %v after the read began, want listTimeout (%v)", deadline.Sub(before), listTimeout)
	}
}

// proven: false until a list has been taken without error (a failure proves nothing), true from
// then on, whatever follows.
func TestListCache_provenOnceAListSucceeded(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	s := newListCache(context.Background(), func(context.Context) ([]int, error) {
		if fail.Load() {
			return nil, errors.New("boom")
		}
		return []int{1}, nil
	})
	l := listOf(s)
	if l.proven() {
		t.Fatal("proven before any list")
	}
	if err := l.probe(context.Background()); err == nil || l.proven() {
		t.Fatalf("probe = %v, proven %v after a failed list; want the error, not proven", err, l.proven())
	}
	fail.Store(false)
	s.invalidate()
	if err := l.probe(context.Background()); err != nil || !l.proven() {
		t.Fatalf("probe = %v, proven %v after a list; want nil, proven", err, l.proven())
	}
	fail.Store(true)
	s.invalidate()
	if err := l.probe(context.Background()); err == nil || !l.proven() {
		t.Fatalf("probe = %v, proven %v after a later failure; want the error, still proven", err, l.proven())
	}
	if listOf[int](nil) != nil {
		t.Fatal("listOf(nil) is not a nil accessList")
	}
}

// The list call logs with the operation's logger, not with the fields of the resource whose read
// started it.
func TestListCache_logsCarryNoResourceFields(t *testing.T) {
	var out bytes.Buffer
	operation := tflogtest.RootLogger(context.Background(), &out)
	s := newListCache(operation, func(ctx context.Context) ([]int, error) {
		tflog.Debug(ctx, "listing")
		return nil, nil
	})
	read := tflog.SetField(operation, "tf_resource_type", "webhooks_webhook")
	read = tflog.SetField(read, "id", "wh_1")
	if _, err := s.get(read); err != nil {
		t.Fatal(err)
	}
	entries, err := tflogtest.MultilineJSONDecode(&out)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0]["@message"] != "listing" {
		t.Fatalf("log entries %v, want the list call's", entries)
	}
	for _, field := range []string{"tf_resource_type", "id"} {
		if _, ok := entries[0][field]; ok {
			t.Errorf("the list call's log carries the reading resource's %s: %v", field, entries[0])
		}
	}
}
