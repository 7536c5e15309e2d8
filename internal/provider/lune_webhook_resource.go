package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/planmodifiers"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

var (
	_ resource.Resource                = (*luneWebhookResource)(nil)
	_ resource.ResourceWithConfigure   = (*luneWebhookResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*luneWebhookResource)(nil)
	_ resource.ResourceWithImportState = (*luneWebhookResource)(nil)
	_ resource.ResourceWithIdentity    = (*luneWebhookResource)(nil)
)

const luneWebhookTypeName = "webhooks_webhook"

// Default operation timeouts of webhooks_webhook.
const (
	luneWebhookCreateTimeout = 5 * time.Minute
	luneWebhookUpdateTimeout = 5 * time.Minute
	luneWebhookDeleteTimeout = 5 * time.Minute
)

// NewLuneWebhookResource returns the webhooks_webhook resource (a Lune webhook).
func NewLuneWebhookResource() resource.Resource {
	return &luneWebhookResource{newResourceBase(luneWebhookTypeName, luneVendor, luneWebhookList,
		operationTimeouts{Create: luneWebhookCreateTimeout, Update: luneWebhookUpdateTimeout, Delete: luneWebhookDeleteTimeout})}
}

type luneWebhookResource struct{ resourceBase[lune.Client] }

// luneWebhookList is the operation's list of Lune webhooks.
func luneWebhookList(c *Clients) accessList { return listOf(c.lists.luneWebhooks) }

// luneWebhookModel is the resource's state: what Lune says of the webhook, the secret it returns
// only once, and what only exists in configuration.
type luneWebhookModel struct {
	luneWebhookAPIModel
	Secret                 types.String   `tfsdk:"secret"`
	SecretRotationTriggers types.Map      `tfsdk:"secret_rotation_triggers"`
	Timeouts               timeouts.Value `tfsdk:"timeouts"`
}

// luneWebhookAPIModel is what Lune says of a webhook: the attributes that the resource, the
// webhooks_webhooks data source and the list resource share, mapped once, by fromAPI.
type luneWebhookAPIModel struct {
	ID          types.String `tfsdk:"id"`
	URL         types.String `tfsdk:"url"`
	Enabled     types.Bool   `tfsdk:"enabled"`
	AccountIDs  types.Set    `tfsdk:"account_ids"`
	AccountType types.String `tfsdk:"account_type"`
	CreatedAt   types.String `tfsdk:"created_at"`
	SecretLast4 types.String `tfsdk:"secret_last4"`
}

func (m *luneWebhookModel) id() types.String              { return m.ID }
func (m *luneWebhookModel) timeoutsValue() timeouts.Value { return m.Timeouts }

func (r *luneWebhookResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = luneWebhookTypeName
}

func (r *luneWebhookResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Lune webhook: Lune pushes events to `url`, signed with an HMAC secret that this resource " +
			"keeps in state and can rotate in place.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The Lune webhook id.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"url": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The URL Lune sends events to. It must match the pattern Lune's API documents and enforces, `" +
					lune.URLPattern.String() + "` (checked at plan time): " + validators.LuneURLRule + ". " +
					"Accepted, for example: `https://hooks.example.com/lune`, `https://hooks.example.com:8443/lune?team=b`. " +
					"Rejected, for example: `https://teamb.example/x` (`example` has 7 letters), `https://10.0.0.1/x`, " +
					"`https://localhost:8443/x`, `http://hooks.example.com/x`, `https://hooks.example.com/a,b`. " +
					"Changing it updates the webhook in place.",
				Validators: []validator.String{validators.LuneURL()},
			},
			"enabled": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Whether Lune sends events. Defaults to `true`. Lune creates webhooks enabled, so `false` creates the webhook, then disables it.",
			},
			"account_ids": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "Only push events of these accounts. Without it, the webhook pushes events of every account of " +
					"the organisation. Changing the set updates the webhook in place; removing the argument **replaces** the " +
					"webhook, because Lune cannot clear the filter once set. When set, " + validators.AccountIDsRule + ".",
				Validators: []validator.Set{validators.AccountIDs()},
				PlanModifiers: []planmodifier.Set{
					planmodifiers.RequiresReplaceWhenRemoved(
						"Lune cannot clear the account filter: removing account_ids replaces the webhook.",
						"Lune cannot clear the account filter: removing `account_ids` replaces the webhook."),
				},
			},
			"account_type": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`live` or `test`: the mode of the API key the webhook was created with.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the webhook was created (RFC 3339).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"secret": schema.StringAttribute{
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "The full HMAC signing secret. Lune returns it only when the webhook is created and when the " +
					"secret is rotated, so it is kept in state (protect your state). It is `null` after import, and after a " +
					"rotation done outside Terraform; change `secret_rotation_triggers` to get a new one.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"secret_last4": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The last 4 characters of the signing secret, as the API reports them.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"secret_rotation_triggers": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "Arbitrary values; any change rotates the signing secret **in place** (the webhook keeps its " +
					"id, the old secret stops working at once). Feed it from `time_rotating` for scheduled rotation.",
			},
			"timeouts": timeoutsAttribute(ctx, r.timeouts),
		},
	}
}

