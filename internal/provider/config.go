package provider

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

// Defaults of the provider-wide arguments.
const (
	defaultMaxRetries     = 5
	defaultRequestTimeout = 30 * time.Second
)

// Environment variables of the provider-wide arguments (names, not credentials). Each vendor's
// are in its section (vendors.go).
const (
	envMaxRetries        = "WEBHOOKS_MAX_RETRIES"
	envRequestTimeout    = "WEBHOOKS_REQUEST_TIMEOUT"
	envAllowInsecureHTTP = "WEBHOOKS_ALLOW_INSECURE_HTTP"
)

// Options are the provider's seams: what a program that embeds the provider, or a test, chooses
// instead of the defaults. The zero value is the provider as Terraform runs it.
type Options struct {
	// Getenv reads the environment fallbacks of the arguments (nil: os.Getenv).
	Getenv func(string) string
	// Connection is where every client's connection settings start, before the provider's
	// arguments apply: the waits between retries, the transport. Zero fields keep the defaults.
	Connection httpclient.Settings
	// InveterateVisibilityWait and InveteratePollInterval bound the Inveterate client's waits for
	// its eventually consistent lists (zero: the client's defaults).
	InveterateVisibilityWait, InveteratePollInterval time.Duration
	// BlazePageSize is how many webhooks one BLAZE list page asks for (zero: BLAZE's default).
	BlazePageSize int
}

func (o Options) getenv(name string) string {
	if o.Getenv == nil {
		return os.Getenv(name)
	}
	return o.Getenv(name)
}

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

// Vendor is what resources of one vendor get from the provider: the client, or why there is none.
type Vendor[C any] struct {
	// Name is the vendor's display name ("Lune").
	Name string
	// Client is nil when credentials are missing or not known yet.
	Client *C
	// Credentials are the arguments that authenticate to this vendor.
	Credentials []argument
	// Base is the vendor's base_url argument, which an error about connecting names, and
	// BaseDefault its default, the form an error about a wrong base URL shows.
	Base        argument
	BaseDefault string
	// Pace is the vendor's requests_per_second argument, which an error about rate limits names.
	Pace argument
	// Account is the argument that makes requests act on another account (Lune's account_id)
	// when it is set, which an error about permissions names.
	Account *argument
	// Missing lists the required credentials that are neither configured nor in the environment.
	Missing []argument
	// Unknown is true when some of the vendor's arguments were unknown at configure time (they
	// depend on resources not created yet): the client is built once they are known.
	Unknown bool
}

// The provider-wide arguments.
var (
	maxRetriesArg        = argument{Name: "max_retries", Env: envMaxRetries, path: path.Root("max_retries")}
	requestTimeoutArg    = argument{Name: "request_timeout", Env: envRequestTimeout, path: path.Root("request_timeout")}
	allowInsecureHTTPArg = argument{Name: "allow_insecure_http", Env: envAllowInsecureHTTP, path: path.Root("allow_insecure_http")}
)

// configureClients resolves the configuration against the environment and builds a client for
// every vendor whose credentials are known. Vendors without credentials are not an error here:
// their resources fail at plan time, naming what to set.
func (p *WebhooksProvider) configureClients(ctx context.Context, cfg providerModel, terraformVersion string, diags *diag.Diagnostics) *Clients {
	settings, r := p.resolveSettings(cfg, terraformVersion, diags)
	if diags.HasError() {
		return nil
	}
	clients := &Clients{}
	status := map[string]any{"max_retries": settings.MaxRetries}
	for _, v := range vendorSections {
		v.configure(ctx, v.model(&cfg), settings, r, clients)
		status[v.key()] = v.status(clients)
	}
	if diags.HasError() {
		return nil
	}
	tflog.Debug(ctx, "Configured webhooks provider", status)
	return clients
}

// resolveSettings resolves the provider-wide arguments: the connection settings every client
// starts from, and the resolver of the vendor sections.
func (p *WebhooksProvider) resolveSettings(cfg providerModel, terraformVersion string, diags *diag.Diagnostics) (httpclient.Settings, resolver) {
	r := resolver{opts: p.opts, diags: diags}
	settings := p.opts.Connection
	settings.UserAgent = userAgent(p.version, terraformVersion)
	settings.MaxRetries = defaultMaxRetries
	settings.RequestTimeout = defaultRequestTimeout
	if n, ok := r.wholeNumber(cfg.MaxRetries, maxRetriesArg, 0, 20); ok {
		settings.MaxRetries = n
	}
	if d, ok := r.duration(cfg.RequestTimeout, requestTimeoutArg); ok {
		settings.RequestTimeout = d
	}
	// An unknown value is neither permission nor refusal: baseURL defers the base URLs that need it.
	r.allowInsecureHTTP, r.allowInsecureHTTPKnown = r.boolean(cfg.AllowInsecureHTTP, allowInsecureHTTPArg)
	return settings, r
}

