package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/planmodifiers"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

var (
	_ resource.Resource                = (*inveterateWebhookResource)(nil)
	_ resource.ResourceWithConfigure   = (*inveterateWebhookResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*inveterateWebhookResource)(nil)
	_ resource.ResourceWithImportState = (*inveterateWebhookResource)(nil)
	_ resource.ResourceWithIdentity    = (*inveterateWebhookResource)(nil)
)

const inveterateWebhookTypeName = "webhooks_inveterate_webhook"

// Default operation timeouts of webhooks_inveterate_webhook. There is no update: every change
// replaces the webhook.
const (
	inveterateWebhookCreateTimeout = 10 * time.Minute
	inveterateWebhookDeleteTimeout = 10 * time.Minute
)

// NewInveterateWebhookResource returns the webhooks_inveterate_webhook resource (an Inveterate 2.0
// admin webhook with a security token).
func NewInveterateWebhookResource() resource.Resource {
	return &inveterateWebhookResource{newResourceBase(inveterateWebhookTypeName, inveterateVendor, inveterateWebhookList,
		operationTimeouts{Create: inveterateWebhookCreateTimeout, Delete: inveterateWebhookDeleteTimeout})}
}

type inveterateWebhookResource struct {
	resourceBase[inveterate.Client]
}

// inveterateWebhookList is the operation's list of Inveterate admin webhooks.
func inveterateWebhookList(c *Clients) accessList { return listOf(c.lists.inveterateWebhooks) }

// inveterateWebhookModel is the resource's state: what Inveterate says of the admin webhook, the
// token it returns only once, and the timeouts.
type inveterateWebhookModel struct {
	inveterateWebhookAPIModel
	Token    types.String   `tfsdk:"token"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// inveterateWebhookAPIModel is what Inveterate says of an admin webhook: the attributes that the
// resource, the webhooks_inveterate_webhooks data source and the list resource share, mapped once,
// by fromAPI.
type inveterateWebhookAPIModel struct {
	ID           types.String `tfsdk:"id"`
	CallbackURL  types.String `tfsdk:"callback_url"`
	Name         types.String `tfsdk:"name"`
	MerchantID   types.String `tfsdk:"merchant_id"`
	CreatedByApp types.String `tfsdk:"created_by_app"`
	CreatedAt    types.String `tfsdk:"created_at"`
	Events       types.List   `tfsdk:"events"`
}

func (m *inveterateWebhookModel) id() types.String              { return m.ID }
func (m *inveterateWebhookModel) timeoutsValue() timeouts.Value { return m.Timeouts }

func (r *inveterateWebhookResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = inveterateWebhookTypeName
}

func (r *inveterateWebhookResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replaces := func(attr string) planmodifier.String {
		return planmodifiers.RequiresReplaceBecause(
			fmt.Sprintf("Inveterate cannot update an admin webhook: changing %s replaces it (with a new token).", attr),
			fmt.Sprintf("Inveterate cannot update an admin webhook: changing `%s` replaces it (with a new `token`).", attr))
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An Inveterate admin webhook (Public API 2.0): Inveterate sends every merchant and customer event " +
			"listed in `events` to `callback_url`, with a security token in each event's body so the receiver can check " +
			"that the event comes from Inveterate.\n\n" +
			"Inveterate has no update for admin webhooks: any change replaces the webhook and issues a new token.\n\n" +
			"Inveterate lists a new webhook only a little after accepting it, and drops a deleted one from its list a " +
			"little after the delete: a create waits until the webhook shows in the list, within `timeouts.create` " +
			"(10 minutes by default), and a destroy until it has left the list, within `timeouts.delete` (10 minutes by " +
			"default).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The webhook id (32 lowercase hexadecimal characters).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"callback_url": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The URL Inveterate sends events to, an absolute `http://` or `https://` URL. Changing it " +
					"**replaces** the webhook, because Inveterate cannot update one.",
				Validators:    []validator.String{validators.HTTPURL()},
				PlanModifiers: []planmodifier.String{replaces("callback_url")},
			},
			"name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "A name for the webhook; not empty when set. Changing it (or setting or removing it) " +
					"**replaces** the webhook, because Inveterate cannot update one.",
				Validators:    []validator.String{validators.NotEmpty()},
				PlanModifiers: []planmodifier.String{replaces("name")},
			},
			"token": schema.StringAttribute{
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "The security token Inveterate puts in the body of every event it sends, so the " +
					"receiver can check where events come from. Inveterate returns it only when the webhook is created, " +
					"so it is kept in state (protect your state) and never changed by a refresh. It is `null` after " +
					"import: replace the webhook (for example with `terraform apply -replace`) to get a new token.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"merchant_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The merchant the webhook belongs to (the API key's).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_by_app": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The app that created the webhook, as Inveterate reports it.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the webhook was created (RFC 3339).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"events": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The events the webhook receives. Inveterate sends every admin webhook the same " +
					"fixed set (there is no per-webhook filter): `" + strings.Join(inveterate.WebhookEvents, "`, `") + "`.",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"timeouts": timeoutsAttribute(ctx, r.timeouts),
		},
	}
}

