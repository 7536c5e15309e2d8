package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBench runs the bench as `make bench` does, at a size that takes seconds, on both backends:
// the provider and the ideal provider apply, plan (nothing to change, or the bench fails) and
// destroy, and the report has a row for each run and the medians.
func TestBench(t *testing.T) {
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Skip("terraform is not on PATH")
	}
	var out, progress bytes.Buffer
	err := run(options{sizes: "2", latencies: "1ms", backends: "local,http", runs: 2, plans: 3, parallelism: 4, out: &out, progress: &progress})
	if err != nil {
		t.Fatalf("bench: %v\nprogress:\n%s", err, progress.String())
	}
	report := out.String()
	// A run's row: 2 per type, 8 resources, the backend, the latency, then times and ratios.
	row := regexp.MustCompile(`(?m)^\s+2\s+8\s+(local|http)\s+1ms\s+(\S+s\s+\S+s\s+\d+\.\d\d\s+){3}(\d+)\s+(\d+\.\d\d)\s+(\d+\.\d\d)\s+0\s*$`)
	rows := row.FindAllStringSubmatch(report, -1)
	if len(rows) != 4 {
		t.Fatalf("want 4 rows (2 runs × 2 backends) in the report, got %d:\n%s", len(rows), report)
	}
	for _, r := range rows {
		// The plan shares one list per vendor surface (4), and every Inveterate create and delete
		// costs one call at least.
		perCreate, _ := strconv.ParseFloat(r[4], 64)
		perDelete, _ := strconv.ParseFloat(r[5], 64)
		if r[3] != "4" || perCreate < 1 || perDelete < 1 {
			t.Errorf("row %q: plan calls %s, Inveterate per create %s, per admin delete %s", strings.TrimSpace(r[0]), r[3], r[4], r[5])
		}
	}
	if !strings.Contains(report, "median of 2 runs:") {
		t.Errorf("no medians in the report:\n%s", report)
	}
	// Each run's apply and destroy say, per resource type, when the provider's calls and the ideal
	// provider's writes ran, and how long the provider's Inveterate writes waited for the lists that
	// confirm them; each apply, what Inveterate's lists cost at the size it left them.
	// A list that came in just before a write may be decided after it and confirm it: the sandbox's side of
	// the exchange then shows that write with no list after it.
	confirmed := `(\d confirmed \d+ ms after they came in on average, 90% within \d+ ms( \(1 with no list after them\))?|none confirmed \(2 with no list after them\))`
	for _, want := range []string{
		`(?m)^    webhooks_webhook: calls \d+\.\d\d-\d+\.\d\d; ideal: 2 creates \d+\.\d\d-\d+\.\d\d, \d+ ms each$`,
		`(?m)^    webhooks_inveterate_webhook: calls \S+; ideal: 2 deletes \S+, \d+ ms each, \d+\.\d in flight on average`,
		`(?m)^    webhooks_partner_webhook: calls \S+; ideal: 2 deletes \S+, \d+ ms each$`,
		`(?m)^    webhooks_inveterate_webhook_subscription: calls .*; the provider's creates: ` + confirmed + `$`,
		`(?m)^    webhooks_inveterate_webhook: calls .*; the provider's deletes: ` + confirmed + `$`,
		`(?m)^    Inveterate's lists .*: /v2.0/admin/webhook-subscriptions: 2 records, \d+ kB, \d+\.\d ms; /v2.0/admin/webhooks: 2 records, `,
		// How long each write took, from Terraform's UI, for both providers, in the apply and in the
		// destroy: 2 of each type.
		`(?m)^    webhooks_partner_webhook: .*\n      creates from Terraform's apply_start to its apply_complete: the provider's 2, \d+ ms on average, 90% within \d+ ms; the ideal's 2, \d+ ms on average, 90% within \d+ ms$`,
		`(?m)^    webhooks_inveterate_webhook: .*\n(?:      .*\n)*      deletes from Terraform's apply_start to its apply_complete: the provider's 2, \d+ ms on average, 90% within \d+ ms; the ideal's 2, \d+ ms on average, 90% within \d+ ms$`,
	} {
		if n := len(regexp.MustCompile(want).FindAllString(report, -1)); n != 4 {
			t.Errorf("%d lines match %s, want one per run and backend (4):\n%s", n, want, report)
		}
	}
	// Each type's refreshes, in each plan and each destroy, timed by Terraform's UI.
	refreshes := `(?m)^      refreshes from Terraform's refresh_start to its refresh_complete: the provider's 2, \d+ ms on average, 90% within \d+ ms; the ideal's 2, \d+ ms on average, 90% within \d+ ms$`
	if n := len(regexp.MustCompile(refreshes).FindAllString(report, -1)); n != 32 {
		t.Errorf("%d lines match %s, want one per type in each plan and destroy (32):\n%s", n, refreshes, report)
	}
	// For each type, the time none of its writes or refreshes was running: its creates in each apply,
	// its refreshes in each plan and destroy, its deletes in each destroy.
	gaps := `(?m)^        time with none of them running, between the first start and the last end: the provider's \d+\.\d\ds, the ideal's \d+\.\d\ds$`
	if n := len(regexp.MustCompile(gaps).FindAllString(report, -1)); n != 64 {
		t.Errorf("%d lines match %s, want 16 per run and backend (64):\n%s", n, gaps, report)
	}
	// Each command's CPU time, split between Terraform and the provider processes, which report
	// theirs (internal/cpuprofile), for both providers.
	cpu := `(?m)^  2 per type, 1ms, (local|http) state: (apply|plan|destroy) in \d+\.\d\ds \(CPU \d+\.\ds: Terraform \d+\.\ds, the provider \d+\.\ds; the bench's, serving the sandbox and state, \d+\.\ds\), ideal \d+\.\d\ds \(CPU \d+\.\ds: Terraform \d+\.\ds, the ideal provider \d+\.\ds\)$`
	if n := len(regexp.MustCompile(cpu).FindAllString(report, -1)); n != 12 {
		t.Errorf("%d lines match %s, want one per command (12):\n%s", n, cpu, report)
	}
	// Each run's no-change plans: three pairs, the provider first in the first and the third.
	pairs := regexp.MustCompile(`(?m)^  2 per type, 1ms, (?:local|http) state: pair (\d)(\*?): the provider \d+\.\d\ds \(CPU \d+\.\ds: Terraform \d+\.\ds, the provider \d+\.\ds\), the no-op \d+\.\d\ds \(CPU \d+\.\ds: Terraform \d+\.\ds, the ideal provider \d+\.\ds\), ÷ \d+\.\d\d$`).FindAllStringSubmatch(report, -1)
	if len(pairs) != 12 {
		t.Errorf("%d plan pairs in the report, want 3 per run and backend (12):\n%s", len(pairs), report)
	}
	for i, p := range pairs {
		if want := strconv.Itoa(i%3 + 1); p[1] != want || (p[2] == "*") != (i%3 != 1) {
			t.Errorf("plan pair line %d is pair %s%s, want pair %s, the provider first in pairs 1 and 3", i, p[1], p[2], want)
		}
	}
	// The sum of the writes' times, for each apply and each destroy.
	held := `(?m)^    all writes from apply_start to apply_complete: \d+\.\d\ds, the ideal's \d+\.\d\ds \(÷ \d+\.\d\d\); each includes waiting for Terraform's state lock, longer the more resources the state holds$`
	if n := len(regexp.MustCompile(held).FindAllString(report, -1)); n != 8 {
		t.Errorf("%d lines match %s, want one per apply and destroy (8):\n%s", n, held, report)
	}
}

