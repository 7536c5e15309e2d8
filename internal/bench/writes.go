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
// (apply_start) and when it was done (apply_complete, or apply_errored). Between them are the
// provider's ApplyResourceChange and Terraform's own work around it, measured the same way for both
// providers. Outside them, though the write holds its slot then too: before, the apply's re-plan
// (PlanResourceChange); after, the write's own copy of the whole state, which it makes holding
// Terraform's state lock (README.md: Terraform's copies of the state). Inside them, the wait for
// that lock to record the write's result while other writes make their copies: the more resources
// the state holds, and the more writes contend, the longer.

// writeTimes are the writes of one command, each from its apply_start to its apply_complete, by
// "resource_type action" ("webhooks_webhook create").
type writeTimes map[string][]time.Duration

// uiMessage is what the bench reads of a line of Terraform's machine-readable UI: a write's hook
// here, a message and its diagnostic's detail for a failed command's output (readableUI).
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

// uiWrites is the writes of a command run with args, from its standard output: none unless it ran
// with -json (a plan runs without), since only Terraform's JSON UI says when each write ran.
func uiWrites(args []string, stdout []byte) (writeTimes, error) {
	if !slices.Contains(args, "-json") {
		return nil, nil
	}
	return parseWriteTimes(stdout)
}

// parseWriteTimes reads a command's output, Terraform's UI as JSON lines; other lines are skipped. Each apply_start is paired with the next apply_complete or
// apply_errored of the same instance and action. A write that started and never ended, or ended
// without starting, is an error: the log is not what the bench takes it for.
func parseWriteTimes(out []byte) (writeTimes, error) {
	times := writeTimes{}
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
			return nil, fmt.Errorf("terraform's UI: %w: %.200s", err, line)
		}
		if m.Type != "apply_start" && m.Type != "apply_complete" && m.Type != "apply_errored" {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, m.Timestamp)
		if err != nil {
			return nil, fmt.Errorf("terraform's UI: %s of %s: %w", m.Type, m.Hook.Resource.Addr, err)
		}
		key := m.Hook.Resource.Addr + " " + m.Hook.Action
		if m.Type == "apply_start" {
			if _, twice := started[key]; twice {
				return nil, fmt.Errorf("terraform's UI: %s started twice", key)
			}
			started[key] = at
			continue
		}
		start, ok := started[key]
		if !ok {
			return nil, fmt.Errorf("terraform's UI: %s ended (%s) without starting", key, m.Type)
		}
		delete(started, key)
		kind := m.Hook.Resource.ResourceType + " " + m.Hook.Action
		times[kind] = append(times[kind], at.Sub(start))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("terraform's UI: %w", err)
	}
	for key := range started {
		return nil, fmt.Errorf("terraform's UI: %s started and never ended (%d such writes)", key, len(started))
	}
	return times, nil
}

// total is the writes' times, all together.
func (w writeTimes) total() time.Duration {
	var sum time.Duration
	for _, ds := range w {
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
	var parts []string
	for _, side := range []struct {
		name  string
		times writeTimes
	}{{"the provider's", real}, {"the ideal's", ideal}} {
		if n, mean, p90, ok := side.times.summary(kind); ok {
			parts = append(parts, fmt.Sprintf("%s %d, %.0f ms on average, 90%% within %.0f ms", side.name, n, milliseconds(mean), milliseconds(p90)))
		}
	}
	return strings.Join(parts, "; ")
}

func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
