package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestTLS_http2EveryAPI serves the sandbox over TLS and drives every vendor's
// API through it: each request arrives as HTTP/2, on both ends, and gets the
// answer it would get over plain HTTP.
func TestTLS_http2EveryAPI(t *testing.T) {
	srv := NewServer(t, Config{TLS: true, Lune: LuneConfig{RateLimit: -1}})
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("URL = %q, want https://127.0.0.1:PORT", srv.URL)
	}
	c := srv.Client()
	sent := 0
	call := func(method, path string, hdr map[string]string, body string, status int) resp {
		t.Helper()
		r, err := tryWith(t, c, srv.URL, method, path, hdr, body)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		sent++
		wantStatus(t, r, status)
		if r.protoMajor != 2 {
			t.Errorf("%s %s: answered over HTTP/%d, want HTTP/2", method, path, r.protoMajor)
		}
		return r
	}

	// Lune: the create answers the full secret, the read its last 4.
	r := call(http.MethodPost, "/v1/webhooks", luneHdr(), luneBase1, http.StatusOK)
	if r.header.Get("Lune-Version") != luneVersion {
		t.Errorf("Lune-Version = %q", r.header.Get("Lune-Version"))
	}
	lune := r.decode(t)
	luneID, secret := lune["id"].(string), lune["secret"].(string)
	if !secretRe.MatchString(secret) {
		t.Errorf("create secret = %q", secret)
	}
	if got := call(http.MethodGet, "/v1/webhooks/"+luneID, luneHdr(), "", http.StatusOK).decode(t); got["secret"] != secret[len(secret)-4:] ||
		got["url"] != "https://example.com/hook" {
		t.Errorf("get = %v", got)
	}
	var luneList []map[string]any
	call(http.MethodGet, "/v1/webhooks", luneHdr(), "", http.StatusOK).decodeInto(t, &luneList)
	if len(luneList) != 1 || luneList[0]["id"] != luneID {
		t.Errorf("Lune list = %v", luneList)
	}

	// Inveterate subscriptions: 201, then listed.
	sub := call(http.MethodPost, subsPath, invHdr(), `{"topic":"customer.updated","callbackUrl":"https://example.com/hook","name":"sub"}`,
		http.StatusCreated).decode(t)["data"].(map[string]any)
	subs := call(http.MethodGet, subsPath, invHdr(), "", http.StatusOK).decode(t)["data"].([]any)
	if len(subs) != 1 || subs[0].(map[string]any)["id"] != sub["id"] {
		t.Errorf("subscriptions = %v", subs)
	}

	// Inveterate admin webhooks: the token on create only; delete.
	hook := call(http.MethodPost, hooksPath, invHdr(), `{"callbackUrl":"https://example.com/hook"}`, http.StatusCreated).decode(t)["data"].(map[string]any)
	if tok, _ := hook["token"].(string); !hex32.MatchString(tok) {
		t.Errorf("admin webhook create = %v", hook)
	}
	call(http.MethodDelete, hooksPath, invHdr(), `{"id":"`+hook["id"].(string)+`"}`, http.StatusOK)

	// BLAZE: create, read by id, list.
	blaze := call(http.MethodPost, blazePath, blazeHdr(), blazeBody, http.StatusOK).decode(t)
	blazeID, _ := blaze["id"].(string)
	if !hex24.MatchString(blazeID) {
		t.Fatalf("BLAZE create = %v", blaze)
	}
	if got := call(http.MethodGet, blazePath+"/"+blazeID, blazeHdr(), "", http.StatusOK).decode(t); got["webHookType"] != "NEW_MEMBER" {
		t.Errorf("BLAZE get = %v", got)
	}
	if page := call(http.MethodGet, blazePath, blazeHdr(), "", http.StatusOK).decode(t); page["total"] != 1.0 {
		t.Errorf("BLAZE list = %v", page)
	}

	// The server saw every one of them as HTTP/2 too, and stored what was made.
	if got := srv.Count("http2"); got != sent {
		t.Errorf(`Count("http2") = %d, want all %d requests`, got, sent)
	}
	if len(srv.LuneWebhooks()) != 1 || len(srv.InveterateSubscriptions()) != 1 || len(srv.BlazeWebhooks()) != 1 {
		t.Errorf("records: %d Lune, %d subscriptions, %d BLAZE", len(srv.LuneWebhooks()), len(srv.InveterateSubscriptions()), len(srv.BlazeWebhooks()))
	}
}