// IdentitySchema is the webhook's identity (Terraform 1.12+): its Lune id.
func (r *luneWebhookResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("Lune webhook", "32 letters and digits")
}

// ModifyPlan fails the plan when Lune has no credentials, and plans a new secret when the
// rotation triggers change.
func (r *luneWebhookResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state, plan luneWebhookModel
	if !r.beginPlan(ctx, req, resp, &state, &plan) {
		return
	}
	rotates, diags := rotates(ctx, req.Private, &state, &plan)
	resp.Diagnostics.Append(diags...)
	if rotates {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("secret"), types.StringUnknown())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("secret_last4"), types.StringUnknown())...)
	}
}

func (r *luneWebhookResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan luneWebhookModel
	client, ctx, cancel := r.begin(ctx, create, req.Plan, &plan, &resp.Diagnostics)
	defer cancel()
	if client == nil {
		return
	}
	var accountIDs []string
	resp.Diagnostics.Append(plan.AccountIDs.ElementsAs(ctx, &accountIDs, false)...)
	if resp.Diagnostics.HasError() {
		return
	}

	created, err := client.CreateWebhook(ctx, lune.CreateWebhookInput{URL: plan.URL.ValueString(), AccountIDs: accountIDs})
	if created == nil {
		r.createError(&resp.Diagnostics, "Unable to Create Lune Webhook", err, unsettledCreate{
			what: "webhook", dataSource: luneWebhooksDataSourceTypeName,
			sent: hclArguments("url", plan.URL.ValueString(), "account_ids", accountIDs),
		})
		return
	}
	tflog.Debug(ctx, "Created Lune webhook", map[string]any{"id": created.ID})
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, types.StringValue(created.ID))...)

	wantEnabled := plan.Enabled.ValueBool()
	state := plan
	resp.Diagnostics.Append(state.fromAPI(ctx, created)...)
	state.Secret = types.StringValue(created.Secret)
	if err != nil {
		// The webhook exists but its secret is unknown: keep it (tainted) rather than orphan it.
		state.Secret = types.StringNull()
		resp.Diagnostics.Append(setModel(ctx, &resp.State, &state)...)
		r.apiError(&resp.Diagnostics, "Unable to Create Lune Webhook", err)
		return
	}
	// Save the webhook before any further call, so that a failure below leaves it in state
	// (tainted) instead of orphaned in Lune.
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &state)...)
	if resp.Diagnostics.HasError() || wantEnabled == created.Enabled {
		return
	}

	// Lune's create takes no "enabled": new webhooks start enabled, so disable it now.
	// Creating and disabling are one operation to the user: once the create is done, the disable is
	// sent even if Terraform is interrupted meanwhile (on a deadline of its own), because a webhook
	// left enabled would contradict the plan (Terraform would call that a provider bug and taint it)
	// and would send events to a URL configured as disabled.
	disableCtx, cancelDisable := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancelDisable()
	updated, err := client.UpdateWebhook(disableCtx, created.ID, lune.UpdateWebhookInput{URL: created.URL, Enabled: &wantEnabled})
	if err != nil {
		r.apiError(&resp.Diagnostics, "Unable to Disable Lune Webhook", fmt.Errorf(
			"the webhook %s was created and is kept in state, but disabling it failed (Terraform marks it tainted "+
				"and replaces it on the next apply): %w", created.ID, err))
		return
	}
	resp.Diagnostics.Append(state.fromAPI(ctx, updated)...)
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &state)...)
}

