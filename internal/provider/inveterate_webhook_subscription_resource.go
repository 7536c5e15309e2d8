package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
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
	_ resource.Resource                = (*inveterateWebhookSubscriptionResource)(nil)
	_ resource.ResourceWithConfigure   = (*inveterateWebhookSubscriptionResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*inveterateWebhookSubscriptionResource)(nil)
	_ resource.ResourceWithImportState = (*inveterateWebhookSubscriptionResource)(nil)
	_ resource.ResourceWithIdentity    = (*inveterateWebhookSubscriptionResource)(nil)
)

const inveterateWebhookSubscriptionTypeName = "webhooks_inveterate_webhook_subscription"

// Default operation timeouts of webhooks_inveterate_webhook_subscription.
const (
	inveterateWebhookSubscriptionCreateTimeout = 10 * time.Minute
	inveterateWebhookSubscriptionUpdateTimeout = 5 * time.Minute
	inveterateWebhookSubscriptionDeleteTimeout = 5 * time.Minute
)

// NewInveterateWebhookSubscriptionResource returns the webhooks_inveterate_webhook_subscription
// resource (an Inveterate 2.0 webhook subscription).
func NewInveterateWebhookSubscriptionResource() resource.Resource {
	return &inveterateWebhookSubscriptionResource{}
}

type inveterateWebhookSubscriptionResource struct{ resourceBase }

type inveterateWebhookSubscriptionModel struct {
	ID          types.String   `tfsdk:"id"`
	Topic       types.String   `tfsdk:"topic"`
	CallbackURL types.String   `tfsdk:"callback_url"`
	Name        types.String   `tfsdk:"name"`
	MerchantID  types.String   `tfsdk:"merchant_id"`
	CreatedAt   types.String   `tfsdk:"created_at"`
	UpdatedAt   types.String   `tfsdk:"updated_at"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

func (r *inveterateWebhookSubscriptionResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = inveterateWebhookSubscriptionTypeName
}

func (r *inveterateWebhookSubscriptionResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An Inveterate webhook subscription (Public API 2.0): Inveterate sends the events of one `topic` " +
			"to `callback_url`.\n\n" +
			"Inveterate lists a new subscription only a little after accepting it, so a create waits until the " +
			"subscription shows in Inveterate's list; the wait counts against `timeouts.create` (10 minutes by default). " +
			"If it runs out, the subscription is kept in state (tainted) and the error says what to do. Inveterate has " +
			"no read by id: every read lists the merchant's subscriptions.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The subscription id (32 lowercase hexadecimal characters).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"topic": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The topic whose events are sent, such as `customer.updated`. It must be " + validators.InveterateTopicRule +
					", checked at plan time; a topic that Inveterate does not document gets a warning, not an error, " +
					"because Inveterate adds topics over time. " +
					"Changing it **replaces** the subscription: Inveterate cannot change a subscription's topic.",
				Validators: []validator.String{validators.InveterateTopic()},
				PlanModifiers: []planmodifier.String{
					planmodifiers.RequiresReplaceBecause(
						"Inveterate cannot change a subscription's topic: changing topic replaces the subscription.",
						"Inveterate cannot change a subscription's topic: changing `topic` replaces the subscription."),
				},
			},
			"callback_url": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The URL Inveterate sends events to, an absolute `http://` or `https://` URL. Changing it updates the subscription in place.",
				Validators:          []validator.String{validators.HTTPURL()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "A name for the subscription; not empty. Changing it updates the subscription in place.",
				Validators:          []validator.String{validators.NotEmpty()},
			},
			"merchant_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The merchant the subscription belongs to (the API key's), when Inveterate returns it.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the subscription was created (RFC 3339), when Inveterate returns it.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the subscription was last changed (RFC 3339), when Inveterate returns it.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"timeouts": timeoutsAttribute(ctx, operationTimeouts{
				Create: inveterateWebhookSubscriptionCreateTimeout,
				Update: inveterateWebhookSubscriptionUpdateTimeout,
				Delete: inveterateWebhookSubscriptionDeleteTimeout,
			}),
		},
	}
}

// IdentitySchema is the subscription's identity (Terraform 1.12+): its Inveterate id alone. The
// topic is not part of it: Read finds it in Inveterate's list.
func (r *inveterateWebhookSubscriptionResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("Inveterate webhook subscription", "32 lowercase hexadecimal characters")
}

