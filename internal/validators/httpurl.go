package validators

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckHTTPURL accepts an absolute http:// or https:// URL with a host (the shape of a webhook
// callback URL).
func CheckHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(raw, " \t\n") {
		return fmt.Errorf("%q is not an absolute http(s) URL such as https://hooks.example.com/path", raw)
	}
	return nil
}

// HTTPURL validates a string attribute with CheckHTTPURL.
func HTTPURL() validator.String { return httpURLValidator{} }

type httpURLValidator struct{}

func (httpURLValidator) Description(context.Context) string {
	return "must be an absolute http:// or https:// URL"
}

func (httpURLValidator) MarkdownDescription(context.Context) string {
	return "an absolute `http://` or `https://` URL"
}

func (httpURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := CheckHTTPURL(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL", fmt.Sprintf("%s: %s.", Describe(req.Path), err))
	}
}
