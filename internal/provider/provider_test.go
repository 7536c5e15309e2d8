package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// allEnv lists every environment variable the provider reads, so that each test starts clean.
var allEnv = []string{
	envInveterateAPIKey, envInveterateBaseURL, envBlazePartnerKey, envBlazeDeveloperKey, envBlazeBaseURL,
	envLuneAPIKey, envLuneAccountID, envLuneBaseURL, envMaxRetries, envRequestTimeout,
	envLunePace, envInveteratePace, envBlazePace,
}

func clearEnv(t *testing.T) {
	t.Helper()
	for _, e := range allEnv {
		t.Setenv(e, "")
	}
}

func TestProviderSchemaIsValid(t *testing.T) {
	resp := &fwprovider.SchemaResponse{}
	New("test")().Schema(context.Background(), fwprovider.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatalf("schema implementation: %v", diags)
	}
	for _, name := range []string{"inveterate.api_key", "blaze.partner_key", "blaze.developer_key", "lune.api_key"} {
		section, field, _ := strings.Cut(name, ".")
		nested, ok := resp.Schema.Attributes[section].(schema.SingleNestedAttribute)
		if !ok {
			t.Fatalf("%s is not a single nested attribute", section)
		}
		if !nested.Attributes[field].IsSensitive() {
			t.Errorf("%s is not sensitive", name)
		}
	}
}

// sectionType returns the object type of a provider section, from the schema itself.
func sectionType(t *testing.T, name string) types.ObjectType {
	t.Helper()
	return providerSectionType(name)
}

func providerSectionType(name string) types.ObjectType {
	resp := &fwprovider.SchemaResponse{}
	New("test")().Schema(context.Background(), fwprovider.SchemaRequest{}, resp)
	return resp.Schema.Attributes[name].GetType().(types.ObjectType)
}

// section builds a section value: every attribute not given is null.
func sectionValue(t *testing.T, name string, values map[string]attr.Value) types.Object {
	t.Helper()
	typ := sectionType(t, name)
	all := map[string]attr.Value{}
	for k, at := range typ.AttrTypes {
		all[k] = types.StringNull()
		if at.Equal(types.Int64Type) {
			all[k] = types.Int64Null()
		}
	}
	for k, v := range values {
		all[k] = v
	}
	return types.ObjectValueMust(typ.AttrTypes, all)
}

func emptyModel(t *testing.T) providerModel {
	t.Helper()
	return nullProviderModel()
}

// nullProviderModel is an empty provider block: every setting comes from the environment.
func nullProviderModel() providerModel {
	return providerModel{
		Inveterate:     types.ObjectNull(providerSectionType("inveterate").AttrTypes),
		Blaze:          types.ObjectNull(providerSectionType("blaze").AttrTypes),
		Lune:           types.ObjectNull(providerSectionType("lune").AttrTypes),
		MaxRetries:     types.Int64Null(),
		RequestTimeout: types.StringNull(),

		AllowInsecureHTTP: types.BoolNull(),
	}
}

func configure(t *testing.T, cfg providerModel) (*Clients, *httpclient.Settings, diag.Diagnostics) {
	t.Helper()
	var diags diag.Diagnostics
	p := &WebhooksProvider{version: "1.2.3"}
	clients := p.configureClients(context.Background(), cfg, "1.11.4", &diags)
	var again diag.Diagnostics
	settings, _ := p.resolveSettings(cfg, "1.11.4", &again)
	return clients, &settings, diags
}

