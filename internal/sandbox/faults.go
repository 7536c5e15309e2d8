package sandbox

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// FailureKind is one kind of injected failure.
type FailureKind string

// The injectable failures. Only FailLostResponse, FailCDNTimeout, and Fail500 on
// an Inveterate POST, apply the request before failing; every other kind fails
// before authentication and applies nothing.
const (
	// Fail429 answers 429 without Retry-After (Lune: no body; BLAZE: its JSON
	// error; Inveterate: {"message":...}).
	Fail429 FailureKind = "429"
	// Fail429RetryAfter answers 429 with the header Retry-After: 1.
	Fail429RetryAfter FailureKind = "429-retry-after"
	// Fail500 answers 500 (Lune: no body). On an Inveterate create (POST) the
	// record IS created first, as Inveterate documents that a 500 "may have
	// been partly applied"; otherwise nothing is applied.
	Fail500 FailureKind = "500"
	// Fail503 answers 503; nothing is applied.
	Fail503 FailureKind = "503"
	// FailReset closes the connection without a response; nothing is applied.
	FailReset FailureKind = "reset"
	// FailLostResponse applies the request fully, then closes the connection
	// without a response: the case where a client cannot know the outcome.
	FailLostResponse FailureKind = "lost-response"

	// The answers of a CDN in front of the API rather than of the API itself.
	// They carry the CDN's HTML page, not the vendor's JSON, and none of the
	// vendor's headers (no Lune-Version), as the origin never wrote them.

	// FailCDNTimeout applies the request fully, then answers 524 "A timeout
	// occurred": the CDN gave up waiting while the origin went on, so the
	// client cannot know the outcome.
	FailCDNTimeout FailureKind = "cdn_timeout"
	// FailCDNError answers 502, 520, 521, 522 or 523 (picked by the seeded
	// fault RNG); nothing is applied, as if the origin never saw the request.
	FailCDNError FailureKind = "cdn_error"
	// FailRedirect answers 307 with a Location on another origin, a loopback
	// port where nothing listens (http://127.0.0.1:1, same path), as a
	// misconfigured proxy or base URL would; nothing is applied. A client
	// must refuse it rather than send its credentials elsewhere.
	FailRedirect FailureKind = "redirect"
)

// AllFailureKinds returns the failures of the vendor APIs themselves, in a
// stable order: the kinds injected when Faults.Kinds is empty. The CDN answers
// and the redirect are left out (see KnownFailureKinds) because they emulate
// what may sit in front of an API, not the API, and a redirect is a failure a
// correct client must not recover from; keeping this set as it was also keeps
// the failures a given Config.Seed replays.
func AllFailureKinds() []FailureKind {
	return []FailureKind{Fail429, Fail429RetryAfter, Fail500, Fail503, FailReset, FailLostResponse}
}

// KnownFailureKinds returns every FailureKind, in a stable order: those of
// AllFailureKinds, then the ones injected only when named.
func KnownFailureKinds() []FailureKind {
	return append(AllFailureKinds(), FailCDNTimeout, FailCDNError, FailRedirect)
}

// applies reports whether a request failing with k is applied (when it would
// have succeeded) before its answer is lost or replaced.
func (k FailureKind) applies(api API, method string) bool {
	switch k {
	case FailLostResponse, FailCDNTimeout:
		return true
	case Fail500:
		// Inveterate documents that a 500 "may have been partly applied".
		return api == Inveterate && method == http.MethodPost
	}
	return false
}

// ParseFailureKinds parses a comma-separated list of kinds ("" = none, which
// Faults reads as AllFailureKinds); it rejects unknown names.
func ParseFailureKinds(list string) ([]FailureKind, error) {
	var out []FailureKind
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k := FailureKind(part)
		if !slices.Contains(KnownFailureKinds(), k) {
			return nil, fmt.Errorf("unknown failure kind %q (known: %s)", part, kindNames())
		}
		out = append(out, k)
	}
	return out, nil
}

