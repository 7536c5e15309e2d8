// Command testreport turns `go test -json` into what a person can follow while make test runs: a
// line per package as it finishes, a line every half minute while packages still run, then every
// failure's output and every skipped test with its reason. It exits non-zero when anything failed,
// or when the stream ends before every package it started finished.
//
//	go test -json ./... | go run ./internal/testreport
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
	// ImportPath names the package of a build-output or build-fail event.
	ImportPath string
}

// pkg is what is known of one package so far.
type pkg struct {
	done            bool
	passed, skipped int
	failed          []string
}

// report is the state of the stream read so far.
type report struct {
	out      io.Writer
	start    time.Time
	pkgs     map[string]*pkg
	order    []string
	outputs  map[string][]string // "pkg test" -> its output lines, kept while it runs
	failures []string            // the output of each failure, in order
	skips    map[string][]string // reason -> "pkg Test" names
	builds   map[string][]string // import path -> build output
	failed   bool
}

func newReport(out io.Writer, start time.Time) *report {
	return &report{out: out, start: start, pkgs: map[string]*pkg{}, outputs: map[string][]string{},
		skips: map[string][]string{}, builds: map[string][]string{}}
}

// short drops the module path from a package's import path.
func short(p string) string {
	if i := strings.Index(p, "/internal/"); i >= 0 {
		return p[i+1:]
	}
	if i := strings.LastIndex(p, "/"); i >= 0 && strings.Count(p, "/") <= 2 {
		return p[i+1:]
	}
	return p
}

func (r *report) pkg(name string) *pkg {
	p, ok := r.pkgs[name]
	if !ok {
		p = &pkg{}
		r.pkgs[name] = p
		r.order = append(r.order, name)
	}
	return p
}

// add takes in one event.
func (r *report) add(e event) {
	switch e.Action {
	case "build-output":
		r.builds[e.ImportPath] = append(r.builds[e.ImportPath], e.Output)
		return
	case "build-fail":
		r.failed = true
		r.failures = append(r.failures, fmt.Sprintf("build of %s failed:\n%s", short(e.ImportPath), strings.Join(r.builds[e.ImportPath], "")))
		return
	}
	if e.Package == "" {
		return
	}
	p := r.pkg(e.Package)
	key := e.Package + " " + e.Test
	switch e.Action {
	case "output":
		r.outputs[key] = append(r.outputs[key], e.Output)
	case "pass", "skip", "fail":
		if e.Test == "" {
			r.finishPackage(e, p)
			return
		}
		r.finishTest(e, p, key)
	}
}

func (r *report) finishTest(e event, p *pkg, key string) {
	lines := r.outputs[key]
	delete(r.outputs, key)
	switch e.Action {
	case "pass":
		p.passed++
	case "skip":
		p.skipped++
		reason := skipReason(lines)
		r.skips[reason] = append(r.skips[reason], short(e.Package)+" "+e.Test)
	case "fail":
		p.failed = append(p.failed, e.Test)
		r.failed = true
		said := testOutput(lines)
		if said == "" && slices.ContainsFunc(p.failed, func(t string) bool { return strings.HasPrefix(t, e.Test+"/") }) {
			// A parent that failed because a subtest did: the subtest's block says why.
			return
		}
		r.failures = append(r.failures, fmt.Sprintf("--- FAIL: %s %s (%.1fs)\n%s", short(e.Package), e.Test, e.Elapsed, said))
	}
}

func (r *report) finishPackage(e event, p *pkg) {
	p.done = true
	lines := r.outputs[e.Package+" "]
	delete(r.outputs, e.Package+" ")
	tests := p.passed + p.skipped + len(p.failed)
	switch {
	case e.Action == "fail":
		r.failed = true
		// Tests that never ended: the one a timeout's panic or a crash stopped, whose output holds
		// the panic and the stack.
		var unfinished []string
		for key := range r.outputs {
			if test, ok := strings.CutPrefix(key, e.Package+" "); ok && test != "" {
				unfinished = append(unfinished, test)
			}
		}
		slices.Sort(unfinished)
		for _, test := range unfinished {
			r.failures = append(r.failures, fmt.Sprintf("--- UNFINISHED: %s %s\n%s", short(e.Package), test, testOutput(r.outputs[e.Package+" "+test])))
			delete(r.outputs, e.Package+" "+test)
		}
		// What the package itself said (a panic outside a test, TestMain, the final FAIL line).
		r.failures = append(r.failures, fmt.Sprintf("FAIL %s:\n%s", short(e.Package), strings.Join(lines, "")))
		fmt.Fprintf(r.out, "FAIL  %-48s %6.1fs  %d tests, %d failed\n", short(e.Package), e.Elapsed, tests, len(p.failed))
	case tests == 0:
		fmt.Fprintf(r.out, "      %-48s         no tests\n", short(e.Package))
	default:
		fmt.Fprintf(r.out, "ok    %-48s %6.1fs  %d tests", short(e.Package), e.Elapsed, tests)
		if p.skipped > 0 {
			fmt.Fprintf(r.out, ", %d skipped", p.skipped)
		}
		fmt.Fprintln(r.out)
	}
}

