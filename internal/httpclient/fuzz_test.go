package httpclient

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// fuzzSecretPattern is a Lune-like secret pattern for the redactor's fuzz test.
var fuzzSecretPattern = regexp.MustCompile(`whsec_[A-Za-z0-9]{32}`)

// sensitiveStrings collects, from a decoded JSON document, the strings under sensitive keys (at
// any depth, in any shape: a string, or strings inside an object or array under that key), and
// every other string and key.
func sensitiveStrings(c *Client, v any, under bool, secret, other *[]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			*other = append(*other, k)
			sensitiveStrings(c, val, under || c.sensitiveField(k), secret, other)
		}
	case []any:
		for _, val := range t {
			sensitiveStrings(c, val, under, secret, other)
		}
	case string:
		if under {
			*secret = append(*secret, t)
		} else {
			*other = append(*other, t)
		}
	}
}

// FuzzRedactBody logs arbitrary bodies: no configured credential, no value under a secret or token
// field (whatever the JSON shape), and no string of the secret pattern survives in the log, read
// as raw text or decoded as JSON.
func FuzzRedactBody(f *testing.F) {
	const defaultKey = "sk_live_0123456789"
	for _, seed := range []string{
		`{"id":"wh_1","secret":"whsec_0123456789abcdef0123456789abcdef"}`,
		`{"data":{"token":"0123456789abcdef0123456789abcdef","name":"n"}}`,
		`[{"Secret":"abcdefgh"},{"TOKEN":["abcdefgh1","abcdefgh2"]}]`,
		`{"secret":{"nested":"abcdefghij"}}`,
		`{"message":"key sk_live_0123456789 is invalid"}`,
		`not json whsec_0123456789abcdef0123456789abcdef and sk_live_0123456789`,
		`{"url":"https://x?k=sk_live_0123456789<>&"}`,
		`{"secret":"a<b>c&d=e_long"}`,
		`{"secret":null,"token":12345678}`,
	} {
		f.Add([]byte(seed), defaultKey)
	}
	f.Add([]byte(`{"message":"the key k<e>y&1234 is wrong"}`), "k<e>y&1234")
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		if len(key) < 6 || strings.Contains(masked, key) {
			t.Skip("a key too short to tell from other text")
		}
		c := &Client{cfg: Config{Redact: Redaction{
			Values:     []string{key},
			JSONFields: []string{"secret", "token"},
			Patterns:   []*regexp.Regexp{fuzzSecretPattern},
		}}}
		logged := c.redactBody(body)
		views := []string{logged}
		var decoded any
		if json.Unmarshal([]byte(logged), &decoded) == nil {
			// The log's JSON read back: escapes (\u003c, \u0026, ...) must not hide a secret.
			var all []string
			sensitiveStrings(c, decoded, false, &all, &all)
			views = append(views, strings.Join(all, "\n"))
		}
		var forbidden []string
		var doc any
		if json.Unmarshal(body, &doc) == nil {
			var secrets, others []string
			sensitiveStrings(c, doc, false, &secrets, &others)
			for _, s := range secrets {
				// A secret that is also ordinary content elsewhere (or short enough to be part of
				// anything) cannot be told apart.
				if len(s) < 6 || strings.Contains(masked, s) || containsIn(others, s) {
					continue
				}
				forbidden = append(forbidden, s)
			}
		}
		for _, view := range views {
			if strings.Contains(view, key) {
				t.Errorf("the key survives in %q", view)
			}
			if fuzzSecretPattern.MatchString(view) {
				t.Errorf("a secret survives in %q", view)
			}
			for _, s := range forbidden {
				if strings.Contains(view, s) {
					t.Errorf("the value %q of a secret field survives in %q", s, view)
				}
			}
		}
	})
}

// containsIn reports whether any of texts contains s.
func containsIn(texts []string, s string) bool {
	for _, t := range texts {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}
