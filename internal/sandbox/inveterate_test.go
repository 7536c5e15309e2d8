package sandbox

import (
	"net/http"
	"regexp"
	"testing"
	"time"
)

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

const (
	subsPath  = "/v2.0/admin/webhook-subscriptions"
	hooksPath = "/v2.0/admin/webhooks"
)

// wantInvError checks the decided error body: message alone, no data.
func wantInvError(t *testing.T, r resp, status int, msg string) {
	t.Helper()
	wantStatus(t, r, status)
	body := r.decode(t)
	if _, has := body["data"]; has || len(body) != 1 {
		t.Errorf("error body must carry message alone: %s", r.body)
	}
	if msg != "" && body["message"] != msg {
		t.Errorf("message = %v, want %q", body["message"], msg)
	}
}

// invList returns the data array of a list answer.
func invList(t *testing.T, base, path string) []map[string]any {
	t.Helper()
	r := do(t, base, http.MethodGet, path, invHdr(), "")
	wantStatus(t, r, http.StatusOK)
	var env struct {
		Message string           `json:"message"`
		Data    []map[string]any `json:"data"`
	}
	r.decodeInto(t, &env)
	if env.Message == "" || env.Data == nil {
		t.Fatalf("list envelope = %s", r.body)
	}
	return env.Data
}

func TestInveterateSubscriptions_lifecycle(t *testing.T) {
	clock := newFakeClock()
	srv := NewServer(t, Config{Now: clock.Now})

	r := do(t, srv.URL, http.MethodPost, subsPath, invHdr(),
		`{"topic":"customer.updated","callbackUrl":"https://example.com/hook","name":"first","extra":true}`)
	wantStatus(t, r, http.StatusCreated)
	env := r.decode(t)
	sub := env["data"].(map[string]any)
	id := sub["id"].(string)
	if env["message"] == "" || !hex32.MatchString(id) || sub["merchantId"] != DefaultInveterateMerchant ||
		sub["topic"] != "customer.updated" || sub["name"] != "first" || sub["callbackUrl"] != "https://example.com/hook" {
		t.Fatalf("create answer = %s", r.body)
	}
	created, err := time.Parse(time.RFC3339, sub["createdAt"].(string))
	if err != nil || !created.Equal(clock.Now()) || sub["updatedAt"] != sub["createdAt"] {
		t.Errorf("times = %v / %v (%v)", sub["createdAt"], sub["updatedAt"], err)
	}

	if list := invList(t, srv.URL, subsPath); len(list) != 1 || list[0]["id"] != id {
		t.Fatalf("list = %v", list)
	}

	// update: only callbackUrl; name is unchanged, updatedAt moves.
	clock.Advance(time.Minute)
	r = do(t, srv.URL, http.MethodPut, subsPath, invHdr(),
		`{"topic":"customer.updated","id":"`+id+`","callbackUrl":"https://example.com/new"}`)
	wantStatus(t, r, http.StatusOK)
	up := r.decode(t)["data"].(map[string]any)
	if up["callbackUrl"] != "https://example.com/new" || up["name"] != "first" || up["updatedAt"] == up["createdAt"] {
		t.Errorf("update answer = %s", r.body)
	}
	r = do(t, srv.URL, http.MethodPut, subsPath, invHdr(), `{"topic":"customer.updated","id":"`+id+`","name":"renamed"}`)
	wantStatus(t, r, http.StatusOK)
	if got, _ := srv.InveterateSubscription(id); got.Name != "renamed" || got.CallbackURL != "https://example.com/new" {
		t.Errorf("stored = %+v", got)
	}

	// delete: JSON body with topic and id.
	r = do(t, srv.URL, http.MethodDelete, subsPath, invHdr(), `{"topic":"customer.updated","id":"`+id+`"}`)
	wantStatus(t, r, http.StatusOK)
	if list := invList(t, srv.URL, subsPath); len(list) != 0 {
		t.Errorf("list after delete = %v", list)
	}
	r = do(t, srv.URL, http.MethodDelete, subsPath, invHdr(), `{"topic":"customer.updated","id":"`+id+`"}`)
	wantInvError(t, r, http.StatusBadRequest, "Webhook subscription not found")
}

