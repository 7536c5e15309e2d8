// Command providerschema prints the provider's schemas as `terraform providers schema -json`
// would, but computed in process from the provider server, so that no Terraform CLI is needed.
//
// `make generate` hands its output to tfplugindocs (--providers-schema) because the Terraform
// on developers' and CI's PATH may be too old to report list resources and resource identities:
// tfplugindocs would then silently drop their documentation.
//
// The conversion mirrors Terraform's own (internal/command/jsonprovider, fed by
// internal/plugin6/convert), so the JSON equals what a Terraform of the same protocol gives.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/provider"
)

// address is the key Terraform gives the provider in its output.
const address = "registry.terraform.io/webhookinfra/webhooks"

func main() {
	out := flag.String("o", "", "write the JSON to this file instead of standard output")
	// tfplugindocs (v0.25) looks a schema file up only under "NAME" or
	// "registry.terraform.io/hashicorp/NAME", never under our namespace, hence -key.
	key := flag.String("key", address, "the key of the provider in provider_schemas")
	flag.Parse()
	log.SetFlags(0)

	schemas, err := providerSchemas(context.Background(), *key)
	if err != nil {
		log.Fatal(err)
	}
	if err := write(*out, schemas); err != nil {
		log.Fatal(err)
	}
}

// write encodes schemas to the file path, or to standard output when path is empty.
func write(path string, schemas *tfjson.ProviderSchemas) error {
	b, err := json.Marshal(schemas)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "" {
		_, err = os.Stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644) //nolint:gosec // a schema is no secret
}

// providerSchemas asks an in-process provider server for every schema, as Terraform does
// (GetProviderSchema then GetResourceIdentitySchemas), and converts them.
func providerSchemas(ctx context.Context, key string) (*tfjson.ProviderSchemas, error) {
	server, err := providerserver.NewProtocol6WithError(provider.New("docs")())()
	if err != nil {
		return nil, err
	}
	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagErrors(resp.Diagnostics); err != nil {
		return nil, err
	}
	ids, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagErrors(ids.Diagnostics); err != nil {
		return nil, err
	}
	ps, err := convertProvider(resp, ids.IdentitySchemas)
	if err != nil {
		return nil, err
	}
	return &tfjson.ProviderSchemas{FormatVersion: "1.0", Schemas: map[string]*tfjson.ProviderSchema{key: ps}}, nil
}

// diagErrors joins the error diagnostics; Terraform too refuses a schema that comes with errors.
func diagErrors(diags []*tfprotov6.Diagnostic) error {
	var errs []error
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, fmt.Errorf("%s: %s", d.Summary, d.Detail))
		}
	}
	return errors.Join(errs...)
}

// convertProvider is Terraform's jsonprovider.marshalProvider over the protocol response.
// Empty maps are left for encoding/json to omit, as Terraform's output omits them.
func convertProvider(resp *tfprotov6.GetProviderSchemaResponse, ids map[string]*tfprotov6.ResourceIdentitySchema) (*tfjson.ProviderSchema, error) {
	var c converter
	ps := &tfjson.ProviderSchema{
		ConfigSchema:             c.schema(resp.Provider),
		ResourceSchemas:          c.schemas(resp.ResourceSchemas),
		DataSourceSchemas:        c.schemas(resp.DataSourceSchemas),
		EphemeralResourceSchemas: c.schemas(resp.EphemeralResourceSchemas),
		// Terraform wraps the list schema that the provider sends in a "config" block (of a body
		// that also has a computed "data") and unwraps it again for this JSON: what shows here is
		// the provider's schema as sent, which the framework builds from the list.ListResource's
		// schema without any "config" level.
		ListResourceSchemas:     c.schemas(resp.ListResourceSchemas),
		StateStoreSchemas:       c.schemas(resp.StateStoreSchemas),
		ActionSchemas:           make(map[string]*tfjson.ActionSchema, len(resp.ActionSchemas)),
		ResourceIdentitySchemas: make(map[string]*tfjson.IdentitySchema, len(ids)),
	}
	for name, a := range resp.ActionSchemas {
		var block *tfprotov6.SchemaBlock
		if a.Schema != nil {
			block = a.Schema.Block
		}
		ps.ActionSchemas[name] = &tfjson.ActionSchema{Block: c.block(block)}
	}
	for name, id := range ids {
		// Terraform attaches identities to resource types: one of an unknown type is dropped.
		if _, ok := resp.ResourceSchemas[name]; ok {
			ps.ResourceIdentitySchemas[name] = c.identity(id)
		}
	}
	if len(resp.Functions) > 0 {
		ps.Functions = make(map[string]*tfjson.FunctionSignature, len(resp.Functions))
		for name, f := range resp.Functions {
			ps.Functions[name] = c.function(f)
		}
	}
	return ps, c.err
}

