package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// Resource identity (Terraform 1.12+) at the protocol level; the CLI tests beside each resource's
// tests import by identity with a Terraform that has it.

func TestIdentity_schemas(t *testing.T) {
	e := newProtoEnv(t, sandbox.Config{}, nil)
	resp, err := e.server.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || hasError(resp.Diagnostics) {
		t.Fatalf("GetResourceIdentitySchemas: %v %s", err, diagText(resp.Diagnostics))
	}
	if len(resp.IdentitySchemas) != len(e.schema.ResourceSchemas) {
		t.Errorf("%d identity schemas for %d resources", len(resp.IdentitySchemas), len(e.schema.ResourceSchemas))
	}
	for typeName := range e.schema.ResourceSchemas {
		s, ok := resp.IdentitySchemas[typeName]
		if !ok {
			t.Errorf("%s has no identity", typeName)
			continue
		}
		if len(s.IdentityAttributes) != 1 {
			t.Fatalf("%s identity has %d attributes, want only id", typeName, len(s.IdentityAttributes))
		}
		a := s.IdentityAttributes[0]
		if a.Name != "id" || !a.Type.Equal(tftypes.String) || !a.RequiredForImport || a.Description == "" {
			t.Errorf("%s identity attribute: %+v, want a described string id required for import", typeName, a)
		}
	}
}

// seedOneOfEach puts one object of every resource type in the sandbox and returns their ids by
// resource type.
func seedOneOfEach(sb *sandbox.Server) map[string]string {
	return map[string]string{
		luneWebhookTypeName: sb.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://hooks.example.com/lune", Enabled: true}).ID,
		inveterateWebhookSubscriptionTypeName: sb.AddInveterateSubscription(sandbox.InveterateSubscription{
			Topic: "customer.updated", CallbackURL: "https://hooks.example.com/sub", Name: "sub"}).ID,
		inveterateWebhookTypeName: sb.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: "https://hooks.example.com/admin"}).ID,
		partnerWebhookTypeName:    sb.AddBlazeWebhook(sandbox.BlazeWebhook{WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://hooks.example.com/blaze"}}).ID,
	}
}

func TestIdentity_importByIdentityOrID(t *testing.T) {
	e := newProtoEnv(t, sandbox.Config{}, nil)
	e.configure(e.sandboxSections())
	ids := seedOneOfEach(e.srv)
	for typeName, id := range ids {
		t.Run(typeName, func(t *testing.T) {
			byIdentity, identity := e.importAndRead(typeName, "", identityOf(t, id))
			if got := identityID(t, identity); got != id {
				t.Errorf("identity %q after import by identity, want %q", got, id)
			}
			byID, identity := e.importAndRead(typeName, id, nil)
			if got := identityID(t, identity); got != id {
				t.Errorf("identity %q after import by id, want %q", got, id)
			}
			if stringAttr(t, byIdentity, "id") != id {
				t.Errorf("id %q in state", stringAttr(t, byIdentity, "id"))
			}
			for name, v := range byID {
				if !v.Equal(byIdentity[name]) {
					t.Errorf("%s differs between import by id (%s) and by identity (%s)", name, v, byIdentity[name])
				}
			}
		})
	}
	t.Run("subscription by topic/id", func(t *testing.T) {
		id := ids[inveterateWebhookSubscriptionTypeName]
		state, identity := e.importAndRead(inveterateWebhookSubscriptionTypeName, "customer.updated/"+id, nil)
		if got := identityID(t, identity); got != id {
			t.Errorf("identity %q, want the id alone (%q)", got, id)
		}
		if stringAttr(t, state, "topic") != "customer.updated" {
			t.Errorf("topic %q", stringAttr(t, state, "topic"))
		}
	})
	if w := e.srv.Writes(); w != 0 {
		t.Errorf("%d writes; an import makes none", w)
	}
}

