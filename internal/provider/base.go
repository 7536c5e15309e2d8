package provider

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// vendorBase is embedded by every resource, data source and list resource: it receives the
// provider's clients once, in one place, and gives the methods their vendor's client and errors.
type vendorBase[C any] struct {
	// typeName is the Terraform type the errors name ("webhooks_webhook").
	typeName string
	// vendor picks the vendor's slot in Clients.
	vendor  func(*Clients) *Vendor[C]
	clients *Clients
}

func (b *vendorBase[C]) configure(providerData any, diags *diag.Diagnostics) {
	if providerData == nil {
		// Terraform calls Configure before the provider is configured (validation); nothing to do.
		return
	}
	clients, ok := providerData.(*Clients)
	if !ok {
		diags.AddError("Unexpected Provider Data", fmt.Sprintf("Expected *provider.Clients, got %T. This is a bug in the provider; please report it.", providerData))
		return
	}
	b.clients = clients
}

// client returns the vendor's client, or adds the error that says what to configure. See
// require for planning.
func (b *vendorBase[C]) client(planning bool, diags *diag.Diagnostics) (*C, bool) {
	if b.clients == nil {
		return nil, false
	}
	return require(b.vendor(b.clients), b.typeName, planning, diags)
}

// apiError adds the diagnostic of a client error: summary, then what the API answered and what
// to do about it (see addAPIError).
func (b *vendorBase[C]) apiError(diags *diag.Diagnostics, summary string, err error) {
	addAPIError(diags, b.vendor(b.clients), summary, err)
}

// createError adds the diagnostic of a failed create (see addCreateError).
func (b *vendorBase[C]) createError(diags *diag.Diagnostics, summary string, err error, u unsettledCreate) {
	u.typeName = b.typeName
	addCreateError(diags, b.vendor(b.clients), summary, err, u)
}

// resourceBase is vendorBase for a resource (and a list resource, whose Configure has the same
// signature), with what its lifecycle methods share: the default timeouts, and the list its
// vendor's reads share.
type resourceBase[C any] struct {
	vendorBase[C]
	timeouts operationTimeouts
	// list picks the operation's list of the resource's objects: the plan-time access check takes
	// it, and a delete answered "not found" is confirmed by it.
	list func(*Clients) accessList
}

// newResourceBase is the base of a resource of typeName.
func newResourceBase[C any](typeName string, vendor func(*Clients) *Vendor[C], list func(*Clients) accessList, t operationTimeouts) resourceBase[C] {
	return resourceBase[C]{vendorBase: vendorBase[C]{typeName: typeName, vendor: vendor}, timeouts: t, list: list}
}

// Configure stores the provider's clients.
func (r *resourceBase[C]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req.ProviderData, &resp.Diagnostics)
}

// dataSourceBase is vendorBase for a data source.
type dataSourceBase[C any] struct{ vendorBase[C] }

// newDataSourceBase is the base of a data source of typeName.
func newDataSourceBase[C any](typeName string, vendor func(*Clients) *Vendor[C]) dataSourceBase[C] {
	return dataSourceBase[C]{vendorBase[C]{typeName: typeName, vendor: vendor}}
}

// Configure stores the provider's clients.
func (d *dataSourceBase[C]) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.configure(req.ProviderData, &resp.Diagnostics)
}

// begin is how every data source's Read starts: it gets the vendor's client (or adds the error
// that says what to configure) and decodes the configuration into data. client is nil when any of
// that failed, and the diagnostics say why.
func (d *dataSourceBase[C]) begin(ctx context.Context, config tfsdk.Config, data any, diags *diag.Diagnostics) (client *C) {
	client, ok := d.client(false, diags)
	if !ok {
		return nil
	}
	diags.Append(getModel(ctx, config, data)...)
	if diags.HasError() {
		return nil
	}
	return client
}

// model is what every resource model gives its lifecycle: its id and its timeouts.
type model interface {
	id() types.String
	timeoutsValue() timeouts.Value
}

// getter is a plan or a state.
type getter interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

// operation is a lifecycle method that has a timeout.
type operation int

const (
	create operation = iota
	update
	remove
)

// writesInProgress counts the Creates, Updates and Deletes this process is running (begin).
var writesInProgress atomic.Int64

// WritesInProgress is how many Creates, Updates and Deletes this process is running: a provider
// whose Terraform is gone lets them finish before it exits.
func WritesInProgress() int64 { return writesInProgress.Load() }