// IdentitySchema is the webhook's identity (Terraform 1.12+): its Inveterate id.
func (r *inveterateWebhookResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("Inveterate admin webhook", "32 lowercase hexadecimal characters")
}

// ModifyPlan fails the plan when Inveterate has no credentials, and shows the events a new webhook
// will receive, which are known in advance.
func (r *inveterateWebhookResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state, plan inveterateWebhookModel
	r.beginPlan(ctx, req, resp, &state, &plan)
	if !isCreate(req) || resp.Diagnostics.HasError() {
		return
	}
	events, diags := inveterateWebhookEvents(ctx)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("events"), events)...)
}

func (r *inveterateWebhookResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan inveterateWebhookModel
	client, ctx, cancel := r.begin(ctx, create, req.Plan, &plan, &resp.Diagnostics)
	defer cancel()
	if client == nil {
		return
	}
	// How long the operation may take, for the message of a wait that runs out.
	timeout := r.timeout(ctx, create, &plan)

	created, err := client.CreateWebhook(ctx, inveterate.CreateWebhookInput{
		CallbackURL: plan.CallbackURL.ValueString(),
		Name:        plan.Name.ValueString(),
	})
	if err != nil {
		r.createError(&resp.Diagnostics, "Unable to Create Inveterate Webhook", err, unsettledCreate{
			what: "webhook", dataSource: inveterateWebhooksDataSourceTypeName, deleteInstead: true,
			sent: hclArguments("callback_url", plan.CallbackURL.ValueString(), "name", plan.Name.ValueString()),
		})
		return
	}
	tflog.Debug(ctx, "Created Inveterate admin webhook; waiting for it to be listed", map[string]any{"id": created.ID})
	// The token is in this answer only: it is saved now, with the webhook.
	state := plan
	resp.Diagnostics.Append(state.fromAPI(ctx, created)...)
	state.Token = types.StringValue(created.Token)
	if !savePending(ctx, created.ID, &state, resp) {
		return
	}

	listed := awaitListed(ctx, r.kind(), created.ID, timeout, &resp.Diagnostics)
	if listed == nil {
		return
	}
	resp.Diagnostics.Append(state.fromAPI(ctx, listed)...)
	saveListed(ctx, &state, resp)
}

func (r *inveterateWebhookResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state inveterateWebhookModel
	if !r.beginRead(ctx, req.State, resp.Identity, &state, &resp.Diagnostics) {
		return
	}
	sent := state
	w := readListed(ctx, r.kind(), state.ID.ValueString(), req, resp)
	if w == nil {
		return
	}
	// The list never carries the token: the one in state stays as it is.
	resp.Diagnostics.Append(state.fromAPI(ctx, w)...)
	saveRead(ctx, resp, &sent, &state)
}

// Update only ever sees a change of timeouts, because every other argument replaces the webhook:
// there is nothing to send to Inveterate.
func (r *inveterateWebhookResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state inveterateWebhookModel
	resp.Diagnostics.Append(getModel(ctx, req.Plan, &plan)...)
	resp.Diagnostics.Append(getModel(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.ID)...)
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &state)...)
}

