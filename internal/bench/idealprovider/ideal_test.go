package main

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/bench/benchstats"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
)

// TestPerfectPacer: 15 sends at once, then each a window after the one 15 before it, never two
// windows' worth in one.
func TestPerfectPacer(t *testing.T) {
	start := time.Unix(1000, 0)
	now := start
	p := newPerfectPacer(15, time.Second, func() time.Time { return now })
	var sent []time.Time
	for i := range 40 {
		if i == 20 {
			now = start.Add(1500 * time.Millisecond) // idle for a while: the clock moved on
		}
		sent = append(sent, p.reserve())
	}
	for i, at := range sent[:15] {
		if !at.Equal(start) {
			t.Errorf("send %d at %v, want at once", i, at.Sub(start))
		}
	}
	for i := 15; i < len(sent); i++ {
		want := sent[i-15].Add(time.Second)
		if want.Before(now) && i >= 20 {
			want = now
		}
		if i < 20 && !sent[i].Equal(want) || i >= 20 && sent[i].Before(want) {
			t.Errorf("send %d at %v, want %v", i, sent[i].Sub(start), want.Sub(start))
		}
		// The rule itself: no 16 sends within one window.
		if sent[i].Sub(sent[i-15]) < time.Second {
			t.Errorf("sends %d and %d are %v apart: 16 in one window", i-15, i, sent[i].Sub(sent[i-15]))
		}
	}
}

// TestIdealResources: every real resource type has a cost, a create's state has no unknown value
// left (Terraform would refuse it), and a create and a read return the identity { id }.
func TestIdealResources(t *testing.T) {
	ctx := context.Background()
	p := newIdeal(0, time.Now)().(*ideal)
	rs := p.Resources(ctx)
	if len(rs) != len(costs) {
		t.Errorf("%d resource types, %d costs", len(rs), len(costs))
	}
	for _, newResource := range rs {
		r := newResource().(*idealResource)
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "webhooks"}, &meta)
		if r.cost != costs[meta.TypeName] || r.cost.create == 0 {
			t.Errorf("%s: a new resource costs %+v, want %+v", meta.TypeName, r.cost, costs[meta.TypeName])
		}
		var sch resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &sch)
		typ := sch.Schema.Type().TerraformType(ctx)
		planned := tftypes.NewValue(typ, tftypes.UnknownValue)
		if obj, ok := typ.(tftypes.Object); ok {
			vals := map[string]tftypes.Value{}
			for name, at := range obj.AttributeTypes {
				vals[name] = tftypes.NewValue(at, tftypes.UnknownValue)
			}
			planned = tftypes.NewValue(typ, vals)
		}
		var idSchema resource.IdentitySchemaResponse
		r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &idSchema)
		noIdentity := func() *tfsdk.ResourceIdentity {
			return &tfsdk.ResourceIdentity{Schema: idSchema.IdentitySchema, Raw: tftypes.NewValue(idSchema.IdentitySchema.Type().TerraformType(ctx), nil)}
		}
		created := resource.CreateResponse{State: tfsdk.State{Schema: sch.Schema, Raw: tftypes.NewValue(typ, nil)}, Identity: noIdentity()}
		r.Create(ctx, resource.CreateRequest{Plan: tfsdk.Plan{Schema: sch.Schema, Raw: planned}}, &created)
		got := created.State.Raw
		if !got.IsFullyKnown() {
			t.Errorf("%s: state after create has unknown values: %v", meta.TypeName, got)
		}
		read := resource.ReadResponse{State: created.State, Identity: noIdentity()}
		r.Read(ctx, resource.ReadRequest{State: created.State}, &read)
		for op, identity := range map[string]*tfsdk.ResourceIdentity{"create": created.Identity, "read": read.Identity} {
			id, _, _ := tftypes.WalkAttributePath(got, tftypes.NewAttributePath().WithAttributeName("id"))
			want := tftypes.NewValue(idSchema.IdentitySchema.Type().TerraformType(ctx), map[string]tftypes.Value{"id": id.(tftypes.Value)})
			if !identity.Raw.Equal(want) {
				t.Errorf("%s: identity after %s %v, want %v", meta.TypeName, op, identity.Raw, want)
			}
		}
		var attrs map[string]tftypes.Value
		if err := got.As(&attrs); err != nil {
			t.Fatal(err)
		}
		if meta.TypeName == "webhooks_inveterate_webhook" {
			var list []tftypes.Value
			if err := attrs["events"].As(&list); err != nil || len(list) != len(inveterate.WebhookEvents) {
				t.Errorf("%s: events %v, want Inveterate's %d events as the real provider plans them", meta.TypeName, attrs["events"], len(inveterate.WebhookEvents))
			}
		}
	}
}

// TestFlights: each kind of write reports its count, its requests, when the first began and the last
// ended, how long one took, and how many were in flight on average while any was.
func TestFlights(t *testing.T) {
	start := time.Unix(1000, 0)
	now := start
	f := flights{now: func() time.Time { return now }}
	f.enter("a create", 2)
	f.enter("a create", 2)
	f.enter("b delete", 1)
	now = now.Add(20 * time.Millisecond)
	f.leave("a create")
	f.leave("b delete")
	now = now.Add(40 * time.Millisecond)
	f.leave("a create")

	report := f.report()
	// a: writes of 20 and 60 ms, two in flight for 20 ms and one for 40: 80/60 on average, 40 ms each.
	want := map[string]benchstats.Flight{
		"a create": {Ops: 2, Requests: 2, MeanInFlight: 80.0 / 60, MeanSeconds: 0.040, FirstUnixNano: start.UnixNano(), LastUnixNano: now.UnixNano()},
		"b delete": {Ops: 1, Requests: 1, MeanInFlight: 1, MeanSeconds: 0.020, FirstUnixNano: start.UnixNano(), LastUnixNano: start.Add(20 * time.Millisecond).UnixNano()},
	}
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-9 }
	for name, w := range want {
		g := report[name]
		if g.Ops != w.Ops || g.Requests != w.Requests || !near(g.MeanInFlight, w.MeanInFlight) || !near(g.MeanSeconds, w.MeanSeconds) ||
			g.FirstUnixNano != w.FirstUnixNano || g.LastUnixNano != w.LastUnixNano {
			t.Errorf("%s: %+v, want %+v", name, g, w)
		}
	}
	if len(report) != 2 {
		t.Errorf("report = %+v, want a and b", report)
	}
}
