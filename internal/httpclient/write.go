package httpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"
)

// The life of a request
//
// Every request, read or write, goes through the same states. Only a create (Request.NonIdempotent)
// can reach unknown and resolved: it is the one write that must never be repeated blindly.
//
//	state     what is true                                     leaves for
//	queued    nothing has been sent: the request waits for its  sent, when the pacer admits it; or it ends,
//	          backoff or the pacer. The caller may cancel it.   interrupted (the caller gave up), nothing sent
//	sent      handed to the transport: the point of no return.  answered, when a status and its body arrive;
//	          A write is finished on a context of its own,      unknown, for a create that gets no clear answer
//	          bounded by RequestTimeout: the caller can no      (a broken connection or a timeout once a
//	          longer cancel it, and its answer is not lost.     connection was made)
//	answered  the status says what happened.                    done: 2xx, or an error that changed nothing;
//	                                                            queued again: 429, or a failure worth retrying
//	                                                            on a request that is safe to repeat; unknown:
//	                                                            a create answered 500, 502, 503, 504, 520-524,
//	                                                            or 2xx with an answer that cannot be read
//	unknown   a create may or may not have been applied.        resolved, by a lookup that runs on a detached,
//	                                                            bounded context (Config.ResolveTimeout)
//	resolved  adopted: the lookup found what the create made;   done; absent: queued again, unless the caller
//	          absent; ambiguous or unsettled: an error that     gave up or the retries ran out
//	          names what to do.
//
// A request whose caller gives up while it is sent still ends in answered or unknown: a rotation that
// reached the server is finished and its new secret returned; a create is resolved.

// phase is a state of the table above.
type phase int

const (
	queued phase = iota
	sent
	answered
	unknown
	resolved
)

func (p phase) String() string {
	return [...]string{"queued", "sent", "answered", "unknown", "resolved"}[p]
}

// outgoing is one request, ready to be sent as often as its attempts need.
type outgoing struct {
	req    Request
	url    string
	body   []byte
	header http.Header
}

// write reports whether the request may change data: once sent, it is finished whatever the caller
// does.
func (o *outgoing) write() bool {
	return o.req.Method != http.MethodGet && o.req.Method != http.MethodHead
}

// verdict is what the end of one attempt means for the request.
type verdict int

const (
	// succeeded: a 2xx whose answer was read (and decoded).
	succeeded verdict = iota
	// failed: an answer or failure that says what went wrong and that another attempt cannot fix.
	failed
	// retryable: nothing was applied, or the request is safe to repeat.
	retryable
	// mayBeApplied: a create that may or may not have been applied (the unknown state).
	mayBeApplied
)

// attempt is what one sent attempt came back with.
type attempt struct {
	status int
	header http.Header
	// data is the answer's body, read whole (up to maxResponseBytes).
	data []byte
	// err is the transport's error, or the error reading the body.
	err error
	// connected is set once the transport had a connection for the request: before that, nothing
	// has left this machine and the request is safe to send again, a create too.
	connected bool
	// tooLarge is set when the body was larger than maxResponseBytes.
	tooLarge bool
}

// exchange follows one request through its states.
type exchange struct {
	c        *Client
	o        *outgoing
	phase    phase
	attempts int
	// create is the create's entry among the client's creates in flight (nil for other requests).
	create *creation
}

// enter moves the exchange to state p, and says so in the provider's TRACE log: with the requests
// and answers logged at DEBUG, the log shows where each request was when something happened.
func (x *exchange) enter(ctx context.Context, p phase) {
	if x.phase == p && p != queued {
		return
	}
	x.phase = p
	x.c.logState(ctx, x.o.req, p, x.attempts)
}

// run sends the request until an answer settles it: the loop of queued → sent → answered. It
// returns the successful answer (decoded into out), or an *APIError whose Kind says what happened.
func (x *exchange) run(ctx context.Context, out any) (*Response, error) {
	var wait time.Duration
	for {
		x.enter(ctx, queued)
		if err := x.queue(ctx, wait); err != nil {
			return nil, x.interrupted(ctx, err, nil)
		}
		a := x.send(ctx)
		if a.err == nil {
			x.enter(ctx, answered)
		}
		v, apiErr := x.judge(a, out)
		switch v {
		case succeeded:
			x.create.settle(out)
			return &Response{StatusCode: a.status, Header: a.header, Body: a.data}, nil
		case mayBeApplied:
			x.enter(ctx, unknown)
			x.create.settle(nil)
			apiErr.Kind = ErrOutcomeUnknown
			return nil, apiErr
		case failed:
			x.create.settle(nil)
			return nil, apiErr
		}
		x.create.settle(nil)
		if ctx.Err() != nil {
			// Nothing more is sent for a caller that gave up; what the last attempt got says why.
			return nil, x.interrupted(ctx, ctx.Err(), apiErr)
		}
		if x.attempts > x.c.cfg.MaxRetries {
			return nil, apiErr
		}
		wait = x.c.backoff(x.c.cfg.RetryWaitMin, x.c.cfg.RetryWaitMax, x.attempts-1, a.header)
	}
}

