package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// TestAccConnection_untrustedCertificateFailsThePlanAtOnce points Lune's base URL at a TLS server
// whose certificate this machine does not trust (httptest's own): the plan of a new webhook fails
// at once, naming the certificate problem, the setting and SSL_CERT_FILE, after one attempt though
// five retries are allowed; no request reaches the server.
func TestAccConnection_untrustedCertificateFailsThePlanAtOnce(t *testing.T) {
	var served atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		_, _ = w.Write([]byte(`[]`))
	}))
	t.Cleanup(srv.Close)
	e := newAccEnv(t, sandbox.Config{})
	config := fmt.Sprintf(`
provider "webhooks" {
  max_retries = 5
  lune = {
    api_key  = "test_key"
    base_url = %q
  }
}

resource "webhooks_webhook" "test" {
  url = "https://hooks.example.com/lune"
}
`, srv.URL)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factoriesWithoutCredentials(),
		Steps: []resource.TestStep{{
			Config:   config,
			PlanOnly: true,
			ExpectError: errorText("Unable to Connect to the Lune API", "the certificate of "+srv.URL+" is not trusted",
				"SSL_CERT_FILE", "No retry can fix this", "lune.base_url (or LUNE_BASE_URL)"),
		}},
	})
	if n := served.Load(); n != 0 {
		t.Errorf("the server served %d requests, want none", n)
	}
}
