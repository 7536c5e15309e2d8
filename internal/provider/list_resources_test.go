package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// The list resources, called at the protocol level as `terraform query` calls them (Terraform
// 1.14+). The CLI tests in list_resources_query_test.go run the same with a Terraform that has
// query; these run everywhere.

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// resultIDs are the identities of results, in order; it fails the test on any diagnostic.
func resultIDs(t *testing.T, results []tfprotov6.ListResourceResult) []string {
	t.Helper()
	ids := make([]string, 0, len(results))
	for _, r := range results {
		if len(r.Diagnostics) > 0 {
			t.Fatalf("result %q has diagnostics: %s", r.DisplayName, diagText(r.Diagnostics))
		}
		ids = append(ids, identityID(t, r.Identity))
	}
	return ids
}

// onlyError is the one error diagnostic a failed list pushes.
func onlyError(t *testing.T, results []tfprotov6.ListResourceResult) *tfprotov6.Diagnostic {
	t.Helper()
	if len(results) != 1 || len(results[0].Diagnostics) != 1 || results[0].Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError {
		t.Fatalf("want one result with one error, got %d results: %+v", len(results), results)
	}
	return results[0].Diagnostics[0]
}

// wantText fails unless s contains every fragment.
func wantText(t *testing.T, s string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(s, f) {
			t.Errorf("%q does not contain %q", s, f)
		}
	}
}

// assertImportMatches imports every listed object by its identity, reads it, and checks that the
// state equals the listed resource object: the configuration terraform query generates from that
// object then plans as a pure import, with nothing to change.
func assertImportMatches(t *testing.T, e *protoEnv, typeName string, results []tfprotov6.ListResourceResult) {
	t.Helper()
	typ := e.resourceType(typeName)
	for _, r := range results {
		id := identityID(t, r.Identity)
		listed := decode(t, r.Resource, typ)
		state, identity := e.importAndRead(typeName, "", identityOf(t, id))
		if got := identityID(t, identity); got != id {
			t.Errorf("%s: identity after import and read is %q, want %q", typeName, got, id)
		}
		for name, v := range state {
			if !v.Equal(listed[name]) {
				t.Errorf("%s %s: %s is %s after import, but listed as %s", typeName, id, name, v, listed[name])
			}
		}
	}
}

func TestListResource_schemas(t *testing.T) {
	e := newProtoEnv(t, sandbox.Config{}, nil)
	want := map[string][]string{
		luneWebhookTypeName:                   {"account_ids"},
		inveterateWebhookSubscriptionTypeName: {"topic"},
		inveterateWebhookTypeName:             nil,
		partnerWebhookTypeName:                {"shop_id", "web_hook_type"},
	}
	if len(e.schema.ListResourceSchemas) != len(want) {
		t.Errorf("%d list resources, want %d", len(e.schema.ListResourceSchemas), len(want))
	}
	for typeName, attrs := range want {
		typ := e.listConfigType(typeName)
		var got []string
		for name := range typ.AttributeTypes {
			got = append(got, name)
		}
		slices.Sort(got)
		if !slices.Equal(got, attrs) {
			t.Errorf("%s config: %v, want %v", typeName, got, attrs)
		}
		if _, ok := e.schema.ResourceSchemas[typeName]; !ok {
			t.Errorf("list resource %s has no resource of the same name", typeName)
		}
	}
}

