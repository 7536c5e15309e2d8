package provider

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/list"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// modelCase is a schema and a constructor of the model that every resource operation decodes it
// into.
type modelCase struct {
	name string
	// empty holds the schema, and a null value.
	empty tfsdk.State
	model func() any
}

// modelCases are the models getModel and setModel must map the fast way: the four resources',
// their identity's, and the list resources' configurations.
func modelCases(t testing.TB) []modelCase {
	ctx := context.Background()
	empty := func(s tfsdk.State) tfsdk.State {
		s.Raw = tftypes.NewValue(s.Schema.Type().TerraformType(ctx), nil)
		return s
	}
	resourceSchema := func(r resource.Resource) tfsdk.State {
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatal(resp.Diagnostics)
		}
		return empty(tfsdk.State{Schema: resp.Schema})
	}
	identitySchema := func(r resource.Resource) tfsdk.State {
		var resp resource.IdentitySchemaResponse
		r.(resource.ResourceWithIdentity).IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &resp)
		return empty(tfsdk.State{Schema: resp.IdentitySchema})
	}
	listSchema := func(r list.ListResource) tfsdk.State {
		var resp list.ListResourceSchemaResponse
		r.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &resp)
		return empty(tfsdk.State{Schema: resp.Schema})
	}
	var providerSchema fwprovider.SchemaResponse
	New("test")().Schema(ctx, fwprovider.SchemaRequest{}, &providerSchema)
	return []modelCase{
		{luneWebhookTypeName, resourceSchema(NewLuneWebhookResource()), func() any { return new(luneWebhookModel) }},
		{inveterateWebhookSubscriptionTypeName, resourceSchema(NewInveterateWebhookSubscriptionResource()), func() any { return new(inveterateWebhookSubscriptionModel) }},
		{inveterateWebhookTypeName, resourceSchema(NewInveterateWebhookResource()), func() any { return new(inveterateWebhookModel) }},
		{partnerWebhookTypeName, resourceSchema(NewPartnerWebhookResource()), func() any { return new(partnerWebhookModel) }},
		{"identity", identitySchema(NewLuneWebhookResource()), func() any { return new(identityModel) }},
		{luneWebhookTypeName + " list", listSchema(NewLuneWebhookListResource()), func() any { return new(luneWebhookListConfig) }},
		{partnerWebhookTypeName + " list", listSchema(NewPartnerWebhookListResource()), func() any { return new(partnerWebhookListConfig) }},
		{"provider", empty(tfsdk.State{Schema: providerSchema.Schema}), func() any { return new(providerModel) }},
		{inveterateWebhookSubscriptionTypeName + " list", listSchema(NewInveterateWebhookSubscriptionListResource()), func() any { return new(inveterateWebhookSubscriptionListConfig) }},
	}
}

// randomValue is a value of type t: at any depth null, unknown (when unknowns is set) or known.
func randomValue(rng *rand.Rand, t tftypes.Type, unknowns bool) tftypes.Value {
	switch n := rng.IntN(8); {
	case n == 0:
		return tftypes.NewValue(t, nil)
	case n == 1 && unknowns:
		return tftypes.NewValue(t, tftypes.UnknownValue)
	}
	switch {
	case t.Is(tftypes.String):
		return tftypes.NewValue(t, fmt.Sprintf("s%d", rng.IntN(100)))
	case t.Is(tftypes.Bool):
		return tftypes.NewValue(t, rng.IntN(2) == 0)
	case t.Is(tftypes.Number):
		return tftypes.NewValue(t, big.NewFloat(float64(rng.IntN(1000))))
	case t.Is(tftypes.List{}), t.Is(tftypes.Set{}):
		var elem tftypes.Type
		if l, ok := t.(tftypes.List); ok {
			elem = l.ElementType
		} else {
			elem = t.(tftypes.Set).ElementType
		}
		var elems []tftypes.Value
		seen := map[string]bool{}
		for range rng.IntN(4) {
			e := randomValue(rng, elem, unknowns)
			if key := e.String(); !seen[key] {
				seen[key] = true
				elems = append(elems, e)
			}
		}
		return tftypes.NewValue(t, elems)
	case t.Is(tftypes.Map{}):
		elems := map[string]tftypes.Value{}
		for i := range rng.IntN(4) {
			elems[fmt.Sprintf("k%d", i)] = randomValue(rng, t.(tftypes.Map).ElementType, unknowns)
		}
		return tftypes.NewValue(t, elems)
	case t.Is(tftypes.Object{}):
		attrs := map[string]tftypes.Value{}
		for name, at := range t.(tftypes.Object).AttributeTypes {
			attrs[name] = randomValue(rng, at, unknowns)
		}
		return tftypes.NewValue(t, attrs)
	}
	panic(fmt.Sprintf("randomValue: no values of %s", t))
}

