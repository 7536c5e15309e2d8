package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
)

var (
	_ list.ListResource              = (*inveterateWebhookListResource)(nil)
	_ list.ListResourceWithConfigure = (*inveterateWebhookListResource)(nil)
)

// NewInveterateWebhookListResource returns the webhooks_inveterate_webhook list resource: every
// Inveterate admin webhook, for `terraform query`.
func NewInveterateWebhookListResource() list.ListResource {
	return &inveterateWebhookListResource{newListResourceBase(inveterateWebhookTypeName, inveterateVendor)}
}

type inveterateWebhookListResource struct {
	resourceBase[inveterate.Client]
}

func (r *inveterateWebhookListResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = inveterateWebhookTypeName
}

func (r *inveterateWebhookListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the Inveterate admin webhooks of the API key's merchant, for `terraform query`. It " +
			"takes no filter. Tokens are never listed (Inveterate shows a token only when the webhook is created): a " +
			"generated configuration imports each webhook with `token` null, exactly as `terraform import` does.",
	}
}

func (r *inveterateWebhookListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	client, timeouts, ok := beginList(ctx, &r.resourceBase, req, nil, stream)
	if !ok {
		return
	}
	all, err := fetchAll(ctx, client.ListWebhooks)
	if err != nil {
		stream.Results = slices.Values([]list.ListResult{r.listAPIError("Unable to List Inveterate Webhooks", err)})
		return
	}
	stream.Results = listResults(all, req.Limit, func(w *inveterate.Webhook) list.ListResult {
		name := w.CallbackURL
		if w.Name != "" {
			name = w.Name + ": " + w.CallbackURL
		}
		return listResult(ctx, req, w.ID, name, func() (any, diag.Diagnostics) {
			m := inveterateWebhookModel{Timeouts: timeouts}
			return &m, m.fromAPI(ctx, w)
		})
	})
}
