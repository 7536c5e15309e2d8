package httpclient

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for the pacer.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// take takes a slot from p if one is free at once, and returns its done func (nil if none was).
func take(t *testing.T, p pacer) func() {
	t.Helper()
	done := takeEnd(t, p)
	if done == nil {
		return nil
	}
	return func() { done(attemptEnd{}) }
}

// takeEnd is take, with the done func that tells the pacer how the attempt ended.
func takeEnd(t *testing.T, p pacer) func(attemptEnd) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	done, err := p.wait(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return done
}

func TestWindowPacer_burstReserveAndReuse(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	// 5 per hour, 2 of the first hour's reserved.
	p := newPacer(Config{Settings: Settings{RateLimit: 5}, RateWindow: time.Hour, RateReserved: 2}, clock.now)
	step := func(d time.Duration, wantFree bool, why string) func() {
		t.Helper()
		clock.advance(d)
		done := take(t, p)
		if (done != nil) != wantFree {
			t.Fatalf("at %s: a request went: %t, want %t (%s)", clock.now().Format("15:04"), done != nil, wantFree, why)
		}
		return done
	}
	first := step(0, true, "a burst of the window's requests goes at once")
	step(0, true, "the second of the burst")
	step(0, true, "the third of the burst")
	step(0, false, "the rest of the first window is reserved for whoever came before")
	clock.advance(30 * time.Minute)
	first() // the first request ends half a window after it was sent
	step(29*time.Minute, false, "reserved slots come back a window after the client started, not before")
	step(time.Minute, true, "the first reserved slot comes back a window after the client started")
	step(0, true, "the second reserved slot")
	step(0, false, "the first request's slot comes back a window after it ended, not after it was sent")
	step(29*time.Minute, false, "the first request's slot comes back a window after it ended, not before")
	step(time.Minute, true, "a window after the first request ended")
	step(10*time.Hour, false, "requests still out keep their slots, however long ago they were sent")
}

func TestWindowPacer_wakesWhenASlotComesBack(t *testing.T) {
	p := newPacer(Config{Settings: Settings{RateLimit: 1}, RateWindow: 10 * time.Millisecond}, time.Now)
	done, err := p.wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := p.wait(ctx)
		got <- err
	}()
	done(attemptEnd{})
	if err := <-got; err != nil {
		t.Fatalf("a waiter was not let go once the slot came back: %v", err)
	}
}

