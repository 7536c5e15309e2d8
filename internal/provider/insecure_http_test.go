package provider

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// TestAllowInsecureHTTP_planAndConfigure: http:// to a host that is not loopback is an error at plan
// time unless allow_insecure_http (or WEBHOOKS_ALLOW_INSECURE_HTTP) allows it, and once allowed,
// configuring the provider (which every plan does) warns, naming the vendor and the host.
func TestAllowInsecureHTTP_planAndConfigure(t *testing.T) {
	lune := func(base string) tftypes.Value {
		return sectionTF(t, "lune", map[string]string{"api_key": "k", "base_url": base})
	}
	allow := func(v bool) tftypes.Value { return tftypes.NewValue(tftypes.Bool, v) }
	cases := map[string]struct {
		config  map[string]tftypes.Value
		env     map[string]string
		wantErr string // fragment of the one error, or "" for none
		warning string // fragment of the one warning Configure gives, or "" for none
	}{
		"refused by default": {
			config:  map[string]tftypes.Value{"lune": lune("http://sandbox:8080")},
			wantErr: "allow_insecure_http",
		},
		"refused when false": {
			config:  map[string]tftypes.Value{"lune": lune("http://sandbox:8080"), "allow_insecure_http": allow(false)},
			wantErr: "Invalid Lune Base URL",
		},
		"allowed by the argument": {
			config:  map[string]tftypes.Value{"lune": lune("http://sandbox:8080"), "allow_insecure_http": allow(true)},
			warning: "lune.base_url is http://sandbox:8080: the Lune credentials, and every secret and token Lune returns, travel in clear text to sandbox:8080",
		},
		"allowed by the environment": {
			config:  map[string]tftypes.Value{"lune": lune("http://sandbox:8080")},
			env:     map[string]string{envAllowInsecureHTTP: "true"},
			warning: "Insecure HTTP to Lune",
		},
		"the argument wins over the environment": {
			config:  map[string]tftypes.Value{"lune": lune("http://sandbox:8080"), "allow_insecure_http": allow(false)},
			env:     map[string]string{envAllowInsecureHTTP: "true"},
			wantErr: "not loopback",
		},
		"https needs nothing and warns of nothing": {
			config: map[string]tftypes.Value{"lune": lune("https://api.lune.co"), "allow_insecure_http": allow(true)},
		},
		"loopback http needs nothing and warns of nothing": {
			config: map[string]tftypes.Value{"lune": lune("http://127.0.0.1:8080")},
		},
		"a bad environment value": {
			config:  map[string]tftypes.Value{"lune": lune("https://api.lune.co")},
			env:     map[string]string{envAllowInsecureHTTP: "yes please"},
			wantErr: `Invalid Allow Insecure HTTP: allow_insecure_http (from environment variable WEBHOOKS_ALLOW_INSECURE_HTTP): "yes please" is neither true nor false`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := testProvider("test", func(k string) string { return tc.env[k] })
			server, config := providerConfig(t, p, tc.config)
			ctx := context.Background()
			validated, err := server.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: config})
			if err != nil {
				t.Fatal(err)
			}
			diags := validated.Diagnostics
			if !hasError(diags) {
				configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: config})
				if err != nil {
					t.Fatal(err)
				}
				diags = append(diags, configured.Diagnostics...)
			}
			var errs, warnings []string
			for _, d := range diags {
				text := d.Summary + ": " + d.Detail
				if d.Severity == tfprotov6.DiagnosticSeverityError {
					errs = append(errs, text)
				} else {
					warnings = append(warnings, text)
				}
			}
			switch {
			case tc.wantErr == "" && len(errs) > 0:
				t.Errorf("errors %v, want none", errs)
			case tc.wantErr != "" && (len(errs) != 1 || !strings.Contains(errs[0], tc.wantErr)):
				t.Errorf("errors %v, want one with %q", errs, tc.wantErr)
			}
			switch {
			case tc.warning == "" && len(warnings) > 0:
				t.Errorf("warnings %v, want none", warnings)
			case tc.warning != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], tc.warning)):
				t.Errorf("warnings %v, want one with %q", warnings, tc.warning)
			}
		})
	}
}

// TestAccAllowInsecureHTTP_serviceContainer applies and destroys a webhook of every vendor through
// base URLs that name a host that is not loopback, http://sandbox:8080, as a CI job whose sandbox
// runs in a service container would, with allow_insecure_http = true. The test's transport dials
// the in-process sandbox for that host: only the name differs from loopback.
func TestAccAllowInsecureHTTP_serviceContainer(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{})
	sb := e.sandbox()
	c := sb.Config()
	sandboxAddr := strings.TrimPrefix(sb.URL, "http://")
	dialer := &net.Dialer{}
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr != "sandbox:8080" {
			t.Errorf("dialed %s, want sandbox:8080", addr)
		}
		return dialer.DialContext(ctx, network, sandboxAddr)
	}}
	p := testProvider("acctest", func(string) string { return "" }, func(o *Options) {
		fastRetries(o)
		o.Connection.Transport = transport
	})
	config := `
provider "webhooks" {
  allow_insecure_http = true
  lune = {
    api_key  = "` + c.Lune.Keys[0] + `"
    base_url = "http://sandbox:8080"
  }
  inveterate = {
    api_key  = "` + c.Inveterate.Keys[0] + `"
    base_url = "http://sandbox:8080"
  }
  blaze = {
    partner_key   = "` + c.Blaze.PartnerKeys[0] + `"
    developer_key = "` + e.developerKey() + `"
    base_url      = "http://sandbox:8080"
  }
}

resource "webhooks_webhook" "test" {
  url = "https://hooks.example.com/lune"
}

resource "webhooks_inveterate_webhook_subscription" "test" {
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/inveterate"
  name         = "service container"
}

resource "webhooks_partner_webhook" "test" {
  web_hook_type = "NEW_MEMBER"
  web_hook_urls = ["https://hooks.example.com/blaze"]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){"webhooks": providerserver.NewProtocol6WithError(p)},
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeTestCheckFunc(
				sandboxCount(sb, "lune.create", 1),
				sandboxCount(sb, "inveterate.subscriptions.create", 1),
				sandboxCount(sb, "blaze.create", 1),
			),
		}},
	})
}