func TestInveterate_auth(t *testing.T) {
	srv := NewServer(t, Config{})
	calls := []struct{ method, path, body string }{
		{http.MethodGet, subsPath, ""},
		{http.MethodPost, subsPath, `{"topic":"customer.updated","callbackUrl":"https://example.com","name":"n"}`},
		{http.MethodPut, subsPath, `{"topic":"customer.updated","id":"x"}`},
		{http.MethodDelete, subsPath, `{"topic":"customer.updated","id":"x"}`},
		{http.MethodGet, hooksPath, ""},
		{http.MethodPost, hooksPath, `{"callbackUrl":"https://example.com"}`},
		{http.MethodDelete, hooksPath, `{"id":"x"}`},
		{http.MethodDelete, hooksPath + "/x", ""},
	}
	for _, hdr := range []map[string]string{{}, {"X-Inveterate-Api-Key": "wrong"}, {"Authorization": "Bearer " + DefaultInveterateKey}} {
		for _, c := range calls {
			r := do(t, srv.URL, c.method, c.path, hdr, c.body)
			wantInvError(t, r, http.StatusBadRequest, "Invalid or missing API key")
		}
	}
	if n := len(srv.InveterateSubscriptions()) + len(srv.InveterateWebhooks()); n != 0 {
		t.Errorf("%d records created without a key", n)
	}
}

func TestInveterateSubscriptions_createValidation(t *testing.T) {
	srv := NewServer(t, Config{})
	tests := []struct{ name, body, msg string }{
		{"invalid JSON", `{"topic":`, ""},
		{"not an object", `[]`, ""},
		{"topic missing", `{"callbackUrl":"https://example.com","name":"n"}`, "topic is required"},
		{"topic not a string", `{"topic":1,"callbackUrl":"https://example.com","name":"n"}`, "topic must be a string"},
		{"callbackUrl missing", `{"topic":"customer.updated","name":"n"}`, "callbackUrl is required"},
		{"name missing", `{"topic":"customer.updated","callbackUrl":"https://example.com"}`, "name is required"},
		{"name empty", `{"topic":"customer.updated","callbackUrl":"https://example.com","name":""}`, "name must be a non-empty string"},
		{"unknown topic", `{"topic":"customer.exploded","callbackUrl":"https://example.com","name":"n"}`, `Unknown topic "customer.exploded"`},
		{"admin-webhook event is not a topic", `{"topic":"merchant.updated","callbackUrl":"https://example.com","name":"n"}`, `Unknown topic "merchant.updated"`},
		{"relative callback", `{"topic":"customer.updated","callbackUrl":"/hook","name":"n"}`, "callbackUrl must be an absolute http or https URL"},
		{"ftp callback", `{"topic":"customer.updated","callbackUrl":"ftp://example.com","name":"n"}`, "callbackUrl must be an absolute http or https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv.URL, http.MethodPost, subsPath, invHdr(), tt.body)
			wantInvError(t, r, http.StatusBadRequest, tt.msg)
		})
	}
	for _, topic := range InveterateTopics() {
		invCreateSub(t, srv.URL, topic)
	}
	if got := len(srv.InveterateSubscriptions()); got != 15 {
		t.Errorf("%d subscriptions, want one per documented topic (15)", got)
	}
}

