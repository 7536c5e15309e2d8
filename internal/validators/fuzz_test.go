package validators

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckBaseURL checks arbitrary base URLs: never a panic; an accepted URL is absolute http or
// https, carries no credentials, query or fragment, and without allowInsecureHTTP uses http only
// to a loopback host; allowInsecureHTTP lifts that rule and no other.
func FuzzCheckBaseURL(f *testing.F) {
	for _, seed := range []string{
		"https://api.lune.co", "http://127.0.0.1:8080", "http://[::1]:1", "http://localhost", "http://sandbox:8080",
		"https://user:pw@x.example", "https://x.example?q=1", "https://x.example#f", "ftp://x", "//x.example",
		"http://127.0.0.1.evil.example", "http://[::ffff:127.0.0.1]", "HTTP://LOCALHOST", "https://x.example/prefix/",
		"http://0x7f.1", "http://%31%32%37.0.0.1", "", " https://x.example",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		strict := CheckBaseURL(raw, false)
		lax := CheckBaseURL(raw, true)
		if strict == nil && lax != nil {
			t.Fatalf("%q: accepted strictly but refused with allow_insecure_http: %v", raw, lax)
		}
		if lax != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("%q accepted but does not parse: %v", raw, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("%q accepted: %+v", raw, u)
		}
		if strict == nil && u.Scheme == "http" && !IsLoopback(u.Hostname()) {
			t.Fatalf("%q accepted without allow_insecure_http: http to %q", raw, u.Hostname())
		}
		if strict != nil && !strings.Contains(strict.Error(), "allow_insecure_http") {
			t.Fatalf("%q refused only by the loopback rule, but the error does not name allow_insecure_http: %v", raw, strict)
		}
	})
}
