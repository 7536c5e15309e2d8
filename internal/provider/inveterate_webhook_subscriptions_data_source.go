package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

var (
	_ datasource.DataSource              = (*inveterateWebhookSubscriptionsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*inveterateWebhookSubscriptionsDataSource)(nil)
)

const inveterateWebhookSubscriptionsDataSourceTypeName = "webhooks_inveterate_webhook_subscriptions"

// NewInveterateWebhookSubscriptionsDataSource returns the webhooks_inveterate_webhook_subscriptions
// data source: every Inveterate webhook subscription of the merchant.
func NewInveterateWebhookSubscriptionsDataSource() datasource.DataSource {
	return &inveterateWebhookSubscriptionsDataSource{newDataSourceBase(inveterateWebhookSubscriptionsDataSourceTypeName, inveterateVendor)}
}

type inveterateWebhookSubscriptionsDataSource struct {
	dataSourceBase[inveterate.Client]
}

// inveterateWebhookSubscriptionsDataSourceModel is the data source: its filter, and each
// subscription as the resource maps it, without its timeouts.
type inveterateWebhookSubscriptionsDataSourceModel struct {
	Topic         types.String                            `tfsdk:"topic"`
	Subscriptions []inveterateWebhookSubscriptionAPIModel `tfsdk:"subscriptions"`
}

func (d *inveterateWebhookSubscriptionsDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = inveterateWebhookSubscriptionsDataSourceTypeName
}

func (d *inveterateWebhookSubscriptionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every Inveterate webhook subscription of the merchant, for discovery and for adopting " +
			"existing subscriptions with `import` blocks. A subscription created moments ago may not be listed yet: " +
			"Inveterate lists new subscriptions a little after accepting them.",
		Attributes: map[string]schema.Attribute{
			"topic": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only the subscriptions of this topic, such as `customer.updated`. It must be " +
					validators.InveterateTopicRule + "; a topic Inveterate does not document gets a warning.",
				Validators: []validator.String{validators.InveterateTopic()},
			},
			"subscriptions": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The subscriptions, in the order Inveterate lists them.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":           schema.StringAttribute{Computed: true, MarkdownDescription: "The subscription id."},
					"topic":        schema.StringAttribute{Computed: true, MarkdownDescription: "The topic whose events are sent."},
					"callback_url": schema.StringAttribute{Computed: true, MarkdownDescription: "The URL Inveterate sends events to."},
					"name":         schema.StringAttribute{Computed: true, MarkdownDescription: "The subscription's name."},
					"merchant_id":  schema.StringAttribute{Computed: true, MarkdownDescription: "The merchant the subscription belongs to; null when Inveterate does not return it."},
					"created_at":   schema.StringAttribute{Computed: true, MarkdownDescription: "When the subscription was created (RFC 3339); null when Inveterate does not return it."},
					"updated_at":   schema.StringAttribute{Computed: true, MarkdownDescription: "When the subscription was last changed (RFC 3339); null when Inveterate does not return it."},
				}},
			},
		},
	}
}

func (d *inveterateWebhookSubscriptionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data inveterateWebhookSubscriptionsDataSourceModel
	client := d.begin(ctx, req.Config, &data, &resp.Diagnostics)
	if client == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	all, err := client.ListSubscriptions(ctx)
	if err != nil {
		d.apiError(&resp.Diagnostics, "Unable to List Inveterate Webhook Subscriptions", err)
		return
	}
	// Inveterate's list has no filter: the topic filter is applied here.
	data.Subscriptions = make([]inveterateWebhookSubscriptionAPIModel, 0, len(all))
	for i := range all {
		if !data.Topic.IsNull() && all[i].Topic != data.Topic.ValueString() {
			continue
		}
		var m inveterateWebhookSubscriptionAPIModel
		m.fromAPI(&all[i])
		data.Subscriptions = append(data.Subscriptions, m)
	}
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &data)...)
}
