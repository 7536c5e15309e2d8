package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestCheckBaseURL(t *testing.T) {
	cases := []struct {
		in      string
		wantErr string
	}{
		{"https://api.lune.co", ""},
		{"https://api.example.com/prefix", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://127.5.6.7", ""},
		{"http://localhost:9000", ""},
		{"http://LOCALHOST", ""},
		{"http://[::1]:8080", ""},
		{"http://api.lune.co", "not loopback"},
		{"http://10.0.0.1", "not loopback"},
		{"http://localhost.evil.com", "not loopback"},
		{"ftp://127.0.0.1", "not an absolute http(s) URL"},
		{"api.lune.co", "not an absolute http(s) URL"},
		{"", "not an absolute http(s) URL"},
		{"https://user:pass@api.lune.co", "credentials"},
		{"https://api.lune.co?x=1", "query"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			// allow_insecure_http lifts the loopback rule, and only it.
			insecure := CheckBaseURL(tc.in, true)
			if loopbackRule := tc.wantErr == "not loopback"; (insecure == nil) != (tc.wantErr == "" || loopbackRule) {
				t.Errorf("CheckBaseURL(%q, allowInsecureHTTP) = %v", tc.in, insecure)
			}
			err := CheckBaseURL(tc.in, false)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckBaseURL(%q) = %v, want nil", tc.in, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("CheckBaseURL(%q) = %v, want an error containing %q", tc.in, err, tc.wantErr)
			}
		})
	}
}

func TestBaseURLValidator(t *testing.T) {
	cases := map[string]struct {
		value   types.String
		wantErr bool
	}{
		"null":     {types.StringNull(), false},
		"unknown":  {types.StringUnknown(), false},
		"https":    {types.StringValue("https://api.lune.co"), false},
		"http-lan": {types.StringValue("http://192.168.1.1"), false}, // the provider's ValidateConfig decides, with allow_insecure_http
		"ftp":      {types.StringValue("ftp://192.168.1.1"), true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp := &validator.StringResponse{}
			BaseURL().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("lune").AtName("base_url"), ConfigValue: tc.value}, resp)
			if got := resp.Diagnostics.HasError(); got != tc.wantErr {
				t.Fatalf("error = %v, want %v: %v", got, tc.wantErr, resp.Diagnostics)
			}
			if tc.wantErr && !strings.Contains(resp.Diagnostics[0].Detail(), "lune.base_url") {
				t.Fatalf("detail %q does not name the attribute", resp.Diagnostics[0].Detail())
			}
		})
	}
}

func TestCheckPositiveDuration(t *testing.T) {
	for in, want := range map[string]string{"30s": "", "2m": "", "0s": "greater than zero", "-1s": "greater than zero", "soon": "not a duration", "30": "not a duration"} {
		_, err := CheckPositiveDuration(in)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckPositiveDuration(%q) = %v, want %q", in, err, want)
		}
	}
	resp := &validator.StringResponse{}
	PositiveDuration().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("request_timeout"), ConfigValue: types.StringValue("fast")}, resp)
	if !resp.Diagnostics.HasError() {
		t.Fatal("PositiveDuration accepted \"fast\"")
	}
}

func TestCheckHTTPURL(t *testing.T) {
	for in, ok := range map[string]bool{
		"https://hooks.example.com/x": true,
		"http://10.0.0.1:8080/cb":     true,
		"https://localhost/cb":        true,
		"ftp://hooks.example.com":     false,
		"hooks.example.com/x":         false,
		"/relative":                   false,
		"https://":                    false,
		"https://exa mple.com":        false,
		"":                            false,
	} {
		if err := CheckHTTPURL(in); (err == nil) != ok {
			t.Errorf("CheckHTTPURL(%q) = %v, want ok=%v", in, err, ok)
		}
	}
	resp := &validator.StringResponse{}
	HTTPURL().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("callback_url"), ConfigValue: types.StringValue("nope")}, resp)
	if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics[0].Detail(), "callback_url") {
		t.Fatalf("HTTPURL on %q: %v", "nope", resp.Diagnostics)
	}
}

func TestDescribe(t *testing.T) {
	for want, p := range map[string]path.Path{
		"lune.base_url":                     path.Root("lune").AtName("base_url"),
		"web_hook_urls[2]":                  path.Root("web_hook_urls").AtListIndex(2),
		`secret_rotation_triggers["month"]`: path.Root("secret_rotation_triggers").AtMapKey("month"),
		"an element of web_hook_urls":       path.Root("web_hook_urls").AtSetValue(types.StringValue("mailto:x@example.com")),
		"rules[…].url":                      path.Root("rules").AtSetValue(types.StringValue("x")).AtName("url"),
	} {
		if got := Describe(p); got != want {
			t.Errorf("Describe(%s) = %q, want %q", p, got, want)
		}
	}
}
