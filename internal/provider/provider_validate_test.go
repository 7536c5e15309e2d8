package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// validateProviderConfig sends a provider configuration through the framework exactly as Terraform
// does at plan time, and returns the diagnostics. Attributes not given are null.
func validateProviderConfig(t *testing.T, given map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
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
	resp, err := server.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: &config})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
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
			want:   []string{"Invalid Base URL", "lune.base_url", "not loopback"},
		},
		"not a URL": {
			config: map[string]tftypes.Value{"inveterate": sectionTF(t, "inveterate", map[string]string{"base_url": "public.inveterateapi.com"})},
			want:   []string{"Invalid Base URL", "inveterate.base_url", "not an absolute http(s) URL"},
		},
		"negative retries": {
			config: map[string]tftypes.Value{"max_retries": tftypes.NewValue(tftypes.Number, -1)},
			want:   []string{"max_retries", "between 0 and 20"},
		},
		"Lune pace over Lune's limit": {
			config: map[string]tftypes.Value{"lune": sectionTFWith(t, "lune", "requests_per_second", tftypes.NewValue(tftypes.Number, 20))},
			want:   []string{"lune.requests_per_second", "between 1 and 15"},
		},
		"request timeout that is not a duration": {
			config: map[string]tftypes.Value{"request_timeout": tftypes.NewValue(tftypes.String, "soon")},
			want:   []string{"Invalid Duration", "request_timeout", "not a duration"},
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
