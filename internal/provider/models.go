package provider

import (
	"context"
	"reflect"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The framework's Get and Set map a plan, a state or a configuration to a model struct by
// reflection, and read the struct's tags again on every call, compiling a regular expression per
// field: about 50 µs and 36 KB per Get, 75 µs and 58 KB per Set of a Lune webhook, several times
// per resource in every apply, plan and destroy (BenchmarkModels). getModel and setModel do the
// same work from a layout of the model read once per Go type, in a tenth and a fifth of that.
// They take the fast way only for what they map exactly like the framework: exported fields
// tagged with the schema's attribute names, of the framework's own attribute types or the timeouts
// block's, and structs embedded without a tag. Anything else, including every value the framework
// would reject, goes to the framework's Get and Set, so its diagnostics are unchanged.

// getModel decodes from (a plan, a state, a configuration or an identity) into target, as
// from.Get does.
func getModel(ctx context.Context, from getter, target any) diag.Diagnostics {
	var (
		schema schemaTyper
		raw    tftypes.Value
	)
	switch f := from.(type) {
	case tfsdk.Plan:
		schema, raw = f.Schema, f.Raw
	case tfsdk.State:
		schema, raw = f.Schema, f.Raw
	case tfsdk.Config:
		schema, raw = f.Schema, f.Raw
	case tfsdk.ResourceIdentity:
		schema, raw = f.Schema, f.Raw
	}
	if schema != nil && decodeModel(ctx, schema, raw, target) {
		return nil
	}
	return from.Get(ctx, target)
}

// setModel encodes val into to (a state, a plan, an identity or a list result's resource), as
// to.Set does.
func setModel(ctx context.Context, to setter, val any) diag.Diagnostics {
	var (
		schema schemaTyper
		raw    *tftypes.Value
	)
	switch t := to.(type) {
	case *tfsdk.State:
		schema, raw = t.Schema, &t.Raw
	case *tfsdk.Plan:
		schema, raw = t.Schema, &t.Raw
	case *tfsdk.ResourceIdentity:
		schema, raw = t.Schema, &t.Raw
	case *tfsdk.Resource:
		schema, raw = t.Schema, &t.Raw
	}
	if schema != nil {
		if v, ok := encodeModel(ctx, schema, val); ok {
			*raw = v
			return nil
		}
	}
	return to.Set(ctx, val)
}

// setter is what a model is written to.
type setter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// schemaTyper is what the models need of a schema: its object type.
type schemaTyper interface {
	Type() attr.Type
}

// modelField is one attribute of a model: the attribute's name and where its value is in the
// struct (an index path through embedded structs).
type modelField struct {
	name  string
	index []int
}

// modelLayouts caches layoutOf by Go type; a nil layout means the type is mapped by the framework.
var modelLayouts sync.Map // reflect.Type → []modelField

var attrValueType = reflect.TypeFor[attr.Value]()

// layoutOf is the layout of the struct type t, or nil when the fast way does not map it.
func layoutOf(t reflect.Type) []modelField {
	if cached, ok := modelLayouts.Load(t); ok {
		return cached.([]modelField)
	}
	fields, ok := appendFields(nil, t, nil)
	if !ok || len(fields) == 0 || mappedItself(t) {
		fields = nil
	} else {
		seen := make(map[string]bool, len(fields))
		for _, f := range fields {
			if seen[f.name] {
				fields = nil
				break
			}
			seen[f.name] = true
		}
	}
	modelLayouts.Store(t, fields)
	return fields
}

// mappedItself reports whether the framework maps struct type t by an interface t implements rather
// than field by field: t is then left to it.
func mappedItself(t reflect.Type) bool {
	for _, i := range selfMapping {
		if t.Implements(i) || reflect.PointerTo(t).Implements(i) {
			return true
		}
	}
	return false
}

// selfMapping are the interfaces by which the framework lets a Go type map itself (its reflect
// package's Unknownable and Nullable, tftypes' converters, attr.Value).
var selfMapping = []reflect.Type{
	attrValueType,
	reflect.TypeFor[tftypes.ValueConverter](),
	reflect.TypeFor[tftypes.ValueCreator](),
	reflect.TypeFor[interface {
		SetUnknown(context.Context, bool) error
		SetValue(context.Context, any) error
		GetUnknown(context.Context) bool
		GetValue(context.Context) any
	}](),
	reflect.TypeFor[interface {
		SetNull(context.Context, bool) error
		SetValue(context.Context, any) error
		GetNull(context.Context) bool
		GetValue(context.Context) any
	}](),
}

// appendFields adds the fields of struct type t, found at index path at, to fields, by the
// framework's rules: unexported fields are skipped, a "-" tag too, and an embedded struct's fields
// are promoted. It reports false for what the fast way leaves to the framework: an untagged field
// that is not an embedded struct, a tagged embedded field or an embedded pointer, a tag that is
// not a valid attribute name, a field that is not an attr.Value struct.
func appendFields(fields []modelField, t reflect.Type, at []int) ([]modelField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		index := append(append([]int(nil), at...), i)
		tag, tagged := f.Tag.Lookup("tfsdk")
		switch {
		case !f.IsExported() && !f.Anonymous, tag == "-":
		case f.Anonymous && !tagged && f.Type.Kind() == reflect.Struct:
			var ok bool
			if fields, ok = appendFields(fields, f.Type, index); !ok {
				return nil, false
			}
		case !f.Anonymous && tagged && validAttributeName(tag) && f.Type.Kind() == reflect.Struct && f.Type.Implements(attrValueType):
			fields = append(fields, modelField{name: tag, index: index})
		default:
			return nil, false
		}
	}
	return fields, true
}

