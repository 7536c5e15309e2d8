package blaze

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// The sandbox serves {"count","total","searchResult"}; the client must also read BLAZE's older
// {"values","skip","limit","total"} pages, and stop on an empty page when there is no total.
func TestListReadsTheOlderPageShape(t *testing.T) {
	for name, withTotal := range map[string]bool{"with total": true, "without total": false} {
		t.Run(name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				skip, _ := strconv.Atoi(r.URL.Query().Get("start"))
				var values string
				for i := skip; i < min(skip+2, 5); i++ {
					if values != "" {
						values += ","
					}
					values += fmt.Sprintf(`{"id":"w%d","webHookType":"NEW_MEMBER","webHookUrls":["https://x"]}`, i)
				}
				total := ""
				if withTotal {
					total = `,"total":5`
				}
				fmt.Fprintf(w, `{"values":[%s],"skip":%d,"limit":2%s}`, values, skip, total)
			}))
			defer srv.Close()
			c, err := New(Config{Settings: httpclient.Settings{BaseURL: srv.URL}, PartnerKey: "p", DeveloperKey: "d", PageSize: 2})
			if err != nil {
				t.Fatal(err)
			}
			all, err := c.ListWebhooks(context.Background(), ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 5 || all[4].ID != "w4" {
				t.Fatalf("listed %+v", all)
			}
			// Pages of 2 overlap by one webhook (so that a deletion between two pages cannot
			// make the pager skip one), so each page after the first brings one new webhook:
			// w0-w1, w1-w2, w2-w3, w3-w4.
			wantCalls := 4
			if !withTotal {
				wantCalls = 5 // w4 alone, nothing beyond what was asked for again: the list ends
			}
			if calls != wantCalls {
				t.Fatalf("%d calls, want %d", calls, wantCalls)
			}
		})
	}
}

// TestListStopsOnBrokenPaging: a server that ignores start (every page the same), and one whose
// list never ends (new ids forever, no total), are stopped with an error that says the paging looks
// broken, after a bounded number of calls.
func TestListStopsOnBrokenPaging(t *testing.T) {
	cases := map[string]struct {
		page      func(start int) string
		wantCalls int
	}{
		"start ignored": {
			page:      func(int) string { return `{"count":2,"total":10,"searchResult":[{"id":"a"},{"id":"b"}]}` },
			wantCalls: 2,
		},
		"endless": {
			page: func(start int) string {
				return fmt.Sprintf(`{"count":1,"searchResult":[{"id":"w%d"}]}`, start)
			},
			wantCalls: maxPages,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				start, _ := strconv.Atoi(r.URL.Query().Get("start"))
				fmt.Fprint(w, tc.page(start))
			}))
			defer srv.Close()
			c, err := New(Config{Settings: httpclient.Settings{BaseURL: srv.URL, RateLimit: -1}, PartnerKey: "p", DeveloperKey: "d", PageSize: 2})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListWebhooks(context.Background(), ListOptions{})
			if err == nil || !strings.Contains(err.Error(), "paging looks broken") || !errors.Is(err, httpclient.ErrServer) {
				t.Fatalf("error %v, want a server error saying the paging looks broken", err)
			}
			if calls != tc.wantCalls {
				t.Errorf("%d calls, want %d", calls, tc.wantCalls)
			}
		})
	}
}

// liveList is a BLAZE list that changes while a client pages through it, the way the real one
// does while other Terraform runs (or this one, in parallel) create and delete webhooks. It keeps
// the ids in BLAZE's order (by created: a new webhook goes last), answers offset pages of at most
// maxPage webhooks with the sandbox's shape, and runs between before every list call but the
// first, to change the list between two pages.
type liveList struct {
	mu      sync.Mutex
	ids     []string
	next    int
	calls   int
	maxPage int
	between func(l *liveList, call, start int)
}

func newLiveList(n, maxPage int) *liveList {
	l := &liveList{maxPage: maxPage}
	for range n {
		l.add()
	}
	return l
}

// add creates a webhook (last in BLAZE's order) and returns its id. Callers hold mu, or own l.
func (l *liveList) add() string {
	id := fmt.Sprintf("w%04d", l.next)
	l.next++
	l.ids = append(l.ids, id)
	return id
}

// remove deletes webhooks (the list leaves them out). Callers hold mu, or own l.
func (l *liveList) remove(ids ...string) {
	l.ids = slices.DeleteFunc(l.ids, func(id string) bool { return slices.Contains(ids, id) })
}

func (l *liveList) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	start, _ := strconv.Atoi(r.URL.Query().Get("start"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if l.between != nil && l.calls > 1 {
		l.between(l, l.calls, start)
	}
	var items []string
	for i := start; i < len(l.ids) && i < start+min(limit, l.maxPage); i++ {
		items = append(items, fmt.Sprintf(`{"id":%q,"webHookType":"NEW_MEMBER","webHookUrls":["https://x"]}`, l.ids[i]))
	}
	fmt.Fprintf(w, `{"count":%d,"total":%d,"searchResult":[%s]}`, len(items), len(l.ids), strings.Join(items, ","))
}

// snapshot returns a copy of the ids the list holds now.
func (l *liveList) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ids)
}

// handlerTransport serves a client's requests with a handler in process: the randomized tests
// make thousands of list calls, which need no sockets.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