func TestListResource_luneWebhooks(t *testing.T) {
	e := newProtoEnv(t, sandbox.Config{}, nil)
	e.configure(e.sandboxSections())
	sb := e.srv.Sandbox
	all := sb.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://hooks.example.com/all", Enabled: true, CreatedAt: time.Now().Add(-3 * time.Minute)})
	mainOnly := sb.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://hooks.example.com/main", Enabled: false, AccountIDs: []string{sandbox.DefaultLuneAccount}, CreatedAt: time.Now().Add(-2 * time.Minute)})
	other := sb.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://hooks.example.com/other", Enabled: true, AccountIDs: []string{sandbox.DefaultLuneOtherAccount}, CreatedAt: time.Now().Add(-time.Minute)})
	sb.ResetCounts()

	t.Run("identities and display names", func(t *testing.T) {
		results := e.list(luneWebhookTypeName, nil, false, 0)
		if got, want := resultIDs(t, results), []string{all.ID, mainOnly.ID, other.ID}; !slices.Equal(got, want) {
			t.Fatalf("listed %v, want %v (oldest first)", got, want)
		}
		if results[1].DisplayName != "https://hooks.example.com/main" {
			t.Errorf("display name %q, want the URL", results[1].DisplayName)
		}
		if results[0].Resource != nil {
			t.Error("a resource object without include_resource")
		}
	})
	t.Run("resource objects", func(t *testing.T) {
		results := e.list(luneWebhookTypeName, nil, true, 0)
		obj := decode(t, results[1].Resource, e.resourceType(luneWebhookTypeName))
		if got := stringAttr(t, obj, "url"); got != mainOnly.URL {
			t.Errorf("url %q", got)
		}
		var enabled bool
		if err := obj["enabled"].As(&enabled); err != nil || enabled {
			t.Errorf("enabled = %v (%v), want false", enabled, err)
		}
		if got := stringSet(t, obj, "account_ids"); !slices.Equal(got, []string{sandbox.DefaultLuneAccount}) {
			t.Errorf("account_ids %v", got)
		}
		if got := stringAttr(t, obj, "secret_last4"); got != mainOnly.Secret[len(mainOnly.Secret)-4:] {
			t.Errorf("secret_last4 %q", got)
		}
		// The secret cannot be known, and nothing may trigger a rotation.
		for _, name := range []string{"secret", "secret_rotation_triggers", "timeouts"} {
			if !obj[name].IsNull() {
				t.Errorf("%s = %s, want null", name, obj[name])
			}
		}
		assertImportMatches(t, e, luneWebhookTypeName, results)
	})
	accounts := func(ids ...string) map[string]tftypes.Value {
		elems := make([]tftypes.Value, len(ids))
		for i, id := range ids {
			elems[i] = str(id)
		}
		return map[string]tftypes.Value{"account_ids": tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, elems)}
	}
	t.Run("account filter", func(t *testing.T) {
		results := e.list(luneWebhookTypeName, accounts(sandbox.DefaultLuneAccount), false, 0)
		if got, want := resultIDs(t, results), []string{all.ID, mainOnly.ID}; !slices.Equal(got, want) {
			t.Errorf("listed %v, want %v (the account's and the unfiltered one)", got, want)
		}
		results = e.list(luneWebhookTypeName, accounts(sandbox.DefaultLuneAccount, sandbox.DefaultLuneOtherAccount), false, 0)
		if got, want := resultIDs(t, results), []string{all.ID, mainOnly.ID, other.ID}; !slices.Equal(got, want) {
			t.Errorf("two accounts listed %v, want %v", got, want)
		}
	})
	t.Run("account filter validation", func(t *testing.T) {
		for name, ids := range map[string][]string{"empty": {}, "empty id": {""}, "an id twice": {"acc_a", "acc_a"}} {
			diags := e.validateList(luneWebhookTypeName, accounts(ids...))
			if !hasError(diags) || diags[0].Attribute == nil || !strings.HasPrefix(diags[0].Attribute.String(), "AttributeName(\"account_ids\")") {
				t.Errorf("%s: %s; want an error at account_ids", name, diagText(diags))
			}
		}
		if diags := e.validateList(luneWebhookTypeName, accounts("acc_a", "acc_b")); hasError(diags) {
			t.Errorf("two accounts: %s", diagText(diags))
		}
	})
	t.Run("limit", func(t *testing.T) {
		if got, want := resultIDs(t, e.list(luneWebhookTypeName, nil, false, 2)), []string{all.ID, mainOnly.ID}; !slices.Equal(got, want) {
			t.Errorf("limit 2 listed %v, want %v", got, want)
		}
	})
	t.Run("one list per query, no writes", func(t *testing.T) {
		sb.ResetCounts()
		e.list(luneWebhookTypeName, nil, true, 0)
		if n := sb.Count("lune.list"); n != 1 {
			t.Errorf("%d list calls, want 1 (counts %v)", n, sb.Counts())
		}
		if total := len(sb.Counts()); total != 1 {
			t.Errorf("calls other than one list: %v", sb.Counts())
		}
	})
	if w := sb.Writes(); w != 0 {
		t.Errorf("%d writes; a query makes none", w)
	}
}

