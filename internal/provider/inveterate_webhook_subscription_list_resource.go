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

	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

var (
	_ list.ListResource              = (*inveterateWebhookSubscriptionListResource)(nil)
	_ list.ListResourceWithConfigure = (*inveterateWebhookSubscriptionListResource)(nil)
)

// NewInveterateWebhookSubscriptionListResource returns the webhooks_inveterate_webhook_subscription
// list resource: every Inveterate webhook subscription, for `terraform query`.
func NewInveterateWebhookSubscriptionListResource() list.ListResource {
	return &inveterateWebhookSubscriptionListResource{newListResourceBase(inveterateWebhookSubscriptionTypeName, inveterateVendor)}
}

type inveterateWebhookSubscriptionListResource struct {
	resourceBase[inveterate.Client]
}

type inveterateWebhookSubscriptionListConfig struct {
	Topic types.String `tfsdk:"topic"`
}

func (r *inveterateWebhookSubscriptionListResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = inveterateWebhookSubscriptionTypeName
}

func (r *inveterateWebhookSubscriptionListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the Inveterate webhook subscriptions of the API key's merchant, for `terraform query`. " +
			"A subscription Inveterate has just accepted may not be listed yet (Inveterate lists new records a little later).",
		Attributes: map[string]listschema.Attribute{
			"topic": listschema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only the subscriptions of this topic, such as `customer.updated`. It must be " +
					validators.InveterateTopicRule + "; a topic Inveterate does not document gets a warning.",
				Validators: []validator.String{validators.InveterateTopic()},
			},
		},
	}
}

func (r *inveterateWebhookSubscriptionListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg inveterateWebhookSubscriptionListConfig
	client, timeouts, ok := beginList(ctx, &r.resourceBase, req, &cfg, stream)
	if !ok {
		return
	}
	all, err := fetchAll(ctx, client.ListSubscriptions)
	if err != nil {
		stream.Results = slices.Values([]list.ListResult{r.listAPIError("Unable to List Inveterate Webhook Subscriptions", err)})
		return
	}
	// Inveterate's list has no filter: the topic is matched here.
	if !cfg.Topic.IsNull() {
		all = slices.DeleteFunc(all, func(s inveterate.Subscription) bool { return s.Topic != cfg.Topic.ValueString() })
	}
	stream.Results = listResults(all, req.Limit, func(s *inveterate.Subscription) list.ListResult {
		return listResult(ctx, req, s.ID, s.Topic+": "+s.CallbackURL, func() (any, diag.Diagnostics) {
			m := inveterateWebhookSubscriptionModel{Timeouts: timeouts}
			m.fromAPI(s)
			return &m, nil
		})
	})
}