func (r *luneWebhookResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state luneWebhookModel
	if !r.beginRead(ctx, req.State, resp.Identity, &state, &resp.Diagnostics) {
		return
	}
	sent := state
	w, err := r.clients.readLuneWebhook(ctx, state.ID.ValueString())
	if httpclient.IsNotFound(err) {
		tflog.Info(ctx, "Lune webhook is gone; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		r.apiError(&resp.Diagnostics, "Unable to Read Lune Webhook", err)
		return
	}
	resp.Diagnostics.Append(state.fromAPI(ctx, w)...)

	// A read never returns the secret, only its last 4 characters: keep the one in state unless
	// those no longer match, which means it was rotated: by a rotation of the last apply whose
	// answer never came, or outside Terraform.
	unconfirmed, diags := req.Private.GetKey(ctx, rotationUnconfirmedKey)
	resp.Diagnostics.Append(diags...)
	if secret := state.Secret.ValueString(); secret != "" && !matchesLast4(secret, w.SecretLast4()) {
		state.Secret = types.StringNull()
		if len(unconfirmed) > 0 {
			resp.Diagnostics.AddWarning("Lune Webhook Secret Rotated Without an Answer", fmt.Sprintf(
				"The last apply asked Lune to rotate the signing secret of webhook %s and got no clear answer; Lune now "+
					"reports a different secret, so the rotation happened. The secret in state no longer works and has "+
					"been set to null. The next apply rotates the secret again and stores the new one.", w.ID))
		} else {
			resp.Diagnostics.AddWarning("Lune Webhook Secret Rotated Outside Terraform", fmt.Sprintf(
				"The signing secret of Lune webhook %s no longer ends in the characters of the secret in state: it was rotated "+
					"outside Terraform, and the secret in state is no longer valid. It has been set to null.\n\n"+
					"To get a valid secret into state, change secret_rotation_triggers: the next apply rotates the secret again "+
					"and stores the new one.", w.ID))
		}
	}
	saveRead(ctx, resp, &sent, &state)
}

func (r *luneWebhookResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state luneWebhookModel
	client, ctx, cancel := r.beginUpdate(ctx, req, resp, &plan, &state)
	defer cancel()
	if client == nil {
		return
	}
	id := state.ID.ValueString()
	next := plan
	next.Secret, next.SecretLast4 = state.Secret, state.SecretLast4

	if !plan.URL.Equal(state.URL) || !plan.Enabled.Equal(state.Enabled) || !plan.AccountIDs.Equal(state.AccountIDs) {
		in := lune.UpdateWebhookInput{URL: plan.URL.ValueString(), Enabled: plan.Enabled.ValueBoolPointer()}
		resp.Diagnostics.Append(plan.AccountIDs.ElementsAs(ctx, &in.AccountIDs, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
		updated, err := client.UpdateWebhook(ctx, id, in)
		if err != nil {
			r.apiError(&resp.Diagnostics, "Unable to Update Lune Webhook", err)
			return
		}
		resp.Diagnostics.Append(next.fromAPI(ctx, updated)...)
	}

	rotate, diags := rotates(ctx, req.Private, &state, &plan)
	resp.Diagnostics.Append(diags...)
	if !state.SecretRotationTriggers.IsNull() || !plan.SecretRotationTriggers.IsNull() {
		// The triggers are recorded now; from here on any change of them rotates.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, nil)...)
	}
	if rotate {
		rotated, err := client.RotateSecret(ctx, id)
		if err != nil {
			// Keep what the update above changed; the triggers stay as they were, so the next
			// apply tries the rotation again.
			next.SecretRotationTriggers = state.SecretRotationTriggers
			if rotationMayHaveHappened(err) {
				// The next refresh then knows why the secret changed: not outside Terraform.
				resp.Diagnostics.Append(resp.Private.SetKey(ctx, rotationUnconfirmedKey, []byte("true"))...)
				err = fmt.Errorf("%w. The rotation may already have happened at Lune, in which case the secret in state no "+
					"longer works; the next apply rotates again and stores the new secret", err)
			}
			resp.Diagnostics.Append(setModel(ctx, &resp.State, &next)...)
			r.apiError(&resp.Diagnostics, "Unable to Rotate Lune Webhook Secret", err)
			return
		}
		tflog.Info(ctx, "Rotated the signing secret of a Lune webhook", map[string]any{"id": id})
		resp.Diagnostics.Append(next.fromAPI(ctx, rotated)...)
		next.Secret = types.StringValue(rotated.Secret)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, rotationUnconfirmedKey, nil)...)
	}
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &next)...)
}