// queue is the queued state: the wait before an attempt (the backoff, then the pacer). It ends
// with the caller's cancellation, before anything is sent.
func (x *exchange) queue(ctx context.Context, backoff time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if backoff > 0 {
		if err := sleep(ctx, backoff); err != nil {
			return err
		}
	}
	return nil
}

// send is the sent state: one attempt, from the pacer's admission to the whole answer. A write runs
// on a context detached from the caller's: once it leaves the queue the caller cannot cancel it,
// and its answer always arrives or times out (RequestTimeout).
func (x *exchange) send(ctx context.Context) (a attempt) {
	done := func(attemptEnd) {}
	if x.c.pacer != nil {
		var err error
		if done, err = x.c.pacer.wait(ctx); err != nil {
			// Still queued: the pacer held it back and the caller gave up.
			x.enter(ctx, queued)
			return attempt{err: err}
		}
	}
	x.attempts++
	x.enter(ctx, sent)
	x.create.send()
	defer func() { done(endOf(a.status, a.header)) }()

	attemptCtx := ctx
	if x.o.write() {
		attemptCtx = context.WithoutCancel(ctx)
	}
	attemptCtx, cancel := context.WithTimeout(attemptCtx, x.c.cfg.RequestTimeout)
	defer cancel()
	var connected atomic.Bool
	attemptCtx = httptrace.WithClientTrace(attemptCtx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})

	var body io.Reader
	if x.o.body != nil {
		body = bytes.NewReader(x.o.body)
	}
	hreq, err := http.NewRequestWithContext(attemptCtx, x.o.req.Method, x.o.url, body)
	if err != nil {
		return attempt{err: err}
	}
	if x.o.body != nil {
		b := x.o.body
		hreq.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	hreq.Header = x.o.header.Clone()

	start := time.Now()
	x.c.logRequest(ctx, hreq, x.attempts)
	resp, err := x.c.transport.RoundTrip(hreq)
	if err != nil {
		x.c.logResponse(ctx, hreq, nil, nil, err, time.Since(start))
		return attempt{err: err, connected: connected.Load()}
	}
	a = attempt{status: resp.StatusCode, header: resp.Header, connected: true}
	size := resp.ContentLength
	if hreq.Method == http.MethodHead {
		size = -1 // the length of the body a GET would have had; this one is empty
	}
	a.data, a.tooLarge, a.err = readAll(resp.Body, size)
	_ = resp.Body.Close()
	x.c.logResponse(ctx, hreq, resp, a.data, a.err, time.Since(start))
	return a
}

// readAll reads a body whole, up to maxResponseBytes; tooLarge reports a longer one. size is the
// length the answer declares (-1 when it declares none): a body of that length is read into one
// buffer of that size, where reading it in growing buffers would allocate about three times as
// much (a list of thousands of webhooks is a megabyte). The declared length is only a hint: a
// body longer or shorter than declared is read as it comes, and never past maxResponseBytes.
func readAll(r io.Reader, size int64) (data []byte, tooLarge bool, err error) {
	r = io.LimitReader(r, maxResponseBytes+1)
	if size < 0 || size > maxResponseBytes {
		data, err = io.ReadAll(r)
	} else {
		// One byte more than declared, so that the read that finds the end needs no new buffer.
		data = make([]byte, 0, size+1)
		for len(data) <= maxResponseBytes {
			if len(data) == cap(data) {
				data = append(data, 0)[:len(data)]
			}
			n, readErr := r.Read(data[len(data):cap(data)])
			data = data[:len(data)+n]
			if readErr != nil {
				if readErr != io.EOF {
					err = readErr
				}
				break
			}
		}
	}
	if len(data) > maxResponseBytes {
		return data[:maxResponseBytes], true, err
	}
	return data, false, err
}

