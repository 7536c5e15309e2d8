package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
)

var (
	_ datasource.DataSource              = (*inveterateWebhooksDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*inveterateWebhooksDataSource)(nil)
)

const inveterateWebhooksDataSourceTypeName = "webhooks_inveterate_webhooks"

// NewInveterateWebhooksDataSource returns the webhooks_inveterate_webhooks data source: every
// Inveterate admin webhook of the merchant.
func NewInveterateWebhooksDataSource() datasource.DataSource {
	return &inveterateWebhooksDataSource{newDataSourceBase(inveterateWebhooksDataSourceTypeName, inveterateVendor)}
}

type inveterateWebhooksDataSource struct {
	dataSourceBase[inveterate.Client]
}

// inveterateWebhooksDataSourceModel is the data source: each admin webhook as the resource maps
// it, without the token (never listed) and the timeouts.
type inveterateWebhooksDataSourceModel struct {
	Webhooks []inveterateWebhookAPIModel `tfsdk:"webhooks"`
}

func (d *inveterateWebhooksDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = inveterateWebhooksDataSourceTypeName
}

func (d *inveterateWebhooksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every Inveterate admin webhook of the merchant, for discovery and for adopting existing " +
			"webhooks with `import` blocks. Tokens are never returned: Inveterate shows a token only when the webhook " +
			"is created. A webhook created moments ago may not be listed yet, and one deleted moments ago may still be.",
		Attributes: map[string]schema.Attribute{
			"webhooks": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The admin webhooks, in the order Inveterate lists them.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":             schema.StringAttribute{Computed: true, MarkdownDescription: "The webhook id."},
					"callback_url":   schema.StringAttribute{Computed: true, MarkdownDescription: "The URL Inveterate sends events to."},
					"name":           schema.StringAttribute{Computed: true, MarkdownDescription: "The webhook's name; null when it has none."},
					"merchant_id":    schema.StringAttribute{Computed: true, MarkdownDescription: "The merchant the webhook belongs to."},
					"created_by_app": schema.StringAttribute{Computed: true, MarkdownDescription: "The app that created the webhook."},
					"created_at":     schema.StringAttribute{Computed: true, MarkdownDescription: "When the webhook was created (RFC 3339)."},
					"events": schema.ListAttribute{
						Computed:            true,
						ElementType:         types.StringType,
						MarkdownDescription: "The events the webhook receives; the same fixed set for every admin webhook: `" + strings.Join(inveterate.WebhookEvents, "`, `") + "`.",
					},
				}},
			},
		},
	}
}

func (d *inveterateWebhooksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data inveterateWebhooksDataSourceModel
	client := d.begin(ctx, req.Config, &data, &resp.Diagnostics)
	if client == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	all, err := client.ListWebhooks(ctx)
	if err != nil {
		d.apiError(&resp.Diagnostics, "Unable to List Inveterate Webhooks", err)
		return
	}
	data.Webhooks = make([]inveterateWebhookAPIModel, len(all))
	for i := range all {
		resp.Diagnostics.Append(data.Webhooks[i].fromAPI(ctx, &all[i])...)
	}
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &data)...)
}
