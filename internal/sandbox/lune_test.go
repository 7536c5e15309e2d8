package sandbox

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	alnum32   = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)
	secretRe  = regexp.MustCompile(`^whsec_[A-Za-z0-9]{32}$`)
	luneBase1 = `{"url":"https://example.com/hook"}`
)

func TestLune_lifecycle(t *testing.T) {
	srv := NewServer(t, Config{})

	// create: 200, full secret, enabled although the body says otherwise.
	created := luneCreate(t, srv.URL, `{"url":"https://example.com/hook","enabled":false,"unknown":1}`)
	id := created["id"].(string)
	if !alnum32.MatchString(id) {
		t.Errorf("id %q is not 32 alphanumerics", id)
	}
	secret := created["secret"].(string)
	if !secretRe.MatchString(secret) {
		t.Errorf("create secret %q is not whsec_ + 32 alphanumerics", secret)
	}
	if created["enabled"] != true || created["account_type"] != "test" || created["url"] != "https://example.com/hook" {
		t.Errorf("create answer = %v", created)
	}
	if _, has := created["account_ids"]; has {
		t.Errorf("account_ids must be omitted when unset: %v", created)
	}
	if _, err := time.Parse(time.RFC3339, created["created_at"].(string)); err != nil {
		t.Errorf("created_at: %v", err)
	}

	// get: last 4 only.
	r := do(t, srv.URL, http.MethodGet, "/v1/webhooks/"+id, luneHdr(), "")
	wantStatus(t, r, http.StatusOK)
	if got := r.decode(t)["secret"]; got != secret[len(secret)-4:] {
		t.Errorf("get secret = %v, want last 4 of %q", got, secret)
	}
	if r.header.Get("Lune-Version") != luneVersion {
		t.Errorf("Lune-Version header = %q", r.header.Get("Lune-Version"))
	}

	// list: bare array, last 4 only.
	r = do(t, srv.URL, http.MethodGet, "/v1/webhooks", luneHdr(), "")
	wantStatus(t, r, http.StatusOK)
	var list []map[string]any
	r.decodeInto(t, &list)
	if len(list) != 1 || list[0]["id"] != id || list[0]["secret"] != secret[len(secret)-4:] {
		t.Fatalf("list = %v", list)
	}

	// update: enabled and account_ids change; url is required.
	r = do(t, srv.URL, http.MethodPut, "/v1/webhooks/"+id, luneHdr(),
		`{"url":"https://example.org/new","enabled":false,"account_ids":["acc_a"]}`)
	wantStatus(t, r, http.StatusOK)
	up := r.decode(t)
	if up["enabled"] != false || up["url"] != "https://example.org/new" || up["secret"] != secret[len(secret)-4:] {
		t.Errorf("update answer = %v", up)
	}
	if ids, _ := up["account_ids"].([]any); len(ids) != 1 || ids[0] != "acc_a" {
		t.Errorf("account_ids = %v", up["account_ids"])
	}

	// update with enabled and account_ids omitted leaves them unchanged.
	r = do(t, srv.URL, http.MethodPut, "/v1/webhooks/"+id, luneHdr(), `{"url":"https://example.org/again"}`)
	wantStatus(t, r, http.StatusOK)
	w, _ := srv.LuneWebhook(id)
	if w.Enabled || len(w.AccountIDs) != 1 || w.URL != "https://example.org/again" {
		t.Errorf("stored after partial update = %+v", w)
	}

	// rotate: new full secret; the old one is gone at once.
	r = do(t, srv.URL, http.MethodPut, "/v1/webhooks/"+id+"/rotate-secret", luneHdr(), "")
	wantStatus(t, r, http.StatusOK)
	rotated := r.decode(t)["secret"].(string)
	if !secretRe.MatchString(rotated) || rotated == secret {
		t.Errorf("rotated secret = %q (old %q)", rotated, secret)
	}
	if w, _ := srv.LuneWebhook(id); w.Secret != rotated {
		t.Errorf("stored secret = %q, want %q", w.Secret, rotated)
	}

	// delete: 204 without a body, then 404 without a body.
	r = do(t, srv.URL, http.MethodDelete, "/v1/webhooks/"+id, luneHdr(), "")
	wantStatus(t, r, http.StatusNoContent)
	if len(r.body) != 0 {
		t.Errorf("204 body = %q", r.body)
	}
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/v1/webhooks/" + id},
		{http.MethodPut, "/v1/webhooks/" + id},
		{http.MethodDelete, "/v1/webhooks/" + id},
		{http.MethodPut, "/v1/webhooks/" + id + "/rotate-secret"},
	} {
		r = do(t, srv.URL, c.method, c.path, luneHdr(), luneBase1)
		wantStatus(t, r, http.StatusNotFound)
		if len(r.body) != 0 || r.header.Get("Lune-Version") != luneVersion {
			t.Errorf("%s %s: 404 body %q, version %q", c.method, c.path, r.body, r.header.Get("Lune-Version"))
		}
	}
}