// begin is how every Create, Update and Delete starts: it gets the vendor's client (or adds the
// error that says what to configure), decodes the plan or state (from) into m, and bounds ctx by
// the operation's timeout, m's or the resource's default. client is nil when any of that failed,
// and the diagnostics say why. Call cancel when done, whatever happened: until then the operation
// counts as in progress (WritesInProgress).
func (r *resourceBase[C]) begin(ctx context.Context, op operation, from getter, m model, diags *diag.Diagnostics) (*C, context.Context, context.CancelFunc) {
	writesInProgress.Add(1)
	client, ctx, cancel := r.start(ctx, op, from, m, diags)
	return client, ctx, sync.OnceFunc(func() {
		cancel()
		writesInProgress.Add(-1)
	})
}

// start is begin's work.
func (r *resourceBase[C]) start(ctx context.Context, op operation, from getter, m model, diags *diag.Diagnostics) (client *C, _ context.Context, cancel context.CancelFunc) {
	cancel = func() {}
	client, ok := r.client(false, diags)
	if !ok {
		return nil, ctx, cancel
	}
	diags.Append(getModel(ctx, from, m)...)
	if diags.HasError() {
		return nil, ctx, cancel
	}
	ctx, cancel = withTimeout(ctx, op, r.timeoutOf(op, m), r.timeouts.of(op), diags)
	if diags.HasError() {
		return nil, ctx, cancel
	}
	return client, ctx, cancel
}

// timeoutOf is how long m allows op, and the default when it sets nothing.
func (r *resourceBase[C]) timeoutOf(op operation, m model) func(context.Context, time.Duration) (time.Duration, diag.Diagnostics) {
	t := m.timeoutsValue()
	switch op {
	case create:
		return t.Create
	case update:
		return t.Update
	default:
		return t.Delete
	}
}

// timeout is how long op may take under m's timeouts; a value that does not parse (begin reports
// it) gives the default.
func (r *resourceBase[C]) timeout(ctx context.Context, op operation, m model) time.Duration {
	d, _ := r.timeoutOf(op, m)(ctx, r.timeouts.of(op))
	return d
}

// beginRead is how every Read starts: it checks that the vendor is configured, decodes the state
// into m, and records the resource's identity, which also gives state written before identities
// existed its identity (upgrading needs no action). It returns false when any of that failed.
func (r *resourceBase[C]) beginRead(ctx context.Context, state tfsdk.State, identity *tfsdk.ResourceIdentity, m model, diags *diag.Diagnostics) bool {
	if _, ok := r.client(false, diags); !ok {
		return false
	}
	diags.Append(getModel(ctx, state, m)...)
	diags.Append(setIdentity(ctx, identity, m.id())...)
	return !diags.HasError()
}

// saveRead stores the state a refresh found. When it is the state Terraform sent, as for nearly
// every resource of a large refresh, the state is left as sent: encoding the same values again
// would only cost the framework's reflection, once per resource.
func saveRead[M any](ctx context.Context, resp *resource.ReadResponse, sent, found *M) {
	if reflect.DeepEqual(sent, found) {
		return
	}
	resp.Diagnostics.Append(setModel(ctx, &resp.State, found)...)
}

// beginPlan is how every ModifyPlan starts: without the vendor's credentials the plan fails, and a
// resource about to be created proves the credentials and the API first (verifyAccess). It
// returns true when the plan changes an existing resource, with its state and plan decoded. A plan
// equal to the state (most of a large no-change plan) is left alone without decoding either: a
// ModifyPlan may only act on a resource whose plan changes something (none acts on private state
// alone).
func (r *resourceBase[C]) beginPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, state, plan model) bool {
	if _, ok := r.client(true, &resp.Diagnostics); !ok {
		return false
	}
	if isCreate(req) {
		r.verifyAccess(ctx, &resp.Diagnostics)
	}
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.Plan.Raw.Equal(req.State.Raw) {
		return false
	}
	resp.Diagnostics.Append(getModel(ctx, req.State, state)...)
	resp.Diagnostics.Append(getModel(ctx, req.Plan, plan)...)
	return !resp.Diagnostics.HasError()
}