func TestInveterateSubscriptions_updateDeleteNotFound(t *testing.T) {
	srv := NewServer(t, Config{})
	id := invCreateSub(t, srv.URL, "customer.updated")["id"].(string)
	tests := []struct{ name, body, msg string }{
		{"other topic, same id", `{"topic":"customer.ordered","id":"` + id + `"}`, "Webhook subscription not found"},
		{"unknown id", `{"topic":"customer.updated","id":"0123456789abcdef0123456789abcdef"}`, "Webhook subscription not found"},
		{"id missing", `{"topic":"customer.updated"}`, "id is required"},
		{"topic missing", `{"id":"` + id + `"}`, "topic is required"},
		{"invalid JSON", `nope`, ""},
	}
	for _, method := range []string{http.MethodPut, http.MethodDelete} {
		for _, tt := range tests {
			t.Run(method+" "+tt.name, func(t *testing.T) {
				r := do(t, srv.URL, method, subsPath, invHdr(), tt.body)
				wantInvError(t, r, http.StatusBadRequest, tt.msg)
			})
		}
	}
	r := do(t, srv.URL, http.MethodPut, subsPath, invHdr(), `{"topic":"customer.updated","id":"`+id+`","callbackUrl":"nope"}`)
	wantInvError(t, r, http.StatusBadRequest, "callbackUrl must be an absolute http or https URL")
	r = do(t, srv.URL, http.MethodPut, subsPath, invHdr(), `{"topic":"customer.updated","id":"`+id+`","name":""}`)
	wantInvError(t, r, http.StatusBadRequest, "name must be a non-empty string")
	if _, ok := srv.InveterateSubscription(id); !ok {
		t.Error("failed requests removed the subscription")
	}
}

func TestInveterateSubscriptions_visibilityDelay(t *testing.T) {
	clock := newFakeClock()
	srv := NewServer(t, Config{Now: clock.Now, Inveterate: InveterateConfig{VisibilityDelay: 1500 * time.Millisecond}})
	seeded := srv.AddInveterateSubscription(InveterateSubscription{Topic: "customer.ordered", CallbackURL: "https://example.com", Name: "seed"})
	clock.Advance(time.Millisecond) // lists are ordered by creation time
	id := invCreateSub(t, srv.URL, "customer.updated")["id"].(string)

	if list := invList(t, srv.URL, subsPath); len(list) != 1 || list[0]["id"] != seeded.ID {
		t.Fatalf("right after create, list = %v (want only the seed)", list)
	}
	if got := srv.InveterateSubscriptions(); len(got) != 2 {
		t.Errorf("InveterateSubscriptions must include invisible records, got %d", len(got))
	}
	// An invisible record can already be updated.
	r := do(t, srv.URL, http.MethodPut, subsPath, invHdr(), `{"topic":"customer.updated","id":"`+id+`","name":"early"}`)
	wantStatus(t, r, http.StatusOK)

	clock.Advance(1499 * time.Millisecond)
	if list := invList(t, srv.URL, subsPath); len(list) != 1 {
		t.Fatalf("before the delay, list = %v", list)
	}
	clock.Advance(time.Millisecond)
	if list := invList(t, srv.URL, subsPath); len(list) != 2 || list[1]["id"] != id || list[1]["name"] != "early" {
		t.Fatalf("after the delay, list = %v", list)
	}

	// The delay is read at list time: lowering it reveals pending records.
	id2 := invCreateSub(t, srv.URL, "customer.cancelled")["id"].(string)
	srv.SetInveterateDelays(0, 0)
	if list := invList(t, srv.URL, subsPath); len(list) != 3 || list[2]["id"] != id2 {
		t.Fatalf("after SetInveterateDelays(0, 0), list = %v", list)
	}
}

func TestInveterateSubscriptions_uniqueTopic(t *testing.T) {
	body := `{"topic":"customer.updated","callbackUrl":"https://example.com","name":"n"}`
	for _, unique := range []bool{false, true} {
		srv := NewServer(t, Config{Inveterate: InveterateConfig{UniqueTopic: unique, VisibilityDelay: time.Hour}})
		wantStatus(t, do(t, srv.URL, http.MethodPost, subsPath, invHdr(), body), http.StatusCreated)
		r := do(t, srv.URL, http.MethodPost, subsPath, invHdr(), body)
		if unique {
			// The first one is still invisible, and still counts.
			wantInvError(t, r, http.StatusBadRequest, `A webhook subscription for topic "customer.updated" already exists`)
			invCreateSub(t, srv.URL, "customer.ordered")
		} else {
			wantStatus(t, r, http.StatusCreated)
		}
	}
}

