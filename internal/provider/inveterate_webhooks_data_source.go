package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
func NewInveterateWebhooksDataSource() datasource.DataSource { return &inveterateWebhooksDataSource{} }

type inveterateWebhooksDataSource struct{ dataSourceBase }

type inveterateWebhooksDataSourceModel struct {
	Webhooks types.List `tfsdk:"webhooks"`
}

// inveterateWebhookAttrTypes are the attributes of one element of `webhooks`: the resource's,
// without the token (never listed) and the timeouts that only exist in configuration.
var inveterateWebhookAttrTypes = map[string]attr.Type{
	"id":             types.StringType,
	"callback_url":   types.StringType,
	"name":           types.StringType,
	"merchant_id":    types.StringType,
	"created_by_app": types.StringType,
	"created_at":     types.StringType,
	"events":         types.ListType{ElemType: types.StringType},
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

func (d *inveterateWebhooksDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	client, ok := d.inveterate(inveterateWebhooksDataSourceTypeName, false, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	all, err := client.ListWebhooks(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, &d.clients.Inveterate, "Unable to List Inveterate Webhooks", err)
		return
	}
	events, diags := inveterateWebhookEvents(ctx)
	resp.Diagnostics.Append(diags...)
	elems := make([]attr.Value, 0, len(all))
	for i := range all {
		obj, diags := inveterateWebhookObject(&all[i], events)
		resp.Diagnostics.Append(diags...)
		elems = append(elems, obj)
	}
	var data inveterateWebhooksDataSourceModel
	data.Webhooks, diags = types.ListValue(types.ObjectType{AttrTypes: inveterateWebhookAttrTypes}, elems)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// inveterateWebhookObject is one element of `webhooks`, mapped as the resource maps a webhook.
func inveterateWebhookObject(w *inveterate.Webhook, events types.List) (types.Object, diag.Diagnostics) {
	return types.ObjectValue(inveterateWebhookAttrTypes, map[string]attr.Value{
		"id":             types.StringValue(w.ID),
		"callback_url":   inveterateString(w.CallbackURL),
		"name":           inveterateString(w.Name),
		"merchant_id":    inveterateString(w.MerchantID),
		"created_by_app": inveterateString(w.CreatedByApp),
		"created_at":     inveterateTimestamp(w.CreatedAt),
		"events":         events,
	})
}