func (r *luneWebhookResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state luneWebhookModel
	client, ctx, cancel := r.begin(ctx, remove, req.State, &state, &resp.Diagnostics)
	defer cancel()
	if client == nil {
		return
	}
	if err := r.deleted(ctx, client.DeleteWebhook(ctx, state.ID.ValueString())); err != nil {
		r.apiError(&resp.Diagnostics, "Unable to Delete Lune Webhook", err)
	}
}

// ImportState adopts an existing webhook by its id. Lune never returns a secret on read, so the
// imported secret is null until the next rotation.
func (r *luneWebhookResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	// The configuration's rotation triggers are recorded by the first apply without rotating:
	// adopting a webhook must not invalidate the secret its receiver uses.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte("true"))...)
	importByID(ctx, importID{pattern: lune.IDPattern, what: "Lune webhook", shape: "32 letters and digits",
		typeName: luneWebhookTypeName, example: "1a2b3c4d5e6f7g8h9i0j1k2l3m4n5o6p"}, req, resp)
}

// fromAPI copies what Lune says of a webhook into the model (it never says the secret).
func (m *luneWebhookAPIModel) fromAPI(ctx context.Context, w *lune.Webhook) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(w.ID)
	m.URL = types.StringValue(w.URL)
	m.Enabled = types.BoolValue(w.Enabled)
	m.AccountType = types.StringValue(w.AccountType)
	m.CreatedAt = types.StringValue(rfc3339(w.CreatedAt))
	m.SecretLast4 = types.StringValue(w.SecretLast4())
	m.AccountIDs, diags = stringSetOrNull(ctx, w.AccountIDs)
	return diags
}

// rotationUnconfirmedKey marks, in private state, a webhook whose last rotation failed in a way
// that may have rotated the secret anyway (a server error or a lost answer).
const rotationUnconfirmedKey = "rotation_unconfirmed"

// rotationMayHaveHappened reports whether a failed rotation may have rotated the secret anyway:
// anything but an answer that says nothing was done.
func rotationMayHaveHappened(err error) bool {
	return !errors.Is(err, httpclient.ErrValidation) && !errors.Is(err, httpclient.ErrUnauthorized) && !httpclient.IsNotFound(err)
}

// importedKey marks, in private state, a webhook imported whose rotation triggers have not been
// recorded yet.
const importedKey = "imported"

// rotates reports whether a plan rotates the secret: any change of the triggers does, except
// the first recording of them after an import.
func rotates(ctx context.Context, private privateGetter, state, plan *luneWebhookModel) (bool, diag.Diagnostics) {
	if plan.SecretRotationTriggers.Equal(state.SecretRotationTriggers) {
		return false, nil
	}
	imported, diags := private.GetKey(ctx, importedKey)
	return len(imported) == 0 || !state.SecretRotationTriggers.IsNull(), diags
}

func matchesLast4(secret, last4 string) bool {
	return len(secret) >= len(last4) && secret[len(secret)-len(last4):] == last4
}
