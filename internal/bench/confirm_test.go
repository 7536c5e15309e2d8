package main

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestConfirmOp(t *testing.T) {
	for _, tc := range []struct {
		method, path, typeName, op string
	}{
		{http.MethodGet, "/v2.0/admin/webhook-subscriptions", "webhooks_inveterate_webhook_subscription", "list"},
		{http.MethodPost, "/v2.0/admin/webhook-subscriptions", "webhooks_inveterate_webhook_subscription", "create"},
		{http.MethodDelete, "/v2.0/admin/webhook-subscriptions", "", ""}, // no list confirms it
		{http.MethodPut, "/v2.0/admin/webhook-subscriptions", "", ""},
		{http.MethodGet, "/v2.0/admin/webhooks", "webhooks_inveterate_webhook", "list"},
		{http.MethodPost, "/v2.0/admin/webhooks", "webhooks_inveterate_webhook", "create"},
		{http.MethodDelete, "/v2.0/admin/webhooks", "webhooks_inveterate_webhook", "delete"},
		{http.MethodDelete, "/v2.0/admin/webhooks/0123", "webhooks_inveterate_webhook", "delete"},
		{http.MethodGet, "/v2.0/admin/webhooks/0123", "", ""},
		{http.MethodDelete, "/v2.0/admin/webhooks/", "", ""},
		{http.MethodDelete, "/v2.0/admin/webhook-subscriptions/0123", "", ""},
		{http.MethodPost, "/v1/webhooks", "", ""},
		{http.MethodGet, "/api/v1/partner/webHooks", "", ""},
	} {
		typeName, op, ok := confirmOp(tc.method, tc.path)
		if typeName != tc.typeName || op != tc.op || ok != (tc.op != "") {
			t.Errorf("%s %s: %q %q %v, want %q %q", tc.method, tc.path, typeName, op, ok, tc.typeName, tc.op)
		}
	}
}

// A write is confirmed by the earliest answer of the lists that came in no earlier than it did.
func TestConfirm(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var l confirmLog
	// Lists noted in the order they were answered, not the order they came in.
	for _, ex := range []exchange{{ms(0), ms(30)}, {ms(40), ms(100)}, {ms(35), ms(120)}, {ms(130), ms(150)}} {
		l.add("list", ex)
	}
	for _, in := range []int{0, 10, 36, 40, 140} {
		l.add("create", exchange{in: ms(in), out: ms(in + 20)})
	}
	l.add("delete", exchange{in: ms(100), out: ms(120)})
	// 0: the list that came in with it (30); 10, 36 and 40: the list in at 40, answered at 100, before
	// the one in at 35; 140: none.
	c, ok := l.confirm("create")
	want := confirmation{writes: 4, unconfirmed: 1, mean: ms((30 + 90 + 64 + 60) / 4), p90: ms(90)}
	if !ok || c != want {
		t.Errorf("creates: %+v %v, want %+v", c, ok, want)
	}
	if got, want := c.String(), "4 confirmed 61 ms after they came in on average, 90% within 90 ms (1 with no list after them)"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if c, ok := l.confirm("delete"); !ok || c != (confirmation{writes: 1, mean: ms(50), p90: ms(50)}) {
		t.Errorf("deletes: %+v %v", c, ok)
	}
	if _, ok := l.confirm("update"); ok {
		t.Error("an operation with no writes has a confirmation")
	}
}

// sender returns a function that sends a request through tl's wrap of a sandbox that answers it with
// refused when its query says answer=refused, with no answer at all for answer=none, and otherwise
// after pause with 200 and an empty JSON object.
func sender(tl *timeline, refused int, pause time.Duration) func(method, target string) {
	h := tl.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("answer") {
		case "refused":
			w.WriteHeader(refused)
		case "none":
		default:
			time.Sleep(pause)
			_, _ = w.Write([]byte("{}"))
		}
	}))
	return func(method, target string) {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, target, nil))
	}
}