func TestIdentity_malformed(t *testing.T) {
	e := newProtoEnv(t, sandbox.Config{}, nil)
	e.configure(e.sandboxSections())
	for typeName, want := range map[string][]string{
		luneWebhookTypeName:                   {"Invalid Import ID", `"nope" is not a Lune webhook id`, "identity = { id ="},
		inveterateWebhookSubscriptionTypeName: {"Invalid Import ID", `"nope" is not an Inveterate webhook subscription import id`, "identity = { id ="},
		inveterateWebhookTypeName:             {"Invalid Import ID", `"nope" is not an Inveterate admin webhook id`, "identity = { id ="},
		partnerWebhookTypeName:                {"Invalid Import ID", `"nope" is not a BLAZE partner webhook id`, "identity = { id ="},
	} {
		resp, err := e.server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{TypeName: typeName, Identity: identityOf(t, "nope")})
		if err != nil || !hasError(resp.Diagnostics) {
			t.Fatalf("%s: a malformed identity was imported (%v)", typeName, err)
		}
		wantText(t, diagText(resp.Diagnostics), want...)
	}
	resp, err := e.server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
		TypeName: inveterateWebhookSubscriptionTypeName, Identity: identityOf(t, "customer.updated/0123456789abcdef0123456789abcdef"),
	})
	if err != nil || !hasError(resp.Diagnostics) {
		t.Fatal("a subscription identity with a topic was accepted")
	}
	wantText(t, diagText(resp.Diagnostics), "Invalid Import Identity", "the subscription's id alone")
}

// State written by an earlier version of the provider has no identity: the next refresh gives
// it one, so upgrading needs no action.
func TestIdentity_readGivesOldStateAnIdentity(t *testing.T) {
	e := newProtoEnv(t, sandbox.Config{}, nil)
	e.configure(e.sandboxSections())
	for typeName, id := range seedOneOfEach(e.srv) {
		typ := e.resourceType(typeName)
		old := objectValue(typ, map[string]tftypes.Value{"id": str(id)})
		resp, err := e.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: dynamicValue(t, typ, old)})
		if err != nil || hasError(resp.Diagnostics) {
			t.Fatalf("%s: ReadResource: %v %s", typeName, err, diagText(resp.Diagnostics))
		}
		if got := identityID(t, resp.NewIdentity); got != id {
			t.Errorf("%s: identity %q after reading old state, want %q", typeName, got, id)
		}
	}
}

// identityConfigs are, per resource type, a configuration, a change of it that updates the object
// in place, and the configuration an import of the updated object plans no change with.
var identityConfigs = map[string][3]string{
	luneWebhookTypeName: {
		`resource "webhooks_webhook" "test" { url = "https://hooks.example.com/v1" }`,
		`resource "webhooks_webhook" "test" { url = "https://hooks.example.com/v2" }`,
		`resource "webhooks_webhook" "test" { url = "https://hooks.example.com/v2" }`},
	inveterateWebhookSubscriptionTypeName: {
		`resource "webhooks_inveterate_webhook_subscription" "test" {
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/v1"
  name         = "v1"
}`, `resource "webhooks_inveterate_webhook_subscription" "test" {
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/v2"
  name         = "v2"
}`, `resource "webhooks_inveterate_webhook_subscription" "test" {
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/v2"
  name         = "v2"
}`},
	inveterateWebhookTypeName: {
		// An admin webhook's only in-place change is its timeouts, which an import cannot know.
		`resource "webhooks_inveterate_webhook" "test" { callback_url = "https://hooks.example.com/v1" }`,
		`resource "webhooks_inveterate_webhook" "test" {
  callback_url = "https://hooks.example.com/v1"
  timeouts     = { delete = "3m" }
}`,
		`resource "webhooks_inveterate_webhook" "test" { callback_url = "https://hooks.example.com/v1" }`},
	partnerWebhookTypeName: {
		`resource "webhooks_partner_webhook" "test" {
  web_hook_type = "NEW_MEMBER"
  web_hook_urls = ["https://hooks.example.com/v1"]
}`, `resource "webhooks_partner_webhook" "test" {
  web_hook_type = "NEW_MEMBER"
  web_hook_urls = ["https://hooks.example.com/v2"]
}`, `resource "webhooks_partner_webhook" "test" {
  web_hook_type = "NEW_MEMBER"
  web_hook_urls = ["https://hooks.example.com/v2"]
}`},
}