func TestInveterateWebhooks_lifecycleAndDeleteDelay(t *testing.T) {
	clock := newFakeClock()
	srv := NewServer(t, Config{Now: clock.Now, Inveterate: InveterateConfig{DeleteDelay: 2 * time.Second}})

	r := do(t, srv.URL, http.MethodPost, hooksPath, invHdr(), `{"callbackUrl":"https://example.com/hook","name":"main"}`)
	wantStatus(t, r, http.StatusCreated)
	hook := r.decode(t)["data"].(map[string]any)
	id, token := hook["id"].(string), hook["token"].(string)
	if !hex32.MatchString(id) || !hex32.MatchString(token) || hook["createdByApp"] != DefaultInveterateAppName ||
		hook["merchantId"] != DefaultInveterateMerchant || hook["name"] != "main" {
		t.Fatalf("create answer = %s", r.body)
	}
	list := invList(t, srv.URL, hooksPath)
	if len(list) != 1 || list[0]["id"] != id {
		t.Fatalf("list = %v", list)
	}
	if _, has := list[0]["token"]; has {
		t.Error("list must never show the token")
	}

	// Name is optional.
	r = do(t, srv.URL, http.MethodPost, hooksPath, invHdr(), `{"callbackUrl":"http://example.com/other"}`)
	wantStatus(t, r, http.StatusCreated)
	other := r.decode(t)["data"].(map[string]any)["id"].(string)

	// Delete with a body: 200, still listed during the delete delay.
	wantStatus(t, do(t, srv.URL, http.MethodDelete, hooksPath, invHdr(), `{"id":"`+id+`"}`), http.StatusOK)
	if list := invList(t, srv.URL, hooksPath); len(list) != 2 {
		t.Fatalf("during the delete delay, list = %v", list)
	}
	if w, ok := srv.InveterateWebhook(id); !ok || !w.Deleted {
		t.Errorf("InveterateWebhook during the delay = %+v, %v", w, ok)
	}
	if got := srv.InveterateWebhooks(); len(got) != 1 || got[0].ID != other {
		t.Errorf("InveterateWebhooks must leave deleted ones out: %+v", got)
	}
	// A second delete while it lingers is fine.
	wantStatus(t, do(t, srv.URL, http.MethodDelete, hooksPath+"/"+id, invHdr(), ""), http.StatusOK)

	clock.Advance(2 * time.Second)
	if list := invList(t, srv.URL, hooksPath); len(list) != 1 || list[0]["id"] != other {
		t.Fatalf("after the delay, list = %v", list)
	}
	if _, ok := srv.InveterateWebhook(id); ok {
		t.Error("InveterateWebhook still finds a webhook past its delete delay")
	}
	wantInvError(t, do(t, srv.URL, http.MethodDelete, hooksPath, invHdr(), `{"id":"`+id+`"}`), http.StatusBadRequest, "Webhook not found")

	// The path form deletes too.
	srv.SetInveterateDelays(0, 0)
	wantStatus(t, do(t, srv.URL, http.MethodDelete, hooksPath+"/"+other, invHdr(), ""), http.StatusOK)
	if list := invList(t, srv.URL, hooksPath); len(list) != 0 {
		t.Errorf("list = %v", list)
	}
}

func TestInveterateWebhooks_errors(t *testing.T) {
	srv := NewServer(t, Config{})
	tests := []struct{ method, path, body, msg string }{
		{http.MethodPost, hooksPath, `{"name":"n"}`, "callbackUrl is required"},
		{http.MethodPost, hooksPath, `{"callbackUrl":"example.com"}`, "callbackUrl must be an absolute http or https URL"},
		{http.MethodPost, hooksPath, `{"callbackUrl":"https://example.com","name":5}`, "name must be a string"},
		{http.MethodPost, hooksPath, `{`, ""},
		{http.MethodDelete, hooksPath, `{"id":"0123456789abcdef0123456789abcdef"}`, "Webhook not found"},
		{http.MethodDelete, hooksPath + "/0123456789abcdef0123456789abcdef", "", "Webhook not found"},
		{http.MethodDelete, hooksPath, `{}`, "id is required"},
		{http.MethodDelete, hooksPath, ``, ""},
	}
	for _, tt := range tests {
		r := do(t, srv.URL, tt.method, tt.path, invHdr(), tt.body)
		wantInvError(t, r, http.StatusBadRequest, tt.msg)
	}
}

