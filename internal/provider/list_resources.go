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

// listResult is one listed object: its identity (the vendor's id), a display name a person
// recognizes, and with include_resource the resource object. model is the resource's model as
// after an import: what the API returns, with secrets and configuration-only arguments null.
func listResult(ctx context.Context, req list.ListRequest, id, displayName string, model any) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = displayName
	result.Diagnostics.Append(result.Identity.Set(ctx, identityModel{ID: types.StringValue(id)})...)
	if req.IncludeResource {
		result.Diagnostics.Append(result.Resource.Set(ctx, model)...)
	}
	return result
}

// beginList is the start every List shares: it gets the vendor's client for typeName (client is
// one of base's lune, inveterate, blaze), decodes the list block's config into cfg (nil for a list
// without filters) and makes the null timeouts of the listed resources. When any of that fails, the
// stream carries the error and ok is false.
func beginList[C any](ctx context.Context, client func(string, bool, *diag.Diagnostics) (*C, bool), typeName string,
	req list.ListRequest, cfg any, stream *list.ListResultsStream) (_ *C, _ timeouts.Value, ok bool) {
	var diags diag.Diagnostics
	c, ok := client(typeName, false, &diags)
	if ok && cfg != nil {
		diags.Append(req.Config.Get(ctx, cfg)...)
	}
	t, more := nullTimeouts(ctx, req)
	diags.Append(more...)
	if !ok || diags.HasError() {
		stream.Results = listFailed(diags)
		return nil, t, false
	}
	return c, t, true
}

// listFailed is the stream of a list that could not be taken: one result carrying the error.
func listFailed(diags diag.Diagnostics) iter.Seq[list.ListResult] {
	return list.ListResultsStreamDiagnostics(diags)
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
