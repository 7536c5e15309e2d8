// Package validators holds this provider's own attribute validators. Each has a plain function
// that does the check, so that values from environment variables get exactly the same rule.
package validators

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckBaseURL enforces the rule for vendor base URLs: https to any host, or http only to a
// loopback host (127.0.0.0/8, ::1, localhost), so that credentials never travel in clear text to
// another machine; with allowInsecureHTTP, http to any host.
func CheckBaseURL(raw string, allowInsecureHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("%q is not an absolute http(s) URL such as https://api.example.com", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q must not carry credentials in the URL; use the key arguments", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not have a query or fragment", raw)
	}
	if !allowInsecureHTTP && IsInsecure(u) {
		return fmt.Errorf("%q uses http to a host that is not loopback: credentials would travel in clear text. Use https, "+
			"or http only to 127.0.0.1, ::1 or localhost; for an emulator on a network you trust (a CI service container), "+
			"set allow_insecure_http = true (or WEBHOOKS_ALLOW_INSECURE_HTTP=true)", raw)
	}
	return nil
}

// IsInsecure reports whether u sends requests in clear text to another machine: http to a host
// that is not loopback.
func IsInsecure(u *url.URL) bool {
	return u.Scheme == "http" && !IsLoopback(u.Hostname())
}

// IsLoopback reports whether host is localhost or a loopback IP address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL validates the shape of a vendor base URL with CheckBaseURL. Whether http may go to a
// host that is not loopback depends on another argument (allow_insecure_http): the provider's
// ValidateConfig checks that.
func BaseURL() validator.String { return baseURLValidator{} }

type baseURLValidator struct{}

func (baseURLValidator) Description(context.Context) string {
	return "must be an https:// URL, or http:// to a loopback host (127.0.0.0/8, ::1, localhost)"
}

// BaseURLRule is the rule of BaseURL, as the documentation states it.
const BaseURLRule = "`https://`, or `http://` to a loopback host (`127.0.0.0/8`, `::1`, `localhost`) only"

func (baseURLValidator) MarkdownDescription(context.Context) string { return BaseURLRule }

func (baseURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := CheckBaseURL(req.ConfigValue.ValueString(), true); err != nil {
		SettingError(&resp.Diagnostics, req.Path, "", err)
	}
}
