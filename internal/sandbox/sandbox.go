// Package sandbox is an in-process, stateful emulator of the four webhook API
// surfaces the provider manages (Lune, Inveterate subscriptions, Inveterate
// admin webhooks and BLAZE partner webhooks), as the project's API contracts decide them;
// docs/guides/sandbox.md describes what it does for users.
//
// It is an independent reading of the contract: it shares no code or types with
// the API clients, so that a misunderstanding in a client cannot be mirrored here
// and pass unseen. Where the contract leaves a point open, the sandbox serves
// exactly the decided variant and nothing more tolerant.
//
// All four surfaces are served by one http.Handler on one host; their paths do
// not collide. Tests start one with NewServer, point clients at Server.URL, and
// use the knobs (faults, latency, delays), the counters and the record helpers
// to check outcomes and to change records behind a client's back. With
// Config.TLS the server speaks HTTPS and HTTP/2, as the vendors do behind their
// CDNs, and Server.Client trusts it.
package sandbox

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	randv2 "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// API names one vendor API; it keys counters, fault injection and knobs.
type API string

// The three vendor APIs (Inveterate's two surfaces share one API name because
// they share one host, one key and one set of knobs).
const (
	Lune       API = "lune"
	Inveterate API = "inveterate"
	Blaze      API = "blaze"
)

// Config is the whole sandbox configuration. Zero fields are filled with
// defaults by New (see DefaultConfig).
type Config struct {
	Lune       LuneConfig
	Inveterate InveterateConfig
	Blaze      BlazeConfig
	// Seed seeds the fault-injection RNG so that a failing run can be replayed;
	// 0 picks a time-based seed, which Sandbox.Config then reports.
	Seed int64
	// Now is the clock for every timestamp and for the Inveterate visibility and
	// delete delays, so tests can move time instead of sleeping; nil = time.Now.
	// Latency and the Lune rate limiter always use real time: they are about
	// real request pacing, and a frozen fake clock must not throttle everything.
	Now func() time.Time
	// TLS makes NewServer (and the webhooks-sandbox command, with -tls) serve
	// HTTPS with HTTP/2, under a certificate of a throwaway CA (see
	// NewServerCert). Production speaks HTTP/2 through CDNs, and a client must
	// be tested on the protocol it will meet. New ignores it: a Sandbox is only
	// a handler, and whoever serves it chooses the transport.
	TLS bool
}

// LuneConfig configures the Lune surface.
type LuneConfig struct {
	// Keys are the accepted API keys; a key beginning "test_" is a test-mode
	// key, any other is live.
	Keys []string
	// Accounts are the account ids accepted in the Lune-Account header.
	Accounts []string
	// RateLimit is the number of requests per second per key; 0 means the
	// documented 15, a negative value turns the limiter off.
	RateLimit int
	// WebhookLimit is how many webhooks may exist before create answers 400
	// webhook_limit_reached; 0 means 100, a negative value means no limit.
	WebhookLimit int
	// Faults is the fault injection for this API.
	Faults Faults
}

// InveterateConfig configures both Inveterate surfaces.
type InveterateConfig struct {
	// Keys are the accepted X-Inveterate-Api-Key values.
	Keys []string
	// MerchantID is the merchant every key belongs to.
	MerchantID string
	// AppName is the createdByApp value of admin webhooks created through the API.
	AppName string
	// VisibilityDelay is how long a record created through the API (either
	// surface) stays out of its list; it is measured from the record's creation
	// time with the current value, so changing it takes effect at once.
	VisibilityDelay time.Duration
	// DeleteDelay is how long a deleted admin webhook stays in the list, measured
	// from its deletion with the current value.
	DeleteDelay time.Duration
	// UniqueTopic makes a second subscription POST for the same topic answer 400.
	UniqueTopic bool
	// Faults is the fault injection for this API.
	Faults Faults
}

// BlazeConfig configures the BLAZE surface.
type BlazeConfig struct {
	// PartnerKeys are the accepted x-api-key values.
	PartnerKeys []string
	// DeveloperKeys are the accepted Authorization values (raw, no "Bearer"),
	// each tied to one company and shop.
	DeveloperKeys map[string]BlazeShop
	// MaxPageSize caps the list limit; 0 means 100.
	MaxPageSize int
	// Faults is the fault injection for this API.
	Faults Faults
}

