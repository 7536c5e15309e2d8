package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

var (
	_ datasource.DataSource              = (*luneWebhooksDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*luneWebhooksDataSource)(nil)
)

const luneWebhooksDataSourceTypeName = "webhooks_webhooks"

// NewLuneWebhooksDataSource returns the webhooks_webhooks data source: every Lune webhook.
func NewLuneWebhooksDataSource() datasource.DataSource { return &luneWebhooksDataSource{} }

type luneWebhooksDataSource struct{ dataSourceBase }

type luneWebhooksDataSourceModel struct {
	AccountIDs types.Set  `tfsdk:"account_ids"`
	Webhooks   types.List `tfsdk:"webhooks"`
}

// luneWebhookAttrTypes are the attributes of one element of `webhooks`: the resource's, without
// the secret and the arguments that only exist in configuration.
var luneWebhookAttrTypes = map[string]attr.Type{
	"id":           types.StringType,
	"url":          types.StringType,
	"enabled":      types.BoolType,
	"account_ids":  types.SetType{ElemType: types.StringType},
	"account_type": types.StringType,
	"created_at":   types.StringType,
	"secret_last4": types.StringType,
}

func (d *luneWebhooksDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = luneWebhooksDataSourceTypeName
}

func (d *luneWebhooksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every Lune webhook of the organisation the API key belongs to (each pushes the events of every account, or of those in its `account_ids`), for discovery and for adopting existing webhooks with " +
			"`import` blocks. Secrets are never returned.",
		Attributes: map[string]schema.Attribute{
			"account_ids": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "Only the webhooks that push events of any of these accounts. Webhooks without an account " +
					"filter push every account's events, so they are always included. When set, " + validators.AccountIDsRule + ".",
				Validators: []validator.Set{validators.AccountIDs()},
			},
			"webhooks": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The webhooks, oldest first.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":           schema.StringAttribute{Computed: true, MarkdownDescription: "The Lune webhook id."},
					"url":          schema.StringAttribute{Computed: true, MarkdownDescription: "The URL Lune sends events to."},
					"enabled":      schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether Lune sends events."},
					"account_ids":  schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The account filter; null when the webhook pushes every account's events."},
					"account_type": schema.StringAttribute{Computed: true, MarkdownDescription: "`live` or `test`."},
					"created_at":   schema.StringAttribute{Computed: true, MarkdownDescription: "When the webhook was created (RFC 3339)."},
					"secret_last4": schema.StringAttribute{Computed: true, MarkdownDescription: "The last 4 characters of the signing secret."},
				}},
			},
		},
	}
}

func (d *luneWebhooksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	client, ok := d.lune(luneWebhooksDataSourceTypeName, false, &resp.Diagnostics)
	if !ok {
		return
	}
	var data luneWebhooksDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	var accountIDs []string
	resp.Diagnostics.Append(data.AccountIDs.ElementsAs(ctx, &accountIDs, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	all, err := client.ListWebhooks(ctx, accountIDs)
	if err != nil {
		addAPIError(&resp.Diagnostics, &d.clients.Lune, "Unable to List Lune Webhooks", err)
		return
	}
	elems := make([]attr.Value, 0, len(all))
	for i := range all {
		obj, diags := luneWebhookObject(ctx, &all[i])
		resp.Diagnostics.Append(diags...)
		elems = append(elems, obj)
	}
	var diags diag.Diagnostics
	data.Webhooks, diags = types.ListValue(types.ObjectType{AttrTypes: luneWebhookAttrTypes}, elems)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// luneWebhookObject is one element of `webhooks`, mapped exactly as the resource maps a webhook.
func luneWebhookObject(ctx context.Context, w *lune.Webhook) (types.Object, diag.Diagnostics) {
	accountIDs, diags := stringSetOrNull(ctx, w.AccountIDs)
	obj, more := types.ObjectValue(luneWebhookAttrTypes, map[string]attr.Value{
		"id":           types.StringValue(w.ID),
		"url":          types.StringValue(w.URL),
		"enabled":      types.BoolValue(w.Enabled),
		"account_ids":  accountIDs,
		"account_type": types.StringValue(w.AccountType),
		"created_at":   types.StringValue(rfc3339(w.CreatedAt)),
		"secret_last4": types.StringValue(w.SecretLast4()),
	})
	diags.Append(more...)
	return obj, diags
}