// ModifyPlan fails the plan when Inveterate has no credentials, and plans a new updated_at when
// the subscription is changed in place.
func (r *inveterateWebhookSubscriptionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if _, ok := r.inveterate(inveterateWebhookSubscriptionTypeName, true, &resp.Diagnostics); !ok {
		return
	}
	if isCreate(req) {
		verifyAccess(ctx, &r.clients.Inveterate, r.clients.shared.inveterateWebhookSubscriptions, &resp.Diagnostics)
	}
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var state, plan inveterateWebhookSubscriptionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.CallbackURL.Equal(state.CallbackURL) || !plan.Name.Equal(state.Name) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("updated_at"), types.StringUnknown())...)
	}
}

func (r *inveterateWebhookSubscriptionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	client, ok := r.inveterate(inveterateWebhookSubscriptionTypeName, false, &resp.Diagnostics)
	if !ok {
		return
	}
	var plan inveterateWebhookSubscriptionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The timeout itself is only for the message of a failed wait; withTimeout reports a bad value.
	timeout, _ := plan.Timeouts.Create(ctx, inveterateWebhookSubscriptionCreateTimeout)
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, inveterateWebhookSubscriptionCreateTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	created, err := client.CreateSubscription(ctx, inveterate.CreateSubscriptionInput{
		Topic:       plan.Topic.ValueString(),
		CallbackURL: plan.CallbackURL.ValueString(),
		Name:        plan.Name.ValueString(),
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, &r.clients.Inveterate, "Unable to Create Inveterate Webhook Subscription", err)
		return
	}
	tflog.Debug(ctx, "Created Inveterate webhook subscription; waiting for it to be listed", map[string]any{"id": created.ID})
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, types.StringValue(created.ID))...)

	// Save the subscription before waiting, so that a timeout leaves it in state (tainted) instead
	// of orphaned; the marker tells Read that it may not be listed yet.
	state := plan
	state.fromAPI(created)
	resp.Diagnostics.Append(markPendingVisibility(ctx, resp.Private, time.Now())...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	listed := awaitListed(ctx, r.kind(client), created.ID, timeout, &r.clients.Inveterate, &resp.Diagnostics)
	if listed == nil {
		return
	}
	state.fromAPI(listed)
	resp.Diagnostics.Append(clearPendingVisibility(ctx, resp.Private)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *inveterateWebhookSubscriptionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	client, ok := r.inveterate(inveterateWebhookSubscriptionTypeName, false, &resp.Diagnostics)
	if !ok {
		return
	}
	var state inveterateWebhookSubscriptionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	// Also gives state written before identity existed its identity: upgrading needs no action.
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.ID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sub := readListed(ctx, r.kind(client), state.ID.ValueString(), &r.clients.Inveterate, req, resp)
	if sub == nil {
		return
	}
	state.fromAPI(sub)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *inveterateWebhookSubscriptionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	client, ok := r.inveterate(inveterateWebhookSubscriptionTypeName, false, &resp.Diagnostics)
	if !ok {
		return
	}
	var plan, state inveterateWebhookSubscriptionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.ID)...)
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, inveterateWebhookSubscriptionUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	next := plan
	// Only callback_url and name change in place (topic replaces); a change of timeouts alone
	// needs no call.
	if !plan.CallbackURL.Equal(state.CallbackURL) || !plan.Name.Equal(state.Name) {
		in := inveterate.UpdateSubscriptionInput{Topic: state.Topic.ValueString(), ID: state.ID.ValueString()}
		if !plan.CallbackURL.Equal(state.CallbackURL) {
			in.CallbackURL = plan.CallbackURL.ValueStringPointer()
		}
		if !plan.Name.Equal(state.Name) {
			in.Name = plan.Name.ValueStringPointer()
		}
		updated, err := client.UpdateSubscription(ctx, in)
		if httpclient.IsNotFound(err) {
			err = fmt.Errorf("%w. The subscription was deleted outside Terraform: run terraform apply again to create it", err)
		}
		if err != nil {
			addAPIError(&resp.Diagnostics, &r.clients.Inveterate, "Unable to Update Inveterate Webhook Subscription", err)
			return
		}
		next.fromAPI(updated)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &next)...)
}

func (r *inveterateWebhookSubscriptionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	client, ok := r.inveterate(inveterateWebhookSubscriptionTypeName, false, &resp.Diagnostics)
	if !ok {
		return
	}
	var state inveterateWebhookSubscriptionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, inveterateWebhookSubscriptionDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	// Inveterate addresses a subscription by topic and id, and answers "not found" for one that is
	// already gone: that is success.
	err := deleted(ctx, r.clients.shared.inveterateWebhookSubscriptions, client.DeleteSubscription(ctx, state.Topic.ValueString(), state.ID.ValueString()))
	if err != nil {
		addAPIError(&resp.Diagnostics, &r.clients.Inveterate, "Unable to Delete Inveterate Webhook Subscription", err)
	}
}

