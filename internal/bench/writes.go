package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Terraform hands out its slots in the order it queued the resources, so a whole command's ratio
// moves with that order from run to run (README.md: Terraform's queue). How long each write takes
// moves less: Terraform's machine-readable UI (`-json`) says when it started applying each instance
// (apply_start) and when it was done (apply_complete, or apply_errored), and the same of each
// refresh (refresh_start, refresh_complete) in a plan or a destroy. Between a write's are the
// provider's ApplyResourceChange and Terraform's own work around it, measured the same way for both
// providers. Outside them, though the write holds its slot then too: before, the apply's re-plan
// (PlanResourceChange); after, the write's own copy of the whole state, which it makes holding
// Terraform's state lock (README.md: Terraform's copies of the state). Inside them, the wait for
// that lock to record the write's result while other writes make their copies: the more resources
// the state holds, and the more writes contend, the longer.

// writeTimes are the writes of one command, each from its apply_start to its apply_complete, and
// its refreshes, each from its refresh_start to its refresh_complete, by kind: "resource_type
// action" ("webhooks_webhook create", "webhooks_webhook refresh").
type writeTimes map[string][]time.Duration

// slotGaps is, by kind as in writeTimes, how long none of that kind was running between the first
// of them starting and the last ending: while Terraform gave its slots to the other types. For
// Lune, whose limit spreads its writes over the whole command, that is time its pace lost to
// Terraform's queue (README.md: Terraform's queue).
type slotGaps map[string]time.Duration

// refresh is the kind of a refresh ("webhooks_webhook refresh"): Terraform's UI times the reads of
// a plan, or of a destroy's refresh, from refresh_start to refresh_complete, as it times writes.
const refresh = "refresh"

// span is when one write or refresh ran.
type span struct{ start, end time.Time }

// uiMessage is what the bench reads of a line of Terraform's machine-readable UI: a write's or a
// refresh's hook here, a message and its diagnostic's detail for a failed command's output (readableUI).
type uiMessage struct {
	Type       string `json:"type"`
	Timestamp  string `json:"@timestamp"`
	Message    string `json:"@message"`
	Diagnostic *struct {
		Detail string `json:"detail"`
	} `json:"diagnostic"`
	Hook struct {
		Resource struct {
			Addr         string `json:"addr"`
			ResourceType string `json:"resource_type"`
		} `json:"resource"`
		Action string `json:"action"`
	} `json:"hook"`
}

// uiWrites is the writes and refreshes of a command run with args, from its standard output: none
// unless it ran with -json, since only Terraform's JSON UI says when each ran.
func uiWrites(args []string, stdout []byte) (writeTimes, slotGaps, error) {
	if !slices.Contains(args, "-json") {
		return nil, nil, nil
	}
	return parseWriteTimes(stdout)
}

// parseWriteTimes reads a command's output, Terraform's UI as JSON lines; other lines are skipped.
// Each apply_start is paired with the next apply_complete or apply_errored of the same instance and
// action, each refresh_start with the next refresh_complete of the same instance. A write or a
// refresh that started and never ended, or ended without starting, is an error: the log is not what
// the bench takes it for.
func parseWriteTimes(out []byte) (writeTimes, slotGaps, error) {
	times := writeTimes{}
	spans := map[string][]span{}
	started := map[string]time.Time{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var m uiMessage
		if err := json.Unmarshal(line, &m); err != nil {
			return nil, nil, fmt.Errorf("terraform's UI: %w: %.200s", err, line)
		}
		action, begins := m.Hook.Action, false
		switch m.Type {
		case "apply_start":
			begins = true
		case "apply_complete", "apply_errored":
		case "refresh_start":
			action, begins = refresh, true
		case "refresh_complete":
			action = refresh
		default:
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, m.Timestamp)
		if err != nil {
			return nil, nil, fmt.Errorf("terraform's UI: %s of %s: %w", m.Type, m.Hook.Resource.Addr, err)
		}
		key := m.Hook.Resource.Addr + " " + action
		if begins {
			if _, twice := started[key]; twice {
				return nil, nil, fmt.Errorf("terraform's UI: %s started twice", key)
			}
			started[key] = at
			continue
		}
		start, ok := started[key]
		if !ok {
			return nil, nil, fmt.Errorf("terraform's UI: %s ended (%s) without starting", key, m.Type)
		}
		delete(started, key)
		kind := m.Hook.Resource.ResourceType + " " + action
		times[kind] = append(times[kind], at.Sub(start))
		spans[kind] = append(spans[kind], span{start, at})
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("terraform's UI: %w", err)
	}
	for key := range started {
		return nil, nil, fmt.Errorf("terraform's UI: %s started and never ended (%d such writes and refreshes)", key, len(started))
	}
	gaps := slotGaps{}
	for kind, ss := range spans {
		gaps[kind] = gapsBetween(ss)
	}
	return times, gaps, nil
}