func TestListResource_inveterateSubscriptions(t *testing.T) {
	e := newProtoEnv(t, sandbox.Config{}, nil)
	e.configure(e.sandboxSections())
	sb := e.srv.Sandbox
	updated := sb.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://hooks.example.com/updated", Name: "updates"})
	ordered := sb.AddInveterateSubscription(sandbox.InveterateSubscription{Topic: "customer.ordered", CallbackURL: "https://hooks.example.com/orders", Name: "orders"})
	sb.ResetCounts()

	results := e.list(inveterateWebhookSubscriptionTypeName, nil, true, 0)
	if n := len(sb.Counts()); n != 1 || sb.Count("inveterate.subscriptions.list") != 1 {
		t.Errorf("calls other than one list: %v", sb.Counts())
	}
	if got := resultIDs(t, results); !slices.Contains(got, updated.ID) || !slices.Contains(got, ordered.ID) || len(got) != 2 {
		t.Fatalf("listed %v, want both subscriptions", got)
	}
	for _, r := range results {
		if id := identityID(t, r.Identity); id == ordered.ID && r.DisplayName != "customer.ordered: https://hooks.example.com/orders" {
			t.Errorf("display name %q, want topic and URL", r.DisplayName)
		}
	}
	assertImportMatches(t, e, inveterateWebhookSubscriptionTypeName, results)

	filtered := e.list(inveterateWebhookSubscriptionTypeName, map[string]tftypes.Value{"topic": str("customer.ordered")}, false, 0)
	if got := resultIDs(t, filtered); !slices.Equal(got, []string{ordered.ID}) {
		t.Errorf("topic filter listed %v, want [%s]", got, ordered.ID)
	}
	if w := sb.Writes(); w != 0 {
		t.Errorf("%d writes; a query makes none", w)
	}

	diags := e.validateList(inveterateWebhookSubscriptionTypeName, map[string]tftypes.Value{"topic": str("Customer Updated")})
	if !hasError(diags) {
		t.Fatal("a malformed topic passed validation")
	}
	wantText(t, diagText(diags), "Customer Updated")
}

func TestListResource_inveterateWebhooks(t *testing.T) {
	e := newProtoEnv(t, sandbox.Config{}, nil)
	e.configure(e.sandboxSections())
	sb := e.srv.Sandbox
	named := sb.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: "https://hooks.example.com/admin", Name: "relay"})
	unnamed := sb.AddInveterateWebhook(sandbox.InveterateWebhook{CallbackURL: "https://hooks.example.com/plain"})
	sb.ResetCounts()

	results := e.list(inveterateWebhookTypeName, nil, true, 0)
	if got := resultIDs(t, results); len(got) != 2 {
		t.Fatalf("listed %v, want 2", got)
	}
	names := map[string]string{}
	for _, r := range results {
		names[identityID(t, r.Identity)] = r.DisplayName
		obj := decode(t, r.Resource, e.resourceType(inveterateWebhookTypeName))
		if !obj["token"].IsNull() {
			t.Error("a token in a listed webhook: Inveterate never shows it after create")
		}
	}
	if names[named.ID] != "relay: https://hooks.example.com/admin" || names[unnamed.ID] != "https://hooks.example.com/plain" {
		t.Errorf("display names %v", names)
	}
	if n := len(sb.Counts()); n != 1 || sb.Count("inveterate.webhooks.list") != 1 {
		t.Errorf("calls other than one list: %v", sb.Counts())
	}
	assertImportMatches(t, e, inveterateWebhookTypeName, results)
	if w := sb.Writes(); w != 0 {
		t.Errorf("%d writes; a query makes none", w)
	}
}