func TestLune_accountTypeFollowsKey(t *testing.T) {
	srv := NewServer(t, Config{})
	r := do(t, srv.URL, http.MethodPost, "/v1/webhooks",
		with(luneHdr(), "Authorization", "Bearer "+DefaultLuneLiveKey), luneBase1)
	wantStatus(t, r, http.StatusOK)
	if got := r.decode(t)["account_type"]; got != "live" {
		t.Errorf("account_type = %v, want live", got)
	}
}

// wantLuneError checks Lune's error shape: the error, repeated in errors.
func wantLuneError(t *testing.T, r resp, status int, code, msgPart string) {
	t.Helper()
	wantStatus(t, r, status)
	var body struct {
		Error  luneErr   `json:"error"`
		Errors []luneErr `json:"errors"`
	}
	r.decodeInto(t, &body)
	if body.Error.ErrorCode != code || len(body.Errors) != 1 || body.Errors[0] != body.Error {
		t.Errorf("error body = %s, want code %s", r.body, code)
	}
	if !strings.Contains(body.Error.Message, msgPart) {
		t.Errorf("message %q does not mention %q", body.Error.Message, msgPart)
	}
	if r.header.Get("Lune-Version") != luneVersion {
		t.Errorf("error without Lune-Version header")
	}
}

func TestLune_auth(t *testing.T) {
	srv := NewServer(t, Config{})
	tests := []struct {
		name   string
		hdr    map[string]string
		status int
	}{
		{"no key", with(luneHdr(), "Authorization", ""), http.StatusUnauthorized},
		{"unknown key", with(luneHdr(), "Authorization", "Bearer nope"), http.StatusUnauthorized},
		{"raw key without Bearer", with(luneHdr(), "Authorization", DefaultLuneTestKey), http.StatusUnauthorized},
		{"unknown account", with(luneHdr(), "Lune-Account", "acc_nope"), http.StatusForbidden},
		{"known account", with(luneHdr(), "Lune-Account", DefaultLuneOtherAccount), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv.URL, http.MethodGet, "/v1/webhooks", tt.hdr, "")
			if tt.status == http.StatusOK {
				wantStatus(t, r, http.StatusOK)
				return
			}
			wantLuneError(t, r, tt.status, "unauthorised", "")
		})
	}
}

func TestLune_versionHeader(t *testing.T) {
	srv := NewServer(t, Config{})
	for _, v := range []string{"", "2023-01-01", "2024-08-09"} {
		r := do(t, srv.URL, http.MethodGet, "/v1/webhooks", with(luneHdr(), "Lune-Version", v), "")
		wantLuneError(t, r, http.StatusBadRequest, "api_version_invalid", "Lune-Version")
	}
}