// randomObject is a known object of the schema's type, its attributes random.
func randomObject(rng *rand.Rand, schema schemaTyper, unknowns bool) tftypes.Value {
	t := schema.Type().TerraformType(context.Background()).(tftypes.Object)
	attrs := map[string]tftypes.Value{}
	for name, at := range t.AttributeTypes {
		attrs[name] = randomValue(rng, at, unknowns)
	}
	return tftypes.NewValue(t, attrs)
}

// TestModels_likeTheFramework: for every model the resources decode and encode, and values of
// every shape (null, unknown and known attributes, nested too), getModel gives the framework Get's
// model, setModel the framework Set's value, and both take the fast way. Without the fast way, or
// with a field mapped wrong, it fails.
func TestModels_likeTheFramework(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(26, 0))
	for _, c := range modelCases(t) {
		t.Run(c.name, func(t *testing.T) {
			for i := range 300 {
				raw := randomObject(rng, c.empty.Schema, i%2 == 0)
				fw := c.model()
				if diags := (tfsdk.Plan{Schema: c.empty.Schema, Raw: raw}).Get(ctx, fw); diags.HasError() {
					t.Fatalf("framework Get of %s: %v", raw, diags)
				}
				fast := c.model()
				if !decodeModel(ctx, c.empty.Schema, raw, fast) {
					t.Fatalf("decodeModel did not map %T", fast)
				}
				if !reflect.DeepEqual(fw, fast) {
					t.Fatalf("decoding %s:\nframework %#v\ngetModel  %#v", raw, fw, fast)
				}

				want := tfsdk.State{Schema: c.empty.Schema, Raw: tftypes.NewValue(raw.Type(), nil)}
				if diags := want.Set(ctx, fw); diags.HasError() {
					t.Fatalf("framework Set: %v", diags)
				}
				got, ok := encodeModel(ctx, c.empty.Schema, fw)
				if !ok {
					t.Fatalf("encodeModel did not map %T", fw)
				}
				if !got.Equal(want.Raw) || !got.Equal(raw) {
					t.Fatalf("encoding:\nframework %s\nsetModel  %s\nsent      %s", want.Raw, got, raw)
				}
				// By value too, as setIdentity passes its model.
				if got, ok := encodeModel(ctx, c.empty.Schema, reflect.ValueOf(fw).Elem().Interface()); !ok || !got.Equal(want.Raw) {
					t.Fatalf("encoding by value: %v, %s", ok, got)
				}
			}
		})
	}
}

// withAttribute is the object o with its attribute name set to v.
func withAttribute(o tftypes.Value, name string, v tftypes.Value) tftypes.Value {
	var attrs map[string]tftypes.Value
	if err := o.As(&attrs); err != nil {
		panic(err)
	}
	changed := maps.Clone(attrs) // As may hand out o's own map
	changed[name] = v
	return tftypes.NewValue(o.Type(), changed)
}

