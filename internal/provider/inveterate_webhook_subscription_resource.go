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
	return &inveterateWebhookSubscriptionResource{newResourceBase(inveterateWebhookSubscriptionTypeName, inveterateVendor,
		inveterateWebhookSubscriptionList, operationTimeouts{
			Create: inveterateWebhookSubscriptionCreateTimeout,
			Update: inveterateWebhookSubscriptionUpdateTimeout,
			Delete: inveterateWebhookSubscriptionDeleteTimeout,
		})}
}

type inveterateWebhookSubscriptionResource struct {
	resourceBase[inveterate.Client]
}

// inveterateWebhookSubscriptionList is the operation's list of Inveterate webhook subscriptions.
func inveterateWebhookSubscriptionList(c *Clients) accessList {
	return listOf(c.lists.inveterateWebhookSubscriptions)
}

// inveterateWebhookSubscriptionModel is the resource's state: what Inveterate says of the
// subscription, and its timeouts.
type inveterateWebhookSubscriptionModel struct {
	inveterateWebhookSubscriptionAPIModel
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// inveterateWebhookSubscriptionAPIModel is what Inveterate says of a subscription: the attributes
// that the resource, the webhooks_inveterate_webhook_subscriptions data source and the list
// resource share, mapped once, by fromAPI.
type inveterateWebhookSubscriptionAPIModel struct {
	ID          types.String `tfsdk:"id"`
	Topic       types.String `tfsdk:"topic"`
	CallbackURL types.String `tfsdk:"callback_url"`
	Name        types.String `tfsdk:"name"`
	MerchantID  types.String `tfsdk:"merchant_id"`
	CreatedAt   types.String `tfsdk:"created_at"`
	UpdatedAt   types.String `tfsdk:"updated_at"`
}

func (m *inveterateWebhookSubscriptionModel) id() types.String              { return m.ID }
func (m *inveterateWebhookSubscriptionModel) timeoutsValue() timeouts.Value { return m.Timeouts }

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
					"because Inveterate adds topics over time. The topics Inveterate documents: " +
					validators.InveterateDocumentedTopics + ". " +
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
			"timeouts": timeoutsAttribute(ctx, r.timeouts),
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
	var state, plan inveterateWebhookSubscriptionModel
	if !r.beginPlan(ctx, req, resp, &state, &plan) {
		return
	}
	if !plan.CallbackURL.Equal(state.CallbackURL) || !plan.Name.Equal(state.Name) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("updated_at"), types.StringUnknown())...)
	}
}

func (r *inveterateWebhookSubscriptionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan inveterateWebhookSubscriptionModel
	client, ctx, cancel := r.begin(ctx, create, req.Plan, &plan, &resp.Diagnostics)
	defer cancel()
	if client == nil {
		return
	}
	// How long the operation may take, for the message of a wait that runs out.
	timeout := r.timeout(ctx, create, &plan)

	created, err := client.CreateSubscription(ctx, inveterate.CreateSubscriptionInput{
		Topic:       plan.Topic.ValueString(),
		CallbackURL: plan.CallbackURL.ValueString(),
		Name:        plan.Name.ValueString(),
	})
	if err != nil {
		r.createError(&resp.Diagnostics, "Unable to Create Inveterate Webhook Subscription", err, unsettledCreate{
			what: "webhook subscription", dataSource: inveterateWebhookSubscriptionsDataSourceTypeName,
			sent: hclArguments("topic", plan.Topic.ValueString(), "callback_url", plan.CallbackURL.ValueString(), "name", plan.Name.ValueString()),
		})
		return
	}
	tflog.Debug(ctx, "Created Inveterate webhook subscription; waiting for it to be listed", map[string]any{"id": created.ID})
	state := plan
	state.fromAPI(created)
	if !savePending(ctx, created.ID, &state, resp) {
		return
	}

	listed := awaitListed(ctx, r.kind(), created.ID, timeout, &resp.Diagnostics)
	if listed == nil {
		return
	}
	state.fromAPI(listed)
	saveListed(ctx, &state, resp)
}

func (r *inveterateWebhookSubscriptionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state inveterateWebhookSubscriptionModel
	if !r.beginRead(ctx, req.State, resp.Identity, &state, &resp.Diagnostics) {
		return
	}
	sent := state
	sub := readListed(ctx, r.kind(), state.ID.ValueString(), req, resp)
	if sub == nil {
		return
	}
	state.fromAPI(sub)
	saveRead(ctx, resp, &sent, &state)
}

func (r *inveterateWebhookSubscriptionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state inveterateWebhookSubscriptionModel
	client, ctx, cancel := r.beginUpdate(ctx, req, resp, &plan, &state)
	defer cancel()
	if client == nil {
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
			r.apiError(&resp.Diagnostics, "Unable to Update Inveterate Webhook Subscription", err)
			return
		}
		next.fromAPI(updated)
	}
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &next)...)
}

func (r *inveterateWebhookSubscriptionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state inveterateWebhookSubscriptionModel
	client, ctx, cancel := r.begin(ctx, remove, req.State, &state, &resp.Diagnostics)
	defer cancel()
	if client == nil {
		return
	}
	// Inveterate addresses a subscription by topic and id, and answers "not found" for one that is
	// already gone: that is success.
	err := r.deleted(ctx, client.DeleteSubscription(ctx, state.Topic.ValueString(), state.ID.ValueString()))
	if err != nil {
		r.apiError(&resp.Diagnostics, "Unable to Delete Inveterate Webhook Subscription", err)
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
		if _, ok := r.client(false, &resp.Diagnostics); !ok {
			return
		}
		sub, err := r.clients.readInveterateWebhookSubscription(ctx, id)
		if err != nil && !httpclient.IsNotFound(err) {
			r.apiError(&resp.Diagnostics, "Unable to Import Inveterate Webhook Subscription", err)
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

// kind tells the Inveterate visibility code how to find a subscription.
func (r *inveterateWebhookSubscriptionResource) kind() inveterateKind[inveterate.Subscription] {
	v := r.vendor(r.clients)
	return inveterateKind[inveterate.Subscription]{
		what: "webhook subscription", title: "Inveterate Webhook Subscription", vendor: v,
		read: r.clients.readInveterateWebhookSubscription, wait: v.Client.WaitForSubscription,
	}
}

// fromAPI copies what Inveterate says of a subscription into the model. Fields an answer leaves out
// keep what the model holds.
func (m *inveterateWebhookSubscriptionAPIModel) fromAPI(s *inveterate.Subscription) {
	m.ID = orCurrent(m.ID, inveterateString(s.ID))
	m.Topic = orCurrent(m.Topic, inveterateString(s.Topic))
	m.CallbackURL = orCurrent(m.CallbackURL, inveterateString(s.CallbackURL))
	m.Name = orCurrent(m.Name, inveterateString(s.Name))
	m.MerchantID = orCurrent(m.MerchantID, inveterateString(s.MerchantID))
	m.CreatedAt = orCurrent(m.CreatedAt, inveterateTimestamp(s.CreatedAt))
	m.UpdatedAt = orCurrent(m.UpdatedAt, inveterateTimestamp(s.UpdatedAt))
}