func TestLune_createValidation(t *testing.T) {
	srv := NewServer(t, Config{})
	tests := []struct{ name, body, msgPart string }{
		{"empty body", "", "JSON"},
		{"invalid JSON", `{"url":`, "JSON"},
		{"not an object", `["https://example.com"]`, "JSON"},
		{"null body", `null`, "JSON"},
		{"url missing", `{}`, "url"},
		{"url wrong case key", `{"URL":"https://example.com/hook"}`, "url"},
		{"url not a string", `{"url":5}`, "url"},
		{"url http", `{"url":"http://example.com/hook"}`, "url"},
		{"url without TLD", `{"url":"https://localhost/hook"}`, "url"},
		{"url loopback IP", `{"url":"https://127.0.0.1:8443/hook"}`, "url"},
		{"account_ids empty", `{"url":"https://example.com","account_ids":[]}`, "account_ids"},
		{"account_ids null", `{"url":"https://example.com","account_ids":null}`, "account_ids"},
		{"account_ids not array", `{"url":"https://example.com","account_ids":"acc"}`, "account_ids"},
		{"account_ids empty item", `{"url":"https://example.com","account_ids":["a",""]}`, "account_ids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv.URL, http.MethodPost, "/v1/webhooks", luneHdr(), tt.body)
			wantLuneError(t, r, http.StatusBadRequest, "validation_error", tt.msgPart)
		})
	}
	if n := len(srv.LuneWebhooks()); n != 0 {
		t.Errorf("%d webhooks created by invalid requests", n)
	}
}

func TestLune_updateValidation(t *testing.T) {
	srv := NewServer(t, Config{})
	id := luneCreate(t, srv.URL, `{"url":"https://example.com/hook","account_ids":["a"]}`)["id"].(string)
	tests := []struct{ name, body, msgPart string }{
		{"invalid JSON", `{`, "JSON"},
		{"url missing", `{"enabled":false}`, "url"},
		{"url invalid", `{"url":"ftp://example.com"}`, "url"},
		{"enabled not bool", `{"url":"https://example.com","enabled":"no"}`, "enabled"},
		{"enabled null", `{"url":"https://example.com","enabled":null}`, "enabled"},
		{"account_ids empty: cannot be cleared", `{"url":"https://example.com","account_ids":[]}`, "account_ids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv.URL, http.MethodPut, "/v1/webhooks/"+id, luneHdr(), tt.body)
			wantLuneError(t, r, http.StatusBadRequest, "validation_error", tt.msgPart)
		})
	}
	w, _ := srv.LuneWebhook(id)
	if w.URL != "https://example.com/hook" || !w.Enabled || len(w.AccountIDs) != 1 {
		t.Errorf("invalid updates changed the webhook: %+v", w)
	}
}

func TestLune_idInvalid(t *testing.T) {
	srv := NewServer(t, Config{})
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/v1/webhooks/short"},
		{http.MethodPut, "/v1/webhooks/" + strings.Repeat("a", 31) + "-"},
		{http.MethodDelete, "/v1/webhooks/" + strings.Repeat("a", 33)},
		{http.MethodPut, "/v1/webhooks/bad_id/rotate-secret"},
	} {
		r := do(t, srv.URL, c.method, c.path, luneHdr(), luneBase1)
		wantLuneError(t, r, http.StatusBadRequest, "id_invalid", "id")
	}
}

func TestLune_listAccountFilter(t *testing.T) {
	clock := newFakeClock()
	srv := NewServer(t, Config{Now: clock.Now})
	mk := func(body string) string {
		clock.Advance(time.Second)
		return luneCreate(t, srv.URL, body)["id"].(string)
	}
	a := mk(`{"url":"https://example.com/a","account_ids":["acc_a"]}`)
	b := mk(`{"url":"https://example.com/b","account_ids":["acc_b","acc_x"]}`)
	all := mk(`{"url":"https://example.com/all"}`)

	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{a, b, all}},
		{"?account_id=acc_a", []string{a, all}},
		{"?account_id=acc_a&account_id=acc_x", []string{a, b, all}},
		{"?account_id=acc_none", []string{all}},
	}
	for _, tt := range tests {
		r := do(t, srv.URL, http.MethodGet, "/v1/webhooks"+tt.query, luneHdr(), "")
		wantStatus(t, r, http.StatusOK)
		var list []map[string]any
		r.decodeInto(t, &list)
		var got []string
		for _, w := range list {
			got = append(got, w["id"].(string))
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("list%s = %v, want %v (in creation order)", tt.query, got, tt.want)
		}
	}
	r := do(t, srv.URL, http.MethodGet, "/v1/webhooks?account_id=", luneHdr(), "")
	wantLuneError(t, r, http.StatusBadRequest, "validation_error", "account_id")
}

