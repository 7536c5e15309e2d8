package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// A timeout that is not positive when the operation starts (a value unknown at plan time escapes
// validation) is an error naming its key, and the operation gets a context that is already done:
// it is never quietly the default.
func TestWithTimeout_nonPositiveIsAnError(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		get := func(context.Context, time.Duration) (time.Duration, diag.Diagnostics) { return d, nil }
		var diags diag.Diagnostics
		ctx, cancel := withTimeout(context.Background(), update, get, 10*time.Minute, &diags)
		cancel()
		if !diags.HasError() || !strings.Contains(diags[0].Detail(), "timeouts.update is "+d.String()) {
			t.Errorf("%s: diagnostics %v, want an error naming timeouts.update", d, diags)
		}
		if ctx.Err() == nil {
			t.Errorf("%s: the context is live; want it done", d)
		}
	}
	// A delete takes its timeout from state: it runs on the default, with a warning.
	var diags diag.Diagnostics
	zero := func(context.Context, time.Duration) (time.Duration, diag.Diagnostics) { return 0, nil }
	ctx, cancel := withTimeout(context.Background(), remove, zero, 10*time.Minute, &diags)
	defer cancel()
	if deadline, ok := ctx.Deadline(); diags.HasError() || len(diags) != 1 || !ok || time.Until(deadline) < 9*time.Minute ||
		!strings.Contains(diags[0].Detail(), "timeouts.delete in state is 0s") {
		t.Errorf("delete: diagnostics %v, deadline in %s; want a warning and the default", diags, time.Until(deadline))
	}
	diags = nil
	get := func(context.Context, time.Duration) (time.Duration, diag.Diagnostics) { return 90 * time.Second, nil }
	ctx, cancel = withTimeout(context.Background(), create, get, time.Minute, &diags)
	defer cancel()
	if deadline, ok := ctx.Deadline(); diags.HasError() || !ok || time.Until(deadline) < 80*time.Second {
		t.Errorf("90s: diagnostics %v, deadline in %s; want no error and about 90s", diags, time.Until(deadline))
	}
}
