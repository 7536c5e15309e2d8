package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConfig_defaultsAndCopies(t *testing.T) {
	d := DefaultConfig()
	if fmt.Sprint(d.Lune.Keys) != "[test_sandbox_lune_key live_sandbox_lune_key]" ||
		fmt.Sprint(d.Lune.Accounts) != "[acc_sandbox_main acc_sandbox_other]" ||
		fmt.Sprint(d.Inveterate.Keys) != "[sandbox_inveterate_key]" || d.Inveterate.MerchantID != "sandbox-merchant" ||
		d.Inveterate.AppName != "webhooks-sandbox" || fmt.Sprint(d.Blaze.PartnerKeys) != "[sandbox_blaze_partner_key]" ||
		d.Blaze.MaxPageSize != 100 || d.Lune.RateLimit != 15 || d.Lune.WebhookLimit != 100 {
		t.Errorf("DefaultConfig = %+v", d)
	}
	shop, ok := d.Blaze.DeveloperKeys["sandbox_blaze_developer_key"]
	if !ok || !hex24.MatchString(shop.CompanyID) || !hex24.MatchString(shop.ShopID) {
		t.Errorf("default developer key = %+v, %v", shop, ok)
	}

	// Set fields survive, unset ones are filled.
	keys := []string{"test_mine"}
	s := New(Config{Lune: LuneConfig{Keys: keys}, Inveterate: InveterateConfig{UniqueTopic: true}})
	got := s.Config()
	if fmt.Sprint(got.Lune.Keys) != "[test_mine]" || !got.Inveterate.UniqueTopic || got.Inveterate.MerchantID != "sandbox-merchant" ||
		got.Now == nil || got.Seed == 0 {
		t.Errorf("effective config = %+v", got)
	}
	// Neither the caller's slices nor Config's copies alias the sandbox's.
	keys[0] = "changed"
	got.Lune.Keys[0] = "changed"
	got.Blaze.DeveloperKeys["extra"] = BlazeShop{}
	again := s.Config()
	if again.Lune.Keys[0] != "test_mine" || len(again.Blaze.DeveloperKeys) != 1 {
		t.Errorf("config aliased: %+v", again)
	}
	if DefaultConfig().Lune.Keys[0] != "test_sandbox_lune_key" {
		t.Error("DefaultConfig shares state between calls")
	}

	s.SetInveterateDelays(time.Second, 2*time.Second)
	s.SetFaults(Lune, Faults{FailureRate: 0.25, Kinds: []FailureKind{Fail503}})
	c := s.Config()
	if c.Inveterate.VisibilityDelay != time.Second || c.Inveterate.DeleteDelay != 2*time.Second || c.Lune.Faults.FailureRate != 0.25 {
		t.Errorf("knobs not reflected in Config: %+v", c)
	}
}

// everyOp sends one request of every operation; all but the Lune ones
// succeed, so the counters can be checked against a known set.
func everyOp(t *testing.T, srv *Server) {
	luneID := luneCreate(t, srv.URL, luneBase1)["id"].(string)
	for _, c := range []struct{ method, path, body string }{
		{http.MethodGet, "/v1/webhooks", ""},
		{http.MethodGet, "/v1/webhooks/" + luneID, ""},
		{http.MethodPut, "/v1/webhooks/" + luneID, luneBase1},
		{http.MethodPut, "/v1/webhooks/" + luneID + "/rotate-secret", ""},
		{http.MethodDelete, "/v1/webhooks/" + luneID, ""},
	} {
		r := do(t, srv.URL, c.method, c.path, luneHdr(), c.body)
		if r.status >= 300 {
			t.Fatalf("%s %s: %d %s", c.method, c.path, r.status, r.body)
		}
	}
	subID := invCreateSub(t, srv.URL, "customer.updated")["id"].(string)
	r := do(t, srv.URL, http.MethodPost, hooksPath, invHdr(), `{"callbackUrl":"https://example.com"}`)
	wantStatus(t, r, http.StatusCreated)
	hookID := r.decode(t)["data"].(map[string]any)["id"].(string)
	blazeID := blazeCreate(t, srv.URL, blazeBody)["id"].(string)
	for _, c := range []struct {
		method, path, body string
		hdr                map[string]string
	}{
		{http.MethodGet, subsPath, "", invHdr()},
		{http.MethodPut, subsPath, `{"topic":"customer.updated","id":"` + subID + `"}`, invHdr()},
		{http.MethodDelete, subsPath, `{"topic":"customer.updated","id":"` + subID + `"}`, invHdr()},
		{http.MethodGet, hooksPath, "", invHdr()},
		{http.MethodDelete, hooksPath, `{"id":"` + hookID + `"}`, invHdr()},
		{http.MethodGet, blazePath, "", blazeHdr()},
		{http.MethodGet, blazePath + "/" + blazeID, "", blazeHdr()},
		{http.MethodPut, blazePath + "/" + blazeID, blazeBody, blazeHdr()},
		{http.MethodDelete, blazePath + "/" + blazeID, "", blazeHdr()},
	} {
		r := do(t, srv.URL, c.method, c.path, c.hdr, c.body)
		wantStatus(t, r, http.StatusOK)
	}
}

