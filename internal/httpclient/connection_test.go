package httpclient

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// tlsServer is a TLS server on loopback with the given certificate (httptest's own when cert is
// nil), counting the requests that reach its handler.
func tlsServer(t *testing.T, cert *tls.Certificate) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var served atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		_, _ = w.Write([]byte(`[]`))
	}))
	if cert != nil {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &served
}

// expiredCertificate is a self-signed certificate for 127.0.0.1 that expired yesterday.
func expiredCertificate(t *testing.T) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "expired"},
		NotBefore:             time.Now().Add(-48 * time.Hour),
		NotAfter:              time.Now().Add(-24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, parsed
}

// trusting is a transport that trusts exactly the given certificates.
func trusting(certs ...*x509.Certificate) *http.Transport {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
}

// TestConnectionProblems_failFast sends a request into each failure that no retry can fix, with
// retries configured: each is tried once, classified ErrConnection, and explained.
func TestConnectionProblems_failFast(t *testing.T) {
	untrusted, untrustedServed := tlsServer(t, nil)

	mismatched, mismatchedServed := tlsServer(t, nil)
	_, port, _ := net.SplitHostPort(mismatched.Listener.Addr().String())

	expiredCert, expiredParsed := expiredCertificate(t)
	expired, expiredServed := tlsServer(t, &expiredCert)

	var dialed atomic.Int32
	noSuchHost := &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		dialed.Add(1)
		return nil, &net.DNSError{Err: "no such host", Name: "api.nowhere.example", IsNotFound: true}
	}}

	closed := closedPort(t)
	var loopbackDials atomic.Int32
	countDials := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		loopbackDials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}

	cases := []struct {
		name      string
		baseURL   string
		transport http.RoundTripper
		attempts  func() int32
		want      []string
	}{
		{"nothing listens on this machine", "http://" + closed, countDials, loopbackDials.Load,
			[]string{"nothing listens at " + closed, "waiting cannot help", "Check the port in the base URL"}},
		{"untrusted certificate", untrusted.URL, nil, untrustedServed.Load,
			[]string{"the certificate of " + untrusted.URL + " is not trusted", "unknown authority", "SSL_CERT_FILE", "SSL_CERT_DIR"}},
		{"certificate for another host", "https://localhost:" + port, trusting(mismatched.Certificate()), mismatchedServed.Load,
			[]string{"the certificate of https://localhost:" + port + " is not valid for the host localhost", "Check the host name"}},
		{"expired certificate", expired.URL, trusting(expiredParsed), expiredServed.Load,
			[]string{"the certificate of " + expired.URL + " has expired", "clock"}},
		{"host name that does not resolve", "https://api.nowhere.example", noSuchHost, dialed.Load,
			[]string{"the host name api.nowhere.example does not resolve", "DNS"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(tc.baseURL)
			cfg.MaxRetries = 5
			cfg.Transport = tc.transport
			c := newClient(t, cfg)
			_, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/v1/webhooks"}, nil)
			if !errors.Is(err, ErrConnection) {
				t.Fatalf("error %v, want ErrConnection", err)
			}
			assertKind(t, err, ErrConnection)
			apiErr := asAPIError(t, err)
			if apiErr.Attempts != 1 {
				t.Errorf("%d attempts, want 1: a retry cannot fix this", apiErr.Attempts)
			}
			if n := tc.attempts(); n > 1 {
				t.Errorf("the server saw %d requests (or dials), want at most 1", n)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestConnectionProblems_createNotAdopted: a create that could not connect was never sent, so its
// outcome is known (nothing was made) and nothing is looked for.
func TestConnectionProblems_createNotAdopted(t *testing.T) {
	untrusted, served := tlsServer(t, nil)
	cfg := testConfig(untrusted.URL)
	cfg.MaxRetries = 5
	c := newClient(t, cfg)
	looked := false
	_, err := c.CreateOrAdopt(context.Background(), Request{Method: http.MethodPost, Path: "/v1/webhooks", Body: map[string]string{}}, nil,
		func(context.Context, *Lookup) (bool, error) { looked = true; return false, nil })
	if !errors.Is(err, ErrConnection) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("error %v, want ErrConnection alone", err)
	}
	if looked || served.Load() != 0 {
		t.Errorf("looked for the object: %v; requests served: %d", looked, served.Load())
	}
}

// closedPort is a loopback address at which nothing listens (any more).
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// A connection refused on the way to another host may be a load balancer between deploys: it is
// retried (nothing was sent, so even a create is safe to send again), and fails as not reached,
// not as a configuration error.
func TestConnectionRefused_remoteHostRetried(t *testing.T) {
	var dials atomic.Int32
	refusing := &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		dials.Add(1)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}}
	cfg := testConfig("https://api.refusing.example")
	cfg.MaxRetries = 2
	cfg.Transport = refusing
	_, err := newClient(t, cfg).Do(context.Background(), Request{Method: http.MethodPost, Path: "/v1/webhooks", Body: map[string]string{"a": "b"}, NonIdempotent: true}, nil)
	if errors.Is(err, ErrConnection) || errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, ErrServer) {
		t.Fatalf("error %v, want ErrServer (not reached) alone", err)
	}
	if n := dials.Load(); n != 3 {
		t.Errorf("%d dials, want 3 (the first and 2 retries)", n)
	}
}
