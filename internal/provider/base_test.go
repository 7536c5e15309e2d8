package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

func TestBaseConfigure(t *testing.T) {
	clients := &Clients{}

	var r resourceBase[struct{}]
	resp := &resource.ConfigureResponse{}
	r.Configure(context.Background(), resource.ConfigureRequest{ProviderData: clients}, resp)
	if resp.Diagnostics.HasError() || r.clients != clients {
		t.Fatalf("resource Configure did not keep the clients: %v", resp.Diagnostics)
	}

	var d dataSourceBase[struct{}]
	dresp := &datasource.ConfigureResponse{}
	d.Configure(context.Background(), datasource.ConfigureRequest{}, dresp)
	if dresp.Diagnostics.HasError() || d.clients != nil {
		t.Fatalf("Configure before the provider is configured must be a no-op: %v", dresp.Diagnostics)
	}
	d.Configure(context.Background(), datasource.ConfigureRequest{ProviderData: "not clients"}, dresp)
	if !dresp.Diagnostics.HasError() || dresp.Diagnostics[0].Summary() != "Unexpected Provider Data" {
		t.Fatalf("wrong provider data type: %v", dresp.Diagnostics)
	}
}

func TestAPIErrorDiagnostics(t *testing.T) {
	account := arg("lune", "account_id", envLuneAccountID)
	plain := &Vendor[struct{}]{Name: "Lune", Credentials: []argument{arg("lune", "api_key", envLuneAPIKey)}, Pace: arg("lune", "requests_per_second", envLunePace)}
	withAccount := *plain
	withAccount.Account = &account
	apiErr := func(kind error, status int, msg string) *httpclient.APIError {
		return &httpclient.APIError{Kind: kind, Vendor: "Lune", Method: "POST", Path: "/v1/webhooks", StatusCode: status, Message: msg}
	}
	timedOut := apiErr(httpclient.ErrServer, 0, "")
	timedOut.Cause = fmt.Errorf("attempt: %w", context.DeadlineExceeded)
	lost := apiErr(httpclient.ErrOutcomeUnknown, 0, "")
	lost.Cause = context.DeadlineExceeded
	interrupted := apiErr(httpclient.ErrInterrupted, 0, "stopped before it was sent: nothing was sent")
	interrupted.Cause = context.Canceled
	withBase := *plain
	withBase.Base, withBase.BaseDefault = arg("lune", "base_url", envLuneBaseURL), "https://api.lune.co"
	wrongBase := apiErr(httpclient.ErrWrongBaseURL, 404, `404 page not found (the API always has this endpoint, so "not found" means the base URL (http://127.0.0.1:1/api) is wrong`)
	unreached := apiErr(httpclient.ErrServer, 0, "")
	unreached.Cause, unreached.Attempts = &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, 6
	webPage := apiErr(httpclient.ErrServer, 200, "")
	webPage.Cause, webPage.Attempts = errors.New("unreadable answer: invalid character '<'"), 1
	unusable := apiErr(httpclient.ErrServer, 0, "")
	unusable.Cause = errors.New("record 3 of the list: no id")
	const summary = "Unable to Create Lune Webhook"
	cases := []struct {
		name    string
		v       *Vendor[struct{}]
		err     error
		summary string
		want    []string
		notWant []string
	}{
		{"unauthorized", plain, apiErr(httpclient.ErrUnauthorized, 401, "Invalid API key"), summary,
			[]string{"POST /v1/webhooks", "HTTP 401", "Invalid API key", "lune.api_key (or LUNE_API_KEY)"}, []string{"account_id"}},
		{"forbidden, no account", plain, apiErr(httpclient.ErrUnauthorized, 403, "Forbidden"), summary,
			[]string{"HTTP 403", "lune.api_key (or LUNE_API_KEY)"}, []string{"account_id"}},
		{"forbidden on another account", &withAccount, apiErr(httpclient.ErrUnauthorized, 403, "Forbidden"), summary,
			[]string{"HTTP 403", "lune.api_key (or LUNE_API_KEY)", "lune.account_id (or LUNE_ACCOUNT_ID)"}, nil},
		{"validation", plain, apiErr(httpclient.ErrValidation, 400, "url is invalid"), summary, []string{"url is invalid", "changed nothing"}, nil},
		{"rate limited", plain, apiErr(httpclient.ErrRateLimited, 429, ""), summary + " (Rate Limited)",
			[]string{"HTTP 429", "lune.requests_per_second (or LUNE_REQUESTS_PER_SECOND)", "-parallelism", "max_retries"}, []string{"Unable to Reach"}},
		{"timeout", plain, timedOut, summary, []string{"did not answer in time", "request_timeout (or WEBHOOKS_REQUEST_TIMEOUT", "default 30s", "timeouts"}, []string{"failed on its side"}},
		{"timeout of unknown outcome", plain, lost, summary, []string{"request_timeout", "may or may not have been applied"}, nil},
		{"outcome unknown", plain, apiErr(httpclient.ErrOutcomeUnknown, 0, ""), summary, []string{"may or may not have been applied"},
			[]string{"terraform plan"}},
		{"interrupted", plain, interrupted, summary, []string{"Terraform was interrupted", "not sent", "Run Terraform again"},
			[]string{"failed on its side", "try again later", "timeout"}},
		{"redirect", &withBase, apiErr(httpclient.ErrRedirect, 307, "the server answered with a redirect to http://elsewhere/"), summary,
			[]string{"HTTP 307", "http://elsewhere/", "never follows a redirect", "lune.base_url (or LUNE_BASE_URL)"}, []string{"try again later"}},
		{"server", &withBase, apiErr(httpclient.ErrServer, 503, ""), summary, []string{"HTTP 503", "failed on its side", "Run Terraform again later"}, []string{"base_url"}},
		{"wrong base URL", &withBase, wrongBase, summary,
			[]string{"HTTP 404", "http://127.0.0.1:1/api) is wrong", "lune.base_url (or LUNE_BASE_URL)", "such as https://api.lune.co"},
			[]string{"try again later", "again later", "failed on its side"}},
		{"not reached", &withBase, unreached, summary,
			[]string{"connection reset", "[after 6 attempts]", "could not be reached", "lune.base_url (or LUNE_BASE_URL)", "such as https://api.lune.co"},
			[]string{"try again later", "again later", "failed on its side"}},
		{"a web page where the API belongs", &withBase, webPage, summary,
			[]string{"HTTP 200", "not Lune's", "lune.base_url (or LUNE_BASE_URL)", "web page"}, []string{"again later", "could not be reached"}},
		{"an answer the client cannot use", &withBase, unusable, summary,
			[]string{"no id", "failed on its side"}, []string{"could not be reached", "base_url"}},
		{"wrapped", plain, fmt.Errorf("reading the webhook before updating it: %w", apiErr(httpclient.ErrServer, 500, "")), summary, []string{"reading the webhook", "HTTP 500"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d diag.Diagnostics
			addAPIError(&d, tc.v, summary, tc.err)
			if !d.HasError() || d[0].Summary() != tc.summary {
				t.Fatalf("diagnostics %v, want the summary %q", d, tc.summary)
			}
			detail := d[0].Detail()
			assertMentions(t, "detail", detail, tc.want, tc.notWant)
		})
	}
}

