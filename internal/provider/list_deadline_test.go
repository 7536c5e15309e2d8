package provider

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// deadlineRecorder is a transport that records, per request path, whether the request's context
// had a deadline, and how far off it was.
type deadlineRecorder struct {
	mu   sync.Mutex
	seen map[string][]time.Duration // -1: no deadline
}

func (d *deadlineRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	left := time.Duration(-1)
	if deadline, ok := req.Context().Deadline(); ok {
		left = time.Until(deadline)
	}
	d.mu.Lock()
	d.seen[req.URL.Path] = append(d.seen[req.URL.Path], left)
	d.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// TestAccDataSources_readWithADeadline reads the four data sources and checks that every list
// request they make has a deadline no later than listTimeout: a server that never finishes
// answering cannot hold a plan forever.
func TestAccDataSources_readWithADeadline(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{})
	e.sandbox()
	rec := &deadlineRecorder{seen: map[string][]time.Duration{}}
	// One attempt may take an hour: any deadline the test sees under listTimeout is the read's.
	env := map[string]string{envRequestTimeout: "1h"}
	p := testProvider("acctest", func(k string) string { return env[k] }, func(o *Options) {
		fastRetries(o)
		o.Connection.Transport = rec
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){"webhooks": providerserver.NewProtocol6WithError(p)},
		Steps: []resource.TestStep{{Config: e.config(`
data "webhooks_webhooks" "all" {}
data "webhooks_inveterate_webhook_subscriptions" "all" {}
data "webhooks_inveterate_webhooks" "all" {}
data "webhooks_partner_webhooks" "all" {}
`)}},
	})
	for _, path := range []string{"/v1/webhooks", "/v2.0/admin/webhook-subscriptions", "/v2.0/admin/webhooks", "/api/v1/partner/webHooks"} {
		lefts := rec.seen[path]
		if len(lefts) == 0 {
			t.Errorf("%s was not listed", path)
		}
		for _, left := range lefts {
			if left < 0 || left > listTimeout {
				t.Errorf("%s was listed with %v left before its deadline (-1: none), want at most %v", path, left, listTimeout)
			}
		}
	}
}
