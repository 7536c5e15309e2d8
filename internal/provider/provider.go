// Package provider is the Terraform side of the webhooks provider: its configuration, resources
// and data sources, built on the vendor clients.
package provider

import (
	"context"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

var (
	_ provider.Provider                   = (*WebhooksProvider)(nil)
	_ provider.ProviderWithListResources  = (*WebhooksProvider)(nil)
	_ provider.ProviderWithValidateConfig = (*WebhooksProvider)(nil)
)

// WebhooksProvider is the webhooks provider.
type WebhooksProvider struct {
	version string
	// getenv reads the environment fallbacks (os.Getenv; tests give their own).
	getenv func(string) string
	// tune adjusts the connection settings of every client; tests use it to shorten retry waits.
	tune func(*clientSettings)
}

// New returns a constructor of the provider for the given version (set at build time).
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &WebhooksProvider{version: version, getenv: os.Getenv} }
}

// providerModel is the provider configuration.
type providerModel struct {
	Inveterate     types.Object `tfsdk:"inveterate"`
	Blaze          types.Object `tfsdk:"blaze"`
	Lune           types.Object `tfsdk:"lune"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	// AllowInsecureHTTP lets base URLs use http:// to any host.
	AllowInsecureHTTP types.Bool `tfsdk:"allow_insecure_http"`
}

type inveterateModel struct {
	APIKey            types.String `tfsdk:"api_key"`
	BaseURL           types.String `tfsdk:"base_url"`
	RequestsPerSecond types.Int64  `tfsdk:"requests_per_second"`
}

type blazeModel struct {
	PartnerKey        types.String `tfsdk:"partner_key"`
	DeveloperKey      types.String `tfsdk:"developer_key"`
	BaseURL           types.String `tfsdk:"base_url"`
	RequestsPerSecond types.Int64  `tfsdk:"requests_per_second"`
}

type luneModel struct {
	APIKey            types.String `tfsdk:"api_key"`
	AccountID         types.String `tfsdk:"account_id"`
	BaseURL           types.String `tfsdk:"base_url"`
	RequestsPerSecond types.Int64  `tfsdk:"requests_per_second"`
}

// Metadata names the provider "webhooks".
func (p *WebhooksProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "webhooks"
	resp.Version = p.version
}

// Schema describes the provider configuration.
func (p *WebhooksProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	baseURL := func(env, def string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "API base URL. Defaults to `" + def + "`; environment variable `" + env + "`. " +
				"Must be " + validators.BaseURLRule + ", " +
				"so that credentials never travel in clear text to another machine.",
			Validators: []validator.String{validators.BaseURL()},
		}
	}
	secret := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: desc}
	}
	pace := func(env, def string, most int64) schema.Int64Attribute {
		return schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "The most requests per second the provider sends to this API, whatever Terraform's " +
				"parallelism: " + validators.WholeNumberRule(1, most) + ". " + def + "; environment variable `" + env + "`.",
			Validators: []validator.Int64{validators.WholeNumber(1, most)},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manage the webhook registrations of Lune, Inveterate and BLAZE. Every argument is " +
			"optional: a vendor's section is needed only by that vendor's resources and data sources, and every " +
			"argument falls back to an environment variable (the configuration wins).",
		Attributes: map[string]schema.Attribute{
			"inveterate": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Inveterate Public API 2.0, for `webhooks_inveterate_webhook_subscription` and `webhooks_inveterate_webhook`.",
				Attributes: map[string]schema.Attribute{
					"api_key":             secret("The merchant's private API key, sent as `X-Inveterate-Api-Key`. Environment variable `INVETERATE_API_KEY`."),
					"base_url":            baseURL("INVETERATE_BASE_URL", "https://public.inveterateapi.com"),
					"requests_per_second": pace("INVETERATE_REQUESTS_PER_SECOND", "Inveterate documents no limit, so by default there is none", 1000),
				},
			},
			"blaze": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "BLAZE Partner API, for `webhooks_partner_webhook`.",
				Attributes: map[string]schema.Attribute{
					"partner_key":         secret("The partner key, sent as `x-api-key`. Environment variable `BLAZE_PARTNER_KEY`."),
					"developer_key":       secret("The developer key, sent as `Authorization`; it is tied to one company and shop. Environment variable `BLAZE_DEVELOPER_KEY`."),
					"base_url":            baseURL("BLAZE_BASE_URL", "https://api.partners.blaze.me"),
					"requests_per_second": pace("BLAZE_REQUESTS_PER_SECOND", "BLAZE documents no limit, so by default there is none", 1000),
				},
			},
			"lune": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Lune API, for `webhooks_webhook`.",
				Attributes: map[string]schema.Attribute{
					"api_key": secret("The API key, sent as a Bearer token. Its mode (live or test) decides the webhooks' `account_type`. Environment variable `LUNE_API_KEY`."),
					"account_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Act on another account of the organisation (header `Lune-Account`). Environment variable `LUNE_ACCOUNT_ID`.",
					},
					"base_url":            baseURL("LUNE_BASE_URL", "https://api.lune.co"),
					"requests_per_second": pace("LUNE_REQUESTS_PER_SECOND", "Lune allows 15 per API key; by default the provider keeps to 13, to leave room for network jitter", 15),
				},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times one request is retried after a rate limit (429), a server error or a " +
					"broken connection, with capped exponential backoff that honours `Retry-After`: " + validators.WholeNumberRule(0, 20) + ". Defaults to `5`; " +
					"environment variable `WEBHOOKS_MAX_RETRIES`.",
				Validators: []validator.Int64{validators.WholeNumber(0, 20)},
			},
			"allow_insecure_http": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Let every `base_url` use `http://` to any host, not only to loopback: for an API " +
					"emulator on a network you trust, such as the sandbox in a CI service container (`http://sandbox:8080`). " +
					"Credentials and secrets then travel in clear text, and every plan warns, naming the vendor and the " +
					"host. Defaults to `false`; environment variable `WEBHOOKS_ALLOW_INSECURE_HTTP` (`true` or `false`).",
			},
			"request_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Timeout of one HTTP attempt, " + validators.DurationRule + ". Defaults to `\"30s\"`; " +
					"environment variable `WEBHOOKS_REQUEST_TIMEOUT`.",
				Validators: []validator.String{validators.PositiveDuration()},
			},
		},
	}
}