// judge decides what an attempt's end means (the transitions out of sent and answered), and
// builds the error that reports it.
func (x *exchange) judge(a attempt, out any) (verdict, *APIError) {
	create := x.o.req.NonIdempotent
	e := x.c.apiError(x.o.req, nil)
	e.StatusCode, e.Attempts = a.status, x.attempts

	if a.err != nil && a.status == 0 {
		e.Kind, e.Cause = ErrServer, a.err
		switch {
		case connectionProblem(x.c.base, a.err) != "":
			e.Kind, e.Message = ErrConnection, connectionProblem(x.c.base, a.err)
			return failed, e
		case !a.connected:
			// Nothing left this machine: safe to send again, a create too.
			return retryable, e
		case create:
			return mayBeApplied, e
		}
		return retryable, e
	}

	if a.status >= 200 && a.status < 300 {
		err := a.err
		switch {
		case a.tooLarge:
			err = fmt.Errorf("the answer is larger than %d MiB, the most the provider reads", maxResponseBytes>>20)
		case err == nil:
			err = decode(a.data, out)
		}
		if err == nil {
			x.c.reached.Store(true)
			return succeeded, nil
		}
		e.Kind, e.Cause = ErrServer, fmt.Errorf("unreadable answer: %w", err)
		switch {
		case create:
			// It was applied, but what it made cannot be read: look for it.
			return mayBeApplied, e
		case a.err != nil:
			// The body broke off (a reset stream, a dropped connection): safe to ask again.
			return retryable, e
		}
		return failed, e
	}

	if a.status >= 300 && a.status < 400 {
		e.Kind, e.Message = ErrRedirect, x.c.redirectMessage(x.c.base, a.header.Get("Location"))
		return failed, e
	}

	x.c.describeError(e, a)
	switch {
	case x.o.req.MustExist && a.status == http.StatusNotFound && x.c.reached.Load():
		// The base URL has answered before: whatever answers 404 now (a CDN, a deploy) is passing. A
		// read asks again; a write, which a 404 did not apply, is not sent twice.
		e.Kind = ErrServer
		if x.o.write() {
			return failed, e
		}
		return retryable, e
	case x.o.req.MustExist && a.status == http.StatusNotFound:
		// An HTTP 404 itself, not a vendor's "not found" of a request it read (a 400 naming an
		// unknown id in the request is about the request, not a missing endpoint).
		e.Kind = ErrWrongBaseURL
		if e.Message == "" {
			e.Message = x.c.wrongBaseURL()
		} else {
			e.Message += " (" + x.c.wrongBaseURL() + ")"
		}
		return failed, e
	case a.status == http.StatusTooManyRequests:
		return retryable, e
	case MayHaveBeenApplied(a.status) && create:
		return mayBeApplied, e
	case MayHaveBeenApplied(a.status):
		return retryable, e
	}
	return failed, e
}

// decode reads a successful answer into out (itself, if it is a BodyDecoder), and checks it is
// complete (Validator).
func decode(data []byte, out any) error {
	if out == nil {
		return nil
	}
	var err error
	if len(bytes.TrimSpace(data)) > 0 {
		if d, ok := out.(BodyDecoder); ok {
			err = d.DecodeBody(data)
		} else {
			err = json.Unmarshal(data, out)
		}
	}
	if v, ok := out.(Validator); ok && err == nil {
		err = v.Validate() // an empty answer too: it is not the object asked for
	}
	return err
}

// interrupted is the error of a request whose caller gave up (cause is its context's error) while
// it was queued; last is what its last attempt got, if it was sent.
func (x *exchange) interrupted(ctx context.Context, cause error, last *APIError) *APIError {
	e := x.c.apiError(x.o.req, ErrInterrupted)
	if last != nil {
		*e = *last
		e.Cause = errors.Join(cause, last.Cause)
	} else {
		e.Attempts, e.Cause = x.attempts, cause
	}
	e.Kind = ErrInterrupted
	if !errors.Is(ctx.Err(), context.Canceled) {
		// A deadline, not an interrupt: the operation's timeout ran out.
		e.Kind = ErrServer
	}
	switch {
	case x.attempts == 0:
		e.Message = "stopped before it was sent: nothing was sent"
	case last != nil && x.o.write() && MayHaveBeenApplied(last.StatusCode):
		e.Message = strings.TrimSpace(e.Message + fmt.Sprintf(" (stopped before it was tried again; the answer, HTTP %d, "+
			"may come from a gateway while the API applied it: the next refresh shows)", last.StatusCode))
	default:
		e.Message = strings.TrimSpace(e.Message + " (stopped before it was tried again)")
	}
	return e
}
