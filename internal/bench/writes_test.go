package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// uiLine is a line of Terraform's machine-readable UI as `terraform apply -json` prints it.
func uiLine(kind, addr, resourceType, action, at string) string {
	return fmt.Sprintf(`{"@level":"info","@message":"%[2]s: ...","@module":"terraform.ui","@timestamp":%[5]q,`+
		`"hook":{"resource":{"addr":%[2]q,"module":"","resource":%[2]q,"implied_provider":"webhooks","resource_type":%[3]q,`+
		`"resource_name":"x","resource_key":0},"action":%[4]q},"type":%[1]q}`, kind, addr, resourceType, action, at)
}

// TestParseWriteTimes: each write is paired with its own end whatever the order of the lines,
// an error ends a write as a completion does, and lines that are not writes are left out.
func TestParseWriteTimes(t *testing.T) {
	log := strings.Join([]string{
		`a line that is not JSON`,
		`{"@level":"info","@message":"Terraform 1.11.4","@module":"terraform.ui","@timestamp":"2026-12-06T10:00:00.000000Z","terraform":"1.11.4","type":"version","ui":"1.2"}`,
		uiLine("refresh_start", "webhooks_webhook.lune[0]", "webhooks_webhook", "", "2026-12-06T10:00:00.100000Z"),
		uiLine("refresh_start", "webhooks_webhook.lune[1]", "webhooks_webhook", "", "2026-12-06T10:00:00.110000Z"),
		uiLine("refresh_complete", "webhooks_webhook.lune[0]", "webhooks_webhook", "", "2026-12-06T10:00:00.150000Z"),
		uiLine("refresh_complete", "webhooks_webhook.lune[1]", "webhooks_webhook", "", "2026-12-06T10:00:00.200000Z"),
		uiLine("apply_start", "webhooks_webhook.lune[0]", "webhooks_webhook", "create", "2026-12-06T10:00:01.000000Z"),
		uiLine("apply_start", "webhooks_webhook.lune[1]", "webhooks_webhook", "create", "2026-12-06T10:00:01.010000Z"),
		uiLine("apply_start", "webhooks_partner_webhook.partner[0]", "webhooks_partner_webhook", "create", "2026-12-06T10:00:01.020000Z"),
		uiLine("apply_complete", "webhooks_webhook.lune[1]", "webhooks_webhook", "create", "2026-12-06T10:00:01.110000Z"),
		uiLine("apply_progress", "webhooks_webhook.lune[0]", "webhooks_webhook", "create", "2026-12-06T10:00:11.000000Z"),
		uiLine("apply_complete", "webhooks_partner_webhook.partner[0]", "webhooks_partner_webhook", "create", "2026-12-06T10:00:01.041500Z"),
		uiLine("apply_errored", "webhooks_webhook.lune[0]", "webhooks_webhook", "create", "2026-12-06T10:00:01.700000+00:00"),
		// A replacement: the delete, then the create, of one address.
		uiLine("apply_start", "webhooks_webhook.lune[2]", "webhooks_webhook", "delete", "2026-12-06T10:00:02.000000Z"),
		uiLine("apply_complete", "webhooks_webhook.lune[2]", "webhooks_webhook", "delete", "2026-12-06T10:00:02.005000Z"),
		uiLine("apply_start", "webhooks_webhook.lune[2]", "webhooks_webhook", "create", "2026-12-06T10:00:02.006000Z"),
		// An end an hour ahead by its zone, 30 ms later.
		uiLine("apply_complete", "webhooks_webhook.lune[2]", "webhooks_webhook", "create", "2026-12-06T11:00:02.036000+01:00"),
		`{"@level":"info","@message":"Apply complete!","@module":"terraform.ui","@timestamp":"2026-12-06T10:00:03.000000Z","type":"change_summary"}`,
	}, "\n")
	times, gaps, err := parseWriteTimes([]byte(log))
	if err != nil {
		t.Fatal(err)
	}
	// Lune's creates ran 1.000-1.700 (errored), 1.010-1.110 and 2.006-2.036: none from 1.700 to
	// 2.006. Its delete, of another kind, does not fill that gap.
	if got, want := fmt.Sprint(gaps), fmt.Sprint(slotGaps{
		"webhooks_webhook create": 306 * time.Millisecond, "webhooks_webhook delete": 0,
		"webhooks_webhook refresh": 0, "webhooks_partner_webhook create": 0,
	}); got != want {
		t.Errorf("gaps %s, want %s", got, want)
	}
	got := fmt.Sprint(times)
	want := fmt.Sprint(writeTimes{
		"webhooks_webhook create":         {100 * time.Millisecond, 700 * time.Millisecond, 30 * time.Millisecond},
		"webhooks_partner_webhook create": {21500 * time.Microsecond},
		"webhooks_webhook delete":         {5 * time.Millisecond},
		"webhooks_webhook refresh":        {50 * time.Millisecond, 90 * time.Millisecond},
	})
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if total := times.total(); total != 856500*time.Microsecond {
		t.Errorf("total %s, want 856.5ms (the writes', not the refreshes')", total)
	}
	if n, mean, p90, ok := times.summary("webhooks_webhook create"); !ok || n != 3 || mean != 830*time.Millisecond/3 || p90 != 700*time.Millisecond {
		t.Errorf("summary: %d, %s, %s, %v", n, mean, p90, ok)
	}
	if _, _, _, ok := times.summary("webhooks_webhook update"); ok {
		t.Error("a summary of writes that never ran")
	}
	if empty, none, err := parseWriteTimes([]byte("No changes. Your infrastructure matches the configuration.\n")); err != nil || len(empty) != 0 || len(none) != 0 {
		t.Errorf("a plan's output: %v, %v, %v", empty, none, err)
	}
}

