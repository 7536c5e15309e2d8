package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
)

// This file holds what the Inveterate resources and data sources share: the shape of ids and
// topics, the mapping of Inveterate's optional fields, the list-based reads, and the private-state
// marker of a record Inveterate has accepted but not listed yet.

// inveterateString maps an optional string field of Inveterate: missing or empty is null.
func inveterateString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// inveterateTimestamp maps an optional timestamp of Inveterate to RFC 3339 in UTC, to the second,
// as every resource stores times; one Inveterate did not give (zero) is null.
func inveterateTimestamp(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(rfc3339(t))
}

// orCurrent returns v, or, when Inveterate left the field out of an answer (v is null), what the
// model already holds: answers to updates need not repeat every field. A value still unknown
// (planned "known after apply") becomes null.
func orCurrent(current, v types.String) types.String {
	if !v.IsNull() || current.IsUnknown() {
		return v
	}
	return current
}

// pendingVisibilityKey is the private-state key that marks a record Inveterate accepted (201) but
// has not been seen in its list yet. While it is set, a record missing from the list is taken as
// not visible yet rather than deleted.
const pendingVisibilityKey = "inveterate_pending_visibility"

type pendingVisibility struct {
	AcceptedAt time.Time `json:"accepted_at"`
}

// privateGetter and privateSetter are the parts of a resource's private state used here.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// markPendingVisibility records that Inveterate accepted the record at acceptedAt and has not
// listed it yet.
func markPendingVisibility(ctx context.Context, private privateSetter, acceptedAt time.Time) diag.Diagnostics {
	b, err := json.Marshal(pendingVisibility{AcceptedAt: acceptedAt.UTC()})
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to Record Pending Visibility", err.Error())
		return diags
	}
	return private.SetKey(ctx, pendingVisibilityKey, b)
}

// savePending saves a record Inveterate has just accepted, before waiting for it to be listed, with
// its identity: a wait that runs out then leaves it in state (tainted) instead of orphaned, and the
// marker tells Read that it may not be listed yet. It returns false when saving failed.
func savePending(ctx context.Context, id string, state any, resp *resource.CreateResponse) bool {
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, types.StringValue(id))...)
	resp.Diagnostics.Append(markPendingVisibility(ctx, resp.Private, time.Now())...)
	resp.Diagnostics.Append(setModel(ctx, &resp.State, state)...)
	return !resp.Diagnostics.HasError()
}

// saveListed saves a record once Inveterate lists it, and drops the marker.
func saveListed(ctx context.Context, state any, resp *resource.CreateResponse) {
	resp.Diagnostics.Append(clearPendingVisibility(ctx, resp.Private)...)
	resp.Diagnostics.Append(setModel(ctx, &resp.State, state)...)
}

// clearPendingVisibility records that the record has been seen in a list.
func clearPendingVisibility(ctx context.Context, private privateSetter) diag.Diagnostics {
	return private.SetKey(ctx, pendingVisibilityKey, nil)
}

// pendingVisibilitySince reports whether the record is marked as not listed yet, and since when.
func pendingVisibilitySince(ctx context.Context, private privateGetter) (time.Time, bool, diag.Diagnostics) {
	b, diags := private.GetKey(ctx, pendingVisibilityKey)
	if len(b) == 0 || diags.HasError() {
		return time.Time{}, false, diags
	}
	var p pendingVisibility
	// A marker that does not parse still marks the record as pending; only the time is lost.
	_ = json.Unmarshal(b, &p)
	return p.AcceptedAt, true, diags
}

// notListedYetDetail is the detail of the error raised when a create's wait for visibility runs
// out: what happened to the record and what to do.
func notListedYetDetail(what, id string, timeout, waited, total time.Duration) string {
	return fmt.Sprintf("Inveterate accepted the %[1]s %[2]s, but had not listed it yet when the create timeout (%[3]s) "+
		"ran out: the create took %[4]s in all, %[5]s of them waiting for the %[1]s to show in Inveterate's list "+
		"(Inveterate's creates take a moment to show in its lists).\n\n"+
		"The %[1]s is kept in state, so nothing is orphaned. Terraform marks it tainted: the next apply deletes it and "+
		"creates it again (never leaving a duplicate). To keep this one instead, run terraform untaint on the resource "+
		"once Inveterate lists it. If this happens often, raise timeouts.create.", what, id, shortDuration(timeout),
		roundedDuration(total), roundedDuration(waited))
}

// roundedDuration prints a measured duration to a tenth of a second ("4.9s").
func roundedDuration(d time.Duration) string { return d.Round(100 * time.Millisecond).String() }