// TestModels_leftToTheFramework: what the fast way does not map exactly like the framework, it
// leaves to the framework, whose diagnostics the caller then gets unchanged.
func TestModels_leftToTheFramework(t *testing.T) {
	ctx := context.Background()
	var resp resource.SchemaResponse
	NewPartnerWebhookResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	schema := resp.Schema
	raw := randomObject(rand.New(rand.NewPCG(1, 2)), schema, false)

	type untagged struct {
		partnerWebhookAPIModel
		Extra types.String
	}
	type wrongType struct {
		partnerWebhookAPIModel
		Timeouts types.String `tfsdk:"timeouts"`
	}
	type missing struct {
		partnerWebhookAPIModel
	}
	type duplicate struct {
		partnerWebhookAPIModel
		Timeouts types.Object `tfsdk:"timeouts"`
		Again    types.Object `tfsdk:"timeouts"`
	}
	type badTag struct {
		partnerWebhookModel
		Upper types.String `tfsdk:"Upper"`
	}
	for _, c := range []struct {
		name   string
		target func() any
		raw    tftypes.Value
	}{
		{"an untagged field", func() any { return new(untagged) }, raw},
		{"a field of another type", func() any { return new(wrongType) }, raw},
		{"an attribute without a field", func() any { return new(missing) }, raw},
		{"a tag used twice", func() any { return new(duplicate) }, raw},
		{"a tag that is not an attribute name", func() any { return new(badTag) }, raw},
		{"not a pointer", func() any { return partnerWebhookModel{} }, raw},
		{"a null object", func() any { return new(partnerWebhookModel) }, tftypes.NewValue(raw.Type(), nil)},
		{"a set with a duplicate element", func() any { return new(partnerWebhookModel) }, withAttribute(raw, "web_hook_urls",
			tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{tftypes.NewValue(tftypes.String, "a"), tftypes.NewValue(tftypes.String, "a")}))},
	} {
		t.Run(c.name, func(t *testing.T) {
			from := tfsdk.State{Schema: schema, Raw: c.raw}
			if decodeModel(ctx, schema, c.raw, c.target()) {
				t.Fatal("decodeModel mapped it")
			}
			want := from.Get(ctx, c.target())
			if !want.HasError() {
				t.Fatal("the framework accepts it; the case tests nothing")
			}
			if got := getModel(ctx, from, c.target()); !got.Equal(want) {
				t.Fatalf("getModel: %v, want the framework's %v", got, want)
			}
		})
	}

	// An object whose attributes are not the schema's, even as many of them.
	renamed := map[string]tftypes.Type{}
	var attrs map[string]tftypes.Value
	_ = raw.As(&attrs)
	renamedValues := map[string]tftypes.Value{}
	for name, v := range attrs {
		if name == "url" {
			name = "address"
		}
		renamed[name], renamedValues[name] = v.Type(), v
	}
	if decodeModel(ctx, schema, tftypes.NewValue(tftypes.Object{AttributeTypes: renamed}, renamedValues), new(partnerWebhookModel)) {
		t.Error("decodeModel mapped an object whose attributes are not the schema's")
	}

	// Values the schema's type does not accept: the framework's error, and the state unchanged.
	for name, change := range map[string]func(*partnerWebhookModel){
		"a set of the wrong element type": func(m *partnerWebhookModel) { m.WebHookURLs = types.SetValueMust(types.BoolType, nil) },
		"a set with a duplicate element": func(m *partnerWebhookModel) {
			m.WebHookURLs = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("a"), types.StringValue("a")})
		},
		"a timeouts object of other attributes": func(m *partnerWebhookModel) {
			// The field's Go type is the schema's; only what it holds is wrong.
			m.Timeouts.Object = types.ObjectNull(map[string]attr.Type{"create": types.StringType})
		},
	} {
		var m partnerWebhookModel
		if diags := (tfsdk.State{Schema: schema, Raw: raw}).Get(ctx, &m); diags.HasError() {
			t.Fatal(diags)
		}
		change(&m)
		if _, ok := encodeModel(ctx, schema, &m); ok {
			t.Errorf("%s: encodeModel encoded it", name)
		}
		want := tfsdk.State{Schema: schema, Raw: raw}
		wantDiags := want.Set(ctx, &m)
		got := tfsdk.State{Schema: schema, Raw: raw}
		if diags := setModel(ctx, &got, &m); !wantDiags.HasError() || !diags.Equal(wantDiags) || !got.Raw.Equal(raw) {
			t.Errorf("%s: setModel: %v, want the framework's %v and the state unchanged", name, diags, wantDiags)
		}
	}
}

// customString is a custom attribute type: the fast way leaves it to the framework.
type customString struct{ basetypes.StringType }

// selfMapped maps itself the framework's way (tftypes.ValueConverter).
type selfMapped struct {
	ID types.String `tfsdk:"id"`
}

func (*selfMapped) FromTerraform5Value(tftypes.Value) error { return nil }

