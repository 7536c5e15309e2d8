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

	var r resourceBase
	resp := &resource.ConfigureResponse{}
	r.Configure(context.Background(), resource.ConfigureRequest{ProviderData: clients}, resp)
	if resp.Diagnostics.HasError() || r.clients != clients {
		t.Fatalf("resource Configure did not keep the clients: %v", resp.Diagnostics)
	}

	var d dataSourceBase
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
	v := &Vendor[struct{}]{Name: "Lune", Credentials: []argument{arg("lune", "api_key", envLuneAPIKey)}}
	apiErr := func(kind error, status int, msg string) error {
		return &httpclient.APIError{Kind: kind, Vendor: "Lune", Method: "POST", Path: "/v1/webhooks", StatusCode: status, Message: msg}
	}
	cases := []struct {
		err  error
		want []string
	}{
		{apiErr(httpclient.ErrUnauthorized, 401, "Invalid API key"), []string{"POST /v1/webhooks", "HTTP 401", "Invalid API key", "lune.api_key (or LUNE_API_KEY)"}},
		{apiErr(httpclient.ErrValidation, 400, "url is invalid"), []string{"url is invalid", "changed nothing"}},
		{apiErr(httpclient.ErrRateLimited, 429, ""), []string{"HTTP 429", "max_retries"}},
		{apiErr(httpclient.ErrOutcomeUnknown, 0, ""), []string{"may or may not have been applied"}},
		{apiErr(httpclient.ErrServer, 503, ""), []string{"HTTP 503", "failed on its side"}},
		{fmt.Errorf("reading the webhook before updating it: %w", apiErr(httpclient.ErrServer, 500, "")), []string{"reading the webhook", "HTTP 500"}},
	}
	for _, tc := range cases {
		var d diag.Diagnostics
		addAPIError(&d, v, "Unable to Create Lune Webhook", tc.err)
		if !d.HasError() || d[0].Summary() != "Unable to Create Lune Webhook" {
			t.Fatalf("diagnostics %v", d)
		}
		detail := d[0].Detail()
		for _, w := range tc.want {
			if !strings.Contains(detail, w) {
				t.Errorf("detail for %v does not contain %q:\n%s", tc.err, w, detail)
			}
		}
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
