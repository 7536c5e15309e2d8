package provider

import (
	"context"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// stringSetOrNull turns an API list into a set attribute: an empty or missing list is null, as
// an omitted optional argument is. Its elements are sorted, the order in which Terraform sends a set
// of strings back: a refresh that finds the same set then finds a value equal to the state in every
// way, and leaves the state as sent (saveRead).
func stringSetOrNull(ctx context.Context, values []string) (types.Set, diag.Diagnostics) {
	if len(values) == 0 {
		return types.SetNull(types.StringType), nil
	}
	return types.SetValueFrom(ctx, types.StringType, slices.Sorted(slices.Values(values)))
}

// rfc3339 formats an API timestamp the way every resource stores it: RFC 3339 in UTC, to the second.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