// BlazeShop is the company and shop a BLAZE developer key belongs to.
type BlazeShop struct{ CompanyID, ShopID string }

// Default keys and identities, printed by the standalone command; they are
// sandbox-only values, never real credentials.
const (
	DefaultLuneTestKey        = "test_sandbox_lune_key"
	DefaultLuneLiveKey        = "live_sandbox_lune_key"
	DefaultLuneAccount        = "acc_sandbox_main"
	DefaultLuneOtherAccount   = "acc_sandbox_other"
	DefaultInveterateKey      = "sandbox_inveterate_key"
	DefaultInveterateMerchant = "sandbox-merchant"
	DefaultInveterateAppName  = "webhooks-sandbox"
	DefaultBlazePartnerKey    = "sandbox_blaze_partner_key"
	DefaultBlazeDeveloperKey  = "sandbox_blaze_developer_key"
	DefaultBlazeCompanyID     = "65a1f0c2b3d4e5f607182930"
	DefaultBlazeShopID        = "65a1f0c2b3d4e5f607182931"
)

// Documented and decided defaults.
const (
	defaultLuneRateLimit    = 15
	defaultLuneWebhookLimit = 100
	defaultBlazeMaxPageSize = 100
)

// DefaultConfig returns the configuration with every default filled in.
func DefaultConfig() Config {
	return Config{
		Lune: LuneConfig{
			Keys:         []string{DefaultLuneTestKey, DefaultLuneLiveKey},
			Accounts:     []string{DefaultLuneAccount, DefaultLuneOtherAccount},
			RateLimit:    defaultLuneRateLimit,
			WebhookLimit: defaultLuneWebhookLimit,
		},
		Inveterate: InveterateConfig{
			Keys:       []string{DefaultInveterateKey},
			MerchantID: DefaultInveterateMerchant,
			AppName:    DefaultInveterateAppName,
		},
		Blaze: BlazeConfig{
			PartnerKeys: []string{DefaultBlazePartnerKey},
			DeveloperKeys: map[string]BlazeShop{
				DefaultBlazeDeveloperKey: {CompanyID: DefaultBlazeCompanyID, ShopID: DefaultBlazeShopID},
			},
			MaxPageSize: defaultBlazeMaxPageSize,
		},
	}
}

