package provider

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// validateProviderConfig sends a provider configuration through the framework exactly as Terraform
// does at plan time, and returns the diagnostics. Attributes not given are null.
func validateProviderConfig(t *testing.T, given map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	server, config := providerConfig(t, New("test")(), given)
	resp, err := server.ValidateProviderConfig(context.Background(), &tfprotov6.ValidateProviderConfigRequest{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// providerConfig serves p and builds a configuration of it in which the attributes not given are null.
func providerConfig(t *testing.T, p provider.Provider, given map[string]tftypes.Value) (tfprotov6.ProviderServer, *tfprotov6.DynamicValue) {
	t.Helper()
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(p)()
	if err != nil {
		t.Fatal(err)
	}
	schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemaResp.Provider.ValueType().(tftypes.Object)
	values := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
		if v, ok := given[name]; ok {
			values[name] = v
		}
	}
	config, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, values))
	if err != nil {
		t.Fatal(err)
	}
	return server, &config
}

// sectionTF builds a provider section value in which the fields not given are null.
func sectionTF(t *testing.T, section string, given map[string]string) tftypes.Value {
	t.Helper()
	attrTypes := map[string]tftypes.Type{}
	values := map[string]tftypes.Value{}
	for name, at := range sectionType(t, section).AttrTypes {
		tfType := at.TerraformType(context.Background())
		attrTypes[name] = tfType
		values[name] = tftypes.NewValue(tfType, nil)
		if v, ok := given[name]; ok {
			values[name] = tftypes.NewValue(tftypes.String, v)
		}
	}
	return tftypes.NewValue(tftypes.Object{AttributeTypes: attrTypes}, values)
}

