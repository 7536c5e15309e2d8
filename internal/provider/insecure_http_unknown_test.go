package provider

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// hostRecorder is a transport that records the host of every request and the API key it carried,
// then dials the in-process sandbox whatever the host: a request to http://sandbox:8080 reaches it
// exactly as it would reach a machine of that name.
type hostRecorder struct {
	sandboxAddr string
	mu          sync.Mutex
	seen        []string // "host key"
}

func (h *hostRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.seen = append(h.seen, req.URL.Host+" "+req.Header.Get("Authorization"))
	h.mu.Unlock()
	dialer := &net.Dialer{}
	t := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, h.sandboxAddr)
	}}
	defer t.CloseIdleConnections()
	return t.RoundTrip(req)
}

func (h *hostRecorder) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

// TestAllowInsecureHTTP_unknownSendsNothingInClear: an allow_insecure_http that is not known yet (it comes
// from a resource not created yet) is neither permission nor refusal. Validation that depends on
// it waits, and Configure builds no client that would send the credentials over http to a host
// that is not loopback: that vendor is "not known yet" until the value is, as with unknown
// credentials. Once the value is known, the usual rule applies.
func TestAllowInsecureHTTP_unknownSendsNothingInClear(t *testing.T) {
	unknownBool := tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue)
	cases := map[string]struct {
		base  string
		allow tftypes.Value
		// wantRequest: a list of the vendor's webhooks reaches the API (else it sends nothing).
		wantRequest bool
		// configureErr and configureWarn are fragments of the one error or warning validation
		// and Configure give, "" for none.
		configureErr, configureWarn string
		// listErr is a fragment of the list's one error, "" for a list that succeeds.
		listErr string
	}{
		"unknown: no credentials over http to another host": {
			base: "http://sandbox:8080", allow: unknownBool,
			configureWarn: "allow_insecure_http is not known yet",
			listErr:       "Lune Configuration Not Known",
		},
		"unknown: loopback http needs no permission": {
			base: "http://127.0.0.1:8080", allow: unknownBool, wantRequest: true,
		},
		"unknown: https needs no permission": {
			base: "https://sandbox:8443", allow: unknownBool, wantRequest: true,
			// The recorder speaks plain http to the sandbox, so the TLS handshake fails: what
			// matters is that the request was made.
			listErr: "Unable to List Lune Webhooks",
		},
		"known true, as at apply: allowed, with the warning": {
			base: "http://sandbox:8080", allow: tftypes.NewValue(tftypes.Bool, true), wantRequest: true,
			configureWarn: "Insecure HTTP to Lune",
		},
		"known false: refused": {
			base: "http://sandbox:8080", allow: tftypes.NewValue(tftypes.Bool, false),
			configureErr: "not loopback", // from validation, at plan time
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec := &hostRecorder{}
			e := newProtoEnv(t, sandbox.Config{}, func(o *Options) { o.Connection.Transport = rec })
			rec.sandboxAddr = strings.TrimPrefix(e.srv.URL, "http://")
			key := e.srv.Config().Lune.Keys[0]

			typ := e.schema.Provider.ValueType().(tftypes.Object)
			luneType := typ.AttributeTypes["lune"].(tftypes.Object)
			config := dynamicValue(t, typ, objectValue(typ, map[string]tftypes.Value{
				"allow_insecure_http": tc.allow,
				"lune":                objectValue(luneType, map[string]tftypes.Value{"api_key": str(key), "base_url": str(tc.base)}),
			}))
			ctx := context.Background()

			// Plan-time validation: an unknown value defers the check, with nothing to say.
			validated, err := e.server.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: config})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.allow.IsKnown() && len(validated.Diagnostics) > 0 {
				t.Errorf("validation with allow_insecure_http unknown: %s, want nothing (checked once known)", diagText(validated.Diagnostics))
			}

			// Terraform configures only a configuration that passed validation.
			diags := validated.Diagnostics
			if !hasError(diags) {
				configured, err := e.server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: config})
				if err != nil {
					t.Fatal(err)
				}
				diags = append(diags, configured.Diagnostics...)
			}
			wantOneDiag(t, "Configure error", diags, tfprotov6.DiagnosticSeverityError, tc.configureErr)
			wantOneDiag(t, "Configure warning", diags, tfprotov6.DiagnosticSeverityWarning, tc.configureWarn)
			if hasError(diags) {
				if got := rec.requests(); len(got) != 0 {
					t.Errorf("requests after a refused configuration: %v", got)
				}
				return
			}

			results := e.list(luneWebhookTypeName, nil, false, 0)
			var listDiags []*tfprotov6.Diagnostic
			for _, r := range results {
				listDiags = append(listDiags, r.Diagnostics...)
			}
			wantOneDiag(t, "list error", listDiags, tfprotov6.DiagnosticSeverityError, tc.listErr)

			got := rec.requests()
			if !tc.wantRequest && len(got) > 0 {
				t.Fatalf("requests %q: the Lune API key went over http to a host that is not loopback while allow_insecure_http was not known", got)
			}
			if tc.wantRequest && len(got) == 0 {
				t.Fatal("no request: the list should have reached the API")
			}
		})
	}
}

// wantOneDiag fails unless diags hold exactly one diagnostic of severity containing want, or none
// when want is "".
func wantOneDiag(t *testing.T, what string, diags []*tfprotov6.Diagnostic, severity tfprotov6.DiagnosticSeverity, want string) {
	t.Helper()
	var got []string
	for _, d := range diags {
		if d.Severity == severity {
			got = append(got, d.Summary+": "+d.Detail)
		}
	}
	switch {
	case want == "" && len(got) > 0:
		t.Errorf("%s: %q, want none", what, got)
	case want != "" && (len(got) != 1 || !strings.Contains(got[0], want)):
		t.Errorf("%s: %q, want one with %q", what, got, want)
	}
}