// withDefaults returns a deep copy of cfg with unset fields filled in.
func withDefaults(cfg Config) Config {
	cfg = cfg.clone()
	d := DefaultConfig()
	if len(cfg.Lune.Keys) == 0 {
		cfg.Lune.Keys = d.Lune.Keys
	}
	if len(cfg.Lune.Accounts) == 0 {
		cfg.Lune.Accounts = d.Lune.Accounts
	}
	if cfg.Lune.RateLimit == 0 {
		cfg.Lune.RateLimit = d.Lune.RateLimit
	}
	if cfg.Lune.WebhookLimit == 0 {
		cfg.Lune.WebhookLimit = d.Lune.WebhookLimit
	}
	if len(cfg.Inveterate.Keys) == 0 {
		cfg.Inveterate.Keys = d.Inveterate.Keys
	}
	if cfg.Inveterate.MerchantID == "" {
		cfg.Inveterate.MerchantID = d.Inveterate.MerchantID
	}
	if cfg.Inveterate.AppName == "" {
		cfg.Inveterate.AppName = d.Inveterate.AppName
	}
	if len(cfg.Blaze.PartnerKeys) == 0 {
		cfg.Blaze.PartnerKeys = d.Blaze.PartnerKeys
	}
	if len(cfg.Blaze.DeveloperKeys) == 0 {
		cfg.Blaze.DeveloperKeys = d.Blaze.DeveloperKeys
	}
	if cfg.Blaze.MaxPageSize <= 0 {
		cfg.Blaze.MaxPageSize = d.Blaze.MaxPageSize
	}
	if cfg.Seed == 0 {
		cfg.Seed = time.Now().UnixNano()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// clone deep-copies the config so that neither the caller nor the sandbox can
// change the other's slices and maps.
func (c Config) clone() Config {
	c.Lune.Keys = cloneStrings(c.Lune.Keys)
	c.Lune.Accounts = cloneStrings(c.Lune.Accounts)
	c.Lune.Faults = c.Lune.Faults.clone()
	c.Inveterate.Keys = cloneStrings(c.Inveterate.Keys)
	c.Inveterate.Faults = c.Inveterate.Faults.clone()
	c.Blaze.PartnerKeys = cloneStrings(c.Blaze.PartnerKeys)
	if c.Blaze.DeveloperKeys != nil {
		m := make(map[string]BlazeShop, len(c.Blaze.DeveloperKeys))
		for k, v := range c.Blaze.DeveloperKeys {
			m[k] = v
		}
		c.Blaze.DeveloperKeys = m
	}
	c.Blaze.Faults = c.Blaze.Faults.clone()
	return c
}

// Sandbox is the emulator; it is an http.Handler serving all four surfaces and
// is safe for concurrent use.
type Sandbox struct {
	// mu guards everything below. One lock keeps reasoning simple; handlers
	// never block while holding it (bodies are read and latency slept before).
	mu sync.Mutex

	cfg    Config
	rng    *randv2.Rand
	forced map[API][]forcedFailure
	counts map[string]int

	// limiterNow is the clock of the Lune rate limiter (real time; tests in
	// this package replace it to make the limiter deterministic).
	limiterNow func() time.Time
	luneHits   map[string][]time.Time

	lune      map[string]*LuneWebhook
	invSubs   map[string]*invSubscription
	invHooks  map[string]*invWebhook
	blazeHook map[string]*BlazeWebhook
}

// New fills the unset fields of cfg with defaults and returns the sandbox. It
// panics on an unknown FailureKind in cfg, a programming error in the caller.
func New(cfg Config) *Sandbox {
	cfg = withDefaults(cfg)
	for _, f := range []Faults{cfg.Lune.Faults, cfg.Inveterate.Faults, cfg.Blaze.Faults} {
		mustKnownKinds(f.Kinds...)
	}
	return &Sandbox{
		cfg:        cfg,
		rng:        newFaultRNG(cfg.Seed),
		forced:     map[API][]forcedFailure{},
		counts:     map[string]int{},
		limiterNow: time.Now,
		luneHits:   map[string][]time.Time{},
		lune:       map[string]*LuneWebhook{},
		invSubs:    map[string]*invSubscription{},
		invHooks:   map[string]*invWebhook{},
		blazeHook:  map[string]*BlazeWebhook{},
	}
}

// newFaultRNG seeds the fault-injection RNG. It is math/rand on purpose: a
// run must be replayable from Config.Seed, and nothing here needs secrecy.
//
//nolint:gosec // G404, G115: reproducible, non-secret randomness; the seed's sign is irrelevant.
func newFaultRNG(seed int64) *randv2.Rand {
	u := uint64(seed)
	return randv2.New(randv2.NewPCG(u, u^0x9e3779b97f4a7c15))
}

// Config returns the effective configuration: defaults filled in, the seed
// actually used, and every knob changed since New.
func (s *Sandbox) Config() Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.clone()
}

// now reads the configured clock; callers hold s.mu.
func (s *Sandbox) now() time.Time { return s.cfg.Now() }

// Server is a Sandbox served on a loopback httptest server.
type Server struct {
	*Sandbox
	// URL is the base URL of all three vendors, e.g. "http://127.0.0.1:41234",
	// or "https://127.0.0.1:41234" with Config.TLS.
	URL string

	srv    *httptest.Server
	cert   *ServerCert // nil over plain HTTP
	client *http.Client
}

// TB is the part of testing.TB that NewServer uses. Naming it here, rather than
// importing testing, keeps the testing package (and its flags) out of the
// sandbox command and the bench, which link this package.
type TB interface {
	Helper()
	Cleanup(func())
}

// NewServer starts New(cfg) on a loopback httptest server that is closed when
// the test ends. With cfg.TLS it serves HTTPS, offering HTTP/2 first, under a
// fresh NewServerCert; Client, CertPool and CACertPEM give what a client needs
// to trust it.
func NewServer(t TB, cfg Config) *Server {
	t.Helper()
	sb := New(cfg)
	s := &Server{Sandbox: sb}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.TLS {
		cert, err := NewServerCert()
		if err != nil {
			// Only a failing crypto/rand gets here, and TB has no Fatal.
			panic(fmt.Sprintf("sandbox: TLS certificate: %v", err))
		}
		s.cert = &cert
		s.srv = httptest.NewUnstartedServer(sb)
		s.srv.EnableHTTP2 = true
		s.srv.TLS = cert.TLSConfig()
		s.srv.StartTLS()
		// A custom TLS config turns the transport's HTTP/2 off unless asked
		// for again.
		tr.TLSClientConfig = &tls.Config{RootCAs: cert.CertPool(), MinVersion: tls.VersionTLS12}
		tr.ForceAttemptHTTP2 = true
	} else {
		s.srv = httptest.NewServer(sb)
	}
	t.Cleanup(s.srv.Close)
	// Registered after Close, so it runs first: nothing is left to wait for.
	t.Cleanup(tr.CloseIdleConnections)
	s.URL = s.srv.URL
	s.client = &http.Client{
		Transport: tr,
		// The sandbox redirects only as an injected fault (FailRedirect): a
		// test wants to see that answer, and following it would send the
		// credentials to another origin, which no client may do.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return s
}

// Client returns a client for the server: over TLS it trusts the server's CA
// and speaks HTTP/2. It never follows a redirect. Its idle connections are
// closed when the test ends.
func (s *Server) Client() *http.Client { return s.client }

// CertPool returns a pool holding the CA of the server's certificate, for a
// client's tls.Config.RootCAs; nil over plain HTTP.
func (s *Server) CertPool() *x509.CertPool {
	if s.cert == nil {
		return nil
	}
	return s.cert.CertPool()
}

// CACertPEM returns the CA certificate of the server in PEM, the content of an
// SSL_CERT_FILE for a client in another process; nil over plain HTTP.
func (s *Server) CACertPEM() []byte {
	if s.cert == nil {
		return nil
	}
	return s.cert.CAPEM()
}

// SetFaults replaces the whole fault injection (latency included) of api.
func (s *Sandbox) SetFaults(api API, f Faults) {
	mustKnownKinds(f.Kinds...)
	f = f.clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	*s.faultsOf(api) = f
}

// SetLatency sets the latency added to every request of api, leaving the rest
// of its fault injection as it is.
func (s *Sandbox) SetLatency(api API, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultsOf(api).Latency = d
}

// SetInveterateDelays sets the Inveterate visibility and delete delays; they
// apply at once, to existing records too, because they are measured at read time.
func (s *Sandbox) SetInveterateDelays(visibility, delete time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.Inveterate.VisibilityDelay = visibility
	s.cfg.Inveterate.DeleteDelay = delete
}

// faultsOf returns the Faults of api inside the config; callers hold s.mu.
func (s *Sandbox) faultsOf(api API) *Faults {
	switch api {
	case Lune:
		return &s.cfg.Lune.Faults
	case Inveterate:
		return &s.cfg.Inveterate.Faults
	case Blaze:
		return &s.cfg.Blaze.Faults
	}
	panic(fmt.Sprintf("sandbox: unknown API %q", api))
}

// Count returns how many requests were counted under op. A request counts
// once under its operation as soon as its path and method are routed,
// whatever its outcome (auth failure, injected fault, rate limit...). The
// operations are lune.{list,create,get,update,delete,rotate},
// inveterate.subscriptions.{list,create,update,delete},
// inveterate.webhooks.{list,create,delete} and
// blaze.{list,create,get,update,delete}. The other counters are
// "lune.rate_limited" (429s from the Lune limiter, not injected ones),
// "<api>.injected" (injected failures), "unrouted" (unknown paths/methods)
// and "http2" (requests, routed or not, that arrived over HTTP/2: with
// Config.TLS, the proof that a client spoke it).
func (s *Sandbox) Count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[op]
}

// Counts returns a copy of every non-zero counter.
func (s *Sandbox) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// Writes returns the number of requests counted under any create, update,
// delete or rotate operation of any API, so a test can assert that a plan or a
// read changed nothing.
func (s *Sandbox) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for op, c := range s.counts {
		if isWriteOp(op) {
			n += c
		}
	}
	return n
}

