package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var hex24 = regexp.MustCompile(`^[0-9a-f]{24}$`)

const blazePath = "/api/v1/partner/webHooks"

// wantBlazeError checks BLAZE's error shape.
func wantBlazeError(t *testing.T, r resp, status int, msgPart string) {
	t.Helper()
	wantStatus(t, r, status)
	var body struct {
		Error   string `json:"error"`
		Message string `json:"message"`
		Status  int    `json:"status"`
	}
	r.decodeInto(t, &body)
	if body.Error != http.StatusText(status) || body.Status != status || !strings.Contains(body.Message, msgPart) {
		t.Errorf("error body = %s, want %d %q mentioning %q", r.body, status, http.StatusText(status), msgPart)
	}
}

func TestBlaze_lifecycleAndFullReplacement(t *testing.T) {
	clock := newFakeClock()
	srv := NewServer(t, Config{Now: clock.Now})

	created := blazeCreate(t, srv.URL,
		`{"webHookType":"NEW_MEMBER","webHookUrls":["https://example.com/a"],"url":"https://example.com/u","custom":{"k":1},"id":"ignored","deleted":true}`)
	id := created["id"].(string)
	if !hex24.MatchString(id) || created["companyId"] != DefaultBlazeCompanyID || created["shopId"] != DefaultBlazeShopID ||
		created["created"] != float64(clock.Now().UnixMilli()) || created["modified"] != created["created"] ||
		created["deleted"] != false || created["updated"] != false || created["url"] != "https://example.com/u" ||
		created["webHookType"] != "NEW_MEMBER" || fmt.Sprint(created["webHookUrls"]) != "[https://example.com/a]" {
		t.Fatalf("create answer = %v", created)
	}
	if fmt.Sprint(created["custom"]) != "map[k:1]" {
		t.Errorf("unknown member not served back at the top level: %v", created)
	}

	r := do(t, srv.URL, http.MethodGet, blazePath+"/"+id, blazeHdr(), "")
	wantStatus(t, r, http.StatusOK)
	if got := r.decode(t); got["id"] != id || fmt.Sprint(got["custom"]) != "map[k:1]" {
		t.Errorf("get = %v", got)
	}

	// PUT replaces: url and the unknown member are left out, so they go;
	// server-owned members in the body are ignored.
	clock.Advance(time.Minute)
	r = do(t, srv.URL, http.MethodPut, blazePath+"/"+id, blazeHdr(),
		`{"id":"other","companyId":"other","created":1,"modified":1,"updated":false,"deleted":true,`+
			`"webHookType":"UPDATE_MEMBER","webHookUrls":["https://example.com/b","https://example.com/c"],"fresh":"yes"}`)
	wantStatus(t, r, http.StatusOK)
	up := r.decode(t)
	if up["id"] != id || up["companyId"] != DefaultBlazeCompanyID || up["created"] != created["created"] ||
		up["modified"] != float64(clock.Now().UnixMilli()) || up["updated"] != true || up["deleted"] != false ||
		up["url"] != "" || up["webHookType"] != "UPDATE_MEMBER" || up["fresh"] != "yes" {
		t.Errorf("update answer = %v", up)
	}
	if _, has := up["custom"]; has {
		t.Errorf("omitted unknown member survived a PUT: %v", up)
	}
	stored, _ := srv.BlazeWebhook(id)
	if stored.URL != "" || len(stored.Extra) != 1 || string(stored.Extra["fresh"]) != `"yes"` || len(stored.WebHookURLs) != 2 {
		t.Errorf("stored = %+v", stored)
	}

	// Soft delete: get still answers, with deleted:true; the list leaves it out.
	r = do(t, srv.URL, http.MethodDelete, blazePath+"/"+id, blazeHdr(), "")
	wantStatus(t, r, http.StatusOK)
	if r.decode(t)["deleted"] != true {
		t.Errorf("delete answer = %s", r.body)
	}
	r = do(t, srv.URL, http.MethodGet, blazePath+"/"+id, blazeHdr(), "")
	wantStatus(t, r, http.StatusOK)
	if r.decode(t)["deleted"] != true {
		t.Errorf("get after delete = %s", r.body)
	}
	if page := blazeList(t, srv.URL, ""); page.Total != 0 || page.Count != 0 || len(page.SearchResult) != 0 {
		t.Errorf("list after delete = %+v", page)
	}
	wantStatus(t, do(t, srv.URL, http.MethodDelete, blazePath+"/"+id, blazeHdr(), ""), http.StatusOK)
	wantBlazeError(t, do(t, srv.URL, http.MethodPut, blazePath+"/"+id, blazeHdr(), blazeBody), http.StatusNotFound, "")

	// An id that never existed.
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		r := do(t, srv.URL, method, blazePath+"/0123456789abcdef01234567", blazeHdr(), blazeBody)
		wantBlazeError(t, r, http.StatusNotFound, "")
	}
}

