package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

var (
	_ list.ListResource              = (*partnerWebhookListResource)(nil)
	_ list.ListResourceWithConfigure = (*partnerWebhookListResource)(nil)
)

// NewPartnerWebhookListResource returns the webhooks_partner_webhook list resource: every BLAZE
// partner webhook, for `terraform query`.
func NewPartnerWebhookListResource() list.ListResource {
	return &partnerWebhookListResource{newListResourceBase(partnerWebhookTypeName, blazeVendor)}
}

type partnerWebhookListResource struct{ resourceBase[blaze.Client] }

type partnerWebhookListConfig struct {
	ShopID      types.String `tfsdk:"shop_id"`
	WebHookType types.String `tfsdk:"web_hook_type"`
}

func (r *partnerWebhookListResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = partnerWebhookTypeName
}

func (r *partnerWebhookListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the BLAZE partner webhooks of the developer key's company (deleted ones left out), " +
			"oldest first, for `terraform query`. Results are passed on page by page as BLAZE returns them, and the " +
			"query's `limit` stops the paging early.",
		Attributes: map[string]listschema.Attribute{
			"shop_id": listschema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the webhooks of this shop (filtered by BLAZE): " + validators.BlazeShopIDRule + ".",
				Validators:          []validator.String{validators.BlazeShopID()},
			},
			"web_hook_type": listschema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the webhooks of this type, " + validators.BlazeWebhookTypeRule + ".",
				Validators:          []validator.String{validators.BlazeWebhookType()},
			},
		},
	}
}

func (r *partnerWebhookListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg partnerWebhookListConfig
	client, timeouts, ok := beginList(ctx, &r.resourceBase, req, &cfg, stream)
	if !ok {
		return
	}
	// Each page's results are pushed before the next page is asked for, so ten thousand webhooks
	// are never held at once, and the paging stops once limit results are out or Terraform stops
	// reading.
	stream.Results = func(push func(list.ListResult) bool) {
		var pushed int64
		// The pages are asked for while Terraform reads the stream, after List has returned: the
		// deadline's context is made here, and cancelled when the paging ends or the reader stops.
		ctx, cancel := context.WithTimeout(ctx, listTimeout)
		defer cancel()
		err := client.ListWebhookPages(ctx, blaze.ListOptions{ShopID: cfg.ShopID.ValueString()}, func(page []blaze.Webhook) bool {
			for i := range page {
				w := &page[i]
				// BLAZE's list cannot filter by type.
				if !cfg.WebHookType.IsNull() && w.WebHookType != cfg.WebHookType.ValueString() {
					continue
				}
				result := listResult(ctx, req, w.ID, w.WebHookType+": "+strings.Join(w.WebHookURLs, ", "), func() (any, diag.Diagnostics) {
					m := partnerWebhookModel{Timeouts: timeouts}
					return &m, m.fromAPI(ctx, w)
				})
				if !push(result) {
					return false
				}
				if pushed++; req.Limit > 0 && pushed >= req.Limit {
					return false
				}
			}
			return true
		})
		if err != nil {
			push(r.listAPIError("Unable to List BLAZE Partner Webhooks", err))
		}
	}
}
