// Package planmodifiers holds the provider's attribute plan modifiers: small, resource-independent
// rules about when a change replaces a resource, each with a description that says why (it shows
// in the docs and in the plan's reasons).
package planmodifiers

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
)

// RequiresReplaceBecause replaces the resource whenever the string attribute changes, explaining
// why: the vendor cannot change it in place.
func RequiresReplaceBecause(why, whyMarkdown string) planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(func(_ context.Context, _ planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = true
	}, why, whyMarkdown)
}

// RequiresReplaceWhenRemoved replaces the resource when the set attribute goes from a value to
// unset, explaining why: the vendor can change the set but never clear it. Any other change is
// made in place.
func RequiresReplaceWhenRemoved(why, whyMarkdown string) planmodifier.Set {
	return setplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.SetRequest, resp *setplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = !req.StateValue.IsNull() && req.PlanValue.IsNull()
	}, why, whyMarkdown)
}