// gapsBetween is how long none of spans ran between the first start and the last end.
func gapsBetween(spans []span) time.Duration {
	slices.SortFunc(spans, func(a, b span) int { return a.start.Compare(b.start) })
	var gaps time.Duration
	var end time.Time // the latest end so far
	for i, s := range spans {
		if i > 0 && s.start.After(end) {
			gaps += s.start.Sub(end)
		}
		if i == 0 || s.end.After(end) {
			end = s.end
		}
	}
	return gaps
}

// total is the writes' times, all together (refreshes are not writes).
func (w writeTimes) total() time.Duration {
	var sum time.Duration
	for kind, ds := range w {
		if strings.HasSuffix(kind, " "+refresh) {
			continue
		}
		for _, d := range ds {
			sum += d
		}
	}
	return sum
}

// summary is one kind of write: how many, their mean, and the time 90% of them took at most.
func (w writeTimes) summary(kind string) (n int, mean, p90 time.Duration, ok bool) {
	ds := w[kind]
	if len(ds) == 0 {
		return 0, 0, 0, false
	}
	mean, p90 = meanAndP90(ds)
	return len(ds), mean, p90, true
}

// meanAndP90 is the mean of ds, not empty, and the least of them that 90% of them are no greater
// than.
func meanAndP90(ds []time.Duration) (mean, p90 time.Duration) {
	sorted := slices.Sorted(slices.Values(ds))
	var sum time.Duration
	for _, d := range sorted {
		sum += d
	}
	return sum / time.Duration(len(sorted)), sorted[(len(sorted)*9+9)/10-1]
}

// writeSpans says how long the writes of kind took with the provider (real) and with the ideal
// provider, or "" if neither made any.
func writeSpans(real, ideal writeTimes, kind string) string {
	return strings.Join(bothSides(real, ideal, func(w writeTimes) (string, bool) {
		n, mean, p90, ok := w.summary(kind)
		return fmt.Sprintf("%d, %.0f ms on average, 90%% within %.0f ms", n, milliseconds(mean), milliseconds(p90)), ok
	}), "; ")
}

// bothSides is what say says of the provider's figures (real) and of the ideal provider's, each
// after its name, for each side that has any (ok).
func bothSides[T any](real, ideal T, say func(T) (s string, ok bool)) []string {
	var parts []string
	for _, side := range []struct {
		name    string
		figures T
	}{{"the provider's", real}, {"the ideal's", ideal}} {
		if s, ok := say(side.figures); ok {
			parts = append(parts, side.name+" "+s)
		}
	}
	return parts
}

func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// gapSpans says how long none of kind was running, between the first and the last, with the
// provider (real) and with the ideal provider, for each that ran any, or "" if neither did.
func gapSpans(real, ideal slotGaps, kind string) string {
	parts := bothSides(real, ideal, func(g slotGaps) (string, bool) {
		d, ok := g[kind]
		return fmt.Sprintf("%.2fs", d.Seconds()), ok
	})
	if len(parts) == 0 {
		return ""
	}
	return "time with none of them running, between the first start and the last end: " + strings.Join(parts, ", ")
}
