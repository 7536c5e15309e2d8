package provider

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// Acceptance tests run against an in-process sandbox on loopback, one per test. With
// WEBHOOKS_ACC_LIVE=1 they run against the real APIs instead, with the credentials in the
// environment (LUNE_API_KEY, INVETERATE_API_KEY, BLAZE_PARTNER_KEY, BLAZE_DEVELOPER_KEY, and the
// *_BASE_URL variables; see the README), and check every outcome through the vendors' APIs; only
// the tests that need the sandbox's knobs are skipped then.
const envAccLive = "WEBHOOKS_ACC_LIVE"

func accLive() bool { return os.Getenv(envAccLive) == "1" }

// accEnv is the world one acceptance test runs against.
type accEnv struct {
	t *testing.T
	// srv is the sandbox; nil when running live.
	srv *sandbox.Server
}

// newAccEnv starts a sandbox with cfg (or, live, checks that vendor's credentials are there).
func newAccEnv(t *testing.T, cfg sandbox.Config, vendors ...string) *accEnv {
	t.Helper()
	if !accLive() {
		return &accEnv{t: t, srv: sandbox.NewServer(t, cfg)}
	}
	need := map[string][]string{
		"lune":       {envLuneAPIKey},
		"inveterate": {envInveterateAPIKey},
		"blaze":      {envBlazePartnerKey, envBlazeDeveloperKey},
	}
	for _, v := range vendors {
		for _, env := range need[v] {
			if os.Getenv(env) == "" {
				t.Skipf("%s=1 but %s is not set", envAccLive, env)
			}
		}
	}
	return &accEnv{t: t}
}

// sandbox returns the sandbox, skipping the test when it runs against the real APIs: only what no
// public API can do needs it.
func (e *accEnv) sandbox() *sandbox.Server {
	e.t.Helper()
	if e.srv == nil {
		e.t.Skip("needs the sandbox (its fault injection, delays, call counts or seeded records); skipped against the real APIs")
	}
	return e.srv
}

// factories serves the provider in-process. Against the sandbox the provider ignores the
// environment (so a developer's real credentials are never used by accident) and retries fast.
func (e *accEnv) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	p := testProvider("acctest", os.Getenv)
	if e.srv != nil {
		p.opts.Getenv = func(string) string { return "" }
		fastRetries(&p.opts)
		if e.srv.CertPool() != nil {
			// A sandbox serving TLS with HTTP/2, as production does: trust its certificate.
			p.opts.Connection.Transport = e.srv.Client().Transport
		}
	}
	return map[string]func() (tfprotov6.ProviderServer, error){
		"webhooks": providerserver.NewProtocol6WithError(p),
	}
}

// fastRetries shortens the waits between retries and polls, which the sandbox does not need.
func fastRetries(o *Options) {
	o.Connection.RetryWaitMin, o.Connection.RetryWaitMax = 5*time.Millisecond, 50*time.Millisecond
	o.InveteratePollInterval = 50 * time.Millisecond
	o.InveterateVisibilityWait = 10 * time.Second
}

// testProvider is the provider with getenv as its environment and each of tune applied to its
// options.
func testProvider(version string, getenv func(string) string, tune ...func(*Options)) *WebhooksProvider {
	p := &WebhooksProvider{version: version, opts: Options{Getenv: getenv}}
	for _, t := range tune {
		if t != nil {
			t(&p.opts)
		}
	}
	return p
}

// sandboxEnv is the environment a user of the sandbox would export: its base URLs and keys.
func (e *accEnv) sandboxEnv() map[string]string {
	c := e.srv.Config()
	return map[string]string{
		envLuneAPIKey: c.Lune.Keys[0], envLuneBaseURL: e.srv.URL,
		envInveterateAPIKey: c.Inveterate.Keys[0], envInveterateBaseURL: e.srv.URL,
		envBlazePartnerKey: c.Blaze.PartnerKeys[0], envBlazeDeveloperKey: e.developerKey(), envBlazeBaseURL: e.srv.URL,
	}
}

// factoriesFromEnv is factories, with the credentials coming from (a stand-in for) the
// environment, as in most real configurations: the provider block can then be empty. Live, that is
// the process environment.
func (e *accEnv) factoriesFromEnv() map[string]func() (tfprotov6.ProviderServer, error) {
	f := e.factories()
	if e.srv == nil {
		return f
	}
	env := e.sandboxEnv()
	p := testProvider("acctest", func(k string) string { return env[k] }, fastRetries)
	f["webhooks"] = providerserver.NewProtocol6WithError(p)
	return f
}

// factoriesWithoutCredentials serves a provider that sees an empty environment wherever the test
// runs: a test whose premise is "no credentials" builds that world itself instead of depending on
// the process environment, which holds credentials in a live run.
func (e *accEnv) factoriesWithoutCredentials() map[string]func() (tfprotov6.ProviderServer, error) {
	p := testProvider("acctest", func(string) string { return "" }, fastRetries)
	return map[string]func() (tfprotov6.ProviderServer, error){"webhooks": providerserver.NewProtocol6WithError(p)}
}

// noWrites fails the test if the sandbox saw a write call. Live there is no counter: a test that
// uses it proves there that the expected error came before anything was written.
func (e *accEnv) noWrites(why string) {
	e.t.Helper()
	if e.srv != nil {
		if n := e.srv.Writes(); n != 0 {
			e.t.Fatalf("%d write calls %s", n, why)
		}
	}
}

// developerKey is the sandbox's first BLAZE developer key, in a stable order.
func (e *accEnv) developerKey() string {
	var key string
	for k := range e.srv.Config().Blaze.DeveloperKeys {
		if key == "" || k < key {
			key = k
		}
	}
	return key
}

// config prefixes the test's HCL with the provider block for the sandbox (or an empty one, live).
func (e *accEnv) config(body string) string {
	if e.srv == nil {
		return "provider \"webhooks\" {}\n\n" + body
	}
	c := e.srv.Config()
	return fmt.Sprintf(`provider "webhooks" {
  lune = {
    api_key  = %[1]q
    base_url = %[2]q
  }
  inveterate = {
    api_key  = %[3]q
    base_url = %[2]q
  }
  blaze = {
    partner_key   = %[4]q
    developer_key = %[5]q
    base_url      = %[2]q
  }
}

`, c.Lune.Keys[0], e.srv.URL, c.Inveterate.Keys[0], c.Blaze.PartnerKeys[0], e.developerKey()) + body
}

// errorText matches an error whose text contains each fragment in order, however Terraform wraps
// its lines.
func errorText(fragments ...string) *regexp.Regexp {
	parts := make([]string, len(fragments))
	for i, f := range fragments {
		words := strings.Fields(f)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// resourceCount checks how many resources of typeName the state holds.
func resourceCount(typeName string, want int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		n := 0
		for _, rs := range s.RootModule().Resources {
			if rs.Type == typeName {
				n++
			}
		}
		if n != want {
			return fmt.Errorf("%d %s in state, want %d", n, typeName, want)
		}
		return nil
	}
}