// assertMentions checks that text (what) says every one of want and none of notWant.
func assertMentions(t *testing.T, what, text string, want, notWant []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, text)
		}
	}
	for _, w := range notWant {
		if strings.Contains(text, w) {
			t.Errorf("%s contains %q:\n%s", what, w, text)
		}
	}
}

// A create whose answer was lost and whose lookup failed: a plan cannot see an object that is not in
// state, so the message says what was sent, where to find it and how to import it, never "run
// terraform plan" (following that advice once created a second webhook).
func TestCreateErrorDiagnostics_unsettled(t *testing.T) {
	v := &Vendor[struct{}]{Name: "Lune"}
	lost := &httpclient.UnsettledError{
		Create: &httpclient.APIError{Kind: httpclient.ErrOutcomeUnknown, Vendor: "Lune", Method: "POST", Path: "/v1/webhooks", StatusCode: 524},
		Lookup: &httpclient.APIError{Kind: httpclient.ErrServer, Vendor: "Lune", Method: "GET", Path: "/v1/webhooks", StatusCode: 503},
	}
	sent := hclArguments("url", "https://example.com/hook", "account_ids", []string{"acc_1"}, "name", "")
	if sent != `url = "https://example.com/hook", account_ids = ["acc_1"]` {
		t.Fatalf("hclArguments = %s", sent)
	}
	for _, tc := range []struct {
		name    string
		u       unsettledCreate
		want    []string
		notWant []string
	}{
		{"import", unsettledCreate{what: "webhook", typeName: "webhooks_webhook", dataSource: "webhooks_webhooks", sent: sent},
			[]string{"HTTP 524", "HTTP 503", "may exist at Lune with " + sent, "webhooks_webhooks data source", "terraform query",
				"import {\n    to = webhooks_webhook.<name>\n    id = \"<its id>\"\n  }", "may create a second one"},
			[]string{"terraform plan"}},
		{"delete instead", unsettledCreate{what: "webhook", typeName: "webhooks_inveterate_webhook", dataSource: "webhooks_inveterate_webhooks", sent: sent, deleteInstead: true},
			[]string{"delete it there", "token cannot be read again", "receives every event"}, []string{"import {", "terraform plan"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d diag.Diagnostics
			addCreateError(&d, v, "Unable to Create Lune Webhook", lost, tc.u)
			detail := d[0].Detail()
			assertMentions(t, "detail", detail, tc.want, tc.notWant)
		})
	}
	// An ambiguous lookup already names the candidates: no second piece of advice.
	var d diag.Diagnostics
	addCreateError(&d, v, "Unable to Create Lune Webhook", &httpclient.AmbiguousError{Vendor: "Lune", IDs: []string{"a", "b"}},
		unsettledCreate{what: "webhook", typeName: "webhooks_webhook", dataSource: "webhooks_webhooks", sent: sent})
	if strings.Contains(d[0].Detail(), "may exist at Lune") || !strings.Contains(d[0].Detail(), "Import the right one") {
		t.Errorf("ambiguous detail:\n%s", d[0].Detail())
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Minute:                "5m",
		90 * time.Minute:               "1h30m",
		time.Hour:                      "1h",
		45 * time.Second:               "45s",
		2*time.Minute + 30*time.Second: "2m30s",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestBeginPlanDecodesOnlyAChange: beginPlan hands a ModifyPlan the state and plan of a resource
// whose plan changes something, and nothing else: not a create or a destroy, and not a plan equal
// to the state (most of a large no-change plan), which it leaves without decoding.
func TestBeginPlanDecodesOnlyAChange(t *testing.T) {
	ctx := context.Background()
	r := newResourceBase(partnerWebhookTypeName,
		func(*Clients) *Vendor[struct{}] { return &Vendor[struct{}]{Name: "BLAZE", Client: &struct{}{}} },
		func(*Clients) accessList { return nil }, operationTimeouts{})
	r.clients = &Clients{}
	var schemaResp resource.SchemaResponse
	NewPartnerWebhookResource().Schema(ctx, resource.SchemaRequest{}, &schemaResp)
	s := schemaResp.Schema
	raw := func(url string) tftypes.Value {
		t.Helper()
		st := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
		var m partnerWebhookModel
		m.ID, m.URL, m.WebHookType = types.StringValue("h1"), types.StringValue(url), types.StringValue("order.created")
		m.WebHookURLs = types.SetNull(types.StringType)
		m.Timeouts.Object = types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})
		if diags := st.Set(ctx, &m); diags.HasError() {
			t.Fatal(diags)
		}
		return st.Raw
	}
	null := tftypes.NewValue(s.Type().TerraformType(ctx), nil)
	for _, c := range []struct {
		name        string
		state, plan tftypes.Value
		want        bool
	}{
		{"no change", raw("https://a.example"), raw("https://a.example"), false},
		{"a change", raw("https://a.example"), raw("https://b.example"), true},
		{"a create", null, raw("https://a.example"), false},
		{"a destroy", raw("https://a.example"), null, false},
	} {
		req := resource.ModifyPlanRequest{State: tfsdk.State{Schema: s, Raw: c.state}, Plan: tfsdk.Plan{Schema: s, Raw: c.plan}}
		resp := &resource.ModifyPlanResponse{Plan: req.Plan}
		var state, plan partnerWebhookModel
		got := r.beginPlan(ctx, req, resp, &state, &plan)
		if resp.Diagnostics.HasError() || got != c.want {
			t.Errorf("%s: beginPlan %v (%v), want %v", c.name, got, resp.Diagnostics, c.want)
		}
		decoded := !state.URL.IsNull() || !plan.URL.IsNull()
		if decoded != c.want || (c.want && (state.URL.ValueString() != "https://a.example" || plan.URL.ValueString() != "https://b.example")) {
			t.Errorf("%s: state %v and plan %v decoded; want them decoded only for a change", c.name, state.URL, plan.URL)
		}
	}
}
