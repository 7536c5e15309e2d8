package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func feed(t *testing.T, r *report, events ...event) {
	t.Helper()
	for _, e := range events {
		// Through JSON, as go test writes them.
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var back event
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		r.add(back)
	}
}

const mod = "github.com/webhookinfra/terraform-provider-webhooks"

func TestReport_passSkipFail(t *testing.T) {
	var out strings.Builder
	start := time.Now()
	r := newReport(&out, start)
	a, b := mod+"/internal/a", mod+"/internal/b"
	feed(t, r,
		event{Action: "start", Package: a},
		event{Action: "start", Package: b},
		event{Action: "run", Package: a, Test: "TestOne"},
		event{Action: "output", Package: a, Test: "TestOne", Output: "=== RUN   TestOne\n"},
		event{Action: "pass", Package: a, Test: "TestOne", Elapsed: 0.1},
		event{Action: "output", Package: a, Test: "TestNew", Output: "    x_test.go:12: Terraform CLI version 1.11.4 is below minimum version 1.16.0: skipping test\n"},
		event{Action: "skip", Package: a, Test: "TestNew"},
		event{Action: "output", Package: b, Test: "TestOld", Output: "    y_test.go:3: Terraform CLI version 1.11.4 is below minimum version 1.16.0: skipping test\n"},
		event{Action: "skip", Package: b, Test: "TestOld"},
		event{Action: "pass", Package: a, Elapsed: 2.5},
	)
	if !strings.Contains(out.String(), "ok    internal/a") || !strings.Contains(out.String(), "2 tests, 1 skipped") {
		t.Errorf("no line for the finished package:\n%s", out.String())
	}
	if p := r.progress(start.Add(31 * time.Second)); !strings.Contains(p, "31s: still running internal/b (1 tests done)") {
		t.Errorf("progress %q", p)
	}
	feed(t, r,
		event{Action: "output", Package: b, Test: "TestBroken/case", Output: "=== RUN   TestBroken/case\n"},
		event{Action: "output", Package: b, Test: "TestBroken/case", Output: "    z_test.go:9: want 1, got 2\n"},
		event{Action: "output", Package: b, Test: "TestBroken/case", Output: "--- FAIL: TestBroken/case (1.00s)\n"},
		event{Action: "fail", Package: b, Test: "TestBroken/case", Elapsed: 1},
		event{Action: "output", Package: b, Test: "TestBroken", Output: "--- FAIL: TestBroken (1.00s)\n"},
		event{Action: "fail", Package: b, Test: "TestBroken", Elapsed: 1},
		event{Action: "fail", Package: b, Elapsed: 3},
	)
	s := r.summary(start.Add(time.Minute))
	for _, want := range []string{
		"--- FAIL: internal/b TestBroken/case (1.0s)\n    z_test.go:9: want 1, got 2\n",
		"Skipped 2 tests:\n  Terraform CLI version 1.11.4 is below minimum version 1.16.0: skipping test (2):\n      internal/a TestNew\n      internal/b TestOld",
		"FAIL: 1 passed, 2 skipped, 2 failed, in 1m0s",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary does not say %q:\n%s", want, s)
		}
	}
	if !r.failed {
		t.Error("a failed test does not fail the report")
	}
	if strings.Contains(s, "TestBroken (") || strings.Contains(s, "=== RUN") || strings.Count(s, "--- FAIL") != 1 {
		t.Errorf("the failure is not told once, without the framework's lines:\n%s", s)
	}
}

// A stream that ends while a package runs (go test killed, a timeout's panic cut short) fails,
// and so does a package that fails without a failed test, with its output.
func TestReport_unfinishedAndPackageFailures(t *testing.T) {
	var out strings.Builder
	r := newReport(&out, time.Now())
	feed(t, r,
		event{Action: "start", Package: mod + "/internal/a"},
		event{Action: "output", Package: mod + "/internal/b", Output: "panic: test timed out after 20m0s\n"},
		event{Action: "fail", Package: mod + "/internal/b", Elapsed: 1200},
		event{Action: "build-output", ImportPath: mod + "/internal/c [" + mod + "/internal/c.test]", Output: "c.go:1: undefined: x\n"},
		event{Action: "build-fail", ImportPath: mod + "/internal/c [" + mod + "/internal/c.test]"},
	)
	s := r.summary(time.Now())
	for _, want := range []string{"FAIL internal/b:\npanic: test timed out", "undefined: x", "ended before these packages finished: internal/a", "FAIL:"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary does not say %q:\n%s", want, s)
		}
	}
}

func TestReport_allPass(t *testing.T) {
	var out strings.Builder
	r := newReport(&out, time.Now())
	feed(t, r, event{Action: "pass", Package: mod + "/internal/a", Test: "TestOne"}, event{Action: "pass", Package: mod + "/internal/a"})
	if s := r.summary(time.Now()); r.failed || !strings.Contains(s, "PASS: 1 passed, 0 skipped, 0 failed") {
		t.Errorf("failed %v:\n%s", r.failed, s)
	}
}

// A test stopped by the timeout's panic never ends: its output (the panic, the stack, its log) is
// shown under its name, even when another test of the package failed before.
func TestReport_timedOutTest(t *testing.T) {
	var out strings.Builder
	r := newReport(&out, time.Now())
	pkg := mod + "/internal/a"
	feed(t, r,
		event{Action: "output", Package: pkg, Test: "TestEarlier", Output: "    a_test.go:3: broken\n"},
		event{Action: "fail", Package: pkg, Test: "TestEarlier"},
		event{Action: "run", Package: pkg, Test: "TestHangs"},
		event{Action: "output", Package: pkg, Test: "TestHangs", Output: "    a_test.go:9: waiting for the sandbox\n"},
		event{Action: "output", Package: pkg, Test: "TestHangs", Output: "panic: test timed out after 20m0s\n"},
		event{Action: "output", Package: pkg, Output: "FAIL\tgithub.com/x/internal/a\t1200.0s\n"},
		event{Action: "fail", Package: pkg, Elapsed: 1200},
	)
	s := r.summary(time.Now())
	for _, want := range []string{"--- FAIL: internal/a TestEarlier", "--- UNFINISHED: internal/a TestHangs\n    a_test.go:9: waiting for the sandbox\npanic: test timed out", "FAIL internal/a:\nFAIL\tgithub.com/x/internal/a"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary does not say %q:\n%s", want, s)
		}
	}
}

// No events at all (go test refused its flags, go.mod is broken): not a pass.
func TestReport_noEvents(t *testing.T) {
	var out strings.Builder
	r := newReport(&out, time.Now())
	if s := r.summary(time.Now()); !r.failed || !strings.Contains(s, "No package reported a result") || strings.Contains(s, "PASS") {
		t.Errorf("failed %v:\n%s", r.failed, s)
	}
}