// TestModels_onlyKnownTypes: the fast way takes only the framework's own attribute types and the
// timeouts block's, and only models that do not map themselves.
func TestModels_onlyKnownTypes(t *testing.T) {
	strs := types.StringType
	for _, c := range []struct {
		typ  attr.Type
		want bool
	}{
		{strs, true},
		{types.SetType{ElemType: strs}, true},
		{types.MapType{ElemType: types.ListType{ElemType: types.Int64Type}}, true},
		{types.ObjectType{AttrTypes: map[string]attr.Type{"a": strs, "b": types.BoolType}}, true},
		{timeouts.Type{ObjectType: types.ObjectType{AttrTypes: map[string]attr.Type{"create": strs}}}, true},
		{nil, false},
		{customString{}, false},
		{types.ListType{ElemType: customString{}}, false},
		{types.ObjectType{AttrTypes: map[string]attr.Type{"a": strs, "b": customString{}}}, false},
		{types.DynamicType, false},
	} {
		if got := knownType(c.typ); got != c.want {
			t.Errorf("knownType(%v) = %v, want %v", c.typ, got, c.want)
		}
	}
	if layoutOf(reflect.TypeFor[selfMapped]()) != nil {
		t.Error("layoutOf mapped a model that maps itself")
	}
	if layoutOf(reflect.TypeFor[identityModel]()) == nil {
		t.Error("layoutOf did not map identityModel")
	}
}

// TestModels_throughEveryHolder: getModel and setModel take the fast way for a plan, a state, a
// configuration, an identity and a list result's resource, and write where the framework would.
func TestModels_throughEveryHolder(t *testing.T) {
	ctx := context.Background()
	c := modelCases(t)[0]
	raw := randomObject(rand.New(rand.NewPCG(3, 4)), c.empty.Schema, false)
	s := c.empty.Schema
	// The fast way allocates a fraction of what the framework does: a count, not a time.
	fast := func(t *testing.T, holder any, framework, ours func()) {
		t.Helper()
		if fw, got := testing.AllocsPerRun(20, framework), testing.AllocsPerRun(20, ours); got > fw/3 {
			t.Errorf("%T: %v allocations per call, the framework's %v: not the fast way", holder, got, fw)
		}
	}
	for _, from := range []getter{tfsdk.Plan{Schema: s, Raw: raw}, tfsdk.State{Schema: s, Raw: raw}, tfsdk.Config{Schema: s, Raw: raw}} {
		want, got := c.model(), c.model()
		from.Get(ctx, want)
		if diags := getModel(ctx, from, got); diags.HasError() || !reflect.DeepEqual(want, got) {
			t.Fatalf("getModel from %T: %v", from, diags)
		}
		fast(t, from, func() { from.Get(ctx, c.model()) }, func() { getModel(ctx, from, c.model()) })
	}
	m := c.model()
	getModel(ctx, tfsdk.State{Schema: s, Raw: raw}, m)
	null := tftypes.NewValue(raw.Type(), nil)
	for _, to := range []setter{&tfsdk.State{Schema: s, Raw: null}, &tfsdk.Plan{Schema: s, Raw: null}, &tfsdk.Resource{Schema: s, Raw: null}} {
		if diags := setModel(ctx, to, m); diags.HasError() {
			t.Fatal(diags)
		}
		if got := reflect.ValueOf(to).Elem().FieldByName("Raw").Interface().(tftypes.Value); !got.Equal(raw) {
			t.Fatalf("setModel into %T: %s", to, got)
		}
		fast(t, to, func() { to.Set(ctx, m) }, func() { setModel(ctx, to, m) })
	}
	id := modelCases(t)[4]
	identity := &tfsdk.ResourceIdentity{Schema: id.empty.Schema, Raw: id.empty.Raw}
	if diags := setIdentity(ctx, identity, types.StringValue("wh_1")); diags.HasError() {
		t.Fatal(diags)
	}
	var back identityModel
	if diags := getModel(ctx, *identity, &back); diags.HasError() || back.ID.ValueString() != "wh_1" {
		t.Fatalf("identity: %v, %v", back, diags)
	}
	fast(t, identity, func() { identity.Set(ctx, identityModel{ID: back.ID}) }, func() { setModel(ctx, identity, identityModel{ID: back.ID}) })
}

// BenchmarkModels compares the framework's Get and Set of a Lune webhook with getModel and
// setModel.
func BenchmarkModels(b *testing.B) {
	ctx := context.Background()
	c := modelCases(b)[0]
	raw := randomObject(rand.New(rand.NewPCG(5, 6)), c.empty.Schema, false)
	state := tfsdk.State{Schema: c.empty.Schema, Raw: raw}
	m := c.model()
	state.Get(ctx, m)
	b.Run("framework Get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			state.Get(ctx, c.model())
		}
	})
	b.Run("getModel", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			getModel(ctx, state, c.model())
		}
	})
	b.Run("framework Set", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			state.Set(ctx, m)
		}
	})
	b.Run("setModel", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			setModel(ctx, &state, m)
		}
	})
}