// TestStateServer: the in-memory http backend stores, returns and deletes a state, and one lock
// at a time, whose holder alone writes the state and unlocks it.
func TestStateServer(t *testing.T) {
	s := newStateServer()
	defer s.Close()
	do := func(method, query, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, s.URL+"/state/x"+query, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, step := range []struct{ method, query, body, want string }{
		{"GET", "", "", "404 "},
		{"POST", "", `{"serial":1}`, "200 "},
		{"GET", "", "", `200 {"serial":1}`},
		{"LOCK", "", `{"ID":"a"}`, "200 "},
		{"LOCK", "", `{"ID":"b"}`, `423 {"ID":"a"}`},
		{"POST", "?ID=b", `{"serial":2}`, `423 {"ID":"a"}`},
		{"POST", "", `{"serial":2}`, `423 {"ID":"a"}`},
		{"POST", "?ID=a", `{"serial":3}`, "200 "},
		{"GET", "", "", `200 {"serial":3}`},
		{"UNLOCK", "", `{"ID":"b"}`, `409 {"ID":"a"}`},
		{"UNLOCK", "", `{"ID":"a"}`, "200 "},
		{"LOCK", "", `{"ID":"b"}`, "200 "},
		{"UNLOCK", "", "", "200 "}, // force-unlock
		{"POST", "", `{"serial":4}`, "200 "},
		{"DELETE", "", "", "200 "},
		{"GET", "", "", "404 "},
	} {
		code, body := do(step.method, step.query, step.body)
		if got := fmt.Sprintf("%d %s", code, body); got != step.want {
			t.Errorf("%s%s %s: %q, want %q", step.method, step.query, step.body, got, step.want)
		}
	}
}

// TestProviderCPU: the CPU times the provider processes of one command reported are summed and
// removed, another command's and other files are left alone, a command whose processes reported none has no split,
// and a file that is not a time is an error, as is the command's own.
func TestProviderCPU(t *testing.T) {
	b := &bench{usage: t.TempDir()}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(b.usage, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("2-1ms-local-0-apply.101", "1500000000\n")
	write("2-1ms-local-0-apply.102", "250000000\n")
	write("ideal-2-1ms-local-0-apply.103", "70000000\n")
	write("2-1ms-local-0-apply.pprof.104", "a profile, not a time") // not a process's CPU time
	write("2-1ms-local-10-apply.105", "1\n")                        // another run's

	got, err := b.providerCPU("2/1ms/local/0 apply", nil)
	if err != nil || got != (processCPU{took: 1750 * time.Millisecond, known: true}) {
		t.Fatalf("providerCPU = %+v, %v; want 1.75s, known", got, err)
	}
	if s := split(4*time.Second, got, "the provider"); s != "4.0s: Terraform 2.2s, the provider 1.8s" {
		t.Errorf("split = %q", s)
	}
	if again, err := b.providerCPU("2/1ms/local/0 apply", nil); err != nil || again.known {
		t.Errorf("the files read are not removed: %+v, %v", again, err)
	}
	if ideal, err := b.providerCPU("ideal 2/1ms/local/0 apply", nil); err != nil || ideal.took != 70*time.Millisecond {
		t.Errorf("the ideal's file: %+v, %v", ideal, err)
	}
	if s := split(4*time.Second, processCPU{}, "the provider"); s != "4.0s" {
		t.Errorf("split without the provider's CPU = %q", s)
	}

	failed := errors.New("terraform apply: exit status 1")
	if _, err := b.providerCPU("2/1ms/local/0 apply", failed); !errors.Is(err, failed) {
		t.Errorf("the command's error is lost: %v", err)
	}
	write("2-1ms-local-0-plan.104", "not a number")
	if _, err := b.providerCPU("2/1ms/local/0 plan", nil); err == nil {
		t.Error("a file that is not a time is no error")
	}
}

// TestPlanPairs: plan ÷ no-op is the median of the pairs' ratios, not the ratio of the median
// times, and a pair in which a slow moment fell on one plan moves it no more than any other pair.
func TestPlanPairs(t *testing.T) {
	sec := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	r := result{plans: []planPair{
		{provider: sec(30), noop: sec(29)}, // 1.034
		{provider: sec(38), noop: sec(37)}, // 1.027, both slow
		{provider: sec(36), noop: sec(29)}, // 1.241, a slow moment on the provider's
		{provider: sec(31), noop: sec(32)}, // 0.969
		{provider: sec(33), noop: sec(30)}, // 1.100
	}}
	// The medians of the times, 33 s and 30 s, would make 1.10.
	if got := r.planRatio(); got < 1.033 || got > 1.035 {
		t.Errorf("planRatio = %.3f, want the median ratio 1.034", got)
	}
	if provider, noop := r.planTimes(); provider != sec(33) || noop != sec(30) {
		t.Errorf("planTimes = %v, %v; want the medians 33s, 30s", provider, noop)
	}
	// Without pairs, the ratio of the first plans' times.
	one := result{}
	one.plan.took, one.ideal.plan = sec(33), sec(30)
	if got := one.planRatio(); got < 1.099 || got > 1.101 {
		t.Errorf("planRatio without pairs = %.3f, want 1.10", got)
	}
	for i, want := range []bool{true, false, true, false} {
		if providerFirst(i) != want {
			t.Errorf("providerFirst(%d) = %v, want %v", i, !want, want)
		}
	}
}