// TestTLS_trust checks what a client is given to trust the server: the CA
// (as a pool, or as PEM for another process's SSL_CERT_FILE) verifies the
// server for every loopback name, and nothing else does.
func TestTLS_trust(t *testing.T) {
	srv := NewServer(t, Config{TLS: true})
	path := "/v1/webhooks"

	// The PEM alone is enough, as it is for a process given SSL_CERT_FILE.
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(srv.CACertPEM()) {
		t.Fatalf("CACertPEM is not a PEM certificate: %q", srv.CACertPEM())
	}
	for _, name := range []string{"127.0.0.1", "localhost", "::1"} {
		tr := &http.Transport{
			TLSClientConfig:   &tls.Config{RootCAs: pool, ServerName: name, MinVersion: tls.VersionTLS12},
			ForceAttemptHTTP2: true,
		}
		defer tr.CloseIdleConnections()
		r, err := tryWith(t, &http.Client{Transport: tr}, srv.URL, http.MethodGet, path, luneHdr(), "")
		if err != nil {
			t.Fatalf("verifying the server as %s with the PEM's CA: %v", name, err)
		}
		if r.status != http.StatusOK || r.protoMajor != 2 {
			t.Errorf("as %s: %d over HTTP/%d", name, r.status, r.protoMajor)
		}
	}
	if !srv.CertPool().Equal(pool) {
		t.Error("CertPool and CACertPEM disagree")
	}

	// Trust is not accidental: a client with only the system's roots refuses it.
	_, err := tryWith(t, &http.Client{Transport: &http.Transport{}}, srv.URL, http.MethodGet, path, luneHdr(), "")
	if _, unknown := errors.AsType[x509.UnknownAuthorityError](err); !unknown {
		t.Errorf("a client without the CA: err = %v, want an unknown authority", err)
	}

	// HTTP/1.1 clients are still served (ALPN falls back), as behind a CDN.
	h1 := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CertPool(), MinVersion: tls.VersionTLS12}}
	defer h1.CloseIdleConnections()
	r, err := tryWith(t, &http.Client{Transport: h1}, srv.URL, http.MethodGet, path, luneHdr(), "")
	if err != nil || r.status != http.StatusOK || r.protoMajor != 1 {
		t.Errorf("HTTP/1.1 over TLS: %v %d HTTP/%d", err, r.status, r.protoMajor)
	}
	if got := srv.Count("http2"); got != 3 {
		t.Errorf(`Count("http2") = %d, want the 3 HTTP/2 requests`, got)
	}

	// Over plain HTTP there is nothing to trust.
	plain := NewServer(t, Config{})
	if plain.CertPool() != nil || plain.CACertPEM() != nil || !strings.HasPrefix(plain.URL, "http://") {
		t.Errorf("plain server: pool %v, PEM %q, URL %s", plain.CertPool(), plain.CACertPEM(), plain.URL)
	}
}

// TestNewServerCert_hosts checks the certificate the command serves: extra
// hosts are named beside the loopback ones, and it chains to its CA alone.
func TestNewServerCert_hosts(t *testing.T) {
	cert, err := NewServerCert("sandbox", "10.1.2.3", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.Cert.Leaf
	for _, name := range []string{"sandbox", "10.1.2.3", "localhost", "127.0.0.1", "::1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: cert.CertPool()}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(leaf.DNSNames) != 2 || len(leaf.IPAddresses) != 3 {
		t.Errorf("names %v, addresses %v: duplicates or strays", leaf.DNSNames, leaf.IPAddresses)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: cert.CertPool()}); err == nil {
		t.Error("the certificate verifies for a host it was not made for")
	}
	if !cert.CA.IsCA || cert.CA.Equal(leaf) || leaf.IsCA {
		t.Error("the server certificate must be signed by a separate CA")
	}
	if other, err := NewServerCert(); err != nil || other.CA.Equal(cert.CA) {
		t.Errorf("two calls must make two CAs: %v", err)
	}
}

