package provider

import (
	"context"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The list resources serve `terraform query` (Terraform 1.14+): each lists the existing objects of
// its resource type, with the identity that imports them and, with include_resource, the resource
// object from which `terraform query -generate-config-out` writes their configuration. They share
// the provider's clients through resourceBase, whose Configure has the signature list resources
// use, and make exactly one list call (or one pass over the pages) per query, and no writes.

// listResults pushes one result per item, in the vendor's order, and stops after limit results
// (Terraform's `limit`; 0 means no limit) or when Terraform stops reading.
func listResults[T any](items []T, limit int64, result func(*T) list.ListResult) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		for i := range items {
			if limit > 0 && int64(i) >= limit {
				return
			}
			if !push(result(&items[i])) {
				return
			}
		}
	}
}

// fetchAll makes the one API call of a list that is read whole before anything is pushed, under
// listTimeout. The deadline bounds that call only: the framework reads the stream after List has
// returned, so a context List derives and cancels on return must not reach the iterator. The
// results are pushed from memory under List's own context, which lives while Terraform reads.
func fetchAll[T any](ctx context.Context, call func(context.Context) ([]T, error)) ([]T, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	return call(ctx)
}

// listResult is one listed object: its identity (the vendor's id), a display name a person
// recognizes, and with include_resource the resource object. model makes the resource's model as
// after an import (what the API returns, with secrets and configuration-only arguments null); it
// is called only when the resource object is asked for.
func listResult(ctx context.Context, req list.ListRequest, id, displayName string, model func() (any, diag.Diagnostics)) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = displayName
	result.Diagnostics.Append(setModel(ctx, result.Identity, identityModel{ID: types.StringValue(id)})...)
	if req.IncludeResource {
		m, diags := model()
		result.Diagnostics.Append(diags...)
		result.Diagnostics.Append(setModel(ctx, result.Resource, m)...)
	}
	return result
}

// newListResourceBase is the base of the list resource of typeName.
func newListResourceBase[C any](typeName string, vendor func(*Clients) *Vendor[C]) resourceBase[C] {
	return resourceBase[C]{vendorBase: vendorBase[C]{typeName: typeName, vendor: vendor}}
}

// beginList is the start every List shares: it gets the vendor's client, decodes the list block's
// config into cfg (nil for a list without filters) and makes the null timeouts of the listed
// resources. When any of that fails, the stream carries the error and ok is false.
func beginList[C any](ctx context.Context, r *resourceBase[C], req list.ListRequest, cfg any, stream *list.ListResultsStream) (_ *C, _ timeouts.Value, ok bool) {
	var diags diag.Diagnostics
	c, ok := r.client(false, &diags)
	if !ok && !diags.HasError() {
		// Only when Terraform lists before configuring the provider, which it does not do.
		diags.AddError("Provider Not Configured", "The provider was not configured before listing "+r.typeName+". This is a bug in the provider or in Terraform; please report it.")
	}
	if ok && cfg != nil {
		diags.Append(getModel(ctx, req.Config, cfg)...)
	}
	t, more := nullTimeouts(ctx, req)
	diags.Append(more...)
	if !ok || diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return nil, t, false
	}
	return c, t, true
}

// listAPIError is the one result of a list the vendor did not answer: the API error, with what to
// do about it.
func (r *resourceBase[C]) listAPIError(summary string, err error) list.ListResult {
	var diags diag.Diagnostics
	r.apiError(&diags, summary, err)
	return list.ListResult{Diagnostics: diags}
}

// nullTimeouts is an unset `timeouts` attribute of the resource being listed, as after an import:
// the generated configuration then has no timeouts block.
func nullTimeouts(ctx context.Context, req list.ListRequest) (timeouts.Value, diag.Diagnostics) {
	t, diags := req.ResourceSchema.TypeAtPath(ctx, path.Root("timeouts"))
	if diags.HasError() {
		return timeouts.Value{}, diags
	}
	attrTypes := map[string]attr.Type{}
	if obj, ok := t.(attr.TypeWithAttributeTypes); ok {
		attrTypes = obj.AttributeTypes()
	}
	return timeouts.Value{Object: types.ObjectNull(attrTypes)}, diags
}
