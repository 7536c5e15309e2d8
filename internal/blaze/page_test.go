package blaze

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
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
			wantCalls := 3
			if !withTotal {
				wantCalls = 4 // the empty page that ends the list
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