func TestInveterateWebhooks_visibilityDelay(t *testing.T) {
	clock := newFakeClock()
	srv := NewServer(t, Config{Now: clock.Now, Inveterate: InveterateConfig{VisibilityDelay: time.Second}})
	r := do(t, srv.URL, http.MethodPost, hooksPath, invHdr(), `{"callbackUrl":"https://example.com"}`)
	wantStatus(t, r, http.StatusCreated)
	if list := invList(t, srv.URL, hooksPath); len(list) != 0 {
		t.Fatalf("list before the delay = %v", list)
	}
	clock.Advance(time.Second)
	if list := invList(t, srv.URL, hooksPath); len(list) != 1 {
		t.Fatalf("list after the delay = %v", list)
	}
}

func TestInveterate_unrouted(t *testing.T) {
	srv := NewServer(t, Config{})
	for _, c := range []struct{ method, path string }{
		{http.MethodPut, hooksPath},
		{http.MethodGet, hooksPath + "/abc"},
		{http.MethodGet, "/v2.0/admin/other"},
		{http.MethodPatch, subsPath},
	} {
		r := do(t, srv.URL, c.method, c.path, invHdr(), "")
		wantInvError(t, r, http.StatusNotFound, "")
	}
	if got := srv.Count("unrouted"); got != 4 {
		t.Errorf("unrouted = %d, want 4", got)
	}
}

func TestInveterate_tamperHelpers(t *testing.T) {
	clock := newFakeClock()
	srv := NewServer(t, Config{Now: clock.Now, Inveterate: InveterateConfig{VisibilityDelay: time.Hour, DeleteDelay: time.Hour}})

	sub := srv.AddInveterateSubscription(InveterateSubscription{Topic: "customer.updated", CallbackURL: "https://example.com", Name: "seed"})
	if !hex32.MatchString(sub.ID) || sub.MerchantID != DefaultInveterateMerchant || !sub.CreatedAt.Equal(clock.Now()) || !sub.UpdatedAt.Equal(sub.CreatedAt) {
		t.Fatalf("seeded subscription = %+v", sub)
	}
	if !srv.UpdateInveterateSubscription(sub.ID, func(s *InveterateSubscription) { s.Name = "drifted" }) {
		t.Fatal("UpdateInveterateSubscription returned false")
	}
	if list := invList(t, srv.URL, subsPath); len(list) != 1 || list[0]["name"] != "drifted" {
		t.Fatalf("list = %v", list)
	}
	if !srv.DeleteInveterateSubscription(sub.ID) || srv.DeleteInveterateSubscription(sub.ID) {
		t.Error("DeleteInveterateSubscription should succeed once")
	}
	if srv.UpdateInveterateSubscription(sub.ID, func(*InveterateSubscription) {}) {
		t.Error("UpdateInveterateSubscription on a missing id returned true")
	}

	hook := srv.AddInveterateWebhook(InveterateWebhook{CallbackURL: "https://example.com"})
	if !hex32.MatchString(hook.ID) || !hex32.MatchString(hook.Token) || hook.CreatedByApp != DefaultInveterateAppName {
		t.Fatalf("seeded webhook = %+v", hook)
	}
	if list := invList(t, srv.URL, hooksPath); len(list) != 1 {
		t.Fatalf("seeded webhook not visible at once: %v", list)
	}
	// Out-of-band deletion ignores the delete delay.
	if !srv.DeleteInveterateWebhook(hook.ID) || srv.DeleteInveterateWebhook(hook.ID) {
		t.Error("DeleteInveterateWebhook should succeed once")
	}
	if list := invList(t, srv.URL, hooksPath); len(list) != 0 {
		t.Errorf("list after DeleteInveterateWebhook = %v", list)
	}
}
