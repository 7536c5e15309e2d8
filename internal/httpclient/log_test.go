package httpclient

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// Secrets used by the logging tests: none may ever reach a log.
const (
	secretAPIKey     = "sk_live_xyz123"
	secretPartnerKey = "pk_partner_456"
	secretWhsec      = "whsec_abcDEF123456"
	secretHdrWhsec   = "whsec_hdrSecret999"
	secretFreeText   = "whsec_freeText777"
	secretReqToken   = "tok_req_789"
	secretNestToken  = "tok_nested_000"
	secretRespToken  = "tok_resp_321"
)

var allSecrets = []string{secretAPIKey, secretPartnerKey, secretWhsec, secretHdrWhsec, secretFreeText, secretReqToken, secretNestToken, secretRespToken}

var whsecPattern = regexp.MustCompile(`whsec_[A-Za-z0-9]+`)

func loggingConfig(srvURL string) Config {
	cfg := testConfig(srvURL)
	cfg.MaxRetries = 1
	cfg.Subsystem = "lune"
	cfg.Header = http.Header{
		"Authorization": {"Bearer " + secretAPIKey},
		// Deliberately not canonical: a map literal is an easy way to write headers.
		"x-api-key":     {secretPartnerKey},
		"X-Api-Version": {"2024-06-01"},
	}
	cfg.Redact = Redaction{
		Headers:    []string{"authorization", "X-Api-Key"},
		Values:     []string{secretAPIKey, secretPartnerKey, ""},
		JSONFields: []string{"secret", "token"},
		Patterns:   []*regexp.Regexp{whsecPattern},
	}
	return cfg
}