// TestAccIdentity_lifecycle checks with the Terraform CLI (1.12 or later; it skips on older ones)
// that every resource has its identity after create and after an update, that the identity never
// changes, and that an import block with that identity imports the object as it is.
func TestAccIdentity_lifecycle(t *testing.T) {
	for typeName, configs := range identityConfigs {
		t.Run(typeName, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "lune", "inveterate", "blaze")
			for i := range configs {
				// What the test creates carries the run's marker.
				configs[i] = strings.ReplaceAll(configs[i], "https://hooks.example.com/", e.url(""))
			}
			addr := typeName + ".test"
			sameID := statecheck.CompareValue(compare.ValuesSame())
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{
					{
						Config: e.config(configs[0]),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectIdentityValueMatchesState(addr, tfjsonpath.New("id")),
							sameID.AddStateValue(addr, tfjsonpath.New("id")),
						},
					},
					{
						Config: e.config(configs[1]),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectIdentityValueMatchesState(addr, tfjsonpath.New("id")),
							sameID.AddStateValue(addr, tfjsonpath.New("id")),
						},
					},
					{
						Config:          e.config(configs[2]),
						ResourceName:    addr,
						ImportState:     true,
						ImportStateKind: resource.ImportBlockWithResourceIdentity,
					},
				},
			})
		})
	}
}

// create plans and applies the creation of typeName from config, as Terraform does, and returns the
// apply's answer.
func (e *protoEnv) create(typeName string, config map[string]tftypes.Value) *tfprotov6.ApplyResourceChangeResponse {
	e.t.Helper()
	ctx := context.Background()
	typ := e.resourceType(typeName)
	cfg := dynamicValue(e.t, typ, objectValue(typ, config))
	null := dynamicValue(e.t, typ, tftypes.NewValue(typ, nil))
	plan, err := e.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: null, ProposedNewState: cfg, Config: cfg,
	})
	if err != nil || hasError(plan.Diagnostics) {
		e.t.Fatalf("PlanResourceChange: %v %s", err, diagText(plan.Diagnostics))
	}
	apply, err := e.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: typeName, PriorState: null, PlannedState: plan.PlannedState, Config: cfg,
		PlannedPrivate: plan.PlannedPrivate, PlannedIdentity: plan.PlannedIdentity,
	})
	if err != nil {
		e.t.Fatalf("ApplyResourceChange: %v", err)
	}
	return apply
}

