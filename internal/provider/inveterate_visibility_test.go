package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

func TestInveterateTopicValidator(t *testing.T) {
	validate := func(v types.String) diag.Diagnostics {
		resp := &validator.StringResponse{}
		validators.InveterateTopic().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("topic"), ConfigValue: v}, resp)
		return resp.Diagnostics
	}
	for _, topic := range inveterate.Topics {
		if d := validate(types.StringValue(topic)); len(d) != 0 {
			t.Errorf("documented topic %q: %v", topic, d)
		}
	}
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		if d := validate(v); len(d) != 0 {
			t.Errorf("%s: %v", v, d)
		}
	}
	// Inveterate adds topics: a well-formed topic it does not document is a warning, not an error.
	for _, topic := range []string{"customer.teleported", "merchant_plan.renewed.early"} {
		d := validate(types.StringValue(topic))
		if d.HasError() || d.WarningsCount() != 1 || !strings.Contains(d.Warnings()[0].Detail(), fmt.Sprintf("%q", topic)) {
			t.Errorf("undocumented topic %q: want one warning naming it, got %v", topic, d)
		}
	}
	for _, topic := range []string{"", "customer", "Customer.updated", "customer..updated", "customer.updated.", ".customer", "customer-updated.x", "customer.updated2", " customer.updated"} {
		d := validate(types.StringValue(topic))
		if d.ErrorsCount() != 1 {
			t.Errorf("malformed topic %q: want one error, got %v", topic, d)
			continue
		}
		detail := d.Errors()[0].Detail()
		for _, want := range []string{"topic", fmt.Sprintf("%q", topic), inveterate.TopicPattern.String()} {
			if !strings.Contains(detail, want) {
				t.Errorf("malformed topic %q: the error %q does not name %s", topic, detail, want)
			}
		}
	}
}

func TestInveterateTimestamp(t *testing.T) {
	for in, want := range map[time.Time]types.String{
		{}: types.StringNull(),
		time.Date(2026, 3, 1, 10, 20, 30, 123456789, time.UTC):               types.StringValue("2026-03-01T10:20:30Z"),
		time.Date(2026, 3, 1, 12, 20, 30, 0, time.FixedZone("CEST", 2*3600)): types.StringValue("2026-03-01T10:20:30Z"),
	} {
		if got := inveterateTimestamp(in); !got.Equal(want) {
			t.Errorf("inveterateTimestamp(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestOrCurrent(t *testing.T) {
	for _, tc := range []struct{ current, v, want types.String }{
		{types.StringValue("old"), types.StringValue("new"), types.StringValue("new")},
		{types.StringValue("old"), types.StringNull(), types.StringValue("old")},
		{types.StringUnknown(), types.StringNull(), types.StringNull()},
		{types.StringNull(), types.StringNull(), types.StringNull()},
	} {
		if got := orCurrent(tc.current, tc.v); !got.Equal(tc.want) {
			t.Errorf("orCurrent(%s, %s) = %s, want %s", tc.current, tc.v, got, tc.want)
		}
	}
}

// expectReplacedBy checks that the plan replaces addr because of exactly the given attributes: the
// "# forces replacement" Terraform shows.
func expectReplacedBy(addr string, attrs ...string) plancheck.PlanCheck {
	return replacedBy{addr: addr, attrs: attrs}
}

type replacedBy struct {
	addr  string
	attrs []string
}

func (c replacedBy) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		var got []string
		for _, p := range rc.Change.ReplacePaths {
			steps, _ := p.([]any)
			var parts []string
			for _, s := range steps {
				parts = append(parts, fmt.Sprint(s))
			}
			got = append(got, strings.Join(parts, "."))
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(c.attrs))
		if !slices.Equal(got, want) {
			resp.Error = fmt.Errorf("%s is replaced because of %v, want %v", c.addr, got, want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.addr)
}