func TestLoggingNeverShowsSecrets(t *testing.T) {
	tests := []struct {
		name     string
		answer   action
		req      Request
		wantErr  bool
		wantBody []string // fragments the logged request body must contain (proves it was logged)
		wantResp []string // fragments the logged response body must contain
	}{
		{
			name: "create with a signing secret in both bodies and a response header",
			answer: reply(201, `{"id":"wh_1","url":"https://example.com/hook","secret":"`+secretWhsec+`","token":"`+secretRespToken+`"}`,
				"X-Echo-Signing-Secret", secretHdrWhsec, "X-Request-Id", "req-1"),
			req: Request{Method: "POST", Path: "/v1/webhooks", NonIdempotent: true,
				Body: map[string]any{"url": "https://example.com/hook", "secret": secretWhsec}},
			wantBody: []string{"https://example.com/hook", `"secret":"***"`},
			wantResp: []string{`"id":"wh_1"`, `"secret":"***"`, `"token":"***"`},
		},
		{
			name:   "tokens, nested",
			answer: reply(200, `{"token":"`+secretRespToken+`","items":[{"Token":"`+secretRespToken+`"}]}`),
			req: Request{Method: "PUT", Path: "/v1/tokens/t1",
				Body: map[string]any{"token": secretReqToken, "name": "visible-name", "nested": map[string]any{"items": []any{map[string]any{"token": secretNestToken}}}}},
			wantBody: []string{"visible-name", `"token":"***"`},
			wantResp: []string{`"token":"***"`, `"Token":"***"`},
		},
		{
			name:   "credential in the query",
			answer: reply(200, `[]`),
			req:    Request{Method: "GET", Path: "/v1/webhooks", Query: url.Values{"api_key": {secretAPIKey}, "page": {"2"}}},
		},
		{
			name:     "error answer quoting a secret in free text",
			answer:   reply(422, `{"code":"invalid_secret","message":"secret `+secretFreeText+` is not valid"}`),
			req:      Request{Method: "POST", Path: "/v1/webhooks", NonIdempotent: true, Body: map[string]any{"secret": secretFreeText}},
			wantErr:  true,
			wantResp: []string{"invalid_secret"},
		},
		{
			name:    "dropped connection with a credential in the query",
			answer:  drop,
			req:     Request{Method: "GET", Path: "/v1/webhooks/wh_1", Query: url.Values{"key": {secretPartnerKey}}},
			wantErr: true,
		},
		{
			name:    "non-JSON body with secrets",
			answer:  reply(400, "bad secret "+secretWhsec+" for key "+secretAPIKey, "Content-Type", "text/plain"),
			req:     Request{Method: "POST", Path: "/v1/raw", Body: "token " + secretAPIKey + " " + secretWhsec},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seqServer(t, tt.answer)
			c := newClient(t, loggingConfig(srv.URL))
			var buf bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &buf)

			_, err := c.Do(ctx, tt.req, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Do error = %v, want error: %v", err, tt.wantErr)
			}
			// The credentials really were sent: the redaction is the log's, not the request's.
			h := srv.Hits()[0]
			if h.Header.Get("Authorization") != "Bearer "+secretAPIKey || h.Header.Get("X-Api-Key") != secretPartnerKey {
				t.Fatalf("credentials not sent: %v", h.Header)
			}

			out := buf.String()
			for _, s := range allSecrets {
				if strings.Contains(out, s) {
					t.Errorf("log contains secret %q:\n%s", s, out)
				}
			}

			entries, err := tflogtest.MultilineJSONDecode(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("decoding the log: %v", err)
			}
			byMsg := map[string][]map[string]any{}
			for _, e := range entries {
				msg, _ := e["@message"].(string)
				byMsg[msg] = append(byMsg[msg], e)
				if e["@module"] != "provider.lune" {
					t.Errorf("entry %q logged under %v, want the provider.lune subsystem", msg, e["@module"])
				}
			}
			sent := byMsg["Sending HTTP request"]
			if len(sent) == 0 {
				t.Fatalf("no request was logged:\n%s", out)
			}
			wantURL := srv.URL + tt.req.Path
			if got, _ := sent[0]["http.url"].(string); sent[0]["http.method"] != tt.req.Method || !strings.HasPrefix(got, wantURL) {
				t.Errorf("logged %v %v, want %s %s", sent[0]["http.method"], sent[0]["http.url"], tt.req.Method, wantURL)
			}
			if sent[0]["@level"] != "debug" {
				t.Errorf("request logged at %v, want debug", sent[0]["@level"])
			}
			detail := byMsg["HTTP request detail"]
			if len(detail) == 0 {
				t.Fatalf("no TRACE request detail was logged:\n%s", out)
			}
			headers, _ := detail[0]["http.request.headers"].(map[string]any)
			if headers["X-Api-Version"] != "2024-06-01" || headers["User-Agent"] == nil {
				t.Errorf("request headers not logged: %v", headers)
			}
			if headers["Authorization"] != masked {
				t.Errorf("Authorization logged as %v, want %q", headers["Authorization"], masked)
			}
			reqBody, _ := detail[0]["http.request.body"].(string)
			for _, frag := range tt.wantBody {
				if !strings.Contains(reqBody, frag) {
					t.Errorf("logged request body %q does not contain %q", reqBody, frag)
				}
			}
			if len(tt.wantResp) > 0 {
				resp := byMsg["HTTP response detail"]
				if len(resp) == 0 {
					t.Fatalf("no response detail logged:\n%s", out)
				}
				respBody, _ := resp[0]["http.response.body"].(string)
				for _, frag := range tt.wantResp {
					if !strings.Contains(respBody, frag) {
						t.Errorf("logged response body %q does not contain %q", respBody, frag)
					}
				}
			}
		})
	}
}

