package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// Protocol-level tests call the provider server in process, as Terraform would over gRPC, with no
// CLI. They cover what an older Terraform cannot drive, resource identity (1.12+) and list
// resources for terraform query (1.14+), whatever Terraform the machine has.

// listServer is a provider server with the list resource methods, which terraform-plugin-go
// v0.31 still keeps out of ProviderServer.
type listServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
}

// protoEnv is a provider server configured against a sandbox.
type protoEnv struct {
	t      *testing.T
	srv    *sandbox.Server
	server listServer
	schema *tfprotov6.GetProviderSchemaResponse
}

// newProtoEnv starts a sandbox and a provider server; configure it with configure.
func newProtoEnv(t *testing.T, cfg sandbox.Config, tune func(*Options)) *protoEnv {
	t.Helper()
	srv := sandbox.NewServer(t, cfg)
	p := testProvider("prototest", func(string) string { return "" }, func(o *Options) {
		fastRetries(o)
		if tune != nil {
			tune(o)
		}
	})
	plain, err := providerserver.NewProtocol6WithError(p)()
	if err != nil {
		t.Fatal(err)
	}
	server, ok := plain.(listServer)
	if !ok {
		t.Fatalf("the framework's server %T serves no list resources", plain)
	}
	schema, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasError(schema.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %s", err, diagText(schema.Diagnostics))
	}
	return &protoEnv{t: t, srv: srv, server: server, schema: schema}
}

// sandboxSections are the provider sections that point every vendor at the sandbox.
func (e *protoEnv) sandboxSections() map[string]map[string]string {
	c := e.srv.Config()
	return map[string]map[string]string{
		"lune":       {"api_key": c.Lune.Keys[0], "base_url": e.srv.URL},
		"inveterate": {"api_key": c.Inveterate.Keys[0], "base_url": e.srv.URL},
		"blaze":      {"partner_key": c.Blaze.PartnerKeys[0], "developer_key": sandbox.DefaultBlazeDeveloperKey, "base_url": e.srv.URL},
	}
}

// configure configures the provider with these sections (string arguments only).
func (e *protoEnv) configure(sections map[string]map[string]string) {
	e.t.Helper()
	typ := e.schema.Provider.ValueType().(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, args := range sections {
		sectionType := typ.AttributeTypes[name].(tftypes.Object)
		sv := map[string]tftypes.Value{}
		for k, v := range args {
			sv[k] = tftypes.NewValue(tftypes.String, v)
		}
		vals[name] = objectValue(sectionType, sv)
	}
	resp, err := e.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0", Config: dynamicValue(e.t, typ, objectValue(typ, vals)),
	})
	if err != nil || hasError(resp.Diagnostics) {
		e.t.Fatalf("ConfigureProvider: %v %s", err, diagText(resp.Diagnostics))
	}
}

// list runs a list resource as terraform query does and collects every result.
func (e *protoEnv) list(typeName string, config map[string]tftypes.Value, includeResource bool, limit int64) []tfprotov6.ListResourceResult {
	e.t.Helper()
	var results []tfprotov6.ListResourceResult
	for r := range e.listStream(typeName, config, includeResource, limit) {
		results = append(results, r)
	}
	return results
}

// listStream starts a list and returns its results as the provider pushes them.
func (e *protoEnv) listStream(typeName string, config map[string]tftypes.Value, includeResource bool, limit int64) func(func(tfprotov6.ListResourceResult) bool) {
	e.t.Helper()
	typ := e.listConfigType(typeName)
	stream, err := e.server.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName: typeName, Config: dynamicValue(e.t, typ, objectValue(typ, config)), IncludeResource: includeResource, Limit: limit,
	})
	if err != nil {
		e.t.Fatalf("ListResource: %v", err)
	}
	return stream.Results
}

func (e *protoEnv) listConfigType(typeName string) tftypes.Object {
	e.t.Helper()
	s, ok := e.schema.ListResourceSchemas[typeName]
	if !ok {
		e.t.Fatalf("no list resource %s", typeName)
	}
	return s.ValueType().(tftypes.Object)
}