// TestWindowPacer_neverMoreThanTheLimitInAWindow sends requests from many goroutines through a
// network that delays each one at random on the way out and on the way back, and checks, at the
// server, that no window ever holds more requests than the limit. The guarantee rests on the order
// of events, not on timing, so it holds however loaded the machine is.
func TestWindowPacer_neverMoreThanTheLimitInAWindow(t *testing.T) {
	const limit, window = 4, 40 * time.Millisecond
	var mu sync.Mutex
	var arrivals []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		time.Sleep(time.Duration(rand.N(5)) * time.Millisecond) //nolint:gosec // G404: jitter for a test.
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	jittery := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		time.Sleep(time.Duration(rand.N(5)) * time.Millisecond) //nolint:gosec // G404: jitter for a test.
		return http.DefaultTransport.RoundTrip(req)
	})
	c, err := New(Config{
		Settings: Settings{BaseURL: srv.URL, RateLimit: limit, Transport: jittery},
		Vendor:   "Test", RateWindow: window, RateReserved: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			if _, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/"}, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	slices.SortFunc(arrivals, func(a, b time.Time) int { return a.Compare(b) })
	if len(arrivals) != 40 {
		t.Fatalf("the server saw %d requests, want 40", len(arrivals))
	}
	for i := limit; i < len(arrivals); i++ {
		if d := arrivals[i].Sub(arrivals[i-limit]); d < window {
			t.Fatalf("requests %d to %d reached the server within %s: more than %d in a window of %s", i-limit, i, d, limit, window)
		}
	}
}

// takeAll takes every slot p lets go at once and returns their done funcs.
func takeAll(t *testing.T, p pacer) []func(attemptEnd) {
	t.Helper()
	var dones []func(attemptEnd)
	for done := takeEnd(t, p); done != nil; done = takeEnd(t, p) {
		dones = append(dones, done)
	}
	return dones
}

// endAll ends every attempt of dones as end says.
func endAll(dones []func(attemptEnd), end attemptEnd) {
	for _, done := range dones {
		done(end)
	}
}

func TestWindowPacer_refusalHoldsAndCuts(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	p := newPacer(Config{Settings: Settings{RateLimit: 10, MaxRetryAfter: 3 * time.Second}, RateWindow: time.Second}, clock.now)
	want := func(got []func(attemptEnd), n int, why string) {
		t.Helper()
		if len(got) != n {
			t.Fatalf("at %s: %d requests went, want %d (%s)", clock.now().Format("05.000"), len(got), n, why)
		}
	}
	clock.advance(time.Second) // past the first window, half of which was left to others

	out := takeAll(t, p)
	want(out, 10, "alone, the client uses all 10 slots")
	clock.advance(100 * time.Millisecond)
	endAll(out[1:], attemptEnd{})
	clock.advance(500 * time.Millisecond)
	out[0](attemptEnd{refused: true})
	clock.advance(500 * time.Millisecond)
	want(takeAll(t, p), 0, "9 slots are back, but a refusal holds every request back for a window")
	clock.advance(500 * time.Millisecond)
	out = takeAll(t, p)
	want(out, 5, "a window after the refusal, the client uses half of the 10 slots it used")

	clock.advance(100 * time.Millisecond)
	out[0](attemptEnd{refused: true})
	endAll(out[1:], attemptEnd{refused: true})
	clock.advance(time.Second)
	out = takeAll(t, p)
	want(out, 2, "one cut to 2.5 slots: the other 4 refusals met the crowding that cut answered")

	clock.advance(100 * time.Millisecond)
	endAll(out, attemptEnd{refused: true, retryAfter: time.Hour})
	clock.advance(2999 * time.Millisecond)
	want(takeAll(t, p), 0, "Retry-After holds every request back, up to MaxRetryAfter")
	clock.advance(time.Millisecond)
	out = takeAll(t, p)
	want(out, 1, "at most MaxRetryAfter, then 1 slot")

	out[0](attemptEnd{refused: true})
	clock.advance(time.Second)
	want(takeAll(t, p), 1, "the limit never falls below 1 slot")
}

func TestWindowPacer_probesBackUpWhileLimited(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	p := newPacer(Config{Settings: Settings{RateLimit: 4}, RateWindow: time.Second}, clock.now)
	clock.advance(time.Second)
	out := takeAll(t, p)
	endAll(out[1:], attemptEnd{})
	out[0](attemptEnd{refused: true})
	clock.advance(time.Second)

	// Each window, the client uses every slot it may and they all succeed.
	window := func() int {
		out := takeAll(t, p)
		endAll(out, attemptEnd{})
		clock.advance(time.Second)
		return len(out)
	}
	var got []int
	for range 6 {
		got = append(got, window())
	}
	// Cut to 2 of 4; a third of a slot a window: 2.32, 2.60, 2.85, 3.08 after 4 windows.
	if want := []int{2, 2, 2, 2, 3, 3}; !slices.Equal(got, want) {
		t.Errorf("slots used in successive windows of successes: %v, want %v", got, want)
	}

	// A client that uses fewer slots than it may learns nothing of a higher limit.
	for range 30 {
		done := take(t, p)
		done()
		clock.advance(time.Second)
	}
	if n := window(); n != 3 {
		t.Errorf("after 30 windows of 1 request, %d slots, want still 3", n)
	}

	for range 30 {
		window()
	}
	if n := window(); n != 4 {
		t.Errorf("after 30 windows of full use, %d slots, want all 4 and no more", n)
	}
}

func TestWindowPacer_freshPacer(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	// As Lune's client: 15 a second, 1 reserved.
	p := newPacer(Config{Settings: Settings{RateLimit: 15}, RateWindow: time.Second, RateReserved: 1}, clock.now)
	want := func(got []func(attemptEnd), n int, why string) {
		t.Helper()
		if len(got) != n {
			t.Fatalf("at %s: %d requests went, want %d (%s)", clock.now().Format("05.000"), len(got), n, why)
		}
	}
	out := takeAll(t, p)
	want(out, 8, "a new pacer leaves 7 of its first window's 15 to others")

	// The apply's first requests all meet a plan's full second.
	clock.advance(50 * time.Millisecond)
	endAll(out, attemptEnd{refused: true})
	clock.advance(time.Second)
	out = takeAll(t, p)
	want(out, 4, "cut to half of the 8 it used")
	endAll(out, attemptEnd{})
	out = takeAll(t, p)
	want(out, 1, "a refusal of the first window may be a predecessor's doing: a quarter more a success")

	// A refusal after the first window shows that the key is shared.
	out[0](attemptEnd{refused: true})
	clock.advance(time.Second)
	out = takeAll(t, p)
	want(out, 2, "cut to half of the 5 it used")
	endAll(out, attemptEnd{})
	want(takeAll(t, p), 0, "on a shared key, the client probes by a third of a slot a window")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func TestNewPacer(t *testing.T) {
	if p := newPacer(Config{Settings: Settings{RateLimit: -1}, RateWindow: time.Second}, time.Now); p != nil {
		t.Errorf("a negative RateLimit must send without a pacer, got %T", p)
	}
	if p, ok := newPacer(Config{Settings: Settings{RateLimit: 2, RateBurst: 3}}, time.Now).(evenPacer); !ok || p.limiter.Burst() != 3 {
		t.Errorf("without RateWindow the pacer spreads requests evenly with RateBurst, got %#v", p)
	}
	if p, ok := newPacer(Config{Settings: Settings{RateLimit: 15}, RateWindow: time.Second, RateReserved: 20}, time.Now).(*windowPacer); !ok || len(p.free) != 15 {
		t.Errorf("with RateWindow the pacer has RateLimit slots, got %#v", p)
	}
}
