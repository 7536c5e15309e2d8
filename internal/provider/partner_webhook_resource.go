package provider

import (
	"context"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

var (
	_ resource.Resource                = (*partnerWebhookResource)(nil)
	_ resource.ResourceWithConfigure   = (*partnerWebhookResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*partnerWebhookResource)(nil)
	_ resource.ResourceWithImportState = (*partnerWebhookResource)(nil)
	_ resource.ResourceWithIdentity    = (*partnerWebhookResource)(nil)
)

const partnerWebhookTypeName = "webhooks_partner_webhook"

// Default operation timeouts of webhooks_partner_webhook.
const (
	partnerWebhookCreateTimeout = 5 * time.Minute
	partnerWebhookUpdateTimeout = 5 * time.Minute
	partnerWebhookDeleteTimeout = 5 * time.Minute
)

// NewPartnerWebhookResource returns the webhooks_partner_webhook resource (a BLAZE partner webhook).
func NewPartnerWebhookResource() resource.Resource {
	return &partnerWebhookResource{newResourceBase(partnerWebhookTypeName, blazeVendor, partnerWebhookList,
		operationTimeouts{Create: partnerWebhookCreateTimeout, Update: partnerWebhookUpdateTimeout, Delete: partnerWebhookDeleteTimeout})}
}

type partnerWebhookResource struct{ resourceBase[blaze.Client] }

// partnerWebhookList is the operation's list of BLAZE partner webhooks.
func partnerWebhookList(c *Clients) accessList { return listOf(c.lists.partnerWebhooks) }

// partnerWebhookModel is the resource's state: what BLAZE says of the webhook, and its timeouts.
type partnerWebhookModel struct {
	partnerWebhookAPIModel
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// partnerWebhookAPIModel is what BLAZE says of a webhook: the attributes that the resource, the
// webhooks_partner_webhooks data source and the list resource share, mapped once, by fromAPI.
type partnerWebhookAPIModel struct {
	ID          types.String `tfsdk:"id"`
	WebHookType types.String `tfsdk:"web_hook_type"`
	WebHookURLs types.Set    `tfsdk:"web_hook_urls"`
	URL         types.String `tfsdk:"url"`
	ShopID      types.String `tfsdk:"shop_id"`
	CompanyID   types.String `tfsdk:"company_id"`
	CreatedAt   types.String `tfsdk:"created_at"`
	ModifiedAt  types.String `tfsdk:"modified_at"`
}

func (m *partnerWebhookModel) id() types.String              { return m.ID }
func (m *partnerWebhookModel) timeoutsValue() timeouts.Value { return m.Timeouts }

func (r *partnerWebhookResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = partnerWebhookTypeName
}

func (r *partnerWebhookResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A BLAZE partner webhook: BLAZE posts the events of one type (`web_hook_type`) of a shop to " +
			"`web_hook_urls`. Fields of the webhook that this resource does not manage are kept when it is updated. " +
			"BLAZE deletes softly: a destroyed webhook stays in BLAZE marked deleted, and one deleted outside Terraform " +
			"is planned for creation again.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The BLAZE webhook id (24 lowercase hexadecimal characters).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"web_hook_type": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The events BLAZE sends, " + validators.BlazeWebhookTypeRule + " (checked at plan " +
					"time). Changing it updates the webhook in place.",
				Validators: []validator.String{validators.BlazeWebhookType()},
			},
			"web_hook_urls": schema.SetAttribute{
				ElementType:         types.StringType,
				Required:            true,
				MarkdownDescription: "The URLs BLAZE posts the events to: " + validators.WebhookURLsRule + ". Order does not matter. Changing the set updates the webhook in place.",
				Validators:          []validator.Set{validators.WebhookURLs()},
			},
			"url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "BLAZE's additional single `url` field, passed through as is; an absolute `http://` or " +
					"`https://` URL when set. Changing or removing it updates the webhook in place.",
				Validators: []validator.String{validators.HTTPURL()},
			},
			"shop_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The shop whose events are sent. Defaults to the shop of the provider's developer key, " +
					"which is also the only shop that key may manage (BLAZE answers 403 for another). Setting a different " +
					"shop **replaces** the webhook; removing the argument keeps the webhook where it is. When set, " + validators.BlazeShopIDRule + ".",
				Validators: []validator.String{validators.BlazeShopID()},
				PlanModifiers: []planmodifier.String{
					// Unset in configuration means "wherever it is": keep the state's shop, so
					// removing the argument neither shows a diff nor replaces.
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace(),
				},
			},
			"company_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The company the webhook belongs to (that of the developer key).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the webhook was created (RFC 3339).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"modified_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the webhook was last changed (RFC 3339).",
			},
			"timeouts": timeoutsAttribute(ctx, r.timeouts),
		},
	}
}

// IdentitySchema is the webhook's identity (Terraform 1.12+): its BLAZE id.
func (r *partnerWebhookResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("BLAZE partner webhook", "24 lowercase hexadecimal characters")
}

// ModifyPlan fails the plan when BLAZE has no credentials, and keeps modified_at when an update
// sends nothing to BLAZE (only the timeouts change).
func (r *partnerWebhookResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state, plan partnerWebhookModel
	if !r.beginPlan(ctx, req, resp, &state, &plan) {
		return
	}
	if plan.unchangedInBLAZE(&state) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("modified_at"), state.ModifiedAt)...)
	}
}