func TestLune_rateLimit(t *testing.T) {
	srv := NewServer(t, Config{Lune: LuneConfig{RateLimit: 3}})
	clock := newFakeClock()
	srv.mu.Lock()
	srv.limiterNow = clock.Now // deterministic window instead of real time
	srv.mu.Unlock()

	var statuses []int
	for range 5 {
		r := do(t, srv.URL, http.MethodGet, "/v1/webhooks", luneHdr(), "")
		statuses = append(statuses, r.status)
		if r.status == http.StatusTooManyRequests {
			if len(r.body) != 0 || r.header.Get("Retry-After") != "" {
				t.Errorf("limiter 429 must have no body and no Retry-After: %q %v", r.body, r.header)
			}
		}
	}
	want := []int{200, 200, 200, 429, 429}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("statuses = %v, want %v", statuses, want)
		}
	}
	if got := srv.Count("lune.rate_limited"); got != 2 {
		t.Errorf("lune.rate_limited = %d, want 2", got)
	}
	if got := srv.Count("lune.list"); got != 5 {
		t.Errorf("lune.list = %d, want 5 (limited requests count too)", got)
	}
	if got := srv.Count("lune.injected"); got != 0 {
		t.Errorf("limiter 429s counted as injected: %d", got)
	}

	// Another key has its own budget.
	r := do(t, srv.URL, http.MethodGet, "/v1/webhooks", with(luneHdr(), "Authorization", "Bearer "+DefaultLuneLiveKey), "")
	wantStatus(t, r, http.StatusOK)

	// The window slides.
	clock.Advance(time.Second)
	r = do(t, srv.URL, http.MethodGet, "/v1/webhooks", luneHdr(), "")
	wantStatus(t, r, http.StatusOK)
}

func TestLune_rateLimitDefaultsAndOff(t *testing.T) {
	if got := New(Config{}).Config().Lune.RateLimit; got != 15 {
		t.Errorf("default RateLimit = %d, want 15", got)
	}
	srv := NewServer(t, Config{Lune: LuneConfig{RateLimit: -1}})
	for range 30 {
		wantStatus(t, do(t, srv.URL, http.MethodGet, "/v1/webhooks", luneHdr(), ""), http.StatusOK)
	}
	if got := srv.Count("lune.rate_limited"); got != 0 {
		t.Errorf("rate_limited = %d with the limiter off", got)
	}
}

func TestLune_webhookLimit(t *testing.T) {
	srv := NewServer(t, Config{Lune: LuneConfig{WebhookLimit: 2}})
	first := luneCreate(t, srv.URL, luneBase1)["id"].(string)
	luneCreate(t, srv.URL, luneBase1)
	r := do(t, srv.URL, http.MethodPost, "/v1/webhooks", luneHdr(), luneBase1)
	wantLuneError(t, r, http.StatusBadRequest, "webhook_limit_reached", "limit")
	wantStatus(t, do(t, srv.URL, http.MethodDelete, "/v1/webhooks/"+first, luneHdr(), ""), http.StatusNoContent)
	luneCreate(t, srv.URL, luneBase1)
	if got := New(Config{}).Config().Lune.WebhookLimit; got != 100 {
		t.Errorf("default WebhookLimit = %d, want 100", got)
	}
}

func TestLune_bodyTooLarge(t *testing.T) {
	srv := NewServer(t, Config{})
	big := `{"url":"https://example.com/hook","pad":"` + strings.Repeat("x", luneMaxBody) + `"}`
	r := do(t, srv.URL, http.MethodPost, "/v1/webhooks", luneHdr(), big)
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	if len(r.body) != 0 {
		t.Errorf("413 body = %q", r.body)
	}
	if n := len(srv.LuneWebhooks()); n != 0 {
		t.Errorf("%d webhooks created by an oversized request", n)
	}
}