// ValidateConfig checks, at plan time, what one attribute's validator cannot: a base_url that uses
// http to a host that is not loopback is an error unless allow_insecure_http (or its environment
// variable) allows it. Configure applies the same rule to base URLs from the environment.
func (p *WebhooksProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var allow types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("allow_insecure_http"), &allow)...)
	allowed, known := boolSetting(allow, p.getenv(envAllowInsecureHTTP), envAllowInsecureHTTP, path.Root("allow_insecure_http"), &resp.Diagnostics)
	if !known || allowed || resp.Diagnostics.HasError() {
		return
	}
	for _, section := range []string{"inveterate", "blaze", "lune"} {
		at := path.Root(section).AtName("base_url")
		var base types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, at, &base)...)
		if base.IsNull() || base.IsUnknown() || validators.CheckBaseURL(base.ValueString(), true) != nil {
			continue // the attribute's own validator reports a malformed URL
		}
		if err := validators.CheckBaseURL(base.ValueString(), false); err != nil {
			validators.SettingError(&resp.Diagnostics, at, "", err)
		}
	}
}

// Configure builds the clients of every vendor whose credentials are known.
func (p *WebhooksProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	clients := configureClients(ctx, cfg, p.version, req.TerraformVersion, p.getenv, p.tune, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData = clients
	resp.DataSourceData = clients
	resp.ListResourceData = clients
}

// Resources lists the provider's resources.
func (p *WebhooksProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewLuneWebhookResource,
		NewInveterateWebhookSubscriptionResource, NewInveterateWebhookResource,
		NewPartnerWebhookResource,
	}
}

// ListResources lists the provider's list resources (for terraform query, Terraform 1.14+): one
// per resource type, of the same name.
func (p *WebhooksProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewLuneWebhookListResource,
		NewInveterateWebhookSubscriptionListResource, NewInveterateWebhookListResource,
		NewPartnerWebhookListResource,
	}
}

// DataSources lists the provider's data sources.
func (p *WebhooksProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewLuneWebhooksDataSource,
		NewInveterateWebhookSubscriptionsDataSource, NewInveterateWebhooksDataSource,
		NewPartnerWebhooksDataSource,
	}
}