func TestListResource_partnerWebhooks(t *testing.T) {
	e := newProtoEnv(t, sandbox.Config{}, func(o *Options) { o.BlazePageSize = 3 })
	e.configure(e.sandboxSections())
	sb := e.srv.Sandbox
	var live []string
	base := time.Now().Add(-time.Hour)
	for i := range 8 {
		typ := "NEW_MEMBER"
		if i%2 == 1 {
			typ = "UPDATE_PRODUCT"
		}
		w := sb.AddBlazeWebhook(sandbox.BlazeWebhook{WebHookType: typ, WebHookURLs: []string{fmt.Sprintf("https://hooks.example.com/%d", i)}, Created: base.Add(time.Duration(i) * time.Minute)})
		if i == 4 {
			sb.DeleteBlazeWebhook(w.ID) // soft-deleted: never listed
			continue
		}
		live = append(live, w.ID)
	}
	sb.ResetCounts()

	t.Run("every page, soft-deleted left out", func(t *testing.T) {
		sb.ResetCounts()
		results := e.list(partnerWebhookTypeName, nil, true, 0)
		if got := resultIDs(t, results); !slices.Equal(got, live) {
			t.Fatalf("listed %v, want %v", got, live)
		}
		if n := sb.Count("blaze.list"); n != 3 {
			t.Errorf("%d page calls for 8 webhooks in pages of 3, want 3", n)
		}
		if results[0].DisplayName != "NEW_MEMBER: https://hooks.example.com/0" {
			t.Errorf("display name %q, want type and URLs", results[0].DisplayName)
		}
		assertImportMatches(t, e, partnerWebhookTypeName, results)
	})
	t.Run("results arrive page by page", func(t *testing.T) {
		sb.ResetCounts()
		n := 0
		for range e.listStream(partnerWebhookTypeName, nil, false, 0) {
			if n++; n == 1 && sb.Count("blaze.list") != 1 {
				t.Errorf("the first result came after %d page calls, want 1", sb.Count("blaze.list"))
			}
		}
		if n != len(live) {
			t.Errorf("%d results, want %d", n, len(live))
		}
	})
	t.Run("a reader that stops early stops the paging", func(t *testing.T) {
		sb.ResetCounts()
		for range e.listStream(partnerWebhookTypeName, nil, false, 0) {
			break
		}
		if n := sb.Count("blaze.list"); n != 1 {
			t.Errorf("%d page calls after reading one result, want 1", n)
		}
	})
	t.Run("a page that fails after the first", func(t *testing.T) {
		var ids []string
		var failed []*tfprotov6.Diagnostic
		for r := range e.listStream(partnerWebhookTypeName, nil, false, 0) {
			if len(ids) == 0 && len(failed) == 0 {
				// The first page is out: every later page call fails, retries included.
				sb.FailNext(sandbox.Blaze, "blaze.list", sandbox.Fail503, 100)
			}
			if hasError(r.Diagnostics) {
				failed = append(failed, r.Diagnostics...)
				continue
			}
			ids = append(ids, identityID(t, r.Identity))
		}
		sb.FailNext(sandbox.Blaze, "blaze.list", sandbox.Fail503, 0)
		if !slices.Equal(ids, live[:3]) {
			t.Errorf("listed %v before the failure, want the first page %v", ids, live[:3])
		}
		if len(failed) != 1 {
			t.Fatalf("%d error diagnostics, want 1", len(failed))
		}
		wantText(t, failed[0].Summary+"\n"+failed[0].Detail, "Unable to List BLAZE Partner Webhooks", "503")
	})
	t.Run("limit stops the paging", func(t *testing.T) {
		sb.ResetCounts()
		if got := resultIDs(t, e.list(partnerWebhookTypeName, nil, false, 2)); !slices.Equal(got, live[:2]) {
			t.Errorf("limit 2 listed %v", got)
		}
		if n := sb.Count("blaze.list"); n != 1 {
			t.Errorf("%d page calls for a limit within the first page, want 1", n)
		}
	})
	t.Run("filters", func(t *testing.T) {
		got := resultIDs(t, e.list(partnerWebhookTypeName, map[string]tftypes.Value{
			"shop_id": str(sandbox.DefaultBlazeShopID), "web_hook_type": str("UPDATE_PRODUCT"),
		}, false, 0))
		// Odd ones are UPDATE_PRODUCT; the fifth (i = 4) was deleted.
		if want := []string{live[1], live[3], live[4], live[6]}; !slices.Equal(got, want) {
			t.Errorf("type filter listed %v, want %v", got, want)
		}
		other := e.list(partnerWebhookTypeName, map[string]tftypes.Value{"shop_id": str("0123456789abcdef01234567")}, false, 0)
		if got := resultIDs(t, other); len(got) != 0 {
			t.Errorf("another shop listed %v", got)
		}
	})
	t.Run("bad filters", func(t *testing.T) {
		diags := e.validateList(partnerWebhookTypeName, map[string]tftypes.Value{"web_hook_type": str("NEW_ORDER")})
		if !hasError(diags) {
			t.Fatal("an unknown web_hook_type passed validation")
		}
		wantText(t, diagText(diags), "NEW_ORDER", "NEW_CONSUMER_ORDER")
		if diags := e.validateList(partnerWebhookTypeName, map[string]tftypes.Value{"shop_id": str("shop-1")}); !hasError(diags) {
			t.Error("a malformed shop_id passed validation")
		}
	})
	if w := sb.Writes(); w != 0 {
		t.Errorf("%d writes; a query makes none", w)
	}
}

