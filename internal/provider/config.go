package provider

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

// Defaults of the provider-wide arguments.
const (
	defaultMaxRetries     = 5
	defaultRequestTimeout = 30 * time.Second
)

// Environment variables that back the provider arguments (names, not credentials).
//
//nolint:gosec // G101 mistakes these variable names for hardcoded credentials.
const (
	envInveterateAPIKey  = "INVETERATE_API_KEY"
	envInveterateBaseURL = "INVETERATE_BASE_URL"
	envBlazePartnerKey   = "BLAZE_PARTNER_KEY"
	envBlazeDeveloperKey = "BLAZE_DEVELOPER_KEY"
	envBlazeBaseURL      = "BLAZE_BASE_URL"
	envLuneAPIKey        = "LUNE_API_KEY"
	envLuneAccountID     = "LUNE_ACCOUNT_ID"
	envLuneBaseURL       = "LUNE_BASE_URL"
	envMaxRetries        = "WEBHOOKS_MAX_RETRIES"
	envLunePace          = "LUNE_REQUESTS_PER_SECOND"
	envInveteratePace    = "INVETERATE_REQUESTS_PER_SECOND"
	envBlazePace         = "BLAZE_REQUESTS_PER_SECOND"
	envRequestTimeout    = "WEBHOOKS_REQUEST_TIMEOUT"
	envAllowInsecureHTTP = "WEBHOOKS_ALLOW_INSECURE_HTTP"
)

// argument is one provider argument and the environment variable it falls back to.
type argument struct {
	// Name is the argument as users write it ("lune.api_key").
	Name string
	// Env is its environment variable.
	Env  string
	path path.Path
}

func arg(section, name, env string) argument {
	return argument{Name: section + "." + name, Env: env, path: path.Root(section).AtName(name)}
}

// value returns the argument's value: the configuration's, else the environment's. known is
// false when the configuration holds a value that is not known yet.
func (a argument) value(v types.String, getenv func(string) string) (value string, known bool) {
	if v.IsUnknown() {
		return "", false
	}
	if !v.IsNull() {
		return v.ValueString(), true
	}
	return getenv(a.Env), true
}

// clientSettings are the connection settings given to every vendor client.
type clientSettings struct {
	httpclient.Settings
	inveterateVisibilityWait time.Duration
	inveteratePollInterval   time.Duration
	blazePageSize            int
}

// Vendor is what resources of one vendor get from the provider: the client, or why there is none.
type Vendor[C any] struct {
	// Name is the vendor's display name ("Lune").
	Name string
	// Client is nil when credentials are missing or not known yet.
	Client *C
	// Credentials are the arguments that authenticate to this vendor.
	Credentials []argument
	// Base is the vendor's base_url argument, which an error about connecting names.
	Base argument
	// Pace is the vendor's requests_per_second argument, which an error about rate limits names.
	Pace argument
	// Account is Lune's account_id argument when it is set (requests act on another account),
	// which an error about permissions names.
	Account *argument
	// Missing lists the required credentials that are neither configured nor in the environment.
	Missing []argument
	// Unknown is true when some of the vendor's arguments were unknown at configure time (they
	// depend on resources not created yet): the client is built once they are known.
	Unknown bool
}

// Clients is the provider data handed to every resource and data source.
type Clients struct {
	Lune       Vendor[lune.Client]
	Inveterate Vendor[inveterate.Client]
	Blaze      Vendor[blaze.Client]

	// shared are the lists the reads of this operation share. Terraform configures the provider
	// anew for every operation, so they never outlive one.
	shared operationLists
}

