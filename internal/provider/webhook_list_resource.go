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
)

var (
	_ list.ListResource              = (*webhookListResource)(nil)
	_ list.ListResourceWithConfigure = (*webhookListResource)(nil)
)

// NewWebhookListResource returns the webhooks_webhook list resource: every Lune webhook, for
// `terraform query`.
func NewWebhookListResource() list.ListResource { return &webhookListResource{} }

type webhookListResource struct{ resourceBase }

type webhookListConfig struct {
	AccountID types.String `tfsdk:"account_id"`
}

func (r *webhookListResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = webhookTypeName
}

func (r *webhookListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the Lune webhooks of the organisation the API key belongs to, oldest first, " +
			"for `terraform query`. Secrets are never listed: a generated configuration imports each webhook with " +
			"`secret` null, exactly as `terraform import` does.",
		Attributes: map[string]listschema.Attribute{
			"account_id": listschema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only the webhooks that push events of this account (Lune filters the list). Webhooks " +
					"without an account filter push every account's events, so they are always included. Not empty.",
				Validators: []validator.String{notEmpty()},
			},
		},
	}
}

func (r *webhookListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg webhookListConfig
	client, timeouts, ok := beginList(ctx, r.lune, webhookTypeName, req, &cfg, stream)
	if !ok {
		return
	}
	var accountIDs []string
	if id := cfg.AccountID.ValueString(); id != "" {
		accountIDs = []string{id}
	}
	ctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	all, err := client.ListWebhooks(ctx, accountIDs)
	if err != nil {
		stream.Results = slices.Values([]list.ListResult{listAPIError(&r.clients.Lune, "Unable to List Lune Webhooks", err)})
		return
	}
	stream.Results = listResults(all, req.Limit, func(w *lune.Webhook) list.ListResult {
		return listResult(ctx, req, w.ID, w.URL, func() (any, diag.Diagnostics) {
			m := webhookResourceModel{SecretRotationTriggers: types.MapNull(types.StringType), Timeouts: timeouts}
			return &m, m.fromAPI(ctx, w)
		})
	})
}
