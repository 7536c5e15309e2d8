package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
)

// base is embedded by every resource and data source: it receives the provider's clients once,
// in one place.
type base struct {
	clients *Clients
}

func (b *base) configure(providerData any, diags *diag.Diagnostics) {
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

// resourceBase gives a resource its Configure.
type resourceBase struct{ base }

// Configure stores the provider's clients.
func (r *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req.ProviderData, &resp.Diagnostics)
}

// dataSourceBase gives a data source its Configure.
type dataSourceBase struct{ base }

// Configure stores the provider's clients.
func (d *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.configure(req.ProviderData, &resp.Diagnostics)
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

// lune returns the Lune client for typeName, or adds the error that says what to configure. See
// require for planning.
func (b *base) lune(typeName string, planning bool, diags *diag.Diagnostics) (*lune.Client, bool) {
	if b.clients == nil {
		return nil, false
	}
	return require(&b.clients.Lune, typeName, planning, diags)
}

// inveterate returns the Inveterate client for typeName, like lune.
func (b *base) inveterate(typeName string, planning bool, diags *diag.Diagnostics) (*inveterate.Client, bool) {
	if b.clients == nil {
		return nil, false
	}
	return require(&b.clients.Inveterate, typeName, planning, diags)
}

// blaze returns the BLAZE client for typeName, like lune.
func (b *base) blaze(typeName string, planning bool, diags *diag.Diagnostics) (*blaze.Client, bool) {
	if b.clients == nil {
		return nil, false
	}
	return require(&b.clients.Blaze, typeName, planning, diags)
}

// verifyAccess is called by ModifyPlan for a resource about to be created: it asks the vendor for
// the list the operation's reads share anyway, so that wrong credentials or an unreachable API
// fail the plan, before anything is written, rather than the apply halfway through. Once a list
// has been taken in the operation, access is proven and nothing more is asked: it costs at most
// one call per vendor per plan.
func verifyAccess[C, T any](ctx context.Context, v *Vendor[C], list *listCache[T], diags *diag.Diagnostics) {
	if list == nil || list.succeeded.Load() {
		return
	}
	_, err := list.get(ctx)
	switch {
	case err == nil:
	case errors.Is(err, httpclient.ErrUnauthorized):
		addAPIError(diags, v, fmt.Sprintf("%s Rejected the Credentials", v.Name), err)
	case errors.Is(err, httpclient.ErrRateLimited):
		addAPIError(diags, v, fmt.Sprintf("%s Rate Limited the Provider", v.Name), err)
	case errors.Is(err, httpclient.ErrConnection):
		addAPIError(diags, v, fmt.Sprintf("Unable to Connect to the %s API", v.Name), err)
	default:
		addAPIError(diags, v, fmt.Sprintf("Unable to Reach the %s API", v.Name), err)
	}
}

// isCreate reports whether a plan creates the resource.
func isCreate(req resource.ModifyPlanRequest) bool {
	return req.State.Raw.IsNull() && !req.Plan.Raw.IsNull()
}