// configureClients resolves the configuration against the environment and builds a client for
// every vendor whose credentials are known. Vendors without credentials are not an error here:
// their resources fail at plan time, naming what to set.
func configureClients(ctx context.Context, cfg providerModel, version, terraformVersion string, getenv func(string) string, tune func(*clientSettings), diags *diag.Diagnostics) *Clients {
	settings := clientSettings{Settings: httpclient.Settings{
		UserAgent:      userAgent(version, terraformVersion),
		MaxRetries:     defaultMaxRetries,
		RequestTimeout: defaultRequestTimeout,
	}}
	if n, ok := intSetting(cfg.MaxRetries, getenv(envMaxRetries), envMaxRetries, path.Root("max_retries"), 0, 20, diags); ok {
		settings.MaxRetries = n
	}
	if d, ok := durationSetting(cfg.RequestTimeout, getenv(envRequestTimeout), envRequestTimeout, path.Root("request_timeout"), diags); ok {
		settings.RequestTimeout = d
	}
	// Unknown until apply: the base URLs are checked then.
	allowInsecure, allowKnown := boolSetting(cfg.AllowInsecureHTTP, getenv(envAllowInsecureHTTP), envAllowInsecureHTTP, path.Root("allow_insecure_http"), diags)
	r := resolver{getenv: getenv, allowInsecureHTTP: allowInsecure || !allowKnown, diags: diags}
	if tune != nil {
		tune(&settings)
	}
	if diags.HasError() {
		return nil
	}

	var inv inveterateModel
	var blz blazeModel
	var ln luneModel
	invKnown := section(ctx, cfg.Inveterate, &inv, diags)
	blzKnown := section(ctx, cfg.Blaze, &blz, diags)
	lnKnown := section(ctx, cfg.Lune, &ln, diags)
	if diags.HasError() {
		return nil
	}
	clients := &Clients{}

	{
		key := arg("inveterate", "api_key", envInveterateAPIKey)
		base := arg("inveterate", "base_url", envInveterateBaseURL)
		v := &clients.Inveterate
		v.Name, v.Credentials = "Inveterate", []argument{key}
		v.Pace, v.Base = arg("inveterate", "requests_per_second", envInveteratePace), base
		vals, ok := resolveVendor(r, v, invKnown, []types.String{inv.APIKey}, inv.BaseURL)
		v.Unknown = !ok
		if ok && len(v.Missing) == 0 && !diags.HasError() {
			s := settings.Settings
			s.BaseURL = vals.baseURL
			s.OnWrite = clients.shared.invalidateInveterate
			pace(&s, inv.RequestsPerSecond, getenv(envInveteratePace), envInveteratePace, path.Root("inveterate").AtName("requests_per_second"), 1000, diags)
			v.Client = build[inveterate.Client](base, diags)(inveterate.New(inveterate.Config{Settings: s, APIKey: vals.creds[0],
				VisibilityWait: settings.inveterateVisibilityWait, PollInterval: settings.inveteratePollInterval}))
			if client := v.Client; client != nil {
				clients.shared.inveterateWebhookSubscriptions = newListCache(ctx, client.ListSubscriptions)
				clients.shared.inveterateWebhooks = newListCache(ctx, client.ListWebhooks)
			}
		}
	}
	{
		partner := arg("blaze", "partner_key", envBlazePartnerKey)
		developer := arg("blaze", "developer_key", envBlazeDeveloperKey)
		base := arg("blaze", "base_url", envBlazeBaseURL)
		v := &clients.Blaze
		v.Name, v.Credentials = "BLAZE", []argument{partner, developer}
		v.Pace, v.Base = arg("blaze", "requests_per_second", envBlazePace), base
		vals, ok := resolveVendor(r, v, blzKnown, []types.String{blz.PartnerKey, blz.DeveloperKey}, blz.BaseURL)
		v.Unknown = !ok
		if ok && len(v.Missing) == 0 && !diags.HasError() {
			s := settings.Settings
			s.BaseURL = vals.baseURL
			s.OnWrite = clients.shared.invalidateBlaze
			pace(&s, blz.RequestsPerSecond, getenv(envBlazePace), envBlazePace, path.Root("blaze").AtName("requests_per_second"), 1000, diags)
			v.Client = build[blaze.Client](base, diags)(blaze.New(blaze.Config{Settings: s, PartnerKey: vals.creds[0], DeveloperKey: vals.creds[1], PageSize: settings.blazePageSize}))
			if client := v.Client; client != nil {
				clients.shared.partnerWebhooks = newListCache(ctx, func(ctx context.Context) ([]blaze.Webhook, error) {
					return client.ListWebhooks(ctx, blaze.ListOptions{})
				})
			}
		}
	}
	{
		key := arg("lune", "api_key", envLuneAPIKey)
		account := arg("lune", "account_id", envLuneAccountID)
		base := arg("lune", "base_url", envLuneBaseURL)
		v := &clients.Lune
		v.Name, v.Credentials = "Lune", []argument{key}
		v.Pace, v.Base = arg("lune", "requests_per_second", envLunePace), base
		vals, ok := resolveVendor(r, v, lnKnown, []types.String{ln.APIKey}, ln.BaseURL)
		accountID, accountKnown := account.value(ln.AccountID, getenv)
		if accountID != "" {
			v.Account = &account
		}
		v.Unknown = !ok || !accountKnown
		if !v.Unknown && len(v.Missing) == 0 && !diags.HasError() {
			s := settings.Settings
			s.BaseURL = vals.baseURL
			s.OnWrite = clients.shared.invalidateLune
			pace(&s, ln.RequestsPerSecond, getenv(envLunePace), envLunePace, path.Root("lune").AtName("requests_per_second"), lune.RateLimit, diags)
			v.Client = build[lune.Client](base, diags)(lune.New(lune.Config{Settings: s, APIKey: vals.creds[0], AccountID: accountID}))
			if client := v.Client; client != nil {
				clients.shared.luneWebhooks = newListCache(ctx, func(ctx context.Context) ([]lune.Webhook, error) {
					return client.ListWebhooks(ctx, nil)
				})
			}
		}
	}
	if diags.HasError() {
		return nil
	}
	tflog.Debug(ctx, "Configured webhooks provider", map[string]any{
		"lune":        clients.Lune.status(),
		"inveterate":  clients.Inveterate.status(),
		"blaze":       clients.Blaze.status(),
		"max_retries": settings.MaxRetries,
	})
	return clients
}