// validAttributeName is the framework's rule for a tfsdk tag: ^[a-z][a-z0-9_]*$.
func validAttributeName(name string) bool {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for _, c := range []byte(name) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// objectAttributes is the attribute types of schema's object type, and whether fields name
// exactly those attributes.
func objectAttributes(schema schemaTyper, fields []modelField) (map[string]attr.Type, bool) {
	typed, ok := schema.Type().(attr.TypeWithAttributeTypes)
	if !ok {
		return nil, false
	}
	types := typed.AttributeTypes()
	if len(types) != len(fields) {
		return nil, false
	}
	for _, f := range fields {
		if !knownType(types[f.name]) {
			return nil, false
		}
	}
	return types, true
}

// knownType reports whether t is one of the framework's own types, at any depth, or the timeouts
// block's: types whose values convert to and from Terraform's unchanged, as the fast way assumes.
// A custom type may normalise a value, or validate it in a way of its own; its attribute is left to
// the framework, and so is an attribute the schema does not have (nil).
func knownType(t attr.Type) bool {
	switch t := t.(type) {
	case basetypes.StringType, basetypes.BoolType, basetypes.Int64Type, basetypes.Int32Type,
		basetypes.Float64Type, basetypes.Float32Type, basetypes.NumberType:
		return true
	case basetypes.ListType:
		return knownType(t.ElemType)
	case basetypes.SetType:
		return knownType(t.ElemType)
	case basetypes.MapType:
		return knownType(t.ElemType)
	case basetypes.ObjectType:
		for _, at := range t.AttrTypes {
			if !knownType(at) {
				return false
			}
		}
		return true
	case timeouts.Type:
		return knownType(t.ObjectType)
	}
	return false
}

// decodeModel sets *target from raw, and reports whether it could; when it could not, *target is
// unchanged.
func decodeModel(ctx context.Context, schema schemaTyper, raw tftypes.Value, target any) bool {
	ptr := reflect.ValueOf(target)
	if ptr.Kind() != reflect.Pointer || ptr.IsNil() || ptr.Elem().Kind() != reflect.Struct || !raw.IsKnown() || raw.IsNull() {
		return false
	}
	fields := layoutOf(ptr.Elem().Type())
	if fields == nil {
		return false
	}
	types, ok := objectAttributes(schema, fields)
	if !ok {
		return false
	}
	var values map[string]tftypes.Value
	if err := raw.As(&values); err != nil || len(values) != len(fields) {
		return false
	}
	decoded := reflect.New(ptr.Elem().Type()).Elem()
	for _, f := range fields {
		typ := types[f.name]
		tv, ok := values[f.name]
		if !ok {
			return false
		}
		v, err := typ.ValueFromTerraform(ctx, tv)
		if err != nil || !valid(ctx, typ, v, tv, f.name) {
			return false
		}
		dst := decoded.FieldByIndex(f.index)
		if reflect.TypeOf(v) != dst.Type() {
			return false
		}
		dst.Set(reflect.ValueOf(v))
	}
	ptr.Elem().Set(decoded)
	return true
}

// valid runs the validation the framework runs on every value it maps (a set's elements are
// unique, a number fits an Int64), and reports whether it found nothing to say: the framework then
// says it.
func valid(ctx context.Context, typ attr.Type, v attr.Value, tv tftypes.Value, name string) bool {
	if _, ok := v.(xattr.ValidateableAttribute); ok {
		return false
	}
	//nolint:staticcheck // xattr.TypeWithValidate is deprecated, but the framework still runs it.
	if t, ok := typ.(xattr.TypeWithValidate); ok {
		return len(t.Validate(ctx, tv, path.Root(name))) == 0
	}
	return true
}

// encodeModel is val (a model struct or a pointer to one) as schema's object value, and whether
// it could be encoded.
func encodeModel(ctx context.Context, schema schemaTyper, val any) (tftypes.Value, bool) {
	v := reflect.ValueOf(val)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return tftypes.Value{}, false
	}
	fields := layoutOf(v.Type())
	if fields == nil {
		return tftypes.Value{}, false
	}
	types, ok := objectAttributes(schema, fields)
	if !ok {
		return tftypes.Value{}, false
	}
	attrs := make(map[string]tftypes.Type, len(fields))
	values := make(map[string]tftypes.Value, len(fields))
	for _, f := range fields {
		av, ok := v.FieldByIndex(f.index).Interface().(attr.Value)
		if !ok {
			return tftypes.Value{}, false
		}
		typ := types[f.name]
		want := typ.TerraformType(ctx)
		tv, err := av.ToTerraformValue(ctx)
		if err != nil || !tv.Type().Equal(want) || !av.Type(ctx).TerraformType(ctx).Equal(want) || !valid(ctx, typ, av, tv, f.name) {
			return tftypes.Value{}, false
		}
		attrs[f.name], values[f.name] = want, tv
	}
	return tftypes.NewValue(tftypes.Object{AttributeTypes: attrs}, values), true
}
