package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

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
		{"outcome unknown", plain, apiErr(httpclient.ErrOutcomeUnknown, 0, ""), summary, []string{"may or may not have been applied"}, nil},
		{"server", plain, apiErr(httpclient.ErrServer, 503, ""), summary, []string{"HTTP 503", "failed on its side"}, nil},
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
			for _, w := range tc.want {
				if !strings.Contains(detail, w) {
					t.Errorf("detail does not contain %q:\n%s", w, detail)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(detail, w) {
					t.Errorf("detail contains %q:\n%s", w, detail)
				}
			}
		})
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