type vendorValues struct {
	creds   []string
	baseURL string
}

// resolver resolves the arguments of every vendor section against the environment.
type resolver struct {
	getenv func(string) string
	// allowInsecureHTTP is allow_insecure_http: base URLs may use http to any host.
	allowInsecureHTTP bool
	diags             *diag.Diagnostics
}

// vendor resolves a vendor's credentials and base URL. It returns false when any of them is not
// known yet; missing credentials are appended to v.Missing.
func resolveVendor[C any](r resolver, v *Vendor[C], sectionKnown bool, cfgCreds []types.String, cfgBase types.String) (vendorValues, bool) {
	if !sectionKnown {
		return vendorValues{}, false
	}
	var out vendorValues
	known := true
	for i, a := range v.Credentials {
		val, ok := a.value(cfgCreds[i], r.getenv)
		known = known && ok
		if ok && val == "" {
			v.Missing = append(v.Missing, a)
		}
		out.creds = append(out.creds, val)
	}
	b, ok := v.Base.value(cfgBase, r.getenv)
	if !ok {
		return out, false
	}
	if b != "" {
		from := ""
		if cfgBase.IsNull() {
			from = v.Base.Env
		}
		if err := validators.CheckBaseURL(b, r.allowInsecureHTTP); err != nil {
			validators.SettingError(r.diags, v.Base.path, from, err)
		} else if u, err := url.Parse(b); err == nil && validators.IsInsecure(u) {
			r.diags.AddAttributeWarning(v.Base.path, "Insecure HTTP to "+v.Name,
				fmt.Sprintf("%s is %s: the %s credentials, and every secret and token %s returns, travel in clear text to %s. "+
					"allow_insecure_http (or %s) allows it; use it only for an API emulator on a network you trust.",
					v.Base.Name, b, v.Name, v.Name, u.Host, envAllowInsecureHTTP))
		}
	}
	out.baseURL = b
	return out, known
}