// importIDError is a malformed import id: the diagnostic's summary and detail.
type importIDError struct{ summary, detail string }

func (e *importIDError) Error() string { return e.summary + ": " + e.detail }

// parseSubscriptionImportID splits a subscription's import id, <id> or <topic>/<id>, checking the
// shape of each part. An identity (byIdentity) is the id alone.
func parseSubscriptionImportID(value string, byIdentity bool) (topic, id string, err error) {
	topic, id, hasTopic := strings.Cut(value, "/")
	if !hasTopic {
		topic, id = "", value
	}
	if hasTopic && byIdentity {
		return "", "", &importIDError{"Invalid Import Identity", fmt.Sprintf(
			"%q is not an Inveterate webhook subscription identity: the identity is the subscription's id alone, "+
				"without its topic, for example\n  identity = { id = \"0123456789abcdef0123456789abcdef\" }", value)}
	}
	if !inveterate.IDPattern.MatchString(id) || (hasTopic && !inveterate.TopicPattern.MatchString(topic)) {
		return "", "", &importIDError{"Invalid Import ID", fmt.Sprintf(
			"%q is not an Inveterate webhook subscription import id. Expected <id> or <topic>/<id>, where <id> is the "+
				"subscription's id (32 lowercase hexadecimal characters) and <topic> its topic, for example\n"+
				"  terraform import %[2]s.example 0123456789abcdef0123456789abcdef\n"+
				"  terraform import %[2]s.example customer.updated/0123456789abcdef0123456789abcdef\n"+
				"or, in an import block by identity (Terraform 1.12 and later), the id alone:\n"+
				"  import {\n    to       = %[2]s.example\n    identity = { id = \"0123456789abcdef0123456789abcdef\" }\n  }",
			value, inveterateWebhookSubscriptionTypeName)}
	}
	return topic, id, nil
}

// ImportState adopts an existing subscription by `<id>` or by its identity (Read finds its topic
// in the list), or by `<topic>/<id>`, which is checked against the list here so that a wrong topic
// is an error rather than silently corrected.
func (r *inveterateWebhookSubscriptionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	value, diags := importedID(ctx, req)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	topic, id, err := parseSubscriptionImportID(value, req.ID == "")
	var bad *importIDError
	if errors.As(err, &bad) {
		resp.Diagnostics.AddError(bad.summary, bad.detail)
		return
	}
	hasTopic := topic != ""
	if hasTopic {
		if _, ok := r.inveterate(inveterateWebhookSubscriptionTypeName, false, &resp.Diagnostics); !ok {
			return
		}
		sub, err := r.clients.readInveterateWebhookSubscription(ctx, id)
		if err != nil && !httpclient.IsNotFound(err) {
			addAPIError(&resp.Diagnostics, &r.clients.Inveterate, "Unable to Import Inveterate Webhook Subscription", err)
			return
		}
		// A subscription that is not listed is left to Read, whose answer Terraform reports.
		if err == nil && sub.Topic != topic {
			resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf(
				"The Inveterate webhook subscription %s has the topic %q, not %q. Import it as %s/%s, or by its id alone.",
				id, sub.Topic, topic, sub.Topic, id))
			return
		}
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("topic"), topic)...)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, types.StringValue(id))...)
}

// fromAPI copies what Inveterate says of a subscription into the model. Fields an answer leaves out
// keep what the model holds.
// kind tells the shared Inveterate code how to find a subscription.
func (r *inveterateWebhookSubscriptionResource) kind(client *inveterate.Client) inveterateKind[inveterate.Subscription] {
	return inveterateKind[inveterate.Subscription]{
		what: "webhook subscription", title: "Inveterate Webhook Subscription",
		read: r.clients.readInveterateWebhookSubscription, wait: client.WaitForSubscription,
	}
}

func (m *inveterateWebhookSubscriptionModel) fromAPI(s *inveterate.Subscription) {
	m.ID = orCurrent(m.ID, inveterateString(s.ID))
	m.Topic = orCurrent(m.Topic, inveterateString(s.Topic))
	m.CallbackURL = orCurrent(m.CallbackURL, inveterateString(s.CallbackURL))
	m.Name = orCurrent(m.Name, inveterateString(s.Name))
	m.MerchantID = orCurrent(m.MerchantID, inveterateString(s.MerchantID))
	m.CreatedAt = orCurrent(m.CreatedAt, inveterateTimestamp(s.CreatedAt))
	m.UpdatedAt = orCurrent(m.UpdatedAt, inveterateTimestamp(s.UpdatedAt))
}
