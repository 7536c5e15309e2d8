package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// identityModel is the resource identity of every resource of this provider (Terraform 1.12+):
// the vendor's id of the object. It never changes for the life of the object, so Create, Read,
// Update and ImportState all derive it from the id in state.
type identityModel struct {
	ID types.String `tfsdk:"id"`
}

// idIdentitySchema is the identity schema `{ id = string }`, required for import by identity.
func idIdentitySchema(what, shape string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       fmt.Sprintf("The %s's id (%s).", what, shape),
			},
		},
	}
}

// setIdentity records id as the resource's identity. The framework hands every operation of a
// resource with an identity schema an identity object, whatever the Terraform version (an older
// Terraform just does not store it), and fails an operation that ends without errors and without
// an identity; the nil check is only defensive.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id types.String) diag.Diagnostics {
	if identity == nil || id.IsNull() || id.IsUnknown() {
		return nil
	}
	return setModel(ctx, identity, identityModel{ID: id})
}

// importedID is the id an import names: `terraform import` and `import { id = ... }` give it as
// req.ID, `import { identity = { id = ... } }` (Terraform 1.12+) in the identity (which the
// framework always provides, null when unused).
func importedID(ctx context.Context, req resource.ImportStateRequest) (string, diag.Diagnostics) {
	if req.ID != "" || req.Identity == nil {
		return req.ID, nil
	}
	var id types.String
	diags := req.Identity.GetAttribute(ctx, path.Root("id"), &id)
	return id.ValueString(), diags
}
