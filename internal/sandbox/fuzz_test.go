package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// FuzzRequests sends the sandbox arbitrary requests, authenticated for the API of their path:
// it never panics, answers only statuses the vendors document (never 500: no fault is injected),
// and every body it answers is JSON.
func FuzzRequests(f *testing.F) {
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch}
	for _, seed := range []struct {
		method byte
		path   string
		body   string
	}{
		{1, "/v1/webhooks", `{"url":"https://hooks.example.com/a","account_ids":["acc_sandbox_main"]}`},
		{1, "/v1/webhooks", `{"url":"http://x","account_ids":[]}`},
		{2, "/v1/webhooks/abc/rotate-secret", ``},
		{2, "/v1/webhooks/abc", `{"url":"https://hooks.example.com/a","enabled":false}`},
		{1, "/v2.0/admin/webhook-subscriptions", `{"topic":"customer.updated","callbackUrl":"https://x","name":"n"}`},
		{2, "/v2.0/admin/webhook-subscriptions", `{"topic":"customer.updated","id":"x","name":null}`},
		{3, "/v2.0/admin/webhook-subscriptions", `{"topic":1}`},
		{1, "/v2.0/admin/webhooks", `{"callbackUrl":"https://x"}`},
		{3, "/v2.0/admin/webhooks/abc", ``},
		{1, "/api/v1/partner/webHooks", `{"webHookType":"NEW_MEMBER","webHookUrls":["https://x"],"shopId":"65a1f0c2b3d4e5f607182931"}`},
		{2, "/api/v1/partner/webHooks/abc", `{"webHookType":"NEW_MEMBER","webHookUrls":null,"extra":{"a":[1,2]}}`},
		{0, "/api/v1/partner/webHooks?start=-1&limit=99999", ``},
		{0, "/v1/webhooks?account_id=", ``},
		{4, "/nowhere", `{`},
	} {
		f.Add(seed.method, seed.path, []byte(seed.body))
	}
	documented := []int{200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 422, 429}
	f.Fuzz(func(t *testing.T, method byte, target string, body []byte) {
		sb := New(Config{Seed: 1})
		// Something to find, update and delete.
		sb.AddLuneWebhook(LuneWebhook{ID: "abc", URL: "https://hooks.example.com/a", Enabled: true})
		sb.AddInveterateSubscription(InveterateSubscription{ID: "x", Topic: "customer.updated", CallbackURL: "https://x", Name: "n"})
		sb.AddInveterateWebhook(InveterateWebhook{ID: "abc", CallbackURL: "https://x"})
		sb.AddBlazeWebhook(BlazeWebhook{ID: "abc", WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://x"}})
		req, err := http.NewRequest(methods[int(method)%len(methods)], "http://sandbox"+target, bytes.NewReader(body))
		if err != nil || req.URL.Path == "" || req.URL.Path[0] != '/' {
			t.Skip("not a request a client can send")
		}
		c := sb.Config()
		req.Header.Set("Authorization", "Bearer "+c.Lune.Keys[0])
		req.Header.Set("Lune-Version", luneVersion)
		req.Header.Set("X-Inveterate-Api-Key", c.Inveterate.Keys[0])
		if vendorOfPath(req.URL.Path) == Blaze {
			req.Header.Set("x-api-key", c.Blaze.PartnerKeys[0])
			req.Header.Set("Authorization", DefaultBlazeDeveloperKey)
		}
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		if !slices.Contains(documented, rec.Code) {
			t.Fatalf("%s %s answered %d: %s", req.Method, target, rec.Code, rec.Body)
		}
		if rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s answered a body that is not JSON: %q", req.Method, target, rec.Body)
		}
	})
}