// ResetCounts sets every counter back to zero.
func (s *Sandbox) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.counts)
}

// isWriteOp tells the operations that change state by their last segment;
// the special counters (injected, rate_limited, unrouted) never match.
func isWriteOp(op string) bool {
	i := strings.LastIndexByte(op, '.')
	switch op[i+1:] {
	case "create", "update", "delete", "rotate":
		return true
	}
	return false
}

func (s *Sandbox) count(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[name]++
}

// route is one routed operation of one API.
type route struct {
	api API
	op  string
	// id is the record id taken from the path, if the path has one.
	id string
}

// request is what a handler sees: the routed request and its (already read) body.
type request struct {
	route
	r        *http.Request
	body     []byte
	tooLarge bool
}

// reply is a response decided under the lock and written after it, so that an
// injected failure can still replace it (lost response, Inveterate 500).
type reply struct {
	status int
	body   []byte // nil: no body at all, unless encode gives one
	// encode, if set, builds the body once the lock is released (see lateReply).
	encode     func() []byte
	retryAfter bool
}

// lateReply is a JSON reply whose value is built and encoded only once the
// lock is released, so that a list of thousands of records does not hold
// every other request back while it is sorted and encoded (a real API
// serves its requests side by side). build must use only what it was given:
// copies taken under the lock, never the stored records.
func lateReply(status int, build func() any) reply {
	return reply{status: status, encode: func() []byte { return jsonReply(status, build()).body }}
}

