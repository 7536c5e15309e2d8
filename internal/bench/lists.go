package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// listCost is what one of Inveterate's lists costs at the size an apply left it, beyond the
// request latency: what the contract's confirming list costs any provider at that size (a real
// vendor also serves and sends every record), and the ideal provider does not wait for.
type listCost struct {
	path    string
	records int
	bytes   int
	// took is the median time to send the list request and read the whole answer, with the sandbox's
	// latency set to zero.
	took time.Duration
}

func (c listCost) String() string {
	return fmt.Sprintf("%s: %d records, %d kB, %.1f ms", c.path, c.records, c.bytes/1000, float64(c.took.Microseconds())/1000)
}

// measureLists times each of Inveterate's lists as sb holds them, on a listener of its own, with
// Inveterate's latency zero meanwhile; it sets the latency back to latency. Its requests are in no
// command's trace (the listener does not go through the timeline) nor figures: the sandbox counts
// them, but a command's counts are copied when it ends, and the next command's start from zero.
func measureLists(sb *sandbox.Sandbox, key string, latency time.Duration) ([]listCost, error) {
	sb.SetLatency(sandbox.Inveterate, 0)
	defer sb.SetLatency(sandbox.Inveterate, latency)
	srv := httptest.NewServer(sb)
	defer srv.Close()
	var out []listCost
	for _, list := range confirmedLists {
		path := list.path
		c := listCost{path: path}
		var took []time.Duration
		for range 7 {
			start := time.Now()
			body, err := get(srv.URL+path, key)
			if err != nil {
				return nil, err
			}
			took = append(took, time.Since(start))
			var env struct {
				Data []json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			c.records, c.bytes = len(env.Data), len(body)
		}
		slices.Sort(took)
		c.took = took[len(took)/2]
		out = append(out, c)
	}
	return out, nil
}

func get(url, key string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Inveterate-Api-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, err
}