// converter converts protocol schemas, keeping the first error (a type that cty can't read)
// so that the many small conversions stay free of error plumbing.
type converter struct{ err error }

// ctyType reads a protocol type into cty, as Terraform does with the type JSON it receives.
func (c *converter) ctyType(t tftypes.Type) cty.Type {
	if t == nil {
		return cty.NilType
	}
	// Deprecated for third parties, but it is what terraform-plugin-go itself puts on the wire
	// for Terraform (toproto.CtyType), so the type reads exactly as Terraform reads it.
	b, err := t.MarshalJSON() //nolint:staticcheck // see above
	var ty cty.Type
	if err == nil {
		err = json.Unmarshal(b, &ty)
	}
	if err != nil && c.err == nil {
		c.err = fmt.Errorf("type %s: %w", t, err)
	}
	return ty
}

func (c *converter) schemas(in map[string]*tfprotov6.Schema) map[string]*tfjson.Schema {
	out := make(map[string]*tfjson.Schema, len(in))
	for name, s := range in {
		out[name] = c.schema(s)
	}
	return out
}

func (c *converter) schema(s *tfprotov6.Schema) *tfjson.Schema {
	if s == nil {
		return &tfjson.Schema{}
	}
	return &tfjson.Schema{Version: uint64(s.Version), Block: c.block(s.Block)} //nolint:gosec // versions are never negative
}

// block converts a block; like Terraform, it always states the description kind, even of an
// empty description, and gives attributes and block_types only when there are some.
// Terraform 1.15 also writes the deprecation_message of blocks and attributes, for which tfjson
// (and so tfplugindocs) has no field: a deprecated attribute shows only as "deprecated": true.
func (c *converter) block(b *tfprotov6.SchemaBlock) *tfjson.SchemaBlock {
	if b == nil {
		b = &tfprotov6.SchemaBlock{}
	}
	out := &tfjson.SchemaBlock{
		Description:     b.Description,
		DescriptionKind: descriptionKind(b.DescriptionKind),
		Deprecated:      b.Deprecated,
	}
	if len(b.Attributes) > 0 {
		out.Attributes = c.attributes(b.Attributes)
	}
	if len(b.BlockTypes) > 0 {
		out.NestedBlocks = make(map[string]*tfjson.SchemaBlockType, len(b.BlockTypes))
		for _, nb := range b.BlockTypes {
			out.NestedBlocks[nb.TypeName] = &tfjson.SchemaBlockType{
				NestingMode: blockNesting(nb.Nesting),
				Block:       c.block(nb.Block),
				MinItems:    uint64(nb.MinItems), //nolint:gosec // item counts are never negative
				MaxItems:    uint64(nb.MaxItems), //nolint:gosec // item counts are never negative
			}
		}
	}
	return out
}

func (c *converter) attributes(in []*tfprotov6.SchemaAttribute) map[string]*tfjson.SchemaAttribute {
	out := make(map[string]*tfjson.SchemaAttribute, len(in))
	for _, a := range in {
		attr := &tfjson.SchemaAttribute{
			AttributeType:   c.ctyType(a.Type),
			Description:     a.Description,
			DescriptionKind: descriptionKind(a.DescriptionKind),
			Deprecated:      a.Deprecated,
			Required:        a.Required,
			Optional:        a.Optional,
			Computed:        a.Computed,
			Sensitive:       a.Sensitive,
			WriteOnly:       a.WriteOnly,
		}
		if a.NestedType != nil {
			// Terraform gives no min/max items for nested attributes: they left the protocol.
			attr.AttributeNestedType = &tfjson.SchemaNestedAttributeType{
				Attributes:  c.attributes(a.NestedType.Attributes),
				NestingMode: objectNesting(a.NestedType.Nesting),
			}
		}
		out[a.Name] = attr
	}
	return out
}

