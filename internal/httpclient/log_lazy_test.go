package httpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/hashicorp/terraform-plugin-log/tfsdklog"
)

// fileLogger returns a context whose provider logger writes to a file at level, as JSON when json
// is true and as hclog's text otherwise (the sink Terraform's test framework sets up from
// TF_LOG). It returns the file's path.
func fileLogger(t *testing.T, level hclog.Level, json bool) (context.Context, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "provider.log")
	format := "TRACE"
	if json {
		format = "JSON"
	}
	t.Setenv("TF_LOG", format)
	t.Setenv("TF_LOG_PATH", path)
	t.Setenv("TF_ACC_LOG_PATH", "")
	t.Setenv("TF_LOG_PATH_MASK", "")
	ctx := tfsdklog.ContextWithTestLogging(context.Background(), t.Name())
	return tfsdklog.NewRootProviderLogger(ctx, tfsdklog.WithLevel(level), tfsdklog.WithoutLocation()), path
}

func readLog(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// bigJSONObject is an object of n fields, one of them secret: costly to parse and redact.
func bigJSONObject(n int) string {
	var b strings.Builder
	b.WriteString(`{"secret":"` + secretWhsec + `"`)
	for i := range n {
		fmt.Fprintf(&b, `,"field_%05d":"value %d"`, i, i)
	}
	b.WriteString("}")
	return b.String()
}

// With TRACE off, no body is parsed or redacted for the log: the exchange costs about as many
// allocations whatever the size of the body's JSON. The same exchange logged at TRACE shows what
// the redaction costs, so that the first bound means something.
func TestTraceRedactionOnlyWhenWritten(t *testing.T) {
	const fields = 5000
	big := bigJSONObject(fields)
	tests := []struct {
		name   string
		answer action
		req    Request
	}{
		{"large response body", reply(200, big), Request{Method: "GET", Path: "/v1/webhooks"}},
		{"large request body", reply(200, `{}`),
			Request{Method: "PUT", Path: "/v1/webhooks/wh_1", Body: json.RawMessage(big)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seqServer(t, tt.answer)
			measure := func(level hclog.Level) (float64, string) {
				ctx, path := fileLogger(t, level, true)
				c := newClient(t, loggingConfig(srv.URL))
				var err error
				allocs := testing.AllocsPerRun(10, func() {
					if _, e := c.Do(ctx, tt.req, nil); e != nil {
						err = e
					}
				})
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				return allocs, readLog(t, path)
			}

			debug, debugLog := measure(hclog.Debug)
			trace, traceLog := measure(hclog.Trace)
			t.Logf("allocations per request: %.0f at DEBUG, %.0f at TRACE (%d JSON fields)", debug, trace, fields)

			// The loggers work as intended: DEBUG lines only, then TRACE lines too.
			if !strings.Contains(debugLog, "Received HTTP response") || strings.Contains(debugLog, "detail") {
				t.Fatalf("the DEBUG logger did not log as expected:\n%.2000s", debugLog)
			}
			if !strings.Contains(traceLog, "HTTP request detail") || !strings.Contains(traceLog, "HTTP response detail") ||
				!strings.Contains(traceLog, `field_04999`) {
				t.Fatalf("the TRACE logger did not log the bodies:\n%.2000s", traceLog)
			}
			if strings.Contains(traceLog, secretWhsec) {
				t.Fatal("the TRACE log contains the secret")
			}

			// Parsing and redacting costs several allocations per field; a whole exchange without
			// it costs a few hundred, whatever the body's size.
			if debug > fields/5 {
				t.Errorf("%.0f allocations per request with TRACE off, want under %d: the body is still redacted", debug, fields/5)
			}
			if trace < debug+2*fields {
				t.Errorf("%.0f allocations per request at TRACE, want at least %.0f: the control does not show the cost of redaction", trace, debug+2*fields)
			}
		})
	}
}

// At TRACE the written lines are redacted as they always were: sensitive headers, sensitive JSON
// fields, configured credentials and secret patterns, in JSON logs and in text logs.
func TestTraceLineStillRedacted(t *testing.T) {
	respBody := `{"id":"wh_1","token":"` + secretRespToken + `","echo":"` + secretPartnerKey +
		`","message":"bad ` + secretFreeText + `"}`
	req := Request{Method: "POST", Path: "/v1/webhooks", NonIdempotent: true, Body: map[string]any{
		"url":    "https://example.com/hook?a=1&b=<2>",
		"secret": secretWhsec,
		"note":   "key " + secretAPIKey,
		"msg":    "sig " + secretFreeText,
	}}
	const wantReqBody = `{"msg":"sig ***","note":"key ***","secret":"***","url":"https://example.com/hook?a=1&b=<2>"}`
	const wantRespBody = `{"echo":"***","id":"wh_1","message":"bad ***","token":"***"}`
	wantReqHeaders := map[string]string{"Authorization": masked, "x-api-key": masked, "X-Api-Version": "2024-06-01"}
	wantRespHeaders := map[string]string{"X-Echo-Signing-Secret": masked, "X-Debug-Echo": "key=" + masked, "X-Request-Id": "req-1"}

	exchange := func(t *testing.T, ctx context.Context) {
		t.Helper()
		srv := seqServer(t, reply(201, respBody,
			"X-Echo-Signing-Secret", secretHdrWhsec, "X-Debug-Echo", "key="+secretAPIKey, "X-Request-Id", "req-1"))
		c := newClient(t, loggingConfig(srv.URL))
		var out struct{ ID string }
		if _, err := c.Do(ctx, req, &out); err != nil {
			t.Fatal(err)
		}
		if out.ID != "wh_1" {
			t.Fatalf("decoded %+v: the caller did not get the whole body", out)
		}
	}
	noSecrets := func(t *testing.T, log string) {
		t.Helper()
		for _, s := range allSecrets {
			if strings.Contains(log, s) {
				t.Errorf("log contains secret %q:\n%s", s, log)
			}
		}
	}

	t.Run("JSON", func(t *testing.T) {
		var buf bytes.Buffer
		exchange(t, tflogtest.RootLogger(context.Background(), &buf))
		noSecrets(t, buf.String())
		entries, err := tflogtest.MultilineJSONDecode(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		byMsg := map[string]map[string]any{}
		for _, e := range entries {
			msg, _ := e["@message"].(string)
			byMsg[msg] = e
		}
		check := func(msg, bodyKey, wantBody, headersKey string, wantHeaders map[string]string) {
			e := byMsg[msg]
			if e == nil {
				t.Fatalf("no %q line:\n%s", msg, buf.String())
			}
			if got := e[bodyKey]; got != wantBody {
				t.Errorf("%s = %#v, want %q", bodyKey, got, wantBody)
			}
			headers, _ := e[headersKey].(map[string]any)
			for k, want := range wantHeaders {
				if headers[k] != want {
					t.Errorf("%s[%s] = %#v, want %q (all: %v)", headersKey, k, headers[k], want, headers)
				}
			}
		}
		check("HTTP request detail", "http.request.body", wantReqBody, "http.request.headers", wantReqHeaders)
		check("HTTP response detail", "http.response.body", wantRespBody, "http.response.headers", wantRespHeaders)
	})

	t.Run("text", func(t *testing.T) {
		ctx, path := fileLogger(t, hclog.Trace, false)
		exchange(t, ctx)
		log := readLog(t, path)
		noSecrets(t, log)
		for _, want := range []string{
			"http.request.body=" + strconv.Quote(wantReqBody),
			"http.response.body=" + strconv.Quote(wantRespBody),
			"Authorization:" + masked, "x-api-key:" + masked, "X-Api-Version:2024-06-01",
			"X-Echo-Signing-Secret:" + masked, "X-Debug-Echo:key=" + masked, "X-Request-Id:req-1",
		} {
			if !strings.Contains(log, want) {
				t.Errorf("text log does not contain %q:\n%s", want, log)
			}
		}
	})
}

// A lazy field is logged exactly as the eager string or map it replaces was, masks of the
// subsystem included, whatever the format: nothing is masked less (or differently) than before.
func TestLazyFieldsLoggedAsEagerOnes(t *testing.T) {
	cfg := loggingConfig("http://127.0.0.1:1")
	// A pattern that only matches once a credential has become the mask: tflog's own masks,
	// applied after redactText, still change this text, and so must a lazy value.
	cfg.Redact.Patterns = append(cfg.Redact.Patterns, regexp.MustCompile(`key=\*\*\*`))
	c := newClient(t, cfg)
	bodies := []string{
		`{"id":"wh_1","secret":"` + secretWhsec + `","url":"https://x?a=1&b=<2>","note":"key=` + secretAPIKey + `"}`,
		`[{"Token":"t"},{"a":["` + secretPartnerKey + `",1,null,true]}]`,
		`not json: key=` + secretAPIKey + ` ` + secretFreeText + " \u2028 <&>",
		"{\"bad utf8\":\"\xff\"}",
		`"just a string with key=` + secretAPIKey + `"`,
	}
	header := http.Header{
		"Authorization": {"Bearer " + secretAPIKey},
		"X-Debug-Echo":  {"key=" + secretAPIKey, "<b>&"},
		"X-Plain":       {"plain"},
	}
	logBoth := func(t *testing.T, newCtx func(t *testing.T) (context.Context, func() string)) {
		for _, body := range bodies {
			log := func(fields map[string]any) string {
				ctx, read := newCtx(t)
				ctx = c.logContext(ctx)
				tflog.SubsystemTrace(ctx, c.cfg.Subsystem, "detail", fields)
				return read()
			}
			// One field a line: text logs write fields in map order.
			for _, pair := range [][2]any{
				{c.redactBody([]byte(body)), c.lazyBody(func() []byte { return []byte(body) })},
				{c.redactHeaders(header), c.lazyHeaders(header)},
			} {
				eager := log(map[string]any{"value": pair[0]})
				lazy := log(map[string]any{"value": pair[1]})
				if eager != lazy || !strings.Contains(eager, "detail") {
					t.Errorf("body %q:\neager: %s\nlazy:  %s", body, eager, lazy)
				}
				for _, s := range allSecrets {
					if strings.Contains(lazy, s) {
						t.Errorf("log contains secret %q: %s", s, lazy)
					}
				}
			}
		}
	}
	t.Run("JSON", func(t *testing.T) {
		logBoth(t, func(*testing.T) (context.Context, func() string) {
			var buf bytes.Buffer
			return tflogtest.RootLogger(context.Background(), &buf), buf.String
		})
	})
	t.Run("text", func(t *testing.T) {
		logBoth(t, func(t *testing.T) (context.Context, func() string) {
			ctx, path := fileLogger(t, hclog.Trace, false)
			return ctx, func() string {
				// Drop the timestamp: the two lines are not written at the same instant.
				_, line, _ := strings.Cut(readLog(t, path), " [TRACE]")
				return line
			}
		})
	})
}