// encoded returns rep with its body built, if it is built late; call it
// without the lock.
func (rep reply) encoded() reply {
	if rep.encode != nil {
		rep.body, rep.encode = rep.encode(), nil
	}
	return rep
}

func jsonReply(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		// Only sandbox-built values get here; failing to encode one is a bug.
		panic(fmt.Sprintf("sandbox: marshal reply: %v", err))
	}
	return reply{status: status, body: b}
}

// Body size caps. Lune documents 413 past 100 kB; the other vendors document
// no limit, so theirs only protects the sandbox (and answers a plain 400).
const (
	luneMaxBody  = 100_000
	otherMaxBody = 1 << 20
	maxDrain     = 8 << 20
)

// ServeHTTP serves all four surfaces. Per request it counts the operation,
// sleeps the API's latency, applies forced or random fault injection, and then
// lets the vendor handler authenticate, validate, apply and answer.
//
// The whole body is read before anything is applied, so a write never takes
// effect on a partial body, however slowly it arrives (an HTTP/2 client may
// still be sending it while the latency is slept), and a request whose body
// never completes applies nothing.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor == 2 {
		s.count("http2")
	}
	rt, ok := matchRoute(r.Method, r.URL.Path)
	if !ok {
		s.count("unrouted")
		writeReply(w, vendorOfPath(r.URL.Path), unroutedReply(vendorOfPath(r.URL.Path)))
		return
	}
	s.count(rt.op)

	s.mu.Lock()
	latency := s.faultsOf(rt.api).Latency
	s.mu.Unlock()
	if !sleepCtx(r, latency) {
		return // the client gave up; nobody is left to answer
	}

	kind, injected := s.pickFailure(rt.api, rt.op)
	if injected && !kind.applies(rt.api, r.Method) {
		s.writeInjected(w, r, rt.api, kind)
		return
	}

	limit := int64(otherMaxBody)
	if rt.api == Lune {
		limit = luneMaxBody
	}
	body, tooLarge, err := readBody(r, limit)
	if err != nil {
		// The connection broke while the body was read: nothing can be answered.
		return
	}

	rq := &request{route: rt, r: r, body: body, tooLarge: tooLarge}
	s.mu.Lock()
	var rep reply
	switch rt.api {
	case Lune:
		rep = s.serveLune(rq)
	case Inveterate:
		rep = s.serveInveterate(rq)
	case Blaze:
		rep = s.serveBlaze(rq)
	}
	s.mu.Unlock()

	if injected {
		// The request was applied if it could be; now the answer goes missing
		// or is replaced.
		switch kind {
		case FailLostResponse:
			dropConnection(w, false)
		case FailCDNTimeout:
			s.writeCDNError(w, r, cdnTimeoutStatus)
		default:
			writeReply(w, rt.api, injectedReply(rt.api, kind))
		}
		return
	}
	writeReply(w, rt.api, rep)
}