// section reads a vendor section. It returns false when the section as a whole is unknown.
func section[T any](ctx context.Context, obj types.Object, out *T, diags *diag.Diagnostics) bool {
	if obj.IsUnknown() {
		return false
	}
	if obj.IsNull() {
		return true
	}
	diags.Append(obj.As(ctx, out, basetypes.ObjectAsOptions{})...)
	return true
}

// intSetting resolves a whole-number provider argument: the configuration's value (its validator
// checked it), else the environment variable's, checked here against the same rule.
func intSetting(v types.Int64, raw, env string, p path.Path, least, most int64, diags *diag.Diagnostics) (int, bool) {
	if v.IsUnknown() {
		return 0, false
	}
	if !v.IsNull() {
		return int(v.ValueInt64()), true
	}
	if raw == "" {
		return 0, false
	}
	n, err := validators.CheckWholeNumber(raw, least, most)
	if err != nil {
		validators.SettingError(diags, p, env, err)
		return 0, false
	}
	return int(n), true
}

// boolSetting resolves a true/false provider argument: the configuration's value, else the
// environment variable's. It returns false, false when the value is unknown (until apply).
func boolSetting(v types.Bool, raw, env string, p path.Path, diags *diag.Diagnostics) (value, known bool) {
	if v.IsUnknown() {
		return false, false
	}
	if !v.IsNull() {
		return v.ValueBool(), true
	}
	if raw == "" {
		return false, true
	}
	b, err := strconv.ParseBool(strings.TrimSpace(raw))
	if err != nil {
		validators.SettingError(diags, p, env, fmt.Errorf("%q is neither true nor false", raw))
		return false, true
	}
	return b, true
}

// pace sets a client's rate limit from the vendor's requests_per_second, if given: one request at
// a time, at most n per second. Left alone, the vendor client picks its default.
func pace(s *httpclient.Settings, v types.Int64, raw, env string, p path.Path, most int64, diags *diag.Diagnostics) {
	if n, ok := intSetting(v, raw, env, p, 1, most, diags); ok {
		s.RateLimit, s.RateBurst = float64(n), 1
	}
}

func durationSetting(v types.String, envValue, env string, p path.Path, diags *diag.Diagnostics) (time.Duration, bool) {
	if v.IsUnknown() {
		return 0, false
	}
	raw, from := v.ValueString(), ""
	if v.IsNull() {
		raw, from = envValue, env
		if raw == "" {
			return 0, false
		}
	}
	d, err := validators.CheckPositiveDuration(raw)
	if err != nil {
		validators.SettingError(diags, p, from, err)
		return 0, false
	}
	return d, true
}

// userAgent names the provider, its version and Terraform's.
func userAgent(version, terraformVersion string) string {
	if terraformVersion == "" {
		terraformVersion = "unknown"
	}
	return fmt.Sprintf("terraform-provider-webhooks/%s (+https://registry.terraform.io/providers/webhookinfra/webhooks) Terraform/%s", version, terraformVersion)
}

// build returns a function that unwraps a client constructor, turning its error (a base URL it
// cannot use) into an error on the base URL argument.
func build[C any](base argument, diags *diag.Diagnostics) func(*C, error) *C {
	return func(c *C, err error) *C {
		if err != nil {
			validators.SettingError(diags, base.path, "", err)
		}
		return c
	}
}

func (v *Vendor[C]) status() string {
	switch {
	case v.Client != nil:
		return "configured"
	case v.Unknown:
		return "unknown until apply"
	default:
		return "not configured"
	}
}
