package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

var (
	_ list.ListResource              = (*luneWebhookListResource)(nil)
	_ list.ListResourceWithConfigure = (*luneWebhookListResource)(nil)
)

// NewLuneWebhookListResource returns the webhooks_webhook list resource: every Lune webhook, for
// `terraform query`.
func NewLuneWebhookListResource() list.ListResource {
	return &luneWebhookListResource{newListResourceBase(luneWebhookTypeName, luneVendor)}
}

type luneWebhookListResource struct{ resourceBase[lune.Client] }

type luneWebhookListConfig struct {
	AccountIDs types.List `tfsdk:"account_ids"`
}

func (r *luneWebhookListResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = luneWebhookTypeName
}

func (r *luneWebhookListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the Lune webhooks of the organisation the API key belongs to, oldest first, " +
			"for `terraform query`. Secrets are never listed: a generated configuration imports each webhook with " +
			"`secret` null, exactly as `terraform import` does.",
		Attributes: map[string]listschema.Attribute{
			// A list, not a set as in the data source: list resource configurations have no sets. The
			// HCL is the same: account_ids = ["acc_a", "acc_b"].
			"account_ids": listschema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: luneAccountFilter(validators.AccountIDListRule),
				Validators:          []validator.List{validators.AccountIDList()},
			},
		},
	}
}

func (r *luneWebhookListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg luneWebhookListConfig
	client, timeouts, ok := beginList(ctx, &r.resourceBase, req, &cfg, stream)
	if !ok {
		return
	}
	var accountIDs []string
	if diags := cfg.AccountIDs.ElementsAs(ctx, &accountIDs, false); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	all, err := fetchAll(ctx, func(ctx context.Context) ([]lune.Webhook, error) { return client.ListWebhooks(ctx, accountIDs) })
	if err != nil {
		stream.Results = slices.Values([]list.ListResult{r.listAPIError("Unable to List Lune Webhooks", err)})
		return
	}
	stream.Results = listResults(all, req.Limit, func(w *lune.Webhook) list.ListResult {
		return listResult(ctx, req, w.ID, w.URL, func() (any, diag.Diagnostics) {
			m := luneWebhookModel{SecretRotationTriggers: types.MapNull(types.StringType), Timeouts: timeouts}
			return &m, m.fromAPI(ctx, w)
		})
	})
}
