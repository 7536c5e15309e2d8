package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/bench/benchstats"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	webhooks "github.com/webhookinfra/terraform-provider-webhooks/internal/provider"
)

// cost is what one write of a resource type waits: requests in a row, and whether they count
// against Lune's rate limit.
type cost struct {
	create, update, remove int
	paced                  bool
}

// costs are the vendor contracts' fewest requests per write.
var costs = map[string]cost{
	"webhooks_webhook": {create: 1, update: 1, remove: 1, paced: true},
	// An Inveterate create returns once a list shows the new record (records show in Inveterate's
	// lists a moment after they are created): for a create alone, a list sent once it is answered.
	// A list already in flight may confirm it sooner, which the real provider takes when it comes
	// and the ideal one does not count on.
	"webhooks_inveterate_webhook_subscription": {create: 2, update: 1, remove: 1},
	// An admin webhook's delete also returns once a list no longer shows it.
	"webhooks_inveterate_webhook": {create: 2, update: 1, remove: 2},
	"webhooks_partner_webhook":    {create: 1, update: 1, remove: 1},
}

// ideal is the provider: the webhooks provider's schemas, none of its work.
type ideal struct {
	real    provider.Provider
	latency time.Duration
	lune    *perfectPacer
	ids     atomic.Int64
	// flights are the writes in flight, by resource type and operation.
	flights flights
}

func newIdeal(latency time.Duration, now func() time.Time) func() provider.Provider {
	return func() provider.Provider {
		return &ideal{real: webhooks.New("ideal")(), latency: latency, lune: newPerfectPacer(15, time.Second, now)}
	}
}

func (p *ideal) Metadata(ctx context.Context, req provider.MetadataRequest, resp *provider.MetadataResponse) {
	p.real.Metadata(ctx, req, resp)
}

func (p *ideal) Schema(ctx context.Context, req provider.SchemaRequest, resp *provider.SchemaResponse) {
	p.real.Schema(ctx, req, resp)
}

// Configure reads nothing: there is no API to reach.
func (p *ideal) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {}

func (p *ideal) DataSources(context.Context) []func() datasource.DataSource { return nil }

// Resources are the real provider's resources, each with its schema and this provider's waits.
// The framework makes a resource anew for every call and asks only the first for its name, so each
// constructor is given its type's cost here.
func (p *ideal) Resources(ctx context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for _, newReal := range p.real.Resources(ctx) {
		var meta resource.MetadataResponse
		newReal().Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "webhooks"}, &meta)
		c, ok := costs[meta.TypeName]
		if !ok {
			panic(fmt.Sprintf("idealprovider: no cost for %s: add the new resource type to costs", meta.TypeName))
		}
		if _, ok := newReal().(resource.ResourceWithIdentity); !ok {
			panic(fmt.Sprintf("idealprovider: %s has no identity; idealResource gives every resource one", meta.TypeName))
		}
		out = append(out, func() resource.Resource {
			return &idealResource{real: newReal(), p: p, cost: c, typeName: meta.TypeName}
		})
	}
	return out
}

// idealResource has a real resource's name and schema; its writes wait and echo the plan.
type idealResource struct {
	real     resource.Resource
	p        *ideal
	cost     cost
	typeName string
}

func (r *idealResource) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.real.Metadata(ctx, req, resp)
}

func (r *idealResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.real.Schema(ctx, req, resp)
}

// IdentitySchema is the real resource's identity schema: the framework then does for the ideal
// provider's identities what it does for the real one's, and each create, read and update returns
// the identity, as the real provider's do.
func (r *idealResource) IdentitySchema(ctx context.Context, req resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	r.real.(resource.ResourceWithIdentity).IdentitySchema(ctx, req, resp)
}

func (r *idealResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.wait(ctx, "create", r.cost.create) {
		resp.State.Raw = r.known(req.Plan.Raw)
		identify(ctx, resp.State.Raw, resp.Identity)
	}
}

// Read changes nothing and asks nothing: with state in place, a plan costs only Terraform's work,
// and the identity the state's id.
func (r *idealResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	identify(ctx, req.State.Raw, resp.Identity)
}

func (r *idealResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.wait(ctx, "update", r.cost.update) {
		resp.State.Raw = r.known(req.Plan.Raw)
		identify(ctx, resp.State.Raw, resp.Identity)
	}
}

// identify sets identity to { id = the state's id }, every resource's identity.
func identify(ctx context.Context, state tftypes.Value, identity *tfsdk.ResourceIdentity) {
	if identity == nil || state.IsNull() {
		return
	}
	id, _, err := tftypes.WalkAttributePath(state, tftypes.NewAttributePath().WithAttributeName("id"))
	if err != nil {
		panic(fmt.Sprintf("idealprovider: a state without an id: %v", err))
	}
	identity.Raw = tftypes.NewValue(identity.Schema.Type().TerraformType(ctx), map[string]tftypes.Value{"id": id.(tftypes.Value)})
}

func (r *idealResource) Delete(ctx context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.wait(ctx, "delete", r.cost.remove) {
		resp.Diagnostics.AddError("Interrupted", "the delete was interrupted before it ended")
	}
}

// wait spends requests request latencies one after the other, each paced first when the type's
// vendor is Lune, and reports whether it got through them before ctx ended. The write is counted in
// flight meanwhile.
func (r *idealResource) wait(ctx context.Context, op string, requests int) bool {
	key := r.typeName + " " + op
	r.p.flights.enter(key, requests)
	defer r.p.flights.leave(key)
	for range requests {
		if r.cost.paced && !r.p.lune.wait(ctx) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(r.p.latency):
		}
	}
	return true
}