func TestLune_tamperHelpers(t *testing.T) {
	clock := newFakeClock()
	srv := NewServer(t, Config{Now: clock.Now})
	seed := srv.AddLuneWebhook(LuneWebhook{URL: "https://example.com/seed", Enabled: true})
	if !alnum32.MatchString(seed.ID) || !secretRe.MatchString(seed.Secret) || seed.AccountType != "live" ||
		!seed.CreatedAt.Equal(clock.Now()) {
		t.Fatalf("seed defaults = %+v", seed)
	}

	if !srv.UpdateLuneWebhook(seed.ID, func(w *LuneWebhook) { w.URL = "https://example.com/drifted"; w.ID = "ignored" }) {
		t.Fatal("UpdateLuneWebhook returned false")
	}
	r := do(t, srv.URL, http.MethodGet, "/v1/webhooks/"+seed.ID, luneHdr(), "")
	wantStatus(t, r, http.StatusOK)
	if got := r.decode(t)["url"]; got != "https://example.com/drifted" {
		t.Errorf("drifted url = %v", got)
	}

	secret, ok := srv.RotateLuneSecret(seed.ID)
	if !ok || secret == seed.Secret {
		t.Fatalf("RotateLuneSecret = %q, %v", secret, ok)
	}
	r = do(t, srv.URL, http.MethodGet, "/v1/webhooks/"+seed.ID, luneHdr(), "")
	if got := r.decode(t)["secret"]; got != secret[len(secret)-4:] {
		t.Errorf("secret after out-of-band rotation = %v", got)
	}

	if !srv.DeleteLuneWebhook(seed.ID) || srv.DeleteLuneWebhook(seed.ID) {
		t.Error("DeleteLuneWebhook should succeed once")
	}
	wantStatus(t, do(t, srv.URL, http.MethodGet, "/v1/webhooks/"+seed.ID, luneHdr(), ""), http.StatusNotFound)
	if srv.UpdateLuneWebhook(seed.ID, func(*LuneWebhook) {}) {
		t.Error("UpdateLuneWebhook on a missing id returned true")
	}
	if _, ok := srv.RotateLuneSecret(seed.ID); ok {
		t.Error("RotateLuneSecret on a missing id returned true")
	}
}

func TestLune_listOrderAndCopies(t *testing.T) {
	clock := newFakeClock()
	srv := NewServer(t, Config{Now: clock.Now})
	later := srv.AddLuneWebhook(LuneWebhook{URL: "https://example.com/2", CreatedAt: clock.Now().Add(time.Hour)})
	ids := []string{"a", "b"}
	earlier := srv.AddLuneWebhook(LuneWebhook{URL: "https://example.com/1", AccountIDs: ids})
	ids[0] = "mutated"

	got := srv.LuneWebhooks()
	if len(got) != 2 || got[0].ID != earlier.ID || got[1].ID != later.ID {
		t.Fatalf("order = %+v", got)
	}
	if got[0].AccountIDs[0] != "a" {
		t.Error("AddLuneWebhook aliased the caller's slice")
	}
	got[0].AccountIDs[0] = "mutated"
	one, _ := srv.LuneWebhook(earlier.ID)
	if one.AccountIDs[0] != "a" {
		t.Error("LuneWebhooks returned an aliased slice")
	}
	one.AccountIDs[1] = "mutated"
	var kept *LuneWebhook
	srv.UpdateLuneWebhook(earlier.ID, func(w *LuneWebhook) { kept = w })
	kept.AccountIDs[0] = "mutated"
	if again, _ := srv.LuneWebhook(earlier.ID); again.AccountIDs[0] != "a" || again.AccountIDs[1] != "b" {
		t.Errorf("stored slice changed through a copy: %v", again.AccountIDs)
	}
}