var allOps = []string{
	"lune.list", "lune.create", "lune.get", "lune.update", "lune.delete", "lune.rotate",
	"inveterate.subscriptions.list", "inveterate.subscriptions.create", "inveterate.subscriptions.update", "inveterate.subscriptions.delete",
	"inveterate.webhooks.list", "inveterate.webhooks.create", "inveterate.webhooks.delete",
	"blaze.list", "blaze.create", "blaze.get", "blaze.update", "blaze.delete",
}

func TestCounters(t *testing.T) {
	srv := NewServer(t, Config{})
	everyOp(t, srv)
	for _, op := range allOps {
		if got := srv.Count(op); got != 1 {
			t.Errorf("Count(%q) = %d, want 1", op, got)
		}
	}
	if got := srv.Writes(); got != 12 {
		t.Errorf("Writes = %d, want 12 (every create/update/delete/rotate)", got)
	}
	counts := srv.Counts()
	if len(counts) != len(allOps) {
		t.Errorf("Counts = %v", counts)
	}
	counts["lune.list"] = 99
	if srv.Count("lune.list") != 1 {
		t.Error("Counts returned the live map")
	}

	// Failed requests count under their operation; unknown ones as unrouted.
	wantStatus(t, do(t, srv.URL, http.MethodPost, "/v1/webhooks", nil, luneBase1), http.StatusUnauthorized)
	r := do(t, srv.URL, http.MethodGet, "/nowhere", nil, "")
	wantStatus(t, r, http.StatusNotFound)
	if len(r.body) != 0 {
		t.Errorf("unknown path body = %q", r.body)
	}
	r = do(t, srv.URL, http.MethodPatch, "/v1/webhooks", luneHdr(), "")
	wantStatus(t, r, http.StatusNotFound)
	if len(r.body) != 0 || r.header.Get("Lune-Version") != luneVersion {
		t.Errorf("Lune unrouted: body %q, version %q", r.body, r.header.Get("Lune-Version"))
	}
	wantStatus(t, do(t, srv.URL, http.MethodGet, "/v1/webhooks/", luneHdr(), ""), http.StatusNotFound)
	if srv.Count("lune.create") != 2 || srv.Count("unrouted") != 3 || srv.Writes() != 13 {
		t.Errorf("after failures: %v", srv.Counts())
	}

	srv.ResetCounts()
	if len(srv.Counts()) != 0 || srv.Writes() != 0 || srv.Count("lune.list") != 0 {
		t.Errorf("after ResetCounts: %v", srv.Counts())
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := NewServer(t, Config{Lune: LuneConfig{RateLimit: -1, WebhookLimit: -1}})
	calls := createCalls()
	const workers, each = 6, 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				// Fatal is not allowed off the test goroutine: report and go on.
				c := calls[(w+i)%len(calls)]
				if r, err := try(t, srv.URL, c.method, c.path, c.hdr, c.body); err != nil || r.status >= 300 {
					t.Errorf("%s: %v %d %s", c.op, err, r.status, r.body)
				}
				srv.AddBlazeWebhook(BlazeWebhook{WebHookType: "NEW_MEMBER"})
				_ = srv.LuneWebhooks()
				srv.SetLatency(Lune, 0)
			}
		}()
	}
	wg.Wait()
	for _, c := range calls {
		if got, want := c.records(srv), srv.Count(c.op); c.api != Blaze && got != want {
			t.Errorf("%s: %d records for %d requests", c.op, got, want)
		}
	}
	if got, want := len(srv.BlazeWebhooks()), srv.Count("blaze.create")+workers*each; got != want {
		t.Errorf("%d BLAZE records, want %d", got, want)
	}
	if got := srv.Writes(); got != workers*each {
		t.Errorf("Writes = %d, want %d", got, workers*each)
	}
}

func TestOversizedBodies(t *testing.T) {
	srv := NewServer(t, Config{})
	pad := strings.Repeat("x", otherMaxBody)
	r := do(t, srv.URL, http.MethodPost, hooksPath, invHdr(), `{"callbackUrl":"https://example.com","name":"`+pad+`"}`)
	wantInvError(t, r, http.StatusBadRequest, "Request body too large")
	r = do(t, srv.URL, http.MethodPost, blazePath, blazeHdr(), `{"webHookType":"NEW_MEMBER","webHookUrls":["https://example.com"],"pad":"`+pad+`"}`)
	wantBlazeError(t, r, http.StatusBadRequest, "too large")
	if n := len(srv.InveterateWebhooks()) + len(srv.BlazeWebhooks()); n != 0 {
		t.Errorf("%d records created by oversized requests", n)
	}
}