func TestRedactHeaders(t *testing.T) {
	c := newClient(t, loggingConfig("http://127.0.0.1:1"))
	tests := []struct {
		name   string
		header http.Header
		want   map[string]string
	}{
		{"listed header, canonical key",
			http.Header{"Authorization": {"Bearer " + secretAPIKey}, "Accept": {"application/json"}},
			map[string]string{"Authorization": masked, "Accept": "application/json"}},
		{"listed header, non-canonical key",
			http.Header{"x-api-key": {secretPartnerKey}},
			map[string]string{"x-api-key": masked}},
		{"unlisted header carrying a configured credential",
			http.Header{"X-Debug-Echo": {"key=" + secretAPIKey}},
			map[string]string{"X-Debug-Echo": "key=" + masked}},
		{"unlisted header carrying a secret pattern",
			http.Header{"X-Signing-Secret": {secretHdrWhsec}},
			map[string]string{"X-Signing-Secret": masked}},
		{"several values joined",
			http.Header{"X-Tags": {"a", "b"}},
			map[string]string{"X-Tags": "a, b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.redactHeaders(tt.header)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("redactHeaders = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRedactBody(t *testing.T) {
	c := newClient(t, loggingConfig("http://127.0.0.1:1"))
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty", "", ""},
		{"secret field", `{"secret":"x1","url":"u"}`, `{"secret":"***","url":"u"}`},
		{"field names match case-insensitively", `{"SECRET":"x1","Token":"y2"}`, `{"SECRET":"***","Token":"***"}`},
		{"null secret stays null", `{"secret":null}`, `{"secret":null}`},
		{"secret object masked whole", `{"token":{"value":"v","exp":1}}`, `{"token":"***"}`},
		{"nested in arrays", `[{"a":[{"token":"t"}]},{"b":1}]`, `[{"a":[{"token":"***"}]},{"b":1}]`},
		{"pattern in a non-sensitive field", `{"message":"bad ` + secretFreeText + `"}`, `{"message":"bad ***"}`},
		{"configured value anywhere", `{"note":"key ` + secretAPIKey + `"}`, `{"note":"key ***"}`},
		{"not JSON", "token=" + secretAPIKey + "&s=" + secretWhsec, "token=***&s=***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.redactBody([]byte(tt.body)); got != tt.want {
				t.Errorf("redactBody(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

func TestLoggingWithoutLoggerIsSilent(t *testing.T) {
	// No root logger in the context: requests work and nothing panics.
	srv := seqServer(t, reply(201, `{"secret":"`+secretWhsec+`"}`))
	c := newClient(t, loggingConfig(srv.URL))
	if _, err := c.Do(context.Background(), Request{Method: "POST", Path: "/x", Body: map[string]string{"secret": secretWhsec}}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestLoggedResponseBodyIsStillReadable(t *testing.T) {
	// Logging reads the response body: the caller must still get all of it.
	big := strings.Repeat("x", 200<<10)
	srv := seqServer(t, reply(200, `{"blob":"`+big+`"}`))
	c := newClient(t, loggingConfig(srv.URL))
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	var out struct{ Blob string }
	if _, err := c.Do(ctx, Request{Method: "GET", Path: "/x"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Blob != big {
		t.Errorf("decoded %d bytes, want %d", len(out.Blob), len(big))
	}
	if !strings.Contains(buf.String(), "HTTP response detail") {
		t.Error("response detail not logged")
	}
}

// Each state a request enters (write.go) is in the TRACE log, in order: a 503 then a 200 is queued,
// sent, answered, and again; a create whose answer allows it was applied goes to unknown, and to
// resolved once its lookup has settled it.
func TestLoggingRequestStates(t *testing.T) {
	states := func(buf *bytes.Buffer) []string {
		t.Helper()
		entries, err := tflogtest.MultilineJSONDecode(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			if e["@message"] == "HTTP request state" {
				got = append(got, fmt.Sprint(e["http.state"]))
			}
		}
		return got
	}
	srv := seqServer(t, reply(503, `{}`), reply(200, `{}`))
	c := newClient(t, loggingConfig(srv.URL))
	var buf bytes.Buffer
	if _, err := c.Do(tflogtest.RootLogger(context.Background(), &buf), Request{Method: "GET", Path: "/v1/webhooks"}, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := states(&buf), []string{"queued", "sent", "answered", "queued", "sent", "answered"}; !slices.Equal(got, want) {
		t.Errorf("states %v, want %v", got, want)
	}

	srv = seqServer(t, reply(524, `{}`))
	c = newClient(t, loggingConfig(srv.URL))
	buf.Reset()
	_, err := c.CreateOrAdopt(tflogtest.RootLogger(context.Background(), &buf), Request{Method: "POST", Path: "/v1/webhooks", Body: map[string]string{}}, nil,
		func(context.Context, *Lookup) (bool, error) { return true, nil })
	if err != nil {
		t.Fatal(err)
	}
	if got, want := states(&buf), []string{"queued", "sent", "answered", "unknown", "resolved"}; !slices.Equal(got, want) {
		t.Errorf("create states %v, want %v", got, want)
	}
}
