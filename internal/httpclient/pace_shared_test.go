package httpclient

// These tests measure the sharing rule (see windowPacer) on a key used as Lune's is: pacers built
// as internal/lune builds its client's, one per process, send to the sandbox's Lune, whose limiter
// refuses a request when the last second already holds 15 of the key's. They run in a synctest
// bubble: time is fake, so a run of a minute takes a fraction of a second and nothing depends on
// the machine's load, while the pacers and the limiter run their real code on it.

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

const (
	// luneRate and luneReserved are Lune's limit and the client's reserve (lune.RateLimit and
	// reservedAtStart, with a one-second window): internal/lune imports this package, so they are
	// repeated here.
	luneRate, luneReserved = 15, 1
	// keyWorkers is how many requests one process has ready at once: more than Lune's 15 slots,
	// so that its pacer alone decides when they go.
	keyWorkers = 16
	// maxAttempts bounds the attempts of one request: more would mean the clients never agree.
	maxAttempts = 50
)

// lunePacer is the pacer of a new Lune client, made when the process that uses it starts.
func lunePacer() pacer {
	return newPacer(Config{Settings: Settings{RateLimit: luneRate}, RateWindow: time.Second, RateReserved: luneReserved}, time.Now)
}

// keyUse is what one process saw of the key.
type keyUse struct {
	name         string
	ok, refused  int
	start, end   time.Time
	succeededAt  []time.Time
	maxAttempted int
}

// rate is the requests per second the process got through.
func (u keyUse) rate() float64 { return float64(u.ok) / u.end.Sub(u.start).Seconds() }

// okWithin counts the requests that had succeeded d after the process started.
func (u keyUse) okWithin(d time.Duration) int {
	n := 0
	for _, at := range u.succeededAt {
		if at.Sub(u.start) <= d {
			n++
		}
	}
	return n
}

// useKey sends requests to sb's Lune through p, as fast as p lets them go, and retries each
// refused one until it succeeds: the retry waits on the pacer again, as the client's retries do.
// Each request crosses a network that takes 10 to 60 ms each way (seeded by seed).
func useKey(t *testing.T, sb *sandbox.Sandbox, name string, p pacer, requests int, seed uint64) keyUse {
	u := keyUse{name: name, start: time.Now()}
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for w := range min(keyWorkers, requests) {
		rng := rand.New(rand.NewPCG(seed, uint64(w))) //nolint:gosec // G404: network jitter for a test.
		wg.Go(func() {
			for {
				mu.Lock()
				if next == requests {
					mu.Unlock()
					return
				}
				next++
				mu.Unlock()
				attempts, refused := 0, 0
				for ; attempts < maxAttempts; attempts++ {
					done, err := p.wait(t.Context())
					if err != nil {
						t.Error(err)
						return
					}
					end := attemptEnd{refused: sendToLune(t, sb, rng)}
					done(end)
					if !end.refused {
						break
					}
					refused++
				}
				mu.Lock()
				u.refused += refused
				u.maxAttempted = max(u.maxAttempted, attempts+1)
				if attempts < maxAttempts {
					u.ok++
					u.succeededAt = append(u.succeededAt, time.Now())
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	u.end = time.Now()
	return u
}

// sendToLune sends one list to sb's Lune across the network and reports whether it was refused.
func sendToLune(t *testing.T, sb *sandbox.Sandbox, rng *rand.Rand) (refused bool) {
	leg := func() time.Duration { return time.Duration(10+rng.IntN(51)) * time.Millisecond }
	time.Sleep(leg())
	req := httptest.NewRequest(http.MethodGet, "/v1/webhooks", nil)
	req.Header.Set("Authorization", "Bearer "+sandbox.DefaultLuneTestKey)
	req.Header.Set("Lune-Version", "2024-08-08")
	rec := httptest.NewRecorder()
	sb.ServeHTTP(rec, req)
	time.Sleep(leg())
	switch rec.Code {
	case http.StatusOK:
		return false
	case http.StatusTooManyRequests:
		return true
	default:
		t.Errorf("Lune answered %d: %s", rec.Code, rec.Body)
		return false
	}
}

// shareKey runs processes, each with its own pacer, on one key of sb at once: process i sends
// requests[i].
func shareKey(t *testing.T, sb *sandbox.Sandbox, requests ...int) []keyUse {
	uses := make([]keyUse, len(requests))
	var wg sync.WaitGroup
	for i, n := range requests {
		wg.Go(func() {
			uses[i] = useKey(t, sb, string(rune('A'+i)), lunePacer(), n, uint64(i)+1)
		})
	}
	wg.Wait()
	return uses
}

// checkConverged fails the test if a request never got through.
func checkConverged(t *testing.T, uses ...keyUse) {
	t.Helper()
	for _, u := range uses {
		if u.maxAttempted > maxAttempts {
			t.Errorf("process %s: a request was refused %d times in a row: the clients do not converge", u.name, maxAttempts)
		}
	}
}

// TestWindowPacer_sharedKey runs three processes at once on one Lune key (three CI workspaces of
// one organisation), 300 requests each. When each paced itself as if alone, two attempts in three
// were refused (66%, at 14.2 requests a second between them). With the sharing rule about 3% are,
// and all three keep sending; together they get about 13 a second while all three run, and about
// 11 over the whole run, since the process left last is slow to take back the whole key (it
// probes by a third of a slot a window, having no sign that the others are gone).
func TestWindowPacer_sharedKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sb := sandbox.New(sandbox.Config{})
		uses := shareKey(t, sb, 300, 300, 300)
		checkConverged(t, uses...)

		var ok, refused, early int
		start, firstEnd, lastEnd := uses[0].start, uses[0].end, uses[0].end
		for _, u := range uses {
			t.Logf("process %s: %d requests, %d attempts refused, %.1f/s, done after %.1fs",
				u.name, u.ok, u.refused, u.rate(), u.end.Sub(start).Seconds())
			ok += u.ok
			refused += u.refused
			if u.end.Before(firstEnd) {
				firstEnd = u.end
			}
			if u.end.After(lastEnd) {
				lastEnd = u.end
			}
		}
		for _, u := range uses {
			early += u.okWithin(firstEnd.Sub(u.start))
		}
		share := float64(refused) / float64(ok+refused)
		t.Logf("3 processes: %d of %d attempts refused (%.1f%%); together %.1f requests/s over %.1fs, %.1f/s while all three ran (Lune allows 15)",
			refused, ok+refused, 100*share, float64(ok)/lastEnd.Sub(start).Seconds(), lastEnd.Sub(start).Seconds(),
			float64(early)/firstEnd.Sub(start).Seconds())

		if ok != 900 {
			t.Errorf("%d of 900 requests succeeded", ok)
		}
		if share > 0.05 {
			t.Errorf("%.1f%% of the attempts were refused, want at most 5%%", 100*share)
		}
		if got := sb.Count("lune.rate_limited"); got != refused {
			t.Errorf("the sandbox refused %d requests, the clients saw %d", got, refused)
		}
	})
}

// TestWindowPacer_aloneOnKey: a process alone on its key is never refused, and sends at Lune's
// pace (14 a second once the round trips are counted) but for the half of its first second that
// it leaves to its predecessor: 38 requests in its first 3 seconds where it sent 44 when it left 1.
func TestWindowPacer_aloneOnKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sb := sandbox.New(sandbox.Config{})
		u := shareKey(t, sb, 300)[0]
		checkConverged(t, u)
		first3s := u.okWithin(3 * time.Second)
		t.Logf("1 process: %d requests, %d attempts refused, %.1f/s over %.1fs; %d in its first 3s (%.1f/s)",
			u.ok, u.refused, u.rate(), u.end.Sub(u.start).Seconds(), first3s, float64(first3s)/3)
		if u.refused != 0 {
			t.Errorf("%d attempts were refused, want none", u.refused)
		}
		// 8 at once, then 15 a second and a round trip: 38. Loose, as the network's delays are random.
		if first3s < 36 {
			t.Errorf("%d requests in the first 3s, want at least 36 (12/s)", first3s)
		}
	})
}