func kindNames() string {
	var names []string
	for _, k := range KnownFailureKinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// mustKnownKinds panics on an unknown kind: a typo in a test should fail
// loudly rather than silently inject nothing.
func mustKnownKinds(kinds ...FailureKind) {
	for _, k := range kinds {
		if !slices.Contains(KnownFailureKinds(), k) {
			panic(fmt.Sprintf("sandbox: unknown FailureKind %q (known: %s)", k, kindNames()))
		}
	}
}

// Faults is the fault injection of one API.
type Faults struct {
	// Latency is added to every request of the API before it is handled.
	Latency time.Duration
	// FailureRate is the probability (0..1) that a request gets an injected failure.
	FailureRate float64
	// Kinds are chosen uniformly at random when a failure triggers; empty =
	// AllFailureKinds (the CDN kinds and FailRedirect must be named).
	Kinds []FailureKind
}

func (f Faults) clone() Faults {
	if f.Kinds != nil {
		f.Kinds = slices.Clone(f.Kinds)
	}
	return f
}

// forcedFailure is a pending FailNext registration.
type forcedFailure struct {
	op   string
	kind FailureKind
	left int
}

// FailNext makes the next n requests of api whose operation is op ("" = any
// operation of that API) fail with kind, deterministically and before random
// injection is considered. Registrations are consumed in the order they were
// made. n <= 0 cancels the pending registrations for exactly that api and op.
func (s *Sandbox) FailNext(api API, op string, kind FailureKind, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.faultsOf(api) // panics on an unknown API
	if n <= 0 {
		s.forced[api] = slices.DeleteFunc(s.forced[api], func(f forcedFailure) bool { return f.op == op })
		return
	}
	mustKnownKinds(kind)
	s.forced[api] = append(s.forced[api], forcedFailure{op: op, kind: kind, left: n})
}

// pickFailure decides whether this request of api/op gets an injected failure:
// first a pending FailNext, then the random rate. It counts "<api>.injected".
func (s *Sandbox) pickFailure(api API, op string) (FailureKind, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kind, ok := s.takeForced(api, op)
	if !ok {
		f := s.faultsOf(api)
		if f.FailureRate > 0 && s.rng.Float64() < f.FailureRate {
			kinds := f.Kinds
			if len(kinds) == 0 {
				kinds = AllFailureKinds()
			}
			kind, ok = kinds[s.rng.IntN(len(kinds))], true
		}
	}
	if ok {
		s.counts[string(api)+".injected"]++
	}
	return kind, ok
}

func (s *Sandbox) takeForced(api API, op string) (FailureKind, bool) {
	q := s.forced[api]
	for i := range q {
		if q[i].op != "" && q[i].op != op {
			continue
		}
		kind := q[i].kind
		q[i].left--
		if q[i].left == 0 {
			s.forced[api] = slices.Delete(q, i, i+1)
		}
		return kind, true
	}
	return "", false
}

// writeInjected answers a failure that applies nothing.
func (s *Sandbox) writeInjected(w http.ResponseWriter, r *http.Request, api API, kind FailureKind) {
	switch kind {
	case FailReset:
		dropConnection(w, true)
	case FailLostResponse:
		dropConnection(w, false)
	case FailCDNError:
		s.writeCDNError(w, r, s.pickCDNErrorStatus())
	case FailRedirect:
		writeRedirect(w, r)
	default:
		writeReply(w, api, injectedReply(api, kind))
	}
}

// injectedReply is the vendor-shaped answer for an HTTP-status failure kind.
func injectedReply(api API, kind FailureKind) reply {
	var status int
	var msg string
	switch kind {
	case Fail429, Fail429RetryAfter:
		status, msg = http.StatusTooManyRequests, "Too many requests, slow down"
	case Fail503:
		status, msg = http.StatusServiceUnavailable, "Service temporarily unavailable"
	default:
		status, msg = http.StatusInternalServerError, "Internal server error"
	}
	var rep reply
	switch api {
	case Lune:
		// Lune documents no body for 429 and 500; 503 follows them.
		rep = reply{status: status}
	case Inveterate:
		rep = invError(status, msg)
	case Blaze:
		rep = blazeError(status, msg)
	}
	rep.retryAfter = kind == Fail429RetryAfter
	return rep
}

// dropConnection closes the client connection without a response. A reset
// sets SO_LINGER to 0 so that the client sees a real RST rather than an EOF.
// Without a hijackable connection (HTTP/2) the standard abort panic is used,
// which the server turns into a stream reset.
func dropConnection(w http.ResponseWriter, reset bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