// identity converts an identity schema; Terraform gives its attributes' types and
// descriptions, but no description kinds.
func (c *converter) identity(id *tfprotov6.ResourceIdentitySchema) *tfjson.IdentitySchema {
	out := &tfjson.IdentitySchema{
		Version:    uint64(id.Version), //nolint:gosec // versions are never negative
		Attributes: make(map[string]*tfjson.IdentityAttribute, len(id.IdentityAttributes)),
	}
	for _, a := range id.IdentityAttributes {
		out.Attributes[a.Name] = &tfjson.IdentityAttribute{
			IdentityType:      c.ctyType(a.Type),
			Description:       a.Description,
			RequiredForImport: a.RequiredForImport,
			OptionalForImport: a.OptionalForImport,
		}
	}
	return out
}

func (c *converter) function(f *tfprotov6.Function) *tfjson.FunctionSignature {
	param := func(p *tfprotov6.FunctionParameter) *tfjson.FunctionParameter {
		return &tfjson.FunctionParameter{
			Name:        p.Name,
			Description: p.Description,
			IsNullable:  p.AllowNullValue,
			Type:        c.ctyType(p.Type),
		}
	}
	out := &tfjson.FunctionSignature{
		Description:        f.Description,
		Summary:            f.Summary,
		DeprecationMessage: f.DeprecationMessage,
	}
	if f.Return != nil {
		out.ReturnType = c.ctyType(f.Return.Type)
	}
	for _, p := range f.Parameters {
		out.Parameters = append(out.Parameters, param(p))
	}
	if f.VariadicParameter != nil {
		out.VariadicParameter = param(f.VariadicParameter)
	}
	return out
}

func descriptionKind(k tfprotov6.StringKind) tfjson.SchemaDescriptionKind {
	if k == tfprotov6.StringKindMarkdown {
		return tfjson.SchemaDescriptionKindMarkdown
	}
	return tfjson.SchemaDescriptionKindPlain
}

// blockNesting names a block's nesting mode as Terraform does, "invalid" for an unknown one.
func blockNesting(m tfprotov6.SchemaNestedBlockNestingMode) tfjson.SchemaNestingMode {
	switch m {
	case tfprotov6.SchemaNestedBlockNestingModeSingle:
		return tfjson.SchemaNestingModeSingle
	case tfprotov6.SchemaNestedBlockNestingModeGroup:
		return tfjson.SchemaNestingModeGroup
	case tfprotov6.SchemaNestedBlockNestingModeList:
		return tfjson.SchemaNestingModeList
	case tfprotov6.SchemaNestedBlockNestingModeSet:
		return tfjson.SchemaNestingModeSet
	case tfprotov6.SchemaNestedBlockNestingModeMap:
		return tfjson.SchemaNestingModeMap
	}
	return "invalid"
}

// objectNesting names a nested attribute's nesting mode as Terraform does, "invalid" for an
// unknown one (the protocol has no group mode for attributes).
func objectNesting(m tfprotov6.SchemaObjectNestingMode) tfjson.SchemaNestingMode {
	switch m {
	case tfprotov6.SchemaObjectNestingModeSingle:
		return tfjson.SchemaNestingModeSingle
	case tfprotov6.SchemaObjectNestingModeList:
		return tfjson.SchemaNestingModeList
	case tfprotov6.SchemaObjectNestingModeSet:
		return tfjson.SchemaNestingModeSet
	case tfprotov6.SchemaObjectNestingModeMap:
		return tfjson.SchemaNestingModeMap
	}
	return "invalid"
}
