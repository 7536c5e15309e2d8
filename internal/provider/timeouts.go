package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

// operationTimeouts are a resource's default timeouts; a zero one is not offered.
type operationTimeouts struct {
	Create, Update, Delete time.Duration
}

// key is op's key in `timeouts = { ... }`.
func (op operation) key() string {
	return [...]string{create: "create", update: "update", remove: "delete"}[op]
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
	nested, ok := timeouts.Attributes(ctx, opts).(schema.SingleNestedAttribute)
	if !ok {
		panic("timeouts.Attributes is no longer a single nested attribute")
	}
	// The library's own check names neither the key nor a valid example, and lets "0s" and "-1s"
	// through: each key gets ours instead.
	for name, a := range nested.Attributes {
		if s, ok := a.(schema.StringAttribute); ok {
			s.Validators = []validator.String{validators.OperationTimeout()}
			nested.Attributes[name] = s
		}
	}
	nested.MarkdownDescription = "Operation timeouts, each a positive duration such as `\"5m\"` or `\"90s\"`. " +
		"Terraform itself drops a key it does not know without a word, so check the spelling: " + timeoutKeys(opts) + "."
	return nested
}

// timeoutKeys lists the keys opts offers, as the documentation writes them.
func timeoutKeys(opts timeouts.Opts) string {
	var keys []string
	for _, k := range []struct {
		on   bool
		name string
	}{{opts.Create, "create"}, {opts.Update, "update"}, {opts.Delete, "delete"}} {
		if k.on {
			keys = append(keys, "`"+k.name+"`")
		}
	}
	return strings.Join(keys, ", ")
}

// withTimeout bounds ctx by the configured timeout of one operation (get is the model's
// Timeouts.Create, .Update or .Delete) or its default. A value that is not a positive duration
// (validation catches it at plan time; a value unknown until apply is checked here) is an error,
// never quietly the default: the returned context is then already done. A delete, whose timeout
// comes from state, takes the default with a warning instead, so that it can always run.
func withTimeout(ctx context.Context, op operation, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, ds := get(ctx, def)
	diags.Append(ds...)
	if d <= 0 && !ds.HasError() && op == remove {
		// A delete reads the timeout from state, which a build that took "0s" for the default may
		// have written: refusing would leave the object undeletable. It gets the default, and says so.
		diags.AddAttributeWarning(path.Root("timeouts").AtName(op.key()), "Invalid Timeout Replaced by the Default",
			fmt.Sprintf("timeouts.%s in state is %s, not a positive duration: the delete takes the default, %s.", op.key(), d, shortDuration(def)))
		d = def
	}
	if d <= 0 && !ds.HasError() {
		diags.AddAttributeError(path.Root("timeouts").AtName(op.key()), "Invalid Timeout",
			fmt.Sprintf("timeouts.%s is %s: it must be a positive duration such as \"5m\" or \"90s\".", op.key(), d))
	}
	if d <= 0 || ds.HasError() {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		return ctx, cancel
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
