// Package provider is the Terraform side of the webhooks provider: its configuration, resources
// and data sources, built on the vendor clients.
package provider

import (
	"context"

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
	opts    Options
}

// New returns a constructor of the provider for the given version (set at build time).
func New(version string) func() provider.Provider { return NewWithOptions(version, Options{}) }

// NewWithOptions is New with seams of its own: an environment, connection settings (see Options).
func NewWithOptions(version string, opts Options) func() provider.Provider {
	return func() provider.Provider { return &WebhooksProvider{version: version, opts: opts} }
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

// Metadata names the provider "webhooks".
func (p *WebhooksProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "webhooks"
	resp.Version = p.version
}

// Schema describes the provider configuration.
func (p *WebhooksProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	attrs := map[string]schema.Attribute{
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
	}
	for _, v := range vendorSections {
		attrs[v.key()] = v.attribute()
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manage the webhook registrations of Lune, Inveterate and BLAZE. Every argument is " +
			"optional: a vendor's section is needed only by that vendor's resources and data sources, and every " +
			"argument falls back to an environment variable (the configuration wins).",
		Attributes: attrs,
	}
}

// ValidateConfig checks, at plan time, what one attribute's validator cannot: a base_url that uses
// http to a host that is not loopback is an error unless allow_insecure_http (or its environment
// variable) allows it. Configure applies the same rule to base URLs from the environment.
func (p *WebhooksProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var allow types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, allowInsecureHTTPArg.path, &allow)...)
	allowed, known := resolver{opts: p.opts, diags: &resp.Diagnostics}.boolean(allow, allowInsecureHTTPArg)
	// Not known yet: neither permission nor refusal. Configure checks the base URLs once the value
	// is known (at apply), and until then builds no client for one that needs it (resolver.baseURL).
	if !known || allowed || resp.Diagnostics.HasError() {
		return
	}
	for _, v := range vendorSections {
		at := path.Root(v.key()).AtName("base_url")
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
	resp.Diagnostics.Append(getModel(ctx, req.Config, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	clients := p.configureClients(ctx, cfg, req.TerraformVersion, &resp.Diagnostics)
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