// verifyAccess is called while planning a resource's creation: it asks the vendor for the list
// the operation's reads share anyway, so that wrong credentials or an unreachable API fail the
// plan, before anything is written, rather than the apply halfway through. Once a list has been
// taken in the operation, access is proven and nothing more is asked: it costs at most one call
// per vendor per plan.
func (r *resourceBase[C]) verifyAccess(ctx context.Context, diags *diag.Diagnostics) {
	list := r.list(r.clients)
	if list == nil || list.proven() {
		return
	}
	err := list.probe(ctx)
	name := r.vendor(r.clients).Name
	switch {
	case err == nil:
	case errors.Is(err, httpclient.ErrUnauthorized):
		r.apiError(diags, fmt.Sprintf("%s Rejected the Credentials", name), err)
	case errors.Is(err, httpclient.ErrRateLimited):
		r.apiError(diags, fmt.Sprintf("%s Rate Limited the Provider", name), err)
	case errors.Is(err, httpclient.ErrConnection):
		r.apiError(diags, fmt.Sprintf("Unable to Connect to the %s API", name), err)
	case errors.Is(err, httpclient.ErrWrongBaseURL):
		r.apiError(diags, fmt.Sprintf("Wrong %s Base URL", name), err)
	default:
		r.apiError(diags, fmt.Sprintf("Unable to Reach the %s API", name), err)
	}
}

// deleted turns the answer to a delete into its error: "not found" means the object is already
// gone, which is success, but only once the vendor's list answers, because a wrong base URL
// answers "not found" to everything and a destroy must not report success for hooks it never
// reached.
func (r *resourceBase[C]) deleted(ctx context.Context, err error) error {
	if !httpclient.IsNotFound(err) {
		return err
	}
	if list := r.list(r.clients); list != nil {
		if listErr := list.probe(ctx); listErr != nil {
			return listErr
		}
	}
	return nil
}

// require returns v's client for typeName, or adds an error saying exactly which arguments or
// environment variables to set. While planning, a vendor whose configuration is not known yet is
// not an error: ok is false and the caller skips the work that needs the API.
func require[C any](v *Vendor[C], typeName string, planning bool, diags *diag.Diagnostics) (client *C, ok bool) {
	switch {
	case v.Client != nil:
		return v.Client, true
	case len(v.Missing) > 0:
		diags.AddError(fmt.Sprintf("Missing %s Credentials", v.Name), missingDetail(v.Name, typeName, v.Missing))
	case v.Unknown && planning:
	case v.Unknown:
		diags.AddError(fmt.Sprintf("%s Configuration Not Known", v.Name), fmt.Sprintf(
			"%s needs the provider's %s arguments, but some of them depend on values that are not known yet. "+
				"Apply the resources they depend on first (for example with -target), then run this again.", typeName, strings.ToLower(v.Name)))
	default:
		diags.AddError(fmt.Sprintf("%s Client Not Configured", v.Name), "The provider was not configured. This is a bug in the provider; please report it.")
	}
	return nil, false
}

func missingDetail(vendor, typeName string, missing []argument) string {
	var lines []string
	for _, a := range missing {
		lines = append(lines, fmt.Sprintf("  - %s (environment variable %s)", a.Name, a.Env))
	}
	return fmt.Sprintf("%s manages %s objects, so the provider needs %s credentials. Set these in the provider block, or in the environment:\n%s\n\n"+
		"For example:\n\n  provider \"webhooks\" {\n    %s = {\n      %s = var.%s\n    }\n  }",
		typeName, vendor, vendor, strings.Join(lines, "\n"),
		sectionOf(missing[0]), fieldOf(missing[0]), strings.ReplaceAll(missing[0].Name, ".", "_"))
}

func sectionOf(a argument) string { s, _, _ := strings.Cut(a.Name, "."); return s }

func fieldOf(a argument) string { _, f, _ := strings.Cut(a.Name, "."); return f }

// isCreate reports whether a plan creates the resource.
func isCreate(req resource.ModifyPlanRequest) bool {
	return req.State.Raw.IsNull() && !req.Plan.Raw.IsNull()
}

// beginUpdate is begin for an Update: it also decodes the state into state and records the
// resource's identity.
func (r *resourceBase[C]) beginUpdate(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse, plan, state model) (client *C, _ context.Context, cancel context.CancelFunc) {
	client, ctx, cancel = r.begin(ctx, update, req.Plan, plan, &resp.Diagnostics)
	resp.Diagnostics.Append(getModel(ctx, req.State, state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.id())...)
	if resp.Diagnostics.HasError() {
		return nil, ctx, cancel
	}
	return client, ctx, cancel
}
