package main

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The provider's Inveterate creates and admin webhook deletes end when a list confirms them. The
// bench sees them from the sandbox's side: when each write came in, and when each list came in and
// was answered. The first list to come in after a write is the first that can show it (or show it
// gone): the write's confirmation is the end of the earliest-answered such list. From the write's
// arrival to then is what the write cost beyond the provider's own work, to set beside the ideal
// provider's two latencies.

// exchange is one request as the sandbox saw it: when it came in and when it was answered, since the
// command started.
type exchange struct{ in, out time.Duration }

// confirmLog is what one resource type's list confirms: the writes by operation ("create",
// "delete"), when each came in, and the lists.
type confirmLog struct {
	writes map[string][]time.Duration
	lists  []exchange
}

// confirmedLists are Inveterate's lists that confirm writes, each with the resource type whose writes
// it confirms.
var confirmedLists = []struct{ path, typeName string }{
	{"/v2.0/admin/webhook-subscriptions", "webhooks_inveterate_webhook_subscription"},
	{"/v2.0/admin/webhooks", "webhooks_inveterate_webhook"},
}

// confirmedType is the resource type whose writes the list at path confirms ("": none).
func confirmedType(path string) string {
	for _, l := range confirmedLists {
		if l.path == path {
			return l.typeName
		}
	}
	return ""
}

// confirmOp tells what a request is to a confirmed resource type: its type name, and "list", or the
// operation of a write that a list confirms ("create", and for admin webhooks "delete"); ok is false
// for any other request.
func confirmOp(method, path string) (typeName, op string, ok bool) {
	listPath, id, hasID := path, "", false
	if i := strings.LastIndexByte(path, '/'); i > 0 && confirmedType(path) == "" {
		listPath, id, hasID = path[:i], path[i+1:], true
	}
	typeName = confirmedType(listPath)
	switch {
	case typeName == "" || hasID && (id == "" || method != http.MethodDelete):
		return "", "", false
	case method == http.MethodGet && !hasID:
		return typeName, "list", true
	case method == http.MethodPost && !hasID:
		return typeName, "create", true
	case method == http.MethodDelete && typeName == "webhooks_inveterate_webhook":
		return typeName, "delete", true
	}
	return "", "", false
}

// add notes one exchange of op.
func (l *confirmLog) add(op string, ex exchange) {
	if op == "list" {
		l.lists = append(l.lists, ex)
		return
	}
	if l.writes == nil {
		l.writes = map[string][]time.Duration{}
	}
	l.writes[op] = append(l.writes[op], ex.in)
}

// confirmation is how long the writes of one operation waited for their lists: from when each came
// in to its confirmation (see the top of this file).
type confirmation struct {
	// writes is how many were confirmed; unconfirmed how many no list came in after.
	writes, unconfirmed int
	mean, p90           time.Duration
}

func (c confirmation) String() string {
	if c.writes == 0 {
		return fmt.Sprintf("none confirmed (%d with no list after them)", c.unconfirmed)
	}
	s := fmt.Sprintf("%d confirmed %.0f ms after they came in on average, 90%% within %.0f ms", c.writes,
		milliseconds(c.mean), milliseconds(c.p90))
	if c.unconfirmed > 0 {
		s += fmt.Sprintf(" (%d with no list after them)", c.unconfirmed)
	}
	return s
}

// confirm measures the confirmation of every write of op.
func (l *confirmLog) confirm(op string) (confirmation, bool) {
	writes := l.writes[op]
	if len(writes) == 0 {
		return confirmation{}, false
	}
	lists := slices.Clone(l.lists)
	slices.SortFunc(lists, func(a, b exchange) int { return cmp.Compare(a.in, b.in) })
	// firstOut[i] is the earliest answer of the lists from i on, those that came in no earlier; never,
	// past the last.
	const never = time.Duration(math.MaxInt64)
	firstOut := make([]time.Duration, len(lists)+1)
	firstOut[len(lists)] = never
	for i := len(lists) - 1; i >= 0; i-- {
		firstOut[i] = min(lists[i].out, firstOut[i+1])
	}
	var c confirmation
	var waited []time.Duration
	for _, in := range writes {
		i, _ := slices.BinarySearchFunc(lists, in, func(ex exchange, in time.Duration) int { return cmp.Compare(ex.in, in) })
		if firstOut[i] == never {
			c.unconfirmed++
			continue
		}
		waited = append(waited, firstOut[i]-in)
	}
	if len(waited) == 0 {
		return c, true
	}
	c.writes = len(waited)
	c.mean, c.p90 = meanAndP90(waited)
	return c, true
}

// statusWriter is a ResponseWriter that notes the status of the answer (0: none was written).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Hijack lets the sandbox drop the connection, as it does to lose an answer on purpose.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the connection cannot be taken over")
	}
	return hj.Hijack()
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