func TestConfigureWithoutAnything(t *testing.T) {
	clearEnv(t)
	clients, settings, diags := configure(t, emptyModel(t))
	if diags.HasError() {
		t.Fatalf("an empty configuration must be valid: %v", diags)
	}
	if clients.Lune.Client != nil || clients.Inveterate.Client != nil || clients.Blaze.Client != nil {
		t.Fatal("clients built without credentials")
	}
	if settings.MaxRetries != defaultMaxRetries || settings.RequestTimeout != defaultRequestTimeout {
		t.Fatalf("defaults: got %d retries, %s timeout", settings.MaxRetries, settings.RequestTimeout)
	}
	if want := "terraform-provider-webhooks/1.2.3 (+https://registry.terraform.io/providers/webhookinfra/webhooks) Terraform/1.11.4"; settings.UserAgent != want {
		t.Fatalf("User-Agent %q, want %q", settings.UserAgent, want)
	}
	for _, tc := range []struct {
		missing []argument
		want    []string
	}{
		{clients.Lune.Missing, []string{"lune.api_key"}},
		{clients.Inveterate.Missing, []string{"inveterate.api_key"}},
		{clients.Blaze.Missing, []string{"blaze.partner_key", "blaze.developer_key"}},
	} {
		var names []string
		for _, a := range tc.missing {
			names = append(names, a.Name)
		}
		if strings.Join(names, ",") != strings.Join(tc.want, ",") {
			t.Errorf("missing = %v, want %v", names, tc.want)
		}
	}
}

func TestConfigureFromEnvironment(t *testing.T) {
	clearEnv(t)
	t.Setenv(envLuneAPIKey, "test_env_key")
	t.Setenv(envLuneBaseURL, "http://127.0.0.1:1")
	t.Setenv(envInveterateAPIKey, "inv_env_key")
	t.Setenv(envBlazePartnerKey, "partner")
	t.Setenv(envBlazeDeveloperKey, "developer")
	t.Setenv(envMaxRetries, "7")
	t.Setenv(envRequestTimeout, "45s")
	clients, settings, diags := configure(t, emptyModel(t))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if clients.Lune.Client == nil || clients.Inveterate.Client == nil || clients.Blaze.Client == nil {
		t.Fatalf("environment credentials not used: lune=%s inveterate=%s blaze=%s", clients.Lune.status(), clients.Inveterate.status(), clients.Blaze.status())
	}
	if settings.MaxRetries != 7 || settings.RequestTimeout != 45*time.Second {
		t.Fatalf("got %d retries and %s timeout from the environment", settings.MaxRetries, settings.RequestTimeout)
	}
}

func TestConfigurationWinsOverEnvironment(t *testing.T) {
	clearEnv(t)
	t.Setenv(envLuneBaseURL, "http://example.com") // would be rejected if it were used
	t.Setenv(envMaxRetries, "9")
	cfg := emptyModel(t)
	cfg.Lune = sectionValue(t, "lune", map[string]attr.Value{
		"api_key":  types.StringValue("test_cfg"),
		"base_url": types.StringValue("https://api.lune.co"),
	})
	cfg.MaxRetries = types.Int64Value(2)
	clients, settings, diags := configure(t, cfg)
	if diags.HasError() {
		t.Fatalf("the configuration's base_url must win over %s: %v", envLuneBaseURL, diags)
	}
	if clients.Lune.Client == nil {
		t.Fatal("no Lune client")
	}
	if settings.MaxRetries != 2 {
		t.Fatalf("max_retries %d, want the configuration's 2", settings.MaxRetries)
	}
}

func TestConfigureRejectsCleartextBaseURLFromEnvironment(t *testing.T) {
	for _, tc := range []struct{ env, value, wantAttr string }{
		{envLuneBaseURL, "http://api.lune.co", "lune.base_url"},
		{envInveterateBaseURL, "http://10.1.2.3:8080", "inveterate.base_url"},
		{envBlazeBaseURL, "ftp://127.0.0.1", "blaze.base_url"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(envLuneAPIKey, "k")
			t.Setenv(envInveterateAPIKey, "k")
			t.Setenv(envBlazePartnerKey, "k")
			t.Setenv(envBlazeDeveloperKey, "k")
			t.Setenv(tc.env, tc.value)
			_, _, diags := configure(t, emptyModel(t))
			if !diags.HasError() {
				t.Fatalf("%s=%s accepted", tc.env, tc.value)
			}
			detail := diags.Errors()[0].Detail()
			for _, want := range []string{tc.wantAttr, tc.env, tc.value} {
				if !strings.Contains(detail, want) {
					t.Errorf("detail %q does not mention %q", detail, want)
				}
			}
		})
	}
}