func TestBlaze_auth(t *testing.T) {
	srv := NewServer(t, Config{})
	tests := []struct {
		name string
		hdr  map[string]string
		msg  string
	}{
		{"no partner key", with(blazeHdr(), "x-api-key", ""), "Invalid partner key"},
		{"wrong partner key", with(blazeHdr(), "x-api-key", "nope"), "Invalid partner key"},
		{"developer key as partner key", with(blazeHdr(), "x-api-key", DefaultBlazeDeveloperKey), "Invalid partner key"},
		{"no developer key", with(blazeHdr(), "Authorization", ""), "Invalid developer key"},
		{"wrong developer key", with(blazeHdr(), "Authorization", "nope"), "Invalid developer key"},
		{"Bearer developer key", with(blazeHdr(), "Authorization", "Bearer "+DefaultBlazeDeveloperKey), "Invalid developer key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				r := do(t, srv.URL, method, blazePath, tt.hdr, blazeBody)
				wantBlazeError(t, r, http.StatusUnauthorized, tt.msg)
			}
		})
	}
	if n := len(srv.BlazeWebhooks()); n != 0 {
		t.Errorf("%d webhooks created without valid keys", n)
	}
}

func TestBlaze_validation(t *testing.T) {
	srv := NewServer(t, Config{})
	id := blazeCreate(t, srv.URL, blazeBody)["id"].(string)
	tests := []struct{ name, body, msgPart string }{
		{"invalid JSON", `{"webHookType"`, "JSON"},
		{"not an object", `"x"`, "JSON"},
		{"type missing", `{"webHookUrls":["https://example.com"]}`, "webHookType"},
		{"type unknown", `{"webHookType":"NEW_THING","webHookUrls":["https://example.com"]}`, "webHookType"},
		{"type lower case", `{"webHookType":"new_member","webHookUrls":["https://example.com"]}`, "webHookType"},
		{"urls missing", `{"webHookType":"NEW_MEMBER"}`, "webHookUrls"},
		{"urls empty", `{"webHookType":"NEW_MEMBER","webHookUrls":[]}`, "webHookUrls"},
		{"urls wrong key case", `{"webHookType":"NEW_MEMBER","webhookUrls":["https://example.com"]}`, "webHookUrls"},
		{"urls not strings", `{"webHookType":"NEW_MEMBER","webHookUrls":[1]}`, "webHookUrls"},
		{"urls blank item", `{"webHookType":"NEW_MEMBER","webHookUrls":["https://example.com"," "]}`, "webHookUrls"},
		{"url not a string", `{"webHookType":"NEW_MEMBER","webHookUrls":["https://example.com"],"url":1}`, "url"},
		{"shopId not a string", `{"webHookType":"NEW_MEMBER","webHookUrls":["https://example.com"],"shopId":1}`, "shopId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantBlazeError(t, do(t, srv.URL, http.MethodPost, blazePath, blazeHdr(), tt.body), http.StatusBadRequest, tt.msgPart)
			wantBlazeError(t, do(t, srv.URL, http.MethodPut, blazePath+"/"+id, blazeHdr(), tt.body), http.StatusBadRequest, tt.msgPart)
		})
	}
	if got := srv.BlazeWebhooks(); len(got) != 1 || got[0].Updated {
		t.Errorf("invalid requests changed records: %+v", got)
	}
	for _, typ := range BlazeWebHookTypes() {
		blazeCreate(t, srv.URL, `{"webHookType":"`+typ+`","webHookUrls":["https://example.com"]}`)
	}
}

func TestBlaze_shopAccess(t *testing.T) {
	const otherShop = "aaaaaaaaaaaaaaaaaaaaaaaa"
	srv := NewServer(t, Config{})
	own := blazeCreate(t, srv.URL, `{"webHookType":"NEW_MEMBER","webHookUrls":["https://example.com"],"shopId":"`+DefaultBlazeShopID+`"}`)
	if own["shopId"] != DefaultBlazeShopID {
		t.Errorf("shopId = %v", own["shopId"])
	}
	blank := blazeCreate(t, srv.URL, `{"webHookType":"NEW_MEMBER","webHookUrls":["https://example.com"],"shopId":""}`)
	if blank["shopId"] != DefaultBlazeShopID {
		t.Errorf("empty shopId must mean the key's shop, got %v", blank["shopId"])
	}
	foreign := `{"webHookType":"NEW_MEMBER","webHookUrls":["https://example.com"],"shopId":"` + otherShop + `"}`
	wantBlazeError(t, do(t, srv.URL, http.MethodPost, blazePath, blazeHdr(), foreign), http.StatusForbidden, otherShop)
	wantBlazeError(t, do(t, srv.URL, http.MethodPut, blazePath+"/"+own["id"].(string), blazeHdr(), foreign), http.StatusForbidden, otherShop)
	if n := len(srv.BlazeWebhooks()); n != 2 {
		t.Errorf("%d webhooks, want 2", n)
	}
}