// testOutput is what a test printed, without the framework's own lines (=== RUN, --- FAIL, ...).
func testOutput(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		b.WriteString(l)
	}
	return b.String()
}

// skipReason is what a skipped test said: its last line that is not the framework's own.
func skipReason(lines []string) string {
	reason := "no reason given"
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		// "file_test.go:12: reason" -> "reason"
		if i := strings.Index(t, ": "); i > 0 && strings.Contains(t[:i], ".go:") {
			t = t[i+2:]
		}
		reason = t
	}
	return reason
}

// progress is the line printed while packages run.
func (r *report) progress(now time.Time) string {
	var running []string
	for _, name := range r.order {
		p := r.pkgs[name]
		if p.done {
			continue
		}
		n := p.passed + p.skipped + len(p.failed)
		running = append(running, fmt.Sprintf("%s (%d tests done)", short(name), n))
	}
	if len(running) == 0 {
		return ""
	}
	return fmt.Sprintf("  ... %s: still running %s", now.Sub(r.start).Round(time.Second), strings.Join(running, ", "))
}

// summary is printed at the end: failures, skipped tests by reason, totals.
func (r *report) summary(now time.Time) string {
	var b strings.Builder
	for _, f := range r.failures {
		fmt.Fprintf(&b, "\n%s", f)
	}
	var unfinished []string
	for _, name := range r.order {
		if !r.pkgs[name].done {
			unfinished = append(unfinished, short(name))
		}
	}
	if len(r.order) == 0 {
		r.failed = true
		b.WriteString("\nNo package reported a result: go test printed no test events (see its messages above).\n")
	}
	if len(unfinished) > 0 {
		r.failed = true
		fmt.Fprintf(&b, "\nThe test output ended before these packages finished: %s\n", strings.Join(unfinished, ", "))
	}
	if len(r.skips) > 0 {
		reasons := make([]string, 0, len(r.skips))
		total := 0
		for reason, tests := range r.skips {
			reasons = append(reasons, reason)
			total += len(tests)
		}
		slices.Sort(reasons)
		fmt.Fprintf(&b, "\nSkipped %d tests:\n", total)
		for _, reason := range reasons {
			tests := r.skips[reason]
			slices.Sort(tests)
			fmt.Fprintf(&b, "  %s (%d):\n", reason, len(tests))
			for _, t := range tests {
				fmt.Fprintf(&b, "      %s\n", t)
			}
		}
	}
	passed, skipped, failed := 0, 0, 0
	for _, p := range r.pkgs {
		passed, skipped, failed = passed+p.passed, skipped+p.skipped, failed+len(p.failed)
	}
	verdict := "PASS"
	if r.failed {
		verdict = "FAIL"
	}
	fmt.Fprintf(&b, "\n%s: %d passed, %d skipped, %d failed, in %s\n", verdict, passed, skipped, failed, now.Sub(r.start).Round(time.Second))
	return b.String()
}

func main() {
	r := newReport(os.Stdout, time.Now())
	events := make(chan event)
	go func() {
		defer close(events)
		in := bufio.NewScanner(os.Stdin)
		in.Buffer(make([]byte, 1<<20), 64<<20)
		for in.Scan() {
			var e event
			if err := json.Unmarshal(in.Bytes(), &e); err != nil {
				// Not an event (go vet's or the linker's words): pass it on.
				fmt.Println(in.Text())
				continue
			}
			events <- e
		}
	}()
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case e, ok := <-events:
			if !ok {
				fmt.Print(r.summary(time.Now()))
				if r.failed {
					os.Exit(1)
				}
				return
			}
			r.add(e)
		case now := <-tick.C:
			if line := r.progress(now); line != "" {
				fmt.Println(line)
			}
		}
	}
}