func (r *partnerWebhookResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan partnerWebhookModel
	client, ctx, cancel := r.begin(ctx, create, req.Plan, &plan, &resp.Diagnostics)
	defer cancel()
	if client == nil {
		return
	}
	// An unknown shop_id (not configured) is sent as nothing: BLAZE then uses the key's shop.
	in := blaze.CreateWebhookInput{
		WebHookType: plan.WebHookType.ValueString(),
		ShopID:      plan.ShopID.ValueString(),
		URL:         plan.URL.ValueString(),
	}
	resp.Diagnostics.Append(plan.WebHookURLs.ElementsAs(ctx, &in.WebHookURLs, false)...)
	if resp.Diagnostics.HasError() {
		return
	}

	created, err := client.CreateWebhook(ctx, in)
	if err != nil {
		r.createError(&resp.Diagnostics, "Unable to Create BLAZE Partner Webhook", err, unsettledCreate{
			what: "webhook", dataSource: partnerWebhooksDataSourceTypeName,
			sent: hclArguments("web_hook_type", in.WebHookType, "web_hook_urls", in.WebHookURLs, "shop_id", in.ShopID, "url", in.URL),
		})
		return
	}
	tflog.Debug(ctx, "Created BLAZE partner webhook", map[string]any{"id": created.ID, "shop_id": created.ShopID})
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, types.StringValue(created.ID))...)

	state := plan
	resp.Diagnostics.Append(state.fromAPI(ctx, created)...)
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &state)...)
}

func (r *partnerWebhookResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state partnerWebhookModel
	if !r.beginRead(ctx, req.State, resp.Identity, &state, &resp.Diagnostics) {
		return
	}
	sent := state
	// A soft-deleted webhook (deleted: true) is not found, like one that never existed.
	w, err := r.clients.readPartnerWebhook(ctx, state.ID.ValueString())
	if httpclient.IsNotFound(err) {
		tflog.Info(ctx, "BLAZE partner webhook is deleted; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		r.apiError(&resp.Diagnostics, "Unable to Read BLAZE Partner Webhook", err)
		return
	}
	resp.Diagnostics.Append(state.fromAPI(ctx, w)...)
	saveRead(ctx, resp, &sent, &state)
}

func (r *partnerWebhookResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state partnerWebhookModel
	client, ctx, cancel := r.beginUpdate(ctx, req, resp, &plan, &state)
	defer cancel()
	if client == nil {
		return
	}
	if plan.unchangedInBLAZE(&state) {
		// Only the timeouts changed: nothing to send to BLAZE.
		next := state
		next.Timeouts = plan.Timeouts
		resp.Diagnostics.Append(setModel(ctx, &resp.State, &next)...)
		return
	}
	// A null url is sent as "": BLAZE's PUT replaces the whole object, so this clears it.
	in := blaze.UpdateWebhookInput{WebHookType: plan.WebHookType.ValueString(), URL: plan.URL.ValueString()}
	resp.Diagnostics.Append(plan.WebHookURLs.ElementsAs(ctx, &in.WebHookURLs, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// UpdateWebhook reads the current object and sends it back whole, with only these fields
	// changed, so that the fields this resource does not manage survive BLAZE's full replacement.
	updated, err := client.UpdateWebhook(ctx, state.ID.ValueString(), in)
	if err != nil {
		r.apiError(&resp.Diagnostics, "Unable to Update BLAZE Partner Webhook", err)
		return
	}
	resp.Diagnostics.Append(plan.fromAPI(ctx, updated)...)
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &plan)...)
}

func (r *partnerWebhookResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state partnerWebhookModel
	client, ctx, cancel := r.begin(ctx, remove, req.State, &state, &resp.Diagnostics)
	defer cancel()
	if client == nil {
		return
	}
	// BLAZE deletes softly and answers 200 to a second delete; an id it never knew is gone too.
	if err := r.deleted(ctx, client.DeleteWebhook(ctx, state.ID.ValueString())); err != nil {
		r.apiError(&resp.Diagnostics, "Unable to Delete BLAZE Partner Webhook", err)
	}
}

// ImportState adopts an existing webhook by its id; Read fills in everything else.
func (r *partnerWebhookResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByID(ctx, importID{pattern: blaze.IDPattern, what: "BLAZE partner webhook", shape: "24 lowercase hexadecimal characters",
		typeName: partnerWebhookTypeName, example: "65b2a1c3d4e5f60718293a4b"}, req, resp)
}

// fromAPI copies what BLAZE says of a webhook into the model.
func (m *partnerWebhookAPIModel) fromAPI(ctx context.Context, w *blaze.Webhook) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(w.ID)
	m.WebHookType = types.StringValue(w.WebHookType)
	m.URL = partnerWebhookOptional(w.URL)
	m.ShopID = types.StringValue(w.ShopID)
	m.CompanyID = types.StringValue(w.CompanyID)
	m.CreatedAt = types.StringValue(rfc3339(w.Created))
	m.ModifiedAt = types.StringValue(rfc3339(w.Modified))
	m.WebHookURLs, diags = partnerWebhookURLs(ctx, w.WebHookURLs)
	return diags
}

// unchangedInBLAZE reports whether m (a plan) leaves every field that BLAZE stores as in state.
func (m *partnerWebhookModel) unchangedInBLAZE(state *partnerWebhookModel) bool {
	return m.WebHookType.Equal(state.WebHookType) && m.WebHookURLs.Equal(state.WebHookURLs) && m.URL.Equal(state.URL) &&
		m.ShopID.Equal(state.ShopID)
}

// partnerWebhookURLs is web_hook_urls as a set. BLAZE stores a list, which could hold the same
// URL twice; a set value cannot.
func partnerWebhookURLs(ctx context.Context, urls []string) (types.Set, diag.Diagnostics) {
	unique := slices.Compact(slices.Sorted(slices.Values(urls)))
	if unique == nil {
		unique = []string{}
	}
	return types.SetValueFrom(ctx, types.StringType, unique)
}

// partnerWebhookOptional maps BLAZE's "" (a field not set) to null, as an omitted optional
// argument is, so that an unset url shows no diff.
func partnerWebhookOptional(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