// TestTLS_connectionFailuresOverHTTP2 checks the injected failures that have no
// answer. HTTP/2 cannot hijack the connection, so they reset the stream: the
// client gets an error, a lost response is applied all the same, and the
// shared connection goes on serving.
func TestTLS_connectionFailuresOverHTTP2(t *testing.T) {
	srv := NewServer(t, Config{TLS: true})
	c := srv.Client()
	for _, kind := range []FailureKind{FailReset, FailLostResponse, FailCDNTimeout} {
		srv.FailNext(Blaze, "blaze.create", kind, 1)
		before := len(srv.BlazeWebhooks())
		r, err := tryWith(t, c, srv.URL, http.MethodPost, blazePath, blazeHdr(), blazeBody)
		switch kind {
		case FailCDNTimeout:
			if err != nil || r.status != cdnTimeoutStatus || r.protoMajor != 2 {
				t.Errorf("%s: %v %d HTTP/%d", kind, err, r.status, r.protoMajor)
			}
		default:
			if err == nil {
				t.Errorf("%s: got %d, want a stream error", kind, r.status)
			}
		}
		if n, applied := len(srv.BlazeWebhooks())-before, kind.applies(Blaze, http.MethodPost); (n == 1) != applied || n > 1 {
			t.Errorf("%s: %d records made, applied = %v", kind, n, applied)
		}
		r, err = tryWith(t, c, srv.URL, http.MethodGet, blazePath, blazeHdr(), "")
		if err != nil || r.status != http.StatusOK {
			t.Fatalf("%s: the next request: %v %d", kind, err, r.status)
		}
	}
	if got := srv.Count("blaze.injected"); got != 3 {
		t.Errorf("blaze.injected = %d", got)
	}
}

// TestHTTP2_createAppliedOnlyWithWholeBody sends a create whose body arrives in
// two parts, over HTTP/2 and with latency: the handler is running while the
// body is still on its way, and must not apply anything until all of it has
// arrived; a create whose body never completes applies nothing.
func TestHTTP2_createAppliedOnlyWithWholeBody(t *testing.T) {
	const latency = 50 * time.Millisecond
	srv := NewServer(t, Config{TLS: true, Lune: LuneConfig{RateLimit: -1, Faults: Faults{Latency: latency}}})

	// send starts a create whose body is written through the returned pipe.
	send := func(ctx context.Context) (*io.PipeWriter, <-chan resp, <-chan error) {
		pr, pw := io.Pipe()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/webhooks", pr)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range luneHdr() {
			req.Header.Set(k, v)
		}
		done, failed := make(chan resp, 1), make(chan error, 1)
		go func() {
			res, err := srv.Client().Do(req)
			if err != nil {
				failed <- err
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			done <- resp{status: res.StatusCode, body: b, protoMajor: res.ProtoMajor}
		}()
		return pw, done, failed
	}
	// started waits until the handler has counted the request: its headers
	// are in, and over HTTP/2 its body need not be.
	started := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); srv.Count("lune.create") < n; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the request never reached the handler")
			}
		}
	}

	pw, done, failed := send(t.Context())
	if _, err := io.WriteString(pw, `{"url":"https://exa`); err != nil {
		t.Fatal(err)
	}
	started(1)
	time.Sleep(3 * latency) // the latency is over; the handler waits for the rest
	if n := len(srv.LuneWebhooks()); n != 0 {
		t.Fatalf("%d webhooks made from half a body", n)
	}
	if _, err := io.WriteString(pw, `mple.com/hook"}`); err != nil {
		t.Fatal(err)
	}
	_ = pw.Close()
	select {
	case r := <-done:
		if r.status != http.StatusOK || r.protoMajor != 2 {
			t.Fatalf("create = %d over HTTP/%d: %s", r.status, r.protoMajor, r.body)
		}
	case err := <-failed:
		t.Fatal(err)
	}
	if ws := srv.LuneWebhooks(); len(ws) != 1 || ws[0].URL != "https://example.com/hook" {
		t.Fatalf("webhooks = %+v", ws)
	}

	// A body cut off by the client (its stream reset) applies nothing.
	ctx, cancel := context.WithCancel(t.Context())
	pw, _, failed = send(ctx)
	if _, err := io.WriteString(pw, `{"url":"https://example.com/other"`); err != nil {
		t.Fatal(err)
	}
	started(2)
	cancel()
	if err := <-failed; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled create: %v", err)
	}
	_ = pw.CloseWithError(context.Canceled)
	// Nothing signals that the handler has given up; give it ample time to
	// apply, were it going to.
	time.Sleep(3 * latency)
	if n := len(srv.LuneWebhooks()); n != 1 {
		t.Errorf("%d webhooks after a create whose body never completed, want the first one only", n)
	}
}