func TestConfigureRejectsBadSettingsFromEnvironment(t *testing.T) {
	for env, value := range map[string]string{envMaxRetries: "many", envRequestTimeout: "0s", envLunePace: "16", envBlazePace: "0"} {
		t.Run(env, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(envLuneAPIKey, "k")
			t.Setenv(envBlazePartnerKey, "k")
			t.Setenv(envBlazeDeveloperKey, "k")
			t.Setenv(env, value)
			_, _, diags := configure(t, emptyModel(t))
			if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), env) {
				t.Fatalf("%s=%q: got %v, want an error naming the variable", env, value, diags)
			}
		})
	}
}

func TestConfigureWithUnknownValues(t *testing.T) {
	clearEnv(t)
	cfg := emptyModel(t)
	cfg.Lune = sectionValue(t, "lune", map[string]attr.Value{"api_key": types.StringUnknown()})
	cfg.Blaze = types.ObjectUnknown(sectionType(t, "blaze").AttrTypes)
	clients, _, diags := configure(t, cfg)
	if diags.HasError() {
		t.Fatalf("unknown values must not fail configuration: %v", diags)
	}
	for name, v := range map[string]bool{"lune": clients.Lune.Unknown, "blaze": clients.Blaze.Unknown} {
		if !v {
			t.Errorf("%s: not marked unknown", name)
		}
	}

	// While planning, an unknown vendor is no error; when a call is needed, it is.
	var planDiags diag.Diagnostics
	if _, ok := require(&clients.Lune, "webhooks_webhook", true, &planDiags); ok || planDiags.HasError() {
		t.Fatalf("planning with unknown credentials: ok=%v diags=%v", ok, planDiags)
	}
	var applyDiags diag.Diagnostics
	if _, ok := require(&clients.Lune, "webhooks_webhook", false, &applyDiags); ok || !applyDiags.HasError() {
		t.Fatalf("applying with unknown credentials: ok=%v diags=%v", ok, applyDiags)
	}
}

func TestMissingCredentialsMessage(t *testing.T) {
	clearEnv(t)
	clients, _, diags := configure(t, emptyModel(t))
	if diags.HasError() {
		t.Fatal(diags)
	}
	cases := []struct {
		name    string
		check   func(*diag.Diagnostics) bool
		summary string
		want    []string
	}{
		{"lune", func(d *diag.Diagnostics) bool {
			_, ok := require(&clients.Lune, "webhooks_webhook", true, d)
			return ok
		},
			"Missing Lune Credentials", []string{"webhooks_webhook", "lune.api_key", "LUNE_API_KEY"}},
		{"inveterate", func(d *diag.Diagnostics) bool {
			_, ok := require(&clients.Inveterate, "webhooks_inveterate_webhook", true, d)
			return ok
		}, "Missing Inveterate Credentials", []string{"inveterate.api_key", "INVETERATE_API_KEY"}},
		{"blaze", func(d *diag.Diagnostics) bool {
			_, ok := require(&clients.Blaze, "webhooks_partner_webhook", true, d)
			return ok
		},
			"Missing BLAZE Credentials", []string{"blaze.partner_key", "BLAZE_PARTNER_KEY", "blaze.developer_key", "BLAZE_DEVELOPER_KEY"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d diag.Diagnostics
			if tc.check(&d) {
				t.Fatal("require succeeded without credentials")
			}
			if !d.HasError() || d.Errors()[0].Summary() != tc.summary {
				t.Fatalf("got %v, want summary %q", d, tc.summary)
			}
			for _, w := range tc.want {
				if !strings.Contains(d.Errors()[0].Detail(), w) {
					t.Errorf("detail does not mention %q:\n%s", w, d.Errors()[0].Detail())
				}
			}
		})
	}

	// Only the missing half of BLAZE's pair is named.
	clearEnv(t)
	t.Setenv(envBlazePartnerKey, "partner")
	clients, _, _ = configure(t, emptyModel(t))
	var d diag.Diagnostics
	require(&clients.Blaze, "webhooks_partner_webhook", true, &d)
	if detail := d.Errors()[0].Detail(); strings.Contains(detail, "BLAZE_PARTNER_KEY") || !strings.Contains(detail, "BLAZE_DEVELOPER_KEY") {
		t.Fatalf("detail should name only the developer key:\n%s", detail)
	}
}