// A create that fails after the object exists keeps it in state (tainted), and with its identity,
// so that the next plan finds it by identity too; so does a refresh that cannot list it yet.
func TestIdentity_failedCreateKeepsTheIdentity(t *testing.T) {
	e := newProtoEnv(t, sandbox.Config{}, func(o *Options) { o.InveterateVisibilityWait = 100 * time.Millisecond })
	e.configure(e.sandboxSections())
	sb := e.srv

	t.Run("Lune webhook whose disable fails", func(t *testing.T) {
		sb.FailNext(sandbox.Lune, "lune.update", sandbox.Fail503, 100)
		defer sb.FailNext(sandbox.Lune, "lune.update", sandbox.Fail503, 0)
		apply := e.create(luneWebhookTypeName, map[string]tftypes.Value{
			"url": str("https://hooks.example.com/disabled"), "enabled": tftypes.NewValue(tftypes.Bool, false),
		})
		assertKeptWithIdentity(t, e, luneWebhookTypeName, apply, "Unable to Disable Lune Webhook")
	})
	t.Run("Inveterate subscription never listed", func(t *testing.T) {
		sb.SetInveterateDelays(time.Hour, 0)
		defer sb.SetInveterateDelays(0, 0)
		typ := e.resourceType(inveterateWebhookSubscriptionTypeName)
		timeouts := objectValue(typ.AttributeTypes["timeouts"].(tftypes.Object), map[string]tftypes.Value{"create": str("300ms")})
		apply := e.create(inveterateWebhookSubscriptionTypeName, map[string]tftypes.Value{
			"topic": str("customer.updated"), "callback_url": str("https://hooks.example.com/late"), "name": str("late"), "timeouts": timeouts,
		})
		id := assertKeptWithIdentity(t, e, inveterateWebhookSubscriptionTypeName, apply, "Not Listed in Time")

		// A refresh while it is still not listed keeps it, with a warning, and keeps its identity.
		read, err := e.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
			TypeName: inveterateWebhookSubscriptionTypeName, CurrentState: apply.NewState, CurrentIdentity: apply.NewIdentity, Private: apply.Private,
		})
		if err != nil || hasError(read.Diagnostics) {
			t.Fatalf("ReadResource: %v %s", err, diagText(read.Diagnostics))
		}
		wantText(t, diagText(read.Diagnostics), "Not Listed Yet")
		if got := identityID(t, read.NewIdentity); got != id {
			t.Errorf("identity %q after the refresh, want %q", got, id)
		}
	})
}

// assertKeptWithIdentity checks that a create failed with summary, yet saved the object in state
// with an identity equal to its id, and returns the id.
func assertKeptWithIdentity(t *testing.T, e *protoEnv, typeName string, apply *tfprotov6.ApplyResourceChangeResponse, summary string) string {
	t.Helper()
	if !hasError(apply.Diagnostics) {
		t.Fatal("the create did not fail")
	}
	wantText(t, diagText(apply.Diagnostics), summary)
	state := decode(t, apply.NewState, e.resourceType(typeName))
	id := stringAttr(t, state, "id")
	if id == "" {
		t.Fatal("the created object is not in state")
	}
	if got := identityID(t, apply.NewIdentity); got != id {
		t.Errorf("identity %q, want the id in state %q", got, id)
	}
	return id
}

// update plans and applies a change of the resource from prior (an earlier apply's answer) to
// config, as Terraform does: computed values the configuration leaves out keep their prior value.
func (e *protoEnv) update(typeName string, prior *tfprotov6.ApplyResourceChangeResponse, config map[string]tftypes.Value) *tfprotov6.ApplyResourceChangeResponse {
	e.t.Helper()
	ctx := context.Background()
	typ := e.resourceType(typeName)
	proposed := decode(e.t, prior.NewState, typ)
	for k, v := range config {
		proposed[k] = v
	}
	cfgAttrs := map[string]tftypes.Value{}
	for k, v := range config {
		cfgAttrs[k] = v
	}
	cfg := dynamicValue(e.t, typ, objectValue(typ, cfgAttrs))
	plan, err := e.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: prior.NewState, ProposedNewState: dynamicValue(e.t, typ, tftypes.NewValue(typ, proposed)),
		Config: cfg, PriorPrivate: prior.Private, PriorIdentity: prior.NewIdentity,
	})
	if err != nil || hasError(plan.Diagnostics) {
		e.t.Fatalf("PlanResourceChange: %v %s", err, diagText(plan.Diagnostics))
	}
	apply, err := e.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: typeName, PriorState: prior.NewState, PlannedState: plan.PlannedState, Config: cfg,
		PlannedPrivate: plan.PlannedPrivate, PlannedIdentity: plan.PlannedIdentity,
	})
	if err != nil {
		e.t.Fatalf("ApplyResourceChange: %v", err)
	}
	return apply
}