func TestBlaze_companyIsolation(t *testing.T) {
	srv := NewServer(t, Config{Blaze: BlazeConfig{DeveloperKeys: map[string]BlazeShop{
		"dev_a": {CompanyID: "aaaaaaaaaaaaaaaaaaaaaaa1", ShopID: "aaaaaaaaaaaaaaaaaaaaaaa2"},
		"dev_b": {CompanyID: "bbbbbbbbbbbbbbbbbbbbbbb1", ShopID: "bbbbbbbbbbbbbbbbbbbbbbb2"},
	}}})
	hdrA := with(blazeHdr(), "Authorization", "dev_a")
	hdrB := with(blazeHdr(), "Authorization", "dev_b")
	r := do(t, srv.URL, http.MethodPost, blazePath, hdrA, blazeBody)
	wantStatus(t, r, http.StatusOK)
	id := r.decode(t)["id"].(string)
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		wantBlazeError(t, do(t, srv.URL, method, blazePath+"/"+id, hdrB, blazeBody), http.StatusNotFound, "")
	}
	r = do(t, srv.URL, http.MethodGet, blazePath, hdrB, "")
	wantStatus(t, r, http.StatusOK)
	if got := r.decode(t)["total"]; got != float64(0) {
		t.Errorf("other company's list total = %v", got)
	}
	// Seeds without a company go to the first developer key in sorted order.
	if seed := srv.AddBlazeWebhook(BlazeWebhook{WebHookType: "NEW_MEMBER"}); seed.CompanyID != "aaaaaaaaaaaaaaaaaaaaaaa1" {
		t.Errorf("seed company = %q", seed.CompanyID)
	}
}

type blazePage struct {
	Count        int              `json:"count"`
	Total        int              `json:"total"`
	SearchResult []map[string]any `json:"searchResult"`
}

func blazeList(t *testing.T, base, query string) blazePage {
	t.Helper()
	r := do(t, base, http.MethodGet, blazePath+query, blazeHdr(), "")
	wantStatus(t, r, http.StatusOK)
	var p blazePage
	r.decodeInto(t, &p)
	if p.SearchResult == nil {
		t.Fatalf("searchResult must be an array: %s", r.body)
	}
	return p
}

func TestBlaze_paging(t *testing.T) {
	clock := newFakeClock()
	srv := NewServer(t, Config{Now: clock.Now, Blaze: BlazeConfig{MaxPageSize: 2}})
	var ids []string
	for range 5 {
		clock.Advance(time.Millisecond)
		ids = append(ids, blazeCreate(t, srv.URL, blazeBody)["id"].(string))
	}
	// One more in another shop of the same company, and a deleted one.
	clock.Advance(time.Millisecond)
	otherShop := srv.AddBlazeWebhook(BlazeWebhook{ShopID: "cccccccccccccccccccccccc", WebHookType: "NEW_MEMBER", WebHookURLs: []string{"https://example.com"}})
	gone := srv.AddBlazeWebhook(BlazeWebhook{WebHookType: "NEW_MEMBER", Deleted: true})

	pageIDs := func(p blazePage) string {
		var out []string
		for _, w := range p.SearchResult {
			out = append(out, w["id"].(string))
		}
		return strings.Join(out, ",")
	}
	all := append(append([]string{}, ids...), otherShop.ID)
	tests := []struct {
		query        string
		count, total int
		want         []string
	}{
		{"", 2, 6, all[0:2]},
		{"?start=2", 2, 6, all[2:4]},
		{"?skip=4", 2, 6, all[4:6]},
		{"?start=4&skip=4", 2, 6, all[4:6]},
		{"?start=5&limit=1", 1, 6, all[5:6]},
		{"?limit=50", 2, 6, all[0:2]},
		{"?start=10", 0, 6, nil},
		{"?start=&limit=", 2, 6, all[0:2]},
		{"?shopId=" + DefaultBlazeShopID + "&start=3", 2, 5, ids[3:5]},
		{"?shopId=cccccccccccccccccccccccc", 1, 1, []string{otherShop.ID}},
	}
	for _, tt := range tests {
		p := blazeList(t, srv.URL, tt.query)
		if p.Count != tt.count || p.Total != tt.total || pageIDs(p) != strings.Join(tt.want, ",") {
			t.Errorf("list%s = count %d total %d [%s], want count %d total %d [%s]",
				tt.query, p.Count, p.Total, pageIDs(p), tt.count, tt.total, strings.Join(tt.want, ","))
		}
		if strings.Contains(pageIDs(p), gone.ID) {
			t.Errorf("list%s shows a soft-deleted webhook", tt.query)
		}
	}
	for _, q := range []string{"?limit=0", "?limit=-1", "?limit=x", "?start=-1", "?skip=y", "?start=1&skip=2"} {
		wantBlazeError(t, do(t, srv.URL, http.MethodGet, blazePath+q, blazeHdr(), ""), http.StatusBadRequest, "")
	}
	if got := New(Config{}).Config().Blaze.MaxPageSize; got != 100 {
		t.Errorf("default MaxPageSize = %d", got)
	}
}