func TestListResource_errors(t *testing.T) {
	t.Run("missing credentials", func(t *testing.T) {
		e := newProtoEnv(t, sandbox.Config{}, nil)
		e.configure(nil)
		for typeName, want := range map[string][]string{
			luneWebhookTypeName:                   {"Missing Lune Credentials", "lune.api_key", "LUNE_API_KEY"},
			inveterateWebhookSubscriptionTypeName: {"Missing Inveterate Credentials", "inveterate.api_key", "INVETERATE_API_KEY"},
			inveterateWebhookTypeName:             {"Missing Inveterate Credentials", "inveterate.api_key", "INVETERATE_API_KEY"},
			partnerWebhookTypeName:                {"Missing BLAZE Credentials", "blaze.partner_key", "BLAZE_DEVELOPER_KEY"},
		} {
			d := onlyError(t, e.list(typeName, nil, false, 0))
			wantText(t, d.Summary+"\n"+d.Detail, want...)
		}
		if n := len(e.srv.Counts()); n != 0 {
			t.Errorf("calls without credentials: %v", e.srv.Counts())
		}
	})
	t.Run("wrong keys", func(t *testing.T) {
		e := newProtoEnv(t, sandbox.Config{}, nil)
		sections := e.sandboxSections()
		sections["lune"]["api_key"] = "test_wrong"
		sections["inveterate"]["api_key"] = "wrong"
		sections["blaze"]["partner_key"] = "wrong"
		e.configure(sections)
		for typeName, want := range map[string][]string{
			luneWebhookTypeName:                   {"Unable to List Lune Webhooks", "lune.api_key"},
			inveterateWebhookSubscriptionTypeName: {"Unable to List Inveterate Webhook Subscriptions", "inveterate.api_key"},
			inveterateWebhookTypeName:             {"Unable to List Inveterate Webhooks", "inveterate.api_key"},
			partnerWebhookTypeName:                {"Unable to List BLAZE Partner Webhooks", "blaze.partner_key"},
		} {
			d := onlyError(t, e.list(typeName, nil, true, 0))
			wantText(t, d.Summary+"\n"+d.Detail, want...)
		}
	})
}