// TestParseWriteTimes_notTheLogItIsTakenFor: a log whose writes do not pair up, or that does not
// parse, is an error, not figures.
func TestParseWriteTimes_notTheLogItIsTakenFor(t *testing.T) {
	start := uiLine("apply_start", "webhooks_webhook.lune[0]", "webhooks_webhook", "create", "2026-12-06T10:00:01Z")
	end := uiLine("apply_complete", "webhooks_webhook.lune[0]", "webhooks_webhook", "create", "2026-12-06T10:00:02Z")
	for name, log := range map[string]string{
		"never ended":       start,
		"never started":     end,
		"started twice":     start + "\n" + start + "\n" + end,
		"another action":    start + "\n" + strings.Replace(end, `"action":"create"`, `"action":"delete"`, 1),
		"a refresh's end":   start + "\n" + strings.Replace(end, `"type":"apply_complete"`, `"type":"refresh_complete"`, 1),
		"refresh unended":   strings.Replace(start, `"type":"apply_start"`, `"type":"refresh_start"`, 1),
		"another instance":  start + "\n" + strings.ReplaceAll(end, "lune[0]", "lune[1]"),
		"not JSON":          start + "\n{\"type\": \n" + end,
		"no timestamp":      strings.Replace(start, `"@timestamp":"2026-12-06T10:00:01Z",`, "", 1) + "\n" + end,
		"another time form": strings.Replace(start, "2026-12-06T10:00:01Z", "06 Dec 26 10:00 UTC", 1) + "\n" + end,
	} {
		if times, _, err := parseWriteTimes([]byte(log)); err == nil {
			t.Errorf("%s: no error, %v", name, times)
		}
	}
}

func TestMeanAndP90(t *testing.T) {
	ms := func(vs ...int) []time.Duration {
		out := make([]time.Duration, len(vs))
		for i, v := range vs {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // 100 down to 1
	}
	for _, c := range []struct {
		in        []time.Duration
		mean, p90 time.Duration
	}{
		{ms(7), 7 * time.Millisecond, 7 * time.Millisecond},
		{ms(30, 10, 20), 20 * time.Millisecond, 30 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 100), 14500 * time.Microsecond, 9 * time.Millisecond},
		{ms(hundred...), 50500 * time.Microsecond, 90 * time.Millisecond},
		{ms(append(hundred, 1000)...), 6050 * time.Millisecond / 101, 91 * time.Millisecond},
	} {
		in := fmt.Sprint(c.in)
		mean, p90 := meanAndP90(c.in)
		if mean != c.mean || p90 != c.p90 {
			t.Errorf("%d values: mean %s, 90%% within %s; want %s and %s", len(c.in), mean, p90, c.mean, c.p90)
		}
		if fmt.Sprint(c.in) != in {
			t.Errorf("meanAndP90 reordered its argument: %s", c.in)
		}
	}
}