func TestBlaze_tamperHelpersAndCopies(t *testing.T) {
	clock := newFakeClock()
	srv := NewServer(t, Config{Now: clock.Now})
	urls := []string{"https://example.com/a"}
	extra := map[string]json.RawMessage{"note": json.RawMessage(`"x"`)}
	seed := srv.AddBlazeWebhook(BlazeWebhook{WebHookType: "NEW_MEMBER", WebHookURLs: urls, Extra: extra})
	if !hex24.MatchString(seed.ID) || seed.CompanyID != DefaultBlazeCompanyID || seed.ShopID != DefaultBlazeShopID ||
		seed.Created.UnixMilli() != clock.Now().UnixMilli() || !seed.Modified.Equal(seed.Created) {
		t.Fatalf("seed = %+v", seed)
	}
	urls[0] = "mutated"
	extra["note"][1] = 'y'
	extra["new"] = nil
	got, _ := srv.BlazeWebhook(seed.ID)
	if got.WebHookURLs[0] != "https://example.com/a" || string(got.Extra["note"]) != `"x"` || len(got.Extra) != 1 {
		t.Fatalf("AddBlazeWebhook aliased the caller's values: %+v", got)
	}
	got.WebHookURLs[0] = "mutated"
	got.Extra["note"] = json.RawMessage(`"z"`)
	all := srv.BlazeWebhooks()
	all[0].Extra["note"][1] = 'q'
	if again, _ := srv.BlazeWebhook(seed.ID); again.WebHookURLs[0] != "https://example.com/a" || string(again.Extra["note"]) != `"x"` {
		t.Fatalf("getters returned aliased values: %+v", again)
	}

	var kept *BlazeWebhook
	if !srv.UpdateBlazeWebhook(seed.ID, func(w *BlazeWebhook) {
		kept = w
		w.URL = "https://example.com/drifted"
		w.WebHookURLs = append(w.WebHookURLs, "https://example.com/b")
	}) {
		t.Fatal("UpdateBlazeWebhook returned false")
	}
	kept.WebHookURLs[0] = "mutated"
	r := do(t, srv.URL, http.MethodGet, blazePath+"/"+seed.ID, blazeHdr(), "")
	wantStatus(t, r, http.StatusOK)
	body := r.decode(t)
	if body["url"] != "https://example.com/drifted" || fmt.Sprint(body["webHookUrls"]) != "[https://example.com/a https://example.com/b]" ||
		body["note"] != "x" {
		t.Errorf("get after tamper = %v", body)
	}

	first, second := srv.DeleteBlazeWebhook(seed.ID), srv.DeleteBlazeWebhook(seed.ID)
	if !first || !second {
		t.Error("DeleteBlazeWebhook is a soft delete and may repeat")
	}
	if w, ok := srv.BlazeWebhook(seed.ID); !ok || !w.Deleted {
		t.Errorf("after DeleteBlazeWebhook = %+v, %v", w, ok)
	}
	if srv.DeleteBlazeWebhook("0123456789abcdef01234567") || srv.UpdateBlazeWebhook("0123456789abcdef01234567", func(*BlazeWebhook) {}) {
		t.Error("helpers succeeded on an unknown id")
	}
}

func TestBlaze_unrouted(t *testing.T) {
	srv := NewServer(t, Config{})
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/api/v1/partner/webhooks"}, // lower-case h
		{http.MethodPatch, blazePath},
		{http.MethodPost, blazePath + "/0123456789abcdef01234567"},
		{http.MethodGet, blazePath + "/a/b"},
	} {
		wantBlazeError(t, do(t, srv.URL, c.method, c.path, blazeHdr(), ""), http.StatusNotFound, "")
	}
	if got := srv.Count("unrouted"); got != 4 {
		t.Errorf("unrouted = %d, want 4", got)
	}
}
