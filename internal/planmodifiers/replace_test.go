package planmodifiers_test

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/planmodifiers"
)

// existing is a state and a plan that are not null: RequiresReplaceIf only asks its function about
// a resource that exists and is not being destroyed.
var (
	existing  = tfsdk.State{Raw: tftypes.NewValue(tftypes.Object{}, map[string]tftypes.Value{})}
	updatePln = tfsdk.Plan{Raw: tftypes.NewValue(tftypes.Object{}, map[string]tftypes.Value{})}
)

func TestRequiresReplaceBecause(t *testing.T) {
	m := planmodifiers.RequiresReplaceBecause("why", "`why`")
	if got := m.MarkdownDescription(context.Background()); got != "`why`" {
		t.Errorf("markdown description = %q", got)
	}
	for _, tc := range []struct {
		name         string
		state, plan  types.String
		wantsReplace bool
	}{
		{"changed", types.StringValue("a"), types.StringValue("b"), true},
		{"unchanged", types.StringValue("a"), types.StringValue("a"), false},
		// A value not known until apply may differ: replacing is the safe plan.
		{"unknown", types.StringValue("a"), types.StringUnknown(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := planmodifier.StringRequest{State: existing, Plan: updatePln, StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}
			var resp planmodifier.StringResponse
			resp.PlanValue = tc.plan
			m.PlanModifyString(context.Background(), req, &resp)
			if resp.RequiresReplace != tc.wantsReplace {
				t.Errorf("RequiresReplace = %v, want %v", resp.RequiresReplace, tc.wantsReplace)
			}
		})
	}
}

func TestRequiresReplaceWhenRemoved(t *testing.T) {
	set := func(vs ...string) types.Set {
		elems := make([]attr.Value, 0, len(vs))
		for _, v := range vs {
			elems = append(elems, types.StringValue(v))
		}
		return types.SetValueMust(types.StringType, elems)
	}
	null := types.SetNull(types.StringType)
	m := planmodifiers.RequiresReplaceWhenRemoved("why", "`why`")
	for _, tc := range []struct {
		name         string
		state, plan  types.Set
		wantsReplace bool
	}{
		{"removed", set("a"), null, true},
		{"changed", set("a"), set("b"), false},
		{"added", null, set("a"), false},
		{"unchanged", set("a"), set("a"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := planmodifier.SetRequest{State: existing, Plan: updatePln, StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}
			var resp planmodifier.SetResponse
			resp.PlanValue = tc.plan
			m.PlanModifySet(context.Background(), req, &resp)
			if resp.RequiresReplace != tc.wantsReplace {
				t.Errorf("RequiresReplace = %v, want %v", resp.RequiresReplace, tc.wantsReplace)
			}
		})
	}
}