// matchRoute maps a method and path to an operation; ok is false for an
// unknown path or a method the path does not serve.
func matchRoute(method, path string) (route, bool) {
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case len(seg) >= 2 && seg[0] == "v1" && seg[1] == "webhooks":
		return matchLune(method, seg[2:])
	case len(seg) >= 3 && seg[0] == "v2.0" && seg[1] == "admin":
		return matchInveterate(method, seg[2:])
	case len(seg) >= 4 && seg[0] == "api" && seg[1] == "v1" && seg[2] == "partner" && seg[3] == "webHooks":
		return matchBlaze(method, seg[4:])
	}
	return route{}, false
}

// vendorOfPath says whose error shape an unrouted path gets; "" means none.
func vendorOfPath(path string) API {
	switch {
	case path == "/v1" || strings.HasPrefix(path, "/v1/"):
		return Lune
	case path == "/v2.0" || strings.HasPrefix(path, "/v2.0/"):
		return Inveterate
	case path == "/api" || strings.HasPrefix(path, "/api/"):
		return Blaze
	}
	return ""
}

func unroutedReply(api API) reply {
	switch api {
	case Inveterate:
		return invError(http.StatusNotFound, "Not found")
	case Blaze:
		return blazeError(http.StatusNotFound, "No such endpoint")
	}
	return reply{status: http.StatusNotFound}
}

// writeReply writes rep, building its body first if it is built late;
// callers do not hold s.mu.
func writeReply(w http.ResponseWriter, api API, rep reply) {
	rep = rep.encoded()
	h := w.Header()
	if api == Lune {
		// Lune echoes the version on every response, errors included.
		h.Set("Lune-Version", luneVersion)
	}
	if rep.retryAfter {
		h.Set("Retry-After", "1")
	}
	if rep.body != nil {
		// The body is built whole, so its length is declared, as APIs (and the CDNs before them)
		// declare the length of a JSON answer they have whole.
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	}
	w.WriteHeader(rep.status)
	if rep.body != nil {
		_, _ = w.Write(rep.body)
	}
}

// sleepCtx waits d unless the request is cancelled first; it reports whether
// the request is still alive.
func sleepCtx(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// readBody reads at most limit bytes; tooLarge reports a longer body. The
// excess of a too-large body is drained (up to a bound) so that the client
// gets the error answer rather than a broken pipe while it is still sending.
func readBody(r *http.Request, limit int64) (body []byte, tooLarge bool, err error) {
	if r.Body == nil {
		return nil, false, nil
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(body)) > limit {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxDrain))
		return nil, true, nil
	}
	return body, false, nil
}

// decodeObject parses a JSON object body into its raw members, so that each
// vendor can check presence, exact key names and types field by field.
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("body must be a JSON object")
	}
	return m, nil
}

// isNull reports whether a present member is JSON null.
func isNull(raw json.RawMessage) bool { return string(raw) == "null" }

// Identifier alphabets and generators. crypto/rand keeps ids and secrets
// unguessable, as a test against real-looking values should expect.
const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomAlnum(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n)
	for len(out) < n {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			// 248 = 4*62: rejecting above it keeps the choice uniform.
			if b < 248 && len(out) < n {
				out = append(out, alnum[int(b)%len(alnum)])
			}
		}
	}
	return string(out)
}

func randomHex(n int) string {
	buf := make([]byte, (n+1)/2)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)[:n]
}

func cloneStrings(in []string) []string {
	if in == nil {
		return nil
	}
	return slices.Clone(in)
}

// formatTime is the RFC 3339 form used by Lune and Inveterate: UTC, with as
// much precision as the record has, so that a read round-trips exactly.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