func TestProviderConfigValidation(t *testing.T) {
	cases := map[string]struct {
		config map[string]tftypes.Value
		want   []string // fragments of one error's summary+detail; nil = valid
	}{
		"empty": {},
		"https and loopback http": {config: map[string]tftypes.Value{
			"lune":  sectionTF(t, "lune", map[string]string{"base_url": "https://api.lune.co"}),
			"blaze": sectionTF(t, "blaze", map[string]string{"base_url": "http://127.0.0.1:8080"}),
		}},
		"cleartext to a remote host": {
			config: map[string]tftypes.Value{"lune": sectionTF(t, "lune", map[string]string{"base_url": "http://api.lune.co"})},
			want:   []string{"Invalid Lune Base URL", "lune.base_url", "not loopback"},
		},
		"not a URL": {
			config: map[string]tftypes.Value{"inveterate": sectionTF(t, "inveterate", map[string]string{"base_url": "public.inveterateapi.com"})},
			want:   []string{"Invalid Inveterate Base URL", "inveterate.base_url", "not an absolute http(s) URL"},
		},
		"negative retries": {
			config: map[string]tftypes.Value{"max_retries": tftypes.NewValue(tftypes.Number, -1)},
			want:   []string{"Invalid Max Retries", "max_retries", "a whole number from 0 to 20"},
		},
		"Lune pace over Lune's limit": {
			config: map[string]tftypes.Value{"lune": sectionTFWith(t, "lune", "requests_per_second", tftypes.NewValue(tftypes.Number, 20))},
			want:   []string{"Invalid Lune Requests Per Second", "lune.requests_per_second", "a whole number from 1 to 15"},
		},
		"request timeout that is not a duration": {
			config: map[string]tftypes.Value{"request_timeout": tftypes.NewValue(tftypes.String, "soon")},
			want:   []string{"Invalid Request Timeout", "request_timeout", "not a duration"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			diags := validateProviderConfig(t, tc.config)
			var errs []string
			for _, d := range diags {
				if d.Severity == tfprotov6.DiagnosticSeverityError {
					errs = append(errs, d.Summary+": "+d.Detail)
				}
			}
			if tc.want == nil {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("got %d errors %v, want one", len(errs), errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(errs[0], w) {
					t.Errorf("error %q does not contain %q", errs[0], w)
				}
			}
		})
	}
}

// sectionTFWith is a provider section in which only one attribute is set, to any value.
func sectionTFWith(t *testing.T, section, name string, v tftypes.Value) tftypes.Value {
	t.Helper()
	base := sectionTF(t, section, nil)
	var values map[string]tftypes.Value
	if err := base.As(&values); err != nil {
		t.Fatal(err)
	}
	values[name] = v
	return tftypes.NewValue(base.Type(), values)
}

// TestProviderSettingErrors_oneErrorWhereverTheValueComes gives each provider argument that falls
// back to an environment variable a bad value, once in the configuration (caught by validation at
// plan time) and once in its environment variable (caught by Configure): both errors have the same
// summary and point at the same attribute, so Terraform shows them on the same line; the second
// names the variable.
func TestProviderSettingErrors_oneErrorWhereverTheValueComes(t *testing.T) {
	cases := []struct {
		section, name, env, bad, summary string
	}{
		{"lune", "base_url", envLuneBaseURL, "http://api.lune.example", "Invalid Lune Base URL"},
		{"inveterate", "base_url", envInveterateBaseURL, "ftp://inveterate.example", "Invalid Inveterate Base URL"},
		{"blaze", "base_url", envBlazeBaseURL, "api.partners.blaze.me", "Invalid BLAZE Base URL"},
		{"lune", "requests_per_second", envLunePace, "16", "Invalid Lune Requests Per Second"},
		{"inveterate", "requests_per_second", envInveteratePace, "0", "Invalid Inveterate Requests Per Second"},
		{"blaze", "requests_per_second", envBlazePace, "1001", "Invalid BLAZE Requests Per Second"},
		{"", "max_retries", envMaxRetries, "21", "Invalid Max Retries"},
		{"", "request_timeout", envRequestTimeout, "soon", "Invalid Request Timeout"},
	}
	for _, tc := range cases {
		name := tc.name
		if tc.section != "" {
			name = tc.section + "." + tc.name
		}
		t.Run(name, func(t *testing.T) {
			// From the configuration.
			var value tftypes.Value
			if n, err := strconv.Atoi(tc.bad); err == nil {
				value = tftypes.NewValue(tftypes.Number, n)
			} else {
				value = tftypes.NewValue(tftypes.String, tc.bad)
			}
			given := map[string]tftypes.Value{tc.name: value}
			if tc.section != "" {
				given = map[string]tftypes.Value{tc.section: sectionTFWith(t, tc.section, tc.name, value)}
			}
			fromConfig := onlyErrorDiagnostic(t, validateProviderConfig(t, given))

			// From the environment, with credentials for every vendor.
			env := map[string]string{
				envLuneAPIKey: "k", envInveterateAPIKey: "k", envBlazePartnerKey: "k", envBlazeDeveloperKey: "k",
				tc.env: tc.bad,
			}
			server, config := providerConfig(t, testProvider("test", func(k string) string { return env[k] }), nil)
			resp, err := server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{Config: config})
			if err != nil {
				t.Fatal(err)
			}
			fromEnv := onlyErrorDiagnostic(t, resp.Diagnostics)

			for _, d := range []*tfprotov6.Diagnostic{fromConfig, fromEnv} {
				if d.Summary != tc.summary {
					t.Errorf("summary %q, want %q", d.Summary, tc.summary)
				}
				if d.Attribute == nil || d.Attribute.String() != fromConfig.Attribute.String() {
					t.Errorf("attribute %v, want %v", d.Attribute, fromConfig.Attribute)
				}
				if !strings.HasPrefix(d.Detail, name) || !strings.Contains(d.Detail, strconv.Quote(tc.bad)) && !strings.Contains(d.Detail, tc.bad+" is out of range") {
					t.Errorf("detail %q does not start with %s and quote the value", d.Detail, name)
				}
			}
			if want := "(from environment variable " + tc.env + ")"; !strings.Contains(fromEnv.Detail, want) {
				t.Errorf("detail %q does not say %s", fromEnv.Detail, want)
			}
		})
	}
}

// onlyErrorDiagnostic is the one error of diags; anything else fails the test.
func onlyErrorDiagnostic(t *testing.T, diags []*tfprotov6.Diagnostic) *tfprotov6.Diagnostic {
	t.Helper()
	if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityError {
		for _, d := range diags {
			t.Logf("%v %s: %s", d.Severity, d.Summary, d.Detail)
		}
		t.Fatalf("got %d diagnostics, want one error", len(diags))
	}
	return diags[0]
}