// TestGapsBetween: the time no span covers between the first start and the last end, whatever
// the order of the spans, a span inside another or overlapping it.
func TestGapsBetween(t *testing.T) {
	at := func(ms int) time.Time {
		return time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC).Add(time.Duration(ms) * time.Millisecond)
	}
	s := func(from, to int) span { return span{at(from), at(to)} }
	for _, c := range []struct {
		spans []span
		want  time.Duration
	}{
		{[]span{s(0, 10)}, 0},
		{[]span{s(0, 10), s(10, 20)}, 0},
		{[]span{s(30, 40), s(0, 10)}, 20 * time.Millisecond},
		// The second is inside the first: the gap is from the first's end, not the second's.
		{[]span{s(0, 100), s(10, 20), s(150, 160)}, 50 * time.Millisecond},
		{[]span{s(0, 50), s(40, 60), s(70, 80), s(200, 300), s(250, 260)}, 130 * time.Millisecond},
	} {
		if got := gapsBetween(c.spans); got != c.want {
			t.Errorf("%v: %s, want %s", c.spans, got, c.want)
		}
	}
}

// TestSideLines: the lines about writes and about gaps say each side's figures that there are.
func TestSideLines(t *testing.T) {
	real := writeTimes{"webhooks_webhook create": {10 * time.Millisecond, 30 * time.Millisecond}}
	ideal := writeTimes{"webhooks_webhook create": {20 * time.Millisecond}, "webhooks_webhook delete": {5 * time.Millisecond}}
	realGaps := slotGaps{"webhooks_webhook create": 2310 * time.Millisecond}
	idealGaps := slotGaps{"webhooks_webhook create": 510 * time.Millisecond, "webhooks_partner_webhook create": 0}
	const gaps = "time with none of them running, between the first start and the last end: "
	for _, c := range []struct{ got, want string }{
		{writeSpans(real, ideal, "webhooks_webhook create"), "the provider's 2, 20 ms on average, 90% within 30 ms; the ideal's 1, 20 ms on average, 90% within 20 ms"},
		{writeSpans(real, ideal, "webhooks_webhook delete"), "the ideal's 1, 5 ms on average, 90% within 5 ms"},
		{writeSpans(real, ideal, "webhooks_webhook update"), ""},
		{gapSpans(realGaps, idealGaps, "webhooks_webhook create"), gaps + "the provider's 2.31s, the ideal's 0.51s"},
		{gapSpans(realGaps, idealGaps, "webhooks_partner_webhook create"), gaps + "the ideal's 0.00s"},
		{gapSpans(realGaps, idealGaps, "webhooks_inveterate_webhook create"), ""},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

// TestReadableUI: a failed command's JSON lines are shown as their messages and details.
func TestReadableUI(t *testing.T) {
	for line, want := range map[string]string{
		`{"@level":"error","@message":"Error: Invalid key","@module":"terraform.ui","diagnostic":{"severity":"error","summary":"Invalid key","detail":"Lune refused the key.\nCheck LUNE_API_KEY."},"type":"diagnostic"}`: "Error: Invalid key\n  Lune refused the key.\n  Check LUNE_API_KEY.",
		`{"@level":"info","@message":"Apply complete!","type":"change_summary"}`: "Apply complete!",
		`╷ │ Error: not JSON`:    `╷ │ Error: not JSON`,
		`{"type": "no message"}`: `{"type": "no message"}`,
		`{broken`:                `{broken`,
	} {
		if got := readableUI(line); got != want {
			t.Errorf("%s: %q, want %q", line, got, want)
		}
	}
}

// TestTail: a failed command's last lines, Terraform's UI messages readable, each counting as one.
func TestTail(t *testing.T) {
	var lines []string
	for i := range 50 {
		lines = append(lines, fmt.Sprintf(`{"@level":"info","@message":"line %d","type":"log"}`, i))
	}
	lines = append(lines, `{"@level":"error","@message":"Error: Invalid key","diagnostic":{"severity":"error","detail":"Lune refused the key.\nCheck LUNE_API_KEY."},"type":"diagnostic"}`)
	got := tail([]byte(strings.Join(lines, "\n")+"\n"), 3)
	want := "line 48\nline 49\nError: Invalid key\n  Lune refused the key.\n  Check LUNE_API_KEY.\n"
	if got != want {
		t.Errorf("tail: %q, want %q", got, want)
	}
	if got := tail([]byte(" \n"), 3); got != "" {
		t.Errorf("no output: %q", got)
	}
}
