package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
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
func NewPartnerWebhooksDataSource() datasource.DataSource {
	return &partnerWebhooksDataSource{newDataSourceBase(partnerWebhooksDataSourceTypeName, blazeVendor)}
}

type partnerWebhooksDataSource struct{ dataSourceBase[blaze.Client] }

// partnerWebhooksDataSourceModel is the data source: its filters, and each webhook as the resource
// maps it, without its timeouts.
type partnerWebhooksDataSourceModel struct {
	ShopID          types.String             `tfsdk:"shop_id"`
	WebHookType     types.String             `tfsdk:"web_hook_type"`
	PartnerWebhooks []partnerWebhookAPIModel `tfsdk:"partner_webhooks"`
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
	var data partnerWebhooksDataSourceModel
	client := d.begin(ctx, req.Config, &data, &resp.Diagnostics)
	if client == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	all, err := client.ListWebhooks(ctx, blaze.ListOptions{ShopID: data.ShopID.ValueString()})
	if err != nil {
		d.apiError(&resp.Diagnostics, "Unable to List BLAZE Partner Webhooks", err)
		return
	}
	data.PartnerWebhooks = make([]partnerWebhookAPIModel, 0, len(all))
	for i := range all {
		// BLAZE's list cannot filter by type.
		if !data.WebHookType.IsNull() && all[i].WebHookType != data.WebHookType.ValueString() {
			continue
		}
		var m partnerWebhookAPIModel
		resp.Diagnostics.Append(m.fromAPI(ctx, &all[i])...)
		data.PartnerWebhooks = append(data.PartnerWebhooks, m)
	}
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &data)...)
}
