package provider

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// documentedAttribute is an attribute of a schema, with its description and validators.
type documentedAttribute struct {
	where       string
	description string
	rules       []validator.Describer
}

// schemaAttributes walks a schema's attributes, nested ones included. The framework's attribute
// types differ per schema kind; what the test needs of them is common: a description, validators
// (StringValidators, Int64Validators, ...), and for nested attributes a nested object.
func schemaAttributes(where string, attrs reflect.Value) []documentedAttribute {
	var out []documentedAttribute
	iter := attrs.MapRange()
	for iter.Next() {
		name := where + "." + iter.Key().String()
		attr := iter.Value()
		if attr.Kind() == reflect.Interface {
			attr = attr.Elem()
		}
		da := documentedAttribute{where: name}
		if d, ok := attr.Interface().(interface{ GetMarkdownDescription() string }); ok {
			da.description = d.GetMarkdownDescription()
		}
		for i := range attr.NumMethod() {
			m := attr.Type().Method(i)
			if !strings.HasSuffix(m.Name, "Validators") || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 {
				continue
			}
			vs := attr.Method(i).Call(nil)[0]
			for j := range vs.Len() {
				if d, ok := vs.Index(j).Interface().(validator.Describer); ok {
					da.rules = append(da.rules, d)
				}
			}
		}
		out = append(out, da)
		if nested := attr.MethodByName("GetNestedObject"); nested.IsValid() {
			out = append(out, schemaAttributes(name, nested.Call(nil)[0].MethodByName("GetAttributes").Call(nil)[0])...)
		}
	}
	return out
}

// everyDocumentedAttribute is every attribute of the provider's schemas: the provider's, the
// resources', the data sources' and the list resources' configurations.
func everyDocumentedAttribute(t *testing.T) []documentedAttribute {
	t.Helper()
	ctx := context.Background()
	p := New("test")().(*WebhooksProvider)
	var out []documentedAttribute
	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	out = append(out, schemaAttributes("provider", reflect.ValueOf(ps.Schema.Attributes))...)
	for _, r := range p.Resources(ctx) {
		res := r()
		var md resource.MetadataResponse
		res.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "webhooks"}, &md)
		var s resource.SchemaResponse
		res.Schema(ctx, resource.SchemaRequest{}, &s)
		out = append(out, schemaAttributes("resource "+md.TypeName, reflect.ValueOf(s.Schema.Attributes))...)
	}
	for _, d := range p.DataSources(ctx) {
		ds := d()
		var md datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "webhooks"}, &md)
		var s datasource.SchemaResponse
		ds.Schema(ctx, datasource.SchemaRequest{}, &s)
		out = append(out, schemaAttributes("data source "+md.TypeName, reflect.ValueOf(s.Schema.Attributes))...)
	}
	for _, l := range p.ListResources(ctx) {
		lr := l()
		var md resource.MetadataResponse
		lr.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "webhooks"}, &md)
		var s list.ListResourceSchemaResponse
		lr.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &s)
		out = append(out, schemaAttributes("list "+md.TypeName, reflect.ValueOf(s.Schema.Attributes))...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].where < out[j].where })
	return out
}

// TestSchema_everyRuleIsDocumented holds the documentation to the validation: every rule a
// validator enforces on an attribute (a range, a pattern, a minimum size, the allowed values) is
// stated, as the validator describes it, in the attribute's description, which the generated docs
// show. A rule added without saying so in the docs fails here. (A rule is written once, as a
// constant that both the validator and the description use.)
func TestSchema_everyRuleIsDocumented(t *testing.T) {
	ctx := context.Background()
	checked := 0
	for _, a := range everyDocumentedAttribute(t) {
		if strings.Contains(a.where, ".timeouts.") {
			// terraform-plugin-framework-timeouts owns both the rule and the description of these,
			// which states the format in its own words.
			continue
		}
		for _, rule := range a.rules {
			checked++
			want := rule.MarkdownDescription(ctx)
			if !strings.Contains(strings.ToLower(a.description), strings.ToLower(want)) {
				t.Errorf("%s: the description does not state the rule %q:\n%s", a.where, want, a.description)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("checked %d rules; the walk of the schemas is broken", checked)
	}
}
