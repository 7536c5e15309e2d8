package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

var (
	_ datasource.DataSource              = (*partnerWebhooksDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*partnerWebhooksDataSource)(nil)
)

const partnerWebhooksDataSourceTypeName = "webhooks_partner_webhooks"

// NewPartnerWebhooksDataSource returns the webhooks_partner_webhooks data source: every BLAZE
// partner webhook of the developer key's company.
func NewPartnerWebhooksDataSource() datasource.DataSource { return &partnerWebhooksDataSource{} }

type partnerWebhooksDataSource struct{ dataSourceBase }

type partnerWebhooksDataSourceModel struct {
	ShopID          types.String `tfsdk:"shop_id"`
	WebHookType     types.String `tfsdk:"web_hook_type"`
	PartnerWebhooks types.List   `tfsdk:"partner_webhooks"`
}

// partnerWebhookAttrTypes are the attributes of one element of `partner_webhooks`: the
// resource's, without its timeouts.
var partnerWebhookAttrTypes = map[string]attr.Type{
	"id":            types.StringType,
	"web_hook_type": types.StringType,
	"web_hook_urls": types.SetType{ElemType: types.StringType},
	"url":           types.StringType,
	"shop_id":       types.StringType,
	"company_id":    types.StringType,
	"created_at":    types.StringType,
	"modified_at":   types.StringType,
}

func (d *partnerWebhooksDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = partnerWebhooksDataSourceTypeName
}

func (d *partnerWebhooksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every BLAZE partner webhook of the developer key's company (deleted ones left out), for " +
			"discovery and for adopting existing webhooks with `import` blocks. Reads every page of BLAZE's list.",
		Attributes: map[string]schema.Attribute{
			"shop_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the webhooks of this shop (filtered by BLAZE): " + validators.BlazeShopIDRule + ".",
				Validators:          []validator.String{validators.BlazeShopID()},
			},
			"web_hook_type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the webhooks of this type, " + validators.BlazeWebhookTypeRule + ".",
				Validators:          []validator.String{validators.BlazeWebhookType()},
			},
			"partner_webhooks": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The webhooks, oldest first.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":            schema.StringAttribute{Computed: true, MarkdownDescription: "The BLAZE webhook id."},
					"web_hook_type": schema.StringAttribute{Computed: true, MarkdownDescription: "The events BLAZE sends."},
					"web_hook_urls": schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The URLs BLAZE posts the events to."},
					"url":           schema.StringAttribute{Computed: true, MarkdownDescription: "BLAZE's additional single `url` field; null when not set."},
					"shop_id":       schema.StringAttribute{Computed: true, MarkdownDescription: "The shop whose events are sent."},
					"company_id":    schema.StringAttribute{Computed: true, MarkdownDescription: "The company the webhook belongs to."},
					"created_at":    schema.StringAttribute{Computed: true, MarkdownDescription: "When the webhook was created (RFC 3339)."},
					"modified_at":   schema.StringAttribute{Computed: true, MarkdownDescription: "When the webhook was last changed (RFC 3339)."},
				}},
			},
		},
	}
}

func (d *partnerWebhooksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	client, ok := d.blaze(partnerWebhooksDataSourceTypeName, false, &resp.Diagnostics)
	if !ok {
		return
	}
	var data partnerWebhooksDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	all, err := client.ListWebhooks(ctx, blaze.ListOptions{ShopID: data.ShopID.ValueString()})
	if err != nil {
		addAPIError(&resp.Diagnostics, &d.clients.Blaze, "Unable to List BLAZE Partner Webhooks", err)
		return
	}
	elems := make([]attr.Value, 0, len(all))
	for i := range all {
		// BLAZE's list cannot filter by type.
		if !data.WebHookType.IsNull() && all[i].WebHookType != data.WebHookType.ValueString() {
			continue
		}
		obj, diags := partnerWebhookObject(ctx, &all[i])
		resp.Diagnostics.Append(diags...)
		elems = append(elems, obj)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	var diags diag.Diagnostics
	data.PartnerWebhooks, diags = types.ListValue(types.ObjectType{AttrTypes: partnerWebhookAttrTypes}, elems)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// partnerWebhookObject is one element of `partner_webhooks`, mapped exactly as the resource maps
// a webhook.
func partnerWebhookObject(ctx context.Context, w *blaze.Webhook) (types.Object, diag.Diagnostics) {
	var m partnerWebhookModel
	diags := m.fromAPI(ctx, w)
	obj, more := types.ObjectValue(partnerWebhookAttrTypes, map[string]attr.Value{
		"id":            m.ID,
		"web_hook_type": m.WebHookType,
		"web_hook_urls": m.WebHookURLs,
		"url":           m.URL,
		"shop_id":       m.ShopID,
		"company_id":    m.CompanyID,
		"created_at":    m.CreatedAt,
		"modified_at":   m.ModifiedAt,
	})
	diags.Append(more...)
	return obj, diags
}
