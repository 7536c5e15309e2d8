package validators

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// The framework's validators describe their rules in their own words ("set must contain at least 1
// elements"). StringRule, SetRule and ListRule keep what they check and describe the rule as the attribute's
// documentation states it, so that a test can hold every description to the rules it documents.

// StringRule validates a string with every one of vs, and describes the rule as markdown.
func StringRule(markdown string, vs ...validator.String) validator.String {
	return stringRule{rule(markdown), vs}
}

// SetRule validates a set with every one of vs, and describes the rule as markdown.
func SetRule(markdown string, vs ...validator.Set) validator.Set {
	return setRule{rule(markdown), vs}
}

// ListRule validates a list with every one of vs, and describes the rule as markdown.
func ListRule(markdown string, vs ...validator.List) validator.List {
	return listRule{rule(markdown), vs}
}

type rule string

func (r rule) Description(context.Context) string         { return strings.ReplaceAll(string(r), "`", "") }
func (r rule) MarkdownDescription(context.Context) string { return string(r) }

type stringRule struct {
	rule
	vs []validator.String
}

func (r stringRule) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	for _, v := range r.vs {
		v.ValidateString(ctx, req, resp)
	}
}

type setRule struct {
	rule
	vs []validator.Set
}

func (r setRule) ValidateSet(ctx context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	for _, v := range r.vs {
		v.ValidateSet(ctx, req, resp)
	}
}

type listRule struct {
	rule
	vs []validator.List
}

func (r listRule) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	for _, v := range r.vs {
		v.ValidateList(ctx, req, resp)
	}
}