func (r *inveterateWebhookResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state inveterateWebhookModel
	client, ctx, cancel := r.begin(ctx, remove, req.State, &state, &resp.Diagnostics)
	defer cancel()
	if client == nil {
		return
	}
	// How long the operation may take, for the message of a wait that runs out.
	timeout := r.timeout(ctx, remove, &state)
	id := state.ID.ValueString()
	sent := time.Now()
	err := client.DeleteWebhook(ctx, id)
	if httpclient.IsNotFound(err) {
		if err := r.deleted(ctx, err); err != nil {
			r.apiError(&resp.Diagnostics, "Unable to Delete Inveterate Webhook", err)
		}
		return
	}
	if err != nil {
		r.apiError(&resp.Diagnostics, "Unable to Delete Inveterate Webhook", err)
		return
	}

	// Inveterate's delete is "immediate and eventual": the webhook leaves the list a little later.
	// Waiting for that keeps a destroy from finishing while the webhook is still listed.
	deadline, _ := ctx.Deadline()
	gone, err := client.WaitForWebhookGone(ctx, id, sent, time.Until(deadline))
	if err != nil && errors.Is(ctx.Err(), context.Canceled) {
		resp.Diagnostics.AddError("Interrupted Before Inveterate Confirmed the Webhook Deletion", fmt.Sprintf(
			"Inveterate accepted the delete of webhook %s; Terraform was interrupted while waiting for the webhook to "+
				"leave Inveterate's list. It stays in state until a refresh finds it gone; run terraform destroy (or apply) "+
				"again to finish (deleting it again is safe).", id))
		return
	}
	if err != nil && ctx.Err() == nil {
		r.apiError(&resp.Diagnostics, "Unable to Confirm Deletion of Inveterate Webhook", fmt.Errorf(
			"the delete of webhook %s was accepted, but listing webhooks to see it gone failed: %w. "+
				"It stays in state; run terraform destroy again to finish", id, err))
		return
	}
	if !gone {
		resp.Diagnostics.AddError("Inveterate Webhook Still Listed After Delete", fmt.Sprintf(
			"Inveterate accepted the delete of webhook %s, but still listed it when the delete timeout (%s) ran out: "+
				"Inveterate drops deleted webhooks from its list a little later.\n\n"+
				"The webhook stays in state. Run terraform destroy (or apply) again to finish; deleting it again is safe. "+
				"If this happens often, raise timeouts.delete.", id, shortDuration(timeout)))
	}
}

// ImportState adopts an existing admin webhook by its id. Inveterate never shows a token after
// creation, so the imported token is null.
func (r *inveterateWebhookResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByID(ctx, importID{pattern: inveterate.IDPattern, what: "Inveterate admin webhook", shape: "32 lowercase hexadecimal characters",
		typeName: inveterateWebhookTypeName, example: "0123456789abcdef0123456789abcdef"}, req, resp)
}

// kind tells the shared Inveterate code how to find an admin webhook.
func (r *inveterateWebhookResource) kind() inveterateKind[inveterate.Webhook] {
	v := r.vendor(r.clients)
	return inveterateKind[inveterate.Webhook]{
		what: "webhook", title: "Inveterate Webhook", vendor: v,
		read: r.clients.readInveterateWebhook, wait: v.Client.WaitForWebhook,
	}
}

// fromAPI copies what Inveterate says of an admin webhook into the model (it never says the token
// after a create). Fields an answer leaves out keep what the model holds.
func (m *inveterateWebhookAPIModel) fromAPI(ctx context.Context, w *inveterate.Webhook) diag.Diagnostics {
	m.ID = orCurrent(m.ID, inveterateString(w.ID))
	m.CallbackURL = orCurrent(m.CallbackURL, inveterateString(w.CallbackURL))
	m.Name = orCurrent(m.Name, inveterateString(w.Name))
	m.MerchantID = orCurrent(m.MerchantID, inveterateString(w.MerchantID))
	m.CreatedByApp = orCurrent(m.CreatedByApp, inveterateString(w.CreatedByApp))
	m.CreatedAt = orCurrent(m.CreatedAt, inveterateTimestamp(w.CreatedAt))
	var diags diag.Diagnostics
	m.Events, diags = inveterateWebhookEvents(ctx)
	return diags
}

// inveterateWebhookEvents is the fixed list of events every admin webhook receives.
func inveterateWebhookEvents(ctx context.Context) (types.List, diag.Diagnostics) {
	return types.ListValueFrom(ctx, types.StringType, inveterate.WebhookEvents)
}
