package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// importID describes the id a resource is imported by, for the error that a malformed one gets.
type importID struct {
	pattern *regexp.Regexp
	// what is the object ("Lune webhook"), shape the id's form ("32 letters and digits").
	what, shape string
	// typeName and example make the example command.
	typeName, example string
}

// importByID imports by the object's id after checking its shape, so that a typo fails at once
// with the expected format instead of as a confusing "not found".
func importByID(ctx context.Context, id importID, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !id.pattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf(
			"%q is not a%s %s id. Expected the %s's id: %s, for example\n  terraform import %s.example %s",
			req.ID, article(id.what), id.what, id.what, id.shape, id.typeName, id.example))
		return
	}
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// article is "n" before a vowel, so that "a" becomes "an".
func article(word string) string {
	if word != "" && (word[0] == 'A' || word[0] == 'E' || word[0] == 'I' || word[0] == 'O' || word[0] == 'U') {
		return "n"
	}
	return ""
}
