package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/provider"
)

// exported runs the exporter as `make generate` does (to a file) and reads the file back the
// way tfplugindocs does, which also checks the format version.
func exported(t *testing.T) *tfjson.ProviderSchema {
	t.Helper()
	schemas, err := providerSchemas(t.Context(), address)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "schema.json")
	if err := write(path, schemas); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back tfjson.ProviderSchemas
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	ps := back.Schemas[address]
	if ps == nil {
		t.Fatalf("no schema under %q in %s", address, b)
	}
	return ps
}

func TestExportHasResourcesAndDataSources(t *testing.T) {
	ps := exported(t)
	if ps.ConfigSchema == nil || ps.ConfigSchema.Block.Attributes["lune"] == nil {
		t.Error("provider configuration schema missing or without its lune section")
	}
	for _, name := range []string{
		"webhooks_webhook", "webhooks_inveterate_webhook",
		"webhooks_inveterate_webhook_subscription", "webhooks_partner_webhook",
	} {
		if s := ps.ResourceSchemas[name]; s == nil || len(s.Block.Attributes) == 0 {
			t.Errorf("resource %s missing or empty", name)
		}
	}
	if len(ps.ResourceSchemas) != 4 {
		t.Errorf("%d resource schemas, want 4", len(ps.ResourceSchemas))
	}
	for _, name := range []string{
		"webhooks_webhooks", "webhooks_inveterate_webhooks",
		"webhooks_inveterate_webhook_subscriptions", "webhooks_partner_webhooks",
	} {
		if s := ps.DataSourceSchemas[name]; s == nil || len(s.Block.Attributes) == 0 {
			t.Errorf("data source %s missing or empty", name)
		}
	}
}

// TestExportHasListResourcesAndIdentities asks the provider server, independently of the
// exporter, which list resources and identities it has: each must be in the JSON.
func TestExportHasListResourcesAndIdentities(t *testing.T) {
	ctx := t.Context()
	ps := exported(t)
	server, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatal(err)
	}

	meta, err := server.GetMetadata(ctx, &tfprotov6.GetMetadataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps.ListResourceSchemas) != len(meta.ListResources) {
		t.Errorf("%d list resource schemas, want %d", len(ps.ListResourceSchemas), len(meta.ListResources))
	}
	for _, lr := range meta.ListResources {
		got := ps.ListResourceSchemas[lr.TypeName]
		if got == nil || got.Block == nil {
			t.Errorf("list resource %s missing from list_resource_schemas", lr.TypeName)
			continue
		}
		if ps.ResourceSchemas[lr.TypeName] == nil {
			t.Errorf("list resource %s lists no resource type of the provider", lr.TypeName)
		}
		// Terraform shows the list's config attributes at the top of the block: no "config" level.
		want := schema.ListResourceSchemas[lr.TypeName].Block
		if len(got.Block.Attributes) != len(want.Attributes) || len(got.Block.NestedBlocks) != len(want.BlockTypes) {
			t.Errorf("list resource %s: %d attributes and %d blocks, want %d and %d", lr.TypeName,
				len(got.Block.Attributes), len(got.Block.NestedBlocks), len(want.Attributes), len(want.BlockTypes))
		}
		for _, a := range want.Attributes {
			if got.Block.Attributes[a.Name] == nil {
				t.Errorf("list resource %s: attribute %s missing", lr.TypeName, a.Name)
			}
		}
	}

	ids, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps.ResourceIdentitySchemas) != len(ids.IdentitySchemas) {
		t.Errorf("%d identity schemas, want %d", len(ps.ResourceIdentitySchemas), len(ids.IdentitySchemas))
	}
	for name := range ids.IdentitySchemas {
		id := ps.ResourceIdentitySchemas[name]
		if id == nil {
			t.Errorf("resource %s: identity missing from resource_identity_schemas", name)
			continue
		}
		if a := id.Attributes["id"]; a == nil || !a.RequiredForImport || a.IdentityType.FriendlyName() != "string" {
			t.Errorf("resource %s: identity attribute id is not a string required for import: %+v", name, a)
		}
	}
}

// TestConvertBlock pins the JSON of a nested attribute, a nested block and a complex type to
// what Terraform writes for them (see `terraform providers schema -json` of such a provider).
func TestConvertBlock(t *testing.T) {
	in := &tfprotov6.Schema{Version: 2, Block: &tfprotov6.SchemaBlock{
		Description: "A thing.",
		Attributes: []*tfprotov6.SchemaAttribute{
			{
				Name:            "rules",
				Optional:        true,
				Description:     "The `rules`.",
				DescriptionKind: tfprotov6.StringKindMarkdown,
				NestedType: &tfprotov6.SchemaObject{
					Nesting: tfprotov6.SchemaObjectNestingModeList,
					Attributes: []*tfprotov6.SchemaAttribute{
						{Name: "name", Type: tftypes.String, Required: true},
						{Name: "secret", Type: tftypes.String, Optional: true, Sensitive: true, WriteOnly: true},
					},
				},
			},
			{
				Name:     "tags",
				Computed: true,
				Type:     tftypes.Map{ElementType: tftypes.List{ElementType: tftypes.Number}},
			},
		},
		BlockTypes: []*tfprotov6.SchemaNestedBlock{{
			TypeName: "target",
			Nesting:  tfprotov6.SchemaNestedBlockNestingModeList,
			MinItems: 1,
			MaxItems: 3,
			Block: &tfprotov6.SchemaBlock{
				Deprecated: true,
				Attributes: []*tfprotov6.SchemaAttribute{{
					Name:     "endpoint",
					Type:     tftypes.Object{AttributeTypes: map[string]tftypes.Type{"url": tftypes.String, "port": tftypes.Number}},
					Required: true,
				}},
			},
		}},
	}}

	var c converter
	got, err := json.Marshal(c.schema(in))
	if err != nil || c.err != nil {
		t.Fatal(err, c.err)
	}
	want := `{"version":2,"block":{` +
		`"attributes":{` +
		`"rules":{"nested_type":{"attributes":{` +
		`"name":{"type":"string","description_kind":"plain","required":true},` +
		`"secret":{"type":"string","description_kind":"plain","optional":true,"sensitive":true,"write_only":true}` +
		`},"nesting_mode":"list"},"description":"The ` + "`rules`" + `.","description_kind":"markdown","optional":true},` +
		`"tags":{"type":["map",["list","number"]],"description_kind":"plain","computed":true}},` +
		`"block_types":{"target":{"nesting_mode":"list","block":{` +
		`"attributes":{"endpoint":{"type":["object",{"port":"number","url":"string"}],"description_kind":"plain","required":true}},` +
		`"description_kind":"plain","deprecated":true},"min_items":1,"max_items":3}},` +
		`"description":"A thing.","description_kind":"plain"}}`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
