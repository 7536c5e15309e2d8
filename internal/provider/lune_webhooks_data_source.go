package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

var (
	_ datasource.DataSource              = (*luneWebhooksDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*luneWebhooksDataSource)(nil)
)

const luneWebhooksDataSourceTypeName = "webhooks_webhooks"

// NewLuneWebhooksDataSource returns the webhooks_webhooks data source: every Lune webhook.
func NewLuneWebhooksDataSource() datasource.DataSource {
	return &luneWebhooksDataSource{newDataSourceBase(luneWebhooksDataSourceTypeName, luneVendor)}
}

type luneWebhooksDataSource struct{ dataSourceBase[lune.Client] }

// luneWebhooksDataSourceModel is the data source: its filter, and each webhook as the resource maps
// it, without the secret and the arguments that only exist in configuration.
type luneWebhooksDataSourceModel struct {
	AccountIDs types.Set             `tfsdk:"account_ids"`
	Webhooks   []luneWebhookAPIModel `tfsdk:"webhooks"`
}

// luneAccountFilter documents the `account_ids` filter of the data source and the list resource (one
// concept, one name, one text), with the rule of its validator.
func luneAccountFilter(rule string) string {
	return "Only the webhooks that push events of any of these accounts (Lune filters the list). Webhooks without " +
		"an account filter push every account's events, so they are always included. When set, " + rule + "."
}

func (d *luneWebhooksDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = luneWebhooksDataSourceTypeName
}

func (d *luneWebhooksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every Lune webhook of the organisation the API key belongs to (each pushes the events of every account, or of those in its `account_ids`), for discovery and for adopting existing webhooks with " +
			"`import` blocks. Secrets are never returned.",
		Attributes: map[string]schema.Attribute{
			"account_ids": schema.SetAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: luneAccountFilter(validators.AccountIDsRule),
				Validators:          []validator.Set{validators.AccountIDs()},
			},
			"webhooks": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The webhooks, oldest first.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":           schema.StringAttribute{Computed: true, MarkdownDescription: "The Lune webhook id."},
					"url":          schema.StringAttribute{Computed: true, MarkdownDescription: "The URL Lune sends events to."},
					"enabled":      schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether Lune sends events."},
					"account_ids":  schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The account filter; null when the webhook pushes every account's events."},
					"account_type": schema.StringAttribute{Computed: true, MarkdownDescription: "`live` or `test`."},
					"created_at":   schema.StringAttribute{Computed: true, MarkdownDescription: "When the webhook was created (RFC 3339)."},
					"secret_last4": schema.StringAttribute{Computed: true, MarkdownDescription: "The last 4 characters of the signing secret."},
				}},
			},
		},
	}
}

func (d *luneWebhooksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data luneWebhooksDataSourceModel
	client := d.begin(ctx, req.Config, &data, &resp.Diagnostics)
	var accountIDs []string
	resp.Diagnostics.Append(data.AccountIDs.ElementsAs(ctx, &accountIDs, false)...)
	if client == nil || resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	all, err := client.ListWebhooks(ctx, accountIDs)
	if err != nil {
		d.apiError(&resp.Diagnostics, "Unable to List Lune Webhooks", err)
		return
	}
	data.Webhooks = make([]luneWebhookAPIModel, len(all))
	for i := range all {
		resp.Diagnostics.Append(data.Webhooks[i].fromAPI(ctx, &all[i])...)
	}
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &data)...)
}
