package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// operationTimeouts are a resource's default timeouts; a zero one is not offered.
type operationTimeouts struct {
	Create, Update, Delete time.Duration
}

// of is the default timeout of op.
func (d operationTimeouts) of(op operation) time.Duration {
	switch op {
	case create:
		return d.Create
	case update:
		return d.Update
	default:
		return d.Delete
	}
}

// timeoutsAttribute is the `timeouts = { ... }` nested attribute, with the defaults in its docs.
func timeoutsAttribute(ctx context.Context, d operationTimeouts) schema.Attribute {
	describe := func(op string, def time.Duration) string {
		return fmt.Sprintf("How long %s may take, as a duration such as \"30s\" or \"2h45m\". Defaults to %q.", op, shortDuration(def))
	}
	opts := timeouts.Opts{Create: d.Create > 0, Update: d.Update > 0, Delete: d.Delete > 0}
	if opts.Create {
		opts.CreateDescription = describe("a create", d.Create)
	}
	if opts.Update {
		opts.UpdateDescription = describe("an update", d.Update)
	}
	if opts.Delete {
		opts.DeleteDescription = describe("a delete", d.Delete)
	}
	attr := timeouts.Attributes(ctx, opts)
	if nested, ok := attr.(schema.SingleNestedAttribute); ok {
		nested.MarkdownDescription = "Operation timeouts."
		return nested
	}
	return attr
}

// withTimeout bounds ctx by the configured timeout of one operation (get is the model's
// Timeouts.Create, .Update or .Delete) or its default.
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, ds := get(ctx, def)
	diags.Append(ds...)
	if d <= 0 {
		d = def
	}
	return context.WithTimeout(ctx, d)
}

// shortDuration prints 5m0s as "5m" and 1h30m0s as "1h30m".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