// validateList validates a list block's configuration, as Terraform does before a query.
func (e *protoEnv) validateList(typeName string, config map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	e.t.Helper()
	typ := e.listConfigType(typeName)
	resp, err := e.server.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
		TypeName: typeName, Config: dynamicValue(e.t, typ, objectValue(typ, config)),
	})
	if err != nil {
		e.t.Fatalf("ValidateListResourceConfig: %v", err)
	}
	return resp.Diagnostics
}

// resourceType is the value type of a resource's state.
func (e *protoEnv) resourceType(typeName string) tftypes.Object {
	return e.schema.ResourceSchemas[typeName].ValueType().(tftypes.Object)
}

// identityType is the value type of every resource's identity: { id = string }.
var identityType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String}}

// identityOf is the identity object of id.
func identityOf(t *testing.T, id string) *tfprotov6.ResourceIdentityData {
	t.Helper()
	return &tfprotov6.ResourceIdentityData{IdentityData: dynamicValue(t, identityType, tftypes.NewValue(identityType, map[string]tftypes.Value{
		"id": tftypes.NewValue(tftypes.String, id),
	}))}
}

// identityID reads the id out of an identity.
func identityID(t *testing.T, identity *tfprotov6.ResourceIdentityData) string {
	t.Helper()
	if identity == nil || identity.IdentityData == nil {
		t.Fatal("no identity")
	}
	return stringAttr(t, decode(t, identity.IdentityData, identityType), "id")
}

// importAndRead imports typeName as Terraform does (by import id, or by identity when id is empty
// and identity is not), then reads it, and returns the state and identity after the read.
func (e *protoEnv) importAndRead(typeName, id string, identity *tfprotov6.ResourceIdentityData) (map[string]tftypes.Value, *tfprotov6.ResourceIdentityData) {
	e.t.Helper()
	ctx := context.Background()
	imp, err := e.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: id, Identity: identity})
	if err != nil || hasError(imp.Diagnostics) {
		e.t.Fatalf("ImportResourceState: %v %s", err, diagText(imp.Diagnostics))
	}
	if len(imp.ImportedResources) != 1 {
		e.t.Fatalf("imported %d resources, want 1", len(imp.ImportedResources))
	}
	got := imp.ImportedResources[0]
	read, err := e.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName: typeName, CurrentState: got.State, CurrentIdentity: got.Identity, Private: got.Private,
	})
	if err != nil || hasError(read.Diagnostics) {
		e.t.Fatalf("ReadResource: %v %s", err, diagText(read.Diagnostics))
	}
	return decode(e.t, read.NewState, e.resourceType(typeName)), read.NewIdentity
}

// objectValue is an object of typ with vals, every other attribute null.
func objectValue(typ tftypes.Object, vals map[string]tftypes.Value) tftypes.Value {
	all := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := vals[name]; ok {
			all[name] = v
		} else {
			all[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, all)
}

func dynamicValue(t *testing.T, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// decode turns a dynamic value of an object type into its attributes.
func decode(t *testing.T, dv *tfprotov6.DynamicValue, typ tftypes.Type) map[string]tftypes.Value {
	t.Helper()
	if dv == nil {
		t.Fatal("no value")
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	return attrs
}

// stringAttr is a string attribute, "" when null.
func stringAttr(t *testing.T, attrs map[string]tftypes.Value, name string) string {
	t.Helper()
	v, ok := attrs[name]
	if !ok {
		t.Fatalf("no attribute %q", name)
	}
	var s *string
	if err := v.As(&s); err != nil {
		t.Fatal(err)
	}
	if s == nil {
		return ""
	}
	return *s
}

// stringSet is a set-of-strings attribute, nil when null.
func stringSet(t *testing.T, attrs map[string]tftypes.Value, name string) []string {
	t.Helper()
	if attrs[name].IsNull() {
		return nil
	}
	var elems []tftypes.Value
	if err := attrs[name].As(&elems); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		if err := e.As(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func hasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func diagText(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary + ": " + d.Detail + "\n")
	}
	return b.String()
}
