package provider

import (
	"errors"
	"net"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// resourceAddress finds the type and name of the first resource block of a configuration.
var resourceAddress = regexp.MustCompile(`resource "(\w+)" "(\w+)"`)

// TestAccInvalidConfigurations is the bad-input table: every argument the provider validates,
// bad import ids, wrong and missing credentials, and a clear-text base URL to a remote host. Each
// fails with a message naming what is wrong, and not one write reaches the vendors.
func TestAccInvalidConfigurations(t *testing.T) {
	const url = "https://hooks.example.com/x"
	lune := func(extra ...string) string { return webhookConfig(url, extra...) }
	sub := func(topic, callback, name string) string { return inveterateSubscriptionConfig(topic, callback, name) }
	admin := func(callback string, extra ...string) string { return inveterateWebhookConfig(callback, extra...) }
	partner := func(typ string, urls []string, extra ...string) string {
		return partnerWebhookConfig(typ, urls, extra...)
	}
	urls := []string{url}

	type row struct {
		// body is the configuration after the provider block; provider edits the provider block
		// (given the sandbox's URL).
		body     string
		provider func(block, sandboxURL string) string
		// importID, when set, makes the row an import of body's resource with this id.
		importID string
		want     []string
	}
	replace := func(old, new string) func(string, string) string {
		return func(s, _ string) string { return strings.Replace(s, old, new, 1) }
	}
	addToProvider := func(line string) func(string, string) string {
		return replace("provider \"webhooks\" {\n", "provider \"webhooks\" {\n  "+line+"\n")
	}
	empty := func(string, string) string { return "provider \"webhooks\" {}\n\n" }
	// baseURL sets the base_url of the nth vendor section of the provider block (1 Lune, 2 Inveterate,
	// 3 BLAZE) to what to makes of the sandbox's URL.
	baseURL := func(nth int, to func(sandboxURL string) string) func(string, string) string {
		return func(s, sandboxURL string) string {
			parts := strings.SplitAfterN(s, "= \""+sandboxURL+"\"", nth+1)
			parts[nth-1] = strings.TrimSuffix(parts[nth-1], sandboxURL+"\"") + to(sandboxURL) + "\""
			return strings.Join(parts, "")
		}
	}
	withPath := func(u string) string { return u + "/api" }
	closed := refusedLoopbackAddr(t)
	nothingListens := func(string) string { return "http://" + closed }

	rows := map[string]row{
		// The provider configuration.
		"lune base_url in clear text to a remote host": {body: lune(), provider: func(s, sandboxURL string) string {
			return strings.Replace(s, "base_url = \""+sandboxURL+"\"", "base_url = \"http://api.lune.co\"", 1)
		}, want: []string{"Invalid Lune Base URL", "lune.base_url", `"http://api.lune.co"`, "not loopback"}},
		"max_retries out of range": {body: lune(), provider: addToProvider("max_retries = 99"),
			want: []string{"Invalid Max Retries", "max_retries", "99 is out of range; must be a whole number from 0 to 20"}},
		"request_timeout of zero": {body: lune(), provider: addToProvider(`request_timeout = "0s"`),
			want: []string{"Invalid Request Timeout", "request_timeout", `"0s" must be greater than zero`}},

		// Base URLs: a wrong path, and a port on this machine where nothing listens, fail at once.
		"lune base_url with a path": {body: lune(), provider: baseURL(1, withPath),
			want: []string{"Wrong Lune Base URL", "HTTP 404", "/api) is wrong", "lune.base_url (or LUNE_BASE_URL)", "such as https://api.lune.co"}},
		"inveterate base_url with a path": {body: sub("customer.updated", url, "n"), provider: baseURL(2, withPath),
			want: []string{"Wrong Inveterate Base URL", "HTTP 404", "/api) is wrong", "inveterate.base_url (or INVETERATE_BASE_URL)", "such as https://public.inveterateapi.com"}},
		"blaze base_url with a path": {body: partner("NEW_MEMBER", urls), provider: baseURL(3, withPath),
			want: []string{"Wrong BLAZE Base URL", "HTTP 404", "/api) is wrong", "blaze.base_url (or BLAZE_BASE_URL)", "such as https://api.partners.blaze.me"}},
		"lune base_url where nothing listens": {body: lune(), provider: baseURL(1, nothingListens),
			want: []string{"Unable to Connect to the Lune API", "nothing listens at " + closed, "waiting cannot help", "lune.base_url (or LUNE_BASE_URL)"}},

		// Credentials.
		"wrong Lune key": {body: lune(), provider: replace(sandbox.DefaultLuneTestKey, "test_wrong"),
			want: []string{"Lune Rejected the Credentials", "HTTP 401", "lune.api_key (or LUNE_API_KEY)"}},
		"wrong Inveterate key": {body: admin(url), provider: replace(sandbox.DefaultInveterateKey, "wrong"),
			want: []string{"Inveterate Rejected the Credentials", "Invalid or missing API key", "inveterate.api_key (or INVETERATE_API_KEY)"}},
		"wrong BLAZE partner key": {body: partner("NEW_MEMBER", urls), provider: replace(sandbox.DefaultBlazePartnerKey, "wrong"),
			want: []string{"BLAZE Rejected the Credentials", "Invalid partner key", "blaze.partner_key (or BLAZE_PARTNER_KEY)"}},
		"wrong BLAZE developer key": {body: partner("NEW_MEMBER", urls), provider: replace(sandbox.DefaultBlazeDeveloperKey, "wrong"),
			want: []string{"BLAZE Rejected the Credentials", "Invalid developer key", "blaze.developer_key (or BLAZE_DEVELOPER_KEY)"}},
		"no Lune credentials": {body: lune(), provider: empty,
			want: []string{"Missing Lune Credentials", "lune.api_key (environment variable LUNE_API_KEY)"}},
		"no Inveterate credentials": {body: sub("customer.updated", url, "n"), provider: empty,
			want: []string{"Missing Inveterate Credentials", "inveterate.api_key (environment variable INVETERATE_API_KEY)"}},
		"no BLAZE credentials": {body: partner("NEW_MEMBER", urls), provider: empty,
			want: []string{"Missing BLAZE Credentials", "blaze.partner_key (environment variable BLAZE_PARTNER_KEY)", "blaze.developer_key (environment variable BLAZE_DEVELOPER_KEY)"}},

		// webhooks_webhook.
		"webhook url over http": {body: webhookConfig("http://hooks.example.com/x"),
			want: []string{"Attribute url must be an https:// URL with a domain name", `http://hooks.example.com/x`}},
		"webhook url without a top-level domain": {body: webhookConfig("https://localhost/x"),
			want: []string{"Attribute url must be an https:// URL", "https://localhost/x"}},
		"webhook empty account_ids": {body: lune("account_ids = []"), want: []string{"account_ids", "at least 1"}},
		"webhook empty account id":  {body: lune(`account_ids = [""]`), want: []string{"account_ids", "length must be at least 1"}},
		"webhook bad timeout":       {body: lune(`timeouts = { create = "soon" }`), want: []string{"Invalid Timeout", `timeouts.create: "soon" is not a duration`, `"5m"`, `"90s"`}},
		"webhook timeout in words": {body: lune(`timeouts = { create = "5 minutes" }`),
			want: []string{"Invalid Timeout", `timeouts.create: "5 minutes" is not a duration`, `"5m"`}},
		"webhook negative timeout": {body: lune(`timeouts = { update = "-1s" }`),
			want: []string{"Invalid Timeout", `timeouts.update: "-1s" is not a positive duration`, `"90s"`}},
		"webhook zero timeout": {body: lune(`timeouts = { delete = "0s" }`),
			want: []string{"Invalid Timeout", `timeouts.delete: "0s" is not a positive duration`, "leave the key out for its default"}},
		"webhook import id": {body: lune(), importID: "not-a-lune-id",
			want: []string{"Invalid Import ID", `"not-a-lune-id" is not a Lune webhook id`, "32 letters and digits"}},

		// webhooks_inveterate_webhook_subscription.
		"subscription malformed topic": {body: sub("Customer Updated", url, "n"),
			want: []string{"Invalid Inveterate Topic", `"Customer Updated"`, "lowercase letters and underscores joined by dots"}},
		"subscription callback_url not a URL": {body: sub("customer.updated", "hooks.example.com/x", "n"),
			want: []string{"callback_url", "not an absolute http(s) URL"}},
		"subscription empty name": {body: sub("customer.updated", url, ""), want: []string{"name", "at least 1"}},
		"subscription import id": {body: sub("customer.updated", url, "n"), importID: "customer.updated/xyz",
			want: []string{"Invalid Import ID", "customer.updated/xyz", "<topic>/<id>"}},

		// webhooks_inveterate_webhook.
		"admin webhook callback_url over ftp": {body: admin("ftp://hooks.example.com/x"),
			want: []string{"callback_url", "not an absolute http(s) URL"}},
		"admin webhook empty name": {body: admin(url, `name = ""`), want: []string{"name", "at least 1"}},
		"admin webhook zero delete timeout": {body: admin(url, `timeouts = { delete = "0m" }`),
			want: []string{"Invalid Timeout", `timeouts.delete: "0m" is not a positive duration`}},
		"admin webhook import id": {body: admin(url), importID: "12345",
			want: []string{"Invalid Import ID", `"12345"`, "32 lowercase hexadecimal"}},

		// webhooks_partner_webhook.
		"partner unknown type": {body: partner("NEW_PIZZA", urls),
			want: []string{"web_hook_type", `"NEW_PIZZA"`, "NEW_CONSUMER_ORDER"}},
		"partner no URLs":       {body: partner("NEW_MEMBER", nil), want: []string{"web_hook_urls", "at least 1"}},
		"partner URL not a URL": {body: partner("NEW_MEMBER", []string{"nope"}), want: []string{"web_hook_urls", "not an absolute http(s) URL"}},
		"partner url not a URL": {body: partner("NEW_MEMBER", urls, `url = "nope"`), want: []string{"url", "not an absolute http(s) URL"}},
		"partner shop_id":       {body: partner("NEW_MEMBER", urls, `shop_id = "shop-1"`), want: []string{"shop_id", `"shop-1"`, "24 lowercase hexadecimal"}},
		"partner import id": {body: partner("NEW_MEMBER", urls), importID: "65B2",
			want: []string{"Invalid Import ID", `"65B2"`, "24 lowercase hexadecimal"}},
	}

	for name, r := range rows {
		t.Run(name, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{})
			srv := e.sandbox()
			config := e.config(r.body)
			if r.provider != nil {
				block, rest, _ := strings.Cut(config, "\n}\n")
				config = r.provider(block+"\n}\n", srv.URL) + rest
			}
			step := resource.TestStep{Config: config, ExpectError: errorText(r.want...)}
			if r.importID != "" {
				m := resourceAddress.FindStringSubmatch(r.body)
				step.ResourceName = m[1] + "." + m[2]
				step.ImportState, step.ImportStateId = true, r.importID
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps:                    []resource.TestStep{step},
			})
			if n := srv.Writes(); n != 0 {
				t.Fatalf("%d write calls for an invalid configuration: %v", n, srv.Counts())
			}
		})
	}
}

// refusedLoopbackAddr is an address on this machine at which nothing listens: port 1, which no test
// binds (they take ports the system picks, far above 1024), once a dial proved it refused.
func refusedLoopbackAddr(t *testing.T) string {
	t.Helper()
	const addr = "127.0.0.1:1"
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		_ = conn.Close()
		t.Fatalf("something listens at %s on this machine; the test needs a port where nothing does", addr)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dialing %s: %v; want the connection refused", addr, err)
	}
	return addr
}