// The timeline notes an answered write or list of a confirmed type in the command it came in during,
// and nothing that the sandbox refused or left unanswered, nor anything once the command has ended.
func TestTimelineConfirms(t *testing.T) {
	tl := &timeline{}
	send := sender(tl, http.StatusBadRequest, 0)
	send(http.MethodPost, "/v2.0/admin/webhooks") // no command yet
	tl.reset("apply")
	send(http.MethodPost, "/v2.0/admin/webhooks")
	send(http.MethodPost, "/v2.0/admin/webhooks?answer=refused")
	send(http.MethodGet, "/v2.0/admin/webhooks?answer=none")
	send(http.MethodGet, "/v2.0/admin/webhooks")
	send(http.MethodDelete, "/v2.0/admin/webhooks/abc")
	send(http.MethodPost, "/v1/webhooks")
	_, _, confirms := tl.spans()
	send(http.MethodGet, "/v2.0/admin/webhooks") // the command has ended
	l := confirms["webhooks_inveterate_webhook"]
	if len(confirms) != 1 || l == nil || len(l.writes["create"]) != 1 || len(l.writes["delete"]) != 1 || len(l.lists) != 1 {
		t.Fatalf("confirms = %v, want one create, one delete and one list of admin webhooks", confirms)
	}
	if c, ok := l.confirm("delete"); !ok || c.writes != 0 || c.unconfirmed != 1 || c.String() != "none confirmed (1 with no list after them)" {
		t.Errorf("the delete, sent after the list: %+v %v %q", c, ok, c.String())
	}
}

// The trace has a line for every request of a command once it is answered: when it came in, what it
// was, the answer's status (0: none) and when it was answered; nothing outside a command.
func TestTimelineTrace(t *testing.T) {
	var trace strings.Builder
	tl := &timeline{trace: &trace}
	send := sender(tl, http.StatusServiceUnavailable, 5*time.Millisecond)
	send(http.MethodGet, "/v1/webhooks") // no command yet
	tl.reset("100/20ms/local/0 apply")
	send(http.MethodGet, "/v2.0/admin/webhook-subscriptions")
	send(http.MethodGet, "/v2.0/admin/webhooks?answer=refused")
	send(http.MethodPost, "/api/v1/partner/webHooks?answer=none")
	send(http.MethodDelete, "/v1/webhooks/abc?answer=refused") // a path no list confirms
	tl.spans()
	send(http.MethodGet, "/v1/webhooks") // the command has ended

	lines := strings.Split(strings.TrimSuffix(trace.String(), "\n"), "\n")
	want := []struct{ vendor, method, path, status string }{
		{"inveterate", "GET", "/v2.0/admin/webhook-subscriptions", "200"},
		{"inveterate", "GET", "/v2.0/admin/webhooks", "503"},
		{"blaze", "POST", "/api/v1/partner/webHooks", "0"},
		{"lune", "DELETE", "/v1/webhooks/abc", "503"},
	}
	if len(lines) != len(want) {
		t.Fatalf("trace:\n%s\nwant %d lines", trace.String(), len(want))
	}
	for i, w := range want {
		f := strings.Fields(lines[i])
		if len(f) != 8 || f[0] != "100/20ms/local/0" || f[1] != "apply" || f[3] != w.vendor || f[4] != w.method || f[5] != w.path || f[6] != w.status {
			t.Errorf("line %d = %q, want the command, when it came in, %s %s %s, status %s and when it was answered", i, lines[i], w.vendor, w.method, w.path, w.status)
			continue
		}
		in, errIn := strconv.ParseFloat(f[2], 64)
		out, errOut := strconv.ParseFloat(f[7], 64)
		if errIn != nil || errOut != nil || out < in || i == 0 && out-in < 0.003 {
			t.Errorf("line %d = %q: came in at %s, answered at %s (the first took 5 ms)", i, lines[i], f[2], f[7])
		}
	}
}