// known is the planned object with every unknown value made known, as an API's answer would: an
// id or other string computed by the vendor (as long as the vendors' own, see computedString), zero
// for a number, false for a bool, an admin webhook's events (the real provider plans them, and the
// state a plan reads must be as large), and null for any other collection or object the plan left
// unknown.
func (r *idealResource) known(planned tftypes.Value) tftypes.Value {
	out, err := tftypes.Transform(planned, func(at *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		if at.Equal(tftypes.NewAttributePath().WithAttributeName("events")) && v.Type().Is(tftypes.List{ElementType: tftypes.String}) {
			events := make([]tftypes.Value, len(inveterate.WebhookEvents))
			for i, e := range inveterate.WebhookEvents {
				events[i] = tftypes.NewValue(tftypes.String, e)
			}
			return tftypes.NewValue(v.Type(), events), nil
		}
		switch t := v.Type(); {
		case t.Is(tftypes.String):
			return tftypes.NewValue(t, r.computedString(at)), nil
		case t.Is(tftypes.Number):
			return tftypes.NewValue(t, 0), nil
		case t.Is(tftypes.Bool):
			return tftypes.NewValue(t, false), nil
		default:
			return tftypes.NewValue(t, nil), nil
		}
	})
	if err != nil {
		panic(fmt.Sprintf("idealprovider: %v", err))
	}
	return out
}

// perfectPacer lets a request go as soon as fewer than n requests went in the window before it:
// exactly "at most n in any window", Lune's rule, with no margin for the network.
type perfectPacer struct {
	n      int
	window time.Duration
	now    func() time.Time
	mu     sync.Mutex
	sent   []time.Time // the last n sends, oldest first
}

func newPerfectPacer(n int, window time.Duration, now func() time.Time) *perfectPacer {
	return &perfectPacer{n: n, window: window, now: now}
}

// wait waits for the next send time; false when ctx ended first.
func (p *perfectPacer) wait(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(time.Until(p.reserve())):
		return true
	}
}

// reserve takes the earliest send time the rule allows after those already taken.
func (p *perfectPacer) reserve() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	at := p.now()
	if len(p.sent) == p.n {
		if earliest := p.sent[0].Add(p.window); earliest.After(at) {
			at = earliest
		}
		p.sent = p.sent[1:]
	}
	p.sent = append(p.sent, at)
	return at
}

// flights measures, for each kind of write, when the first began and the last ended, how long one
// took on average, and how many were in flight on average while any was: a list sent to confirm
// two-request writes can confirm only those waiting when it is sent.
type flights struct {
	// now is the clock (nil: time.Now).
	now   func() time.Time
	mu    sync.Mutex
	kinds map[string]*flight
}

func (f *flights) clock() time.Time {
	if f.now == nil {
		return time.Now()
	}
	return f.now()
}

type flight struct {
	ops, inFlight, requests int
	since, first, last      time.Time
	// opTime is the sum of the writes' durations, busy the time at least one was in flight.
	opTime, busy time.Duration
}

// enter counts a write of the kind key in flight from now. The clock is read under the lock, so that
// the times a kind sees never go back.
func (f *flights) enter(key string, requests int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock()
	if f.kinds == nil {
		f.kinds = map[string]*flight{}
	}
	k := f.kinds[key]
	if k == nil {
		k = &flight{requests: requests, first: now}
		f.kinds[key] = k
	}
	k.advance(now)
	k.ops++
	k.inFlight++
}

// leave ends a write of the kind key now.
func (f *flights) leave(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock()
	k := f.kinds[key]
	k.advance(now)
	k.inFlight--
	k.last = now
}

func (k *flight) advance(now time.Time) {
	if k.inFlight > 0 {
		d := now.Sub(k.since)
		k.opTime += time.Duration(k.inFlight) * d
		k.busy += d
	}
	k.since = now
}

// report is every kind's figures.
func (f *flights) report() map[string]benchstats.Flight {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]benchstats.Flight{}
	for key, k := range f.kinds {
		mean := 0.0
		if k.busy > 0 {
			mean = k.opTime.Seconds() / k.busy.Seconds()
		}
		out[key] = benchstats.Flight{
			Ops: k.ops, Requests: k.requests, MeanInFlight: mean, MeanSeconds: k.opTime.Seconds() / float64(k.ops),
			FirstUnixNano: k.first.UnixNano(), LastUnixNano: k.last.UnixNano(),
		}
	}
	return out
}

// computedString is a value of the length the sandbox, which the bench runs the provider against,
// gives the string attribute at: Terraform's cost per resource (serializing the state, after every
// resource on local state) grows with the state's size, so the ideal provider's state must be as
// large as the real one's, no smaller and no larger.
func (r *idealResource) computedString(at *tftypes.AttributePath) string {
	name := ""
	if step, ok := at.LastStep().(tftypes.AttributeName); ok {
		name = string(step)
	}
	n := r.p.ids.Add(1)
	hex := func(length int) string { return fmt.Sprintf("%0*x", length, n) }
	switch {
	case strings.HasSuffix(name, "_at"):
		return time.Unix(1_700_000_000+n, 0).UTC().Format(time.RFC3339) // a timestamp, to the second
	case name == "secret_last4", name == "account_type":
		return hex(4) // "test" or "live"
	case name == "secret":
		return "whsec_" + hex(32) // Lune's whsec_ and 32 characters
	case name == "merchant_id", name == "created_by_app":
		return hex(16) // "sandbox-merchant", "webhooks-sandbox"
	case name == "company_id", name == "shop_id", name == "id" && r.typeName == "webhooks_partner_webhook":
		return hex(24) // BLAZE's object ids
	default:
		return hex(32) // Lune's and Inveterate's ids, Inveterate's tokens
	}
}