// resolver resolves provider arguments against the environment, adding an error on the argument
// for a value that breaks its rule.
type resolver struct {
	opts Options
	// allowInsecureHTTP is allow_insecure_http: base URLs may use http to any host. It is false
	// while allowInsecureHTTPKnown is false (the value depends on a resource not created yet).
	allowInsecureHTTP, allowInsecureHTTPKnown bool
	diags                                     *diag.Diagnostics
}

// sectionValues reads one vendor section's attributes; a null section has none (every argument
// then comes from the environment).
type sectionValues map[string]attr.Value

func (s sectionValues) str(name string) types.String {
	if v, ok := s[name].(types.String); ok {
		return v
	}
	return types.StringNull()
}

func (s sectionValues) int64(name string) types.Int64 {
	if v, ok := s[name].(types.Int64); ok {
		return v
	}
	return types.Int64Null()
}

// baseURL resolves a vendor's base URL and checks it: https, or http to loopback unless
// allow_insecure_http allows any host (with a warning). known is false when it is not known yet,
// or when it is http to a host that is not loopback and allow_insecure_http is not known yet: no
// client may then send the credentials there, and the URL is checked once the value is known.
func (r resolver) baseURL(name string, base argument, cfg types.String) (value string, known bool) {
	b, ok := base.value(cfg, r.opts.getenv)
	if !ok || b == "" {
		return b, ok
	}
	from := ""
	if cfg.IsNull() {
		from = base.Env
	}
	if !r.allowInsecureHTTPKnown && validators.CheckBaseURL(b, true) == nil {
		if u, err := url.Parse(b); err == nil && validators.IsInsecure(u) {
			// Treating unknown as true would send the credentials in clear text during plan (reads,
			// access checks); as false, it would fail a plan the value may yet make valid.
			// Deferring is what unknown credentials get: the vendor is not known yet.
			source := base.Name
			if from != "" {
				source += " (from " + from + ")"
			}
			r.diags.AddAttributeWarning(base.path, name+" Not Contacted Until allow_insecure_http Is Known",
				fmt.Sprintf("%s is %s, http to a host that is not loopback, which only allow_insecure_http = true allows, "+
					"and allow_insecure_http is not known yet (it depends on a resource not created yet). Nothing is sent to %s "+
					"until it is: %s resources are planned without calling %s, and what cannot wait for %s fails with "+
					"\"%s Configuration Not Known\".",
					source, b, u.Host, name, name, name, name))
			return b, false
		}
	}
	if err := validators.CheckBaseURL(b, r.allowInsecureHTTP); err != nil {
		validators.SettingError(r.diags, base.path, from, err)
	} else if u, err := url.Parse(b); err == nil && validators.IsInsecure(u) {
		r.diags.AddAttributeWarning(base.path, "Insecure HTTP to "+name,
			fmt.Sprintf("%s is %s: the %s credentials, and every secret and token %s returns, travel in clear text to %s. "+
				"allow_insecure_http (or %s) allows it; use it only for an API emulator on a network you trust.",
				base.Name, b, name, name, u.Host, envAllowInsecureHTTP))
	}
	return b, true
}

// wholeNumber resolves a whole-number argument: the configuration's value (its validator checked
// it), else the environment variable's, checked here against the same rule.
func (r resolver) wholeNumber(v types.Int64, a argument, least, most int64) (int, bool) {
	if v.IsUnknown() {
		return 0, false
	}
	if !v.IsNull() {
		return int(v.ValueInt64()), true
	}
	raw := r.opts.getenv(a.Env)
	if raw == "" {
		return 0, false
	}
	n, err := validators.CheckWholeNumber(raw, least, most)
	if err != nil {
		validators.SettingError(r.diags, a.path, a.Env, err)
		return 0, false
	}
	return int(n), true
}

// boolean resolves a true/false argument: the configuration's value, else the environment
// variable's. It returns false, false when the value is unknown (until apply).
func (r resolver) boolean(v types.Bool, a argument) (value, known bool) {
	if v.IsUnknown() {
		return false, false
	}
	if !v.IsNull() {
		return v.ValueBool(), true
	}
	raw := r.opts.getenv(a.Env)
	if raw == "" {
		return false, true
	}
	b, err := strconv.ParseBool(strings.TrimSpace(raw))
	if err != nil {
		validators.SettingError(r.diags, a.path, a.Env, fmt.Errorf("%q is neither true nor false", raw))
		return false, true
	}
	return b, true
}

// duration resolves a positive duration argument, like wholeNumber.
func (r resolver) duration(v types.String, a argument) (time.Duration, bool) {
	if v.IsUnknown() {
		return 0, false
	}
	raw, from := v.ValueString(), ""
	if v.IsNull() {
		raw, from = r.opts.getenv(a.Env), a.Env
		if raw == "" {
			return 0, false
		}
	}
	d, err := validators.CheckPositiveDuration(raw)
	if err != nil {
		validators.SettingError(r.diags, a.path, from, err)
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