// TestWindowPacer_handover: the plan process of a terraform apply sends a burst and stops; 300 ms
// after the burst began, the apply process starts a new client, which sends as fast as it may. It
// leaves 7 of its first second's 15 to the plan, so a plan that sent up to 7 requests in its last
// second costs no refusal (leaving 1, it cost 6). A bigger burst costs a refusal for each request
// that the apply sends into the full second, which it cannot know of: 1 after a plan that used all
// 8 of its own first second, 8 after 15. The apply then holds back a window and climbs back to 15
// within a few seconds; those cases are measured, not asserted.
func TestWindowPacer_handover(t *testing.T) {
	for _, tc := range []struct {
		name string
		// plan is the plan's burst, made warm after a second of use (so that nothing of it is
		// reserved), or fresh.
		plan int
		warm bool
		// wantNoRefusal asserts what the case shows.
		wantNoRefusal bool
	}{
		{name: "plan sent 7", plan: 7, wantNoRefusal: true},
		{name: "plan sent 8, all of its first second", plan: 8},
		{name: "plan sent 15 in its last second", plan: 15, warm: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sb := sandbox.New(sandbox.Config{})
				planPacer := lunePacer()
				if tc.warm {
					time.Sleep(time.Second)
				}
				planStart := time.Now()
				plan := useKey(t, sb, "plan", planPacer, tc.plan, 100)
				// Terraform starts the apply's provider while the plan's second still runs.
				time.Sleep(300*time.Millisecond - time.Since(planStart))
				apply := useKey(t, sb, "apply", lunePacer(), 150, 200)
				checkConverged(t, plan, apply)
				t.Logf("plan: %d requests, %d refused; apply, started %.0fms after the plan's burst began: %d requests, %d attempts refused, %.1f/s",
					plan.ok, plan.refused, apply.start.Sub(planStart).Seconds()*1000, apply.ok, apply.refused, apply.rate())
				if tc.wantNoRefusal && plan.refused+apply.refused != 0 {
					t.Errorf("%d of the plan's and %d of the apply's attempts were refused, want none", plan.refused, apply.refused)
				}
				if plan.ok != tc.plan || apply.ok != 150 {
					t.Errorf("%d of the plan's %d and %d of the apply's 150 requests succeeded", plan.ok, tc.plan, apply.ok)
				}
			})
		})
	}
}
