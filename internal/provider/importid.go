package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// importID describes the id a resource is imported by, for the error that a malformed one gets.
type importID struct {
	pattern *regexp.Regexp
	// what is the object ("Lune webhook"), shape the id's form ("32 letters and digits").
	what, shape string
	// typeName and example make the example command.
	typeName, example string
}

// importByID imports by the object's id, given as an import id or as the identity, after checking
// its shape, so that a typo fails at once with the expected format instead of as a confusing "not
// found".
func importByID(ctx context.Context, id importID, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	value, diags := importedID(ctx, req)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !id.pattern.MatchString(value) {
		resp.Diagnostics.AddError("Invalid Import ID", id.invalid(value))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), value)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, types.StringValue(value))...)
}

// invalid is the detail of the error for a malformed id: what was expected, with examples of an
// import by id and by identity.
func (id importID) invalid(value string) string {
	return fmt.Sprintf(
		"%q is not a%s %s id. Expected the %s's id: %s, for example\n"+
			"  terraform import %s.example %s\n"+
			"or, in an import block (Terraform 1.12 and later):\n"+
			"  import {\n    to       = %s.example\n    identity = { id = %q }\n  }",
		value, article(id.what), id.what, id.what, id.shape, id.typeName, id.example, id.typeName, id.example)
}

// article is "n" before a vowel, so that "a" becomes "an".
func article(word string) string {
	if word != "" && (word[0] == 'A' || word[0] == 'E' || word[0] == 'I' || word[0] == 'O' || word[0] == 'U') {
		return "n"
	}
	return ""
}