func newListClient(t *testing.T, h http.Handler) *Client {
	t.Helper()
	c, err := New(Config{Settings: httpclient.Settings{BaseURL: "https://blaze.example", RateLimit: -1, MaxRetries: 0,
		Transport: handlerTransport{h}}, PartnerKey: "p", DeveloperKey: "d"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkListed fails t unless every webhook of throughout is listed exactly once, and no webhook is
// listed twice.
func checkListed(t *testing.T, listed []Webhook, throughout []string) {
	t.Helper()
	count := map[string]int{}
	for _, w := range listed {
		count[w.ID]++
		if count[w.ID] == 2 {
			t.Errorf("%s listed twice", w.ID)
		}
	}
	var missed []string
	for _, id := range throughout {
		if count[id] == 0 {
			missed = append(missed, id)
		}
	}
	if len(missed) > 0 {
		t.Errorf("missed %d of the %d webhooks that existed throughout: %v", len(missed), len(throughout), missed)
	}
}

// TestListMissesNoWebhookWhileTheListChanges: BLAZE orders its list by created, so a webhook
// deleted before the page boundary shifts every later one a place left, and a plain offset pager
// skips the webhook at the boundary. A webhook that exists for the whole pass must be listed
// exactly once, whatever is created or deleted between two pages.
func TestListMissesNoWebhookWhileTheListChanges(t *testing.T) {
	cases := map[string]struct {
		n       int
		between func(l *liveList, call, start int)
	}{
		"an earlier webhook deleted": {n: 9, between: func(l *liveList, call, _ int) {
			if call == 2 {
				l.remove("w0000")
			}
		}},
		"the overlap itself deleted": {n: 9, between: func(l *liveList, call, _ int) {
			if call == 2 {
				l.remove("w0000", "w0002")
			}
		}},
		"more deleted than the overlap": {n: 12, between: func(l *liveList, call, _ int) {
			if call == 2 {
				l.remove("w0000", "w0001", "w0002") // the whole first page
			}
		}},
		"many deleted later in the pass": {n: 30, between: func(l *liveList, call, _ int) {
			if call == 6 {
				l.remove("w0001", "w0003", "w0004", "w0006", "w0007", "w0008", "w0009", "w0010")
			}
		}},
		"created and deleted between pages": {n: 15, between: func(l *liveList, call, _ int) {
			if call <= 6 {
				l.add()
				l.remove(l.ids[0])
			}
		}},
		"created only": {n: 10, between: func(l *liveList, call, _ int) {
			if call <= 6 {
				l.add()
				l.add()
			}
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l := newLiveList(tc.n, 3)
			initial := l.snapshot()
			l.between = tc.between
			listed, err := newListClient(t, l).ListWebhooks(context.Background(), ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			now := l.snapshot()
			var throughout []string
			for _, id := range initial {
				if slices.Contains(now, id) {
					throughout = append(throughout, id)
				}
			}
			checkListed(t, listed, throughout)
		})
	}
}

// TestListMissesNoWebhookRandomly pages through lists that random creates and deletes change
// between pages, with small pages: no webhook that exists for the whole pass is ever missed.
func TestListMissesNoWebhookRandomly(t *testing.T) {
	for seed := range uint64(300) {
		rnd := rand.New(rand.NewPCG(seed, 1))
		l := newLiveList(5+rnd.IntN(40), 2+rnd.IntN(5))
		initial := l.snapshot()
		deleted := map[string]bool{}
		l.between = func(l *liveList, call, _ int) {
			if call > 40 {
				return // let the pass end
			}
			for range rnd.IntN(4) {
				if rnd.IntN(3) == 0 && len(l.ids) > 0 {
					id := l.ids[rnd.IntN(len(l.ids))]
					deleted[id] = true
					l.remove(id)
				}
			}
			if rnd.IntN(4) == 0 {
				l.add()
			}
		}
		listed, err := newListClient(t, l).ListWebhooks(context.Background(), ListOptions{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		var throughout []string
		for _, id := range initial {
			if !deleted[id] {
				throughout = append(throughout, id)
			}
		}
		checkListed(t, listed, throughout)
		if t.Failed() {
			t.Fatalf("seed %d, page size %d", seed, l.maxPage)
		}
	}
}

// TestListWebhooksConsistent re-pages until two passes in a row list the same webhooks, and gives
// up with a server error when the list never holds still.
func TestListWebhooksConsistent(t *testing.T) {
	cases := map[string]struct {
		// changes reports whether the pass about to begin (1, 2, ...) finds one webhook more.
		changes    func(pass int) bool
		wantPasses int
		wantErr    bool
	}{
		"still":         {changes: func(int) bool { return false }, wantPasses: 2},
		"settles":       {changes: func(pass int) bool { return pass == 2 }, wantPasses: 3},
		"keeps growing": {changes: func(pass int) bool { return pass > 1 }, wantPasses: maxConsistentPasses, wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l := newLiveList(7, 3)
			passes := 1 // the first call, which between does not see, begins the first pass
			l.between = func(l *liveList, _, start int) {
				if start == 0 { // nothing is deleted here, so only a new pass asks for start=0
					passes++
					if tc.changes(passes) {
						l.add()
					}
				}
			}
			listed, err := newListClient(t, l).ListWebhooksConsistent(context.Background(), ListOptions{})
			if passes != tc.wantPasses {
				t.Errorf("%d passes, want %d", passes, tc.wantPasses)
			}
			if tc.wantErr {
				if listed != nil || !errors.Is(err, httpclient.ErrServer) || !strings.Contains(err.Error(), "kept changing") {
					t.Fatalf("got %d webhooks, %v; want a server error saying the list kept changing", len(listed), err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkListed(t, listed, l.snapshot())
			if len(listed) != len(l.snapshot()) {
				t.Fatalf("listed %d webhooks, want the %d of the last pass", len(listed), len(l.snapshot()))
			}
		})
	}
}