// neverListedDetail is the detail of the warning given when a record that Inveterate accepted is
// still not listed after a refresh's wait.
func neverListedDetail(what, id string, acceptedAt time.Time, waited time.Duration) string {
	since := ""
	if !acceptedAt.IsZero() {
		since = fmt.Sprintf(" since it was accepted at %s", rfc3339(acceptedAt))
	}
	return fmt.Sprintf("Inveterate accepted the %s %s, but has not listed it%s, and a fresh list still did not show it "+
		"after waiting %s. It stays in state, tainted: the next apply deletes it by its id (which works whether or "+
		"not Inveterate lists it yet) and creates it again, so no duplicate is left behind even if it shows up later.",
		what, id, since, shortDuration(waited))
}

// inveterateKind describes one kind of Inveterate record to readListed.
type inveterateKind[T any] struct {
	// what names the record in messages ("webhook subscription"); title in summaries
	// ("Inveterate Webhook Subscription").
	what, title string
	// vendor is Inveterate's slot, for its client and its errors.
	vendor *Vendor[inveterate.Client]
	// read finds the record for a refresh (the operation's shared list, confirmed afresh).
	read func(ctx context.Context, id string) (*T, error)
	// wait polls fresh lists until the record shows, for at most the given time.
	wait func(ctx context.Context, id string, d time.Duration) (*T, error)
}

// readListed is the Read of an Inveterate record. While the record carries the marker of one
// accepted but not listed yet, missing from the list is not deleted: it waits, up to the client's
// visibility wait, and if it still does not show, keeps it in state with a warning. It returns
// nil when the record is gone (and has removed it from state), still not listed, or when it added
// an error.
func readListed[T any](ctx context.Context, kind inveterateKind[T], id string, req resource.ReadRequest, resp *resource.ReadResponse) *T {
	v := kind.vendor
	acceptedAt, pending, diags := pendingVisibilitySince(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return nil
	}
	found, err := kind.read(ctx, id)
	if pending && httpclient.IsNotFound(err) {
		// Accepted by a create whose wait ran out: not listed yet is not deleted. Give it time.
		tflog.Info(ctx, "Inveterate "+kind.what+" not listed yet; waiting for it", map[string]any{"id": id})
		found, err = kind.wait(ctx, id, v.Client.VisibilityWait())
	}
	switch {
	case httpclient.IsNotFound(err) && pending:
		// Accepted but still not listed: dropping it could leave a duplicate if it shows up later.
		// It stays in state (tainted), so the next apply deletes it by id and creates it again.
		resp.Diagnostics.AddWarning(kind.title+" Not Listed Yet", neverListedDetail(kind.what, id, acceptedAt, v.Client.VisibilityWait()))
		return nil
	case httpclient.IsNotFound(err):
		tflog.Info(ctx, "Inveterate "+kind.what+" is gone; removing it from state", map[string]any{"id": id})
		resp.State.RemoveResource(ctx)
		return nil
	case err != nil:
		addAPIError(&resp.Diagnostics, v, "Unable to Read "+kind.title, err)
		return nil
	}
	if pending {
		resp.Diagnostics.Append(clearPendingVisibility(ctx, resp.Private)...)
	}
	return found
}

// awaitListed waits, within the create's deadline, until Inveterate lists a record it accepted.
// When it does not in time, it adds an error that says the record is kept in state and returns nil.
func awaitListed[T any](ctx context.Context, kind inveterateKind[T], id string, timeout time.Duration, diags *diag.Diagnostics) *T {
	v := kind.vendor
	deadline, _ := ctx.Deadline()
	began := time.Now()
	// The last list must have time to answer before the create's deadline: one sent as the
	// deadline passes proves nothing.
	wait := time.Until(deadline)
	wait -= min(wait/20, time.Second)
	listed, err := kind.wait(ctx, id, wait)
	switch {
	case err != nil && errors.Is(ctx.Err(), context.Canceled):
		// Interrupted after Inveterate accepted the record, which is saved with its marker: nothing
		// is lost, and nothing is tainted (a token already saved stays valid).
		diags.AddWarning("Interrupted Before Inveterate Listed the "+strings.TrimPrefix(kind.title, "Inveterate "), fmt.Sprintf(
			"Inveterate accepted the %[1]s %[2]s, and it is saved in state. Terraform was interrupted while waiting for "+
				"Inveterate to list it (Inveterate's creates take a moment to show in its lists). Nothing is lost and "+
				"nothing is tainted: the next refresh looks for it, giving it time to show.", kind.what, id))
		return nil
	case httpclient.IsNotFound(err) || (err != nil && ctx.Err() != nil):
		diags.AddError(kind.title+" Not Listed in Time",
			notListedYetDetail(kind.what, id, timeout, time.Since(began), time.Since(deadline.Add(-timeout))))
		return nil
	case err != nil:
		addAPIError(diags, v, "Unable to Confirm "+kind.title, fmt.Errorf(
			"the %s %s was created and is kept in state (tainted: the next apply replaces it), but listing to see it "+
				"failed: %w", kind.what, id, err))
		return nil
	}
	return listed
}
