package sandbox

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// blazeTypes are the documented webHookType values; the sandbox rejects any other.
var blazeTypes = []string{
	"NEW_CONSUMER_ORDER",
	"NEW_CONSUMER_SIGNUP",
	"UPDATE_CONSUMER_ORDER",
	"UPDATE_CONSUMER_USER",
	"NEW_MEMBER",
	"UPDATE_MEMBER",
	"CREATE_TRANSACTION",
	"UPDATE_TRANSACTION",
	"CANCEL_TRANSACTION",
	"COMPLETE_TRANSACTION",
	"UPDATE_PRODUCT",
}

// BlazeWebHookTypes returns the documented webHookType values the sandbox accepts.
func BlazeWebHookTypes() []string { return slices.Clone(blazeTypes) }

// blazeKnownFields are the PartnerWebHook members; any other top-level member
// of a create or update body is kept verbatim in Extra.
var blazeKnownFields = []string{
	"id", "companyId", "shopId", "created", "modified", "deleted", "updated",
	"url", "webHookType", "webHookUrls",
}

// BlazeWebhook is a BLAZE partner webhook as the sandbox stores it.
type BlazeWebhook struct {
	ID, CompanyID, ShopID, URL, WebHookType string
	WebHookURLs                             []string
	// Created and Modified have millisecond precision, as on the wire.
	Created, Modified time.Time
	// Deleted marks a soft-deleted webhook; Updated is set by the first PUT.
	Deleted, Updated bool
	// Extra holds the unknown top-level members of the last create or update
	// body, served back at the top level of the object.
	Extra map[string]json.RawMessage
}

func (w BlazeWebhook) clone() BlazeWebhook {
	w.WebHookURLs = cloneStrings(w.WebHookURLs)
	if w.Extra != nil {
		m := make(map[string]json.RawMessage, len(w.Extra))
		for k, v := range w.Extra {
			m[k] = slices.Clone(v)
		}
		w.Extra = m
	}
	return w
}

// matchBlaze routes the path segments after /api/v1/partner/webHooks.
func matchBlaze(method string, rest []string) (route, bool) {
	rt := route{api: Blaze}
	switch {
	case len(rest) == 0:
		switch method {
		case http.MethodGet:
			rt.op = "blaze.list"
		case http.MethodPost:
			rt.op = "blaze.create"
		}
	case len(rest) == 1 && rest[0] != "":
		rt.id = rest[0]
		switch method {
		case http.MethodGet:
			rt.op = "blaze.get"
		case http.MethodPut:
			rt.op = "blaze.update"
		case http.MethodDelete:
			rt.op = "blaze.delete"
		}
	}
	return rt, rt.op != ""
}

// blazeError is BLAZE's documented error body.
func blazeError(status int, msg string) reply {
	return jsonReply(status, struct {
		Error   string `json:"error"`
		Message string `json:"message"`
		Status  int    `json:"status"`
	}{http.StatusText(status), msg, status})
}

func blazeBad(msg string) reply { return blazeError(http.StatusBadRequest, msg) }

// blazeView encodes a webhook: the PartnerWebHook members in documented
// order, then the Extra members (sorted) that do not shadow a known one.
func blazeView(w *BlazeWebhook) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	add := func(k string, v any) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(v)
		if err != nil {
			vb = []byte("null") // only a corrupt Extra value, from a tamper helper, gets here
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	urls := w.WebHookURLs
	if urls == nil {
		urls = []string{}
	}
	add("id", w.ID)
	add("companyId", w.CompanyID)
	add("shopId", w.ShopID)
	add("created", w.Created.UnixMilli())
	add("modified", w.Modified.UnixMilli())
	add("deleted", w.Deleted)
	add("updated", w.Updated)
	add("url", w.URL)
	add("webHookType", w.WebHookType)
	add("webHookUrls", urls)
	for _, k := range slices.Sorted(maps.Keys(w.Extra)) {
		if !slices.Contains(blazeKnownFields, k) {
			add(k, w.Extra[k])
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// serveBlaze authenticates and runs one BLAZE operation; callers hold s.mu.
func (s *Sandbox) serveBlaze(rq *request) reply {
	if !slices.Contains(s.cfg.Blaze.PartnerKeys, rq.r.Header.Get("x-api-key")) {
		return blazeError(http.StatusUnauthorized, "Invalid partner key")
	}
	// The developer key is sent raw: "Bearer <key>" is not a known key.
	shop, ok := s.cfg.Blaze.DeveloperKeys[rq.r.Header.Get("Authorization")]
	if !ok {
		return blazeError(http.StatusUnauthorized, "Invalid developer key")
	}
	if rq.tooLarge {
		// 413 is not among BLAZE's documented codes; an oversized body is a bad request.
		return blazeBad("Request body too large")
	}
	switch rq.op {
	case "blaze.list":
		return s.blazeList(rq, shop)
	case "blaze.create":
		return s.blazeCreate(rq, shop)
	}
	w, found := s.blazeHook[rq.id]
	if !found || w.CompanyID != shop.CompanyID {
		return blazeError(http.StatusNotFound, "Webhook not found")
	}
	switch rq.op {
	case "blaze.get":
		// A soft-deleted webhook is still readable, with deleted:true.
		return reply{status: http.StatusOK, body: blazeView(w)}
	case "blaze.update":
		if w.Deleted {
			return blazeError(http.StatusNotFound, "Webhook not found")
		}
		return s.blazeUpdate(rq, shop, w)
	default: // blaze.delete
		if !w.Deleted {
			w.Deleted = true
			w.Modified = s.blazeNow()
		}
		return reply{status: http.StatusOK, body: blazeView(w)}
	}
}

func (s *Sandbox) blazeList(rq *request, shop BlazeShop) reply {
	q := rq.r.URL.Query()
	start, err := queryInt(q.Get("start"), 0, 0)
	if err != nil {
		return blazeBad("start must be a non-negative integer")
	}
	skip, err := queryInt(q.Get("skip"), 0, 0)
	if err != nil {
		return blazeBad("skip must be a non-negative integer")
	}
	if q.Get("start") == "" {
		start = skip // skip is the older name of start
	} else if q.Get("skip") != "" && skip != start {
		return blazeBad("start and skip disagree")
	}
	limit, err := queryInt(q.Get("limit"), defaultBlazeMaxPageSize, 1)
	if err != nil {
		return blazeBad("limit must be a positive integer")
	}
	limit = min(limit, s.cfg.Blaze.MaxPageSize)
	shopFilter := q.Get("shopId")

	var all []*BlazeWebhook
	for _, w := range s.sortedBlaze() {
		if w.CompanyID == shop.CompanyID && !w.Deleted && (shopFilter == "" || w.ShopID == shopFilter) {
			all = append(all, w)
		}
	}
	page := []json.RawMessage{}
	for i := start; i < len(all) && i < start+limit; i++ {
		page = append(page, blazeView(all[i]))
	}
	return jsonReply(http.StatusOK, struct {
		Count        int               `json:"count"`
		Total        int               `json:"total"`
		SearchResult []json.RawMessage `json:"searchResult"`
	}{len(page), len(all), page})
}

// queryInt parses an optional query integer of at least lowest; an empty
// value means def.
func queryInt(v string, def, lowest int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, err
	}
	if n < lowest {
		return 0, fmt.Errorf("%d is below %d", n, lowest)
	}
	return n, nil
}

func (s *Sandbox) blazeCreate(rq *request, shop BlazeShop) reply {
	in, rep, ok := parseBlazeBody(rq.body, shop)
	if !ok {
		return rep
	}
	now := s.blazeNow()
	w := &BlazeWebhook{
		ID: s.newBlazeID(), CompanyID: shop.CompanyID, ShopID: in.shopID,
		URL: in.url, WebHookType: in.typ, WebHookURLs: in.urls,
		Created: now, Modified: now, Extra: in.extra,
	}
	s.blazeHook[w.ID] = w
	return reply{status: http.StatusOK, body: blazeView(w)}
}

// blazeUpdate is a true replacement: every client-owned member comes from
// the body, and one left out is blanked.
func (s *Sandbox) blazeUpdate(rq *request, shop BlazeShop, w *BlazeWebhook) reply {
	in, rep, ok := parseBlazeBody(rq.body, shop)
	if !ok {
		return rep
	}
	w.ShopID = in.shopID
	w.URL = in.url
	w.WebHookType = in.typ
	w.WebHookURLs = in.urls
	w.Extra = in.extra
	w.Updated = true
	w.Modified = s.blazeNow()
	return reply{status: http.StatusOK, body: blazeView(w)}
}

// blazeInput is the client-owned part of a create or update body.
type blazeInput struct {
	shopID, url, typ string
	urls             []string
	extra            map[string]json.RawMessage
}

// parseBlazeBody validates a create or update body. Server-owned members
// (id, companyId, created, modified, deleted, updated) are ignored.
func parseBlazeBody(body []byte, shop BlazeShop) (blazeInput, reply, bool) {
	var in blazeInput
	m, err := decodeObject(body)
	if err != nil {
		return in, blazeBad("Invalid JSON body: " + err.Error()), false
	}
	raw, present := m["webHookType"]
	if !present {
		return in, blazeBad("webHookType is required"), false
	}
	if json.Unmarshal(raw, &in.typ) != nil || !slices.Contains(blazeTypes, in.typ) {
		return in, blazeBad("webHookType must be one of " + strings.Join(blazeTypes, ", ")), false
	}
	if raw, present := m["webHookUrls"]; present && !isNull(raw) {
		if json.Unmarshal(raw, &in.urls) != nil {
			return in, blazeBad("webHookUrls must be an array of strings"), false
		}
	}
	if len(in.urls) == 0 {
		return in, blazeBad("webHookUrls must contain at least one URL"), false
	}
	if slices.ContainsFunc(in.urls, func(u string) bool { return strings.TrimSpace(u) == "" }) {
		return in, blazeBad("webHookUrls must not contain empty URLs"), false
	}
	if raw, present := m["url"]; present && !isNull(raw) {
		if json.Unmarshal(raw, &in.url) != nil {
			return in, blazeBad("url must be a string"), false
		}
	}
	if raw, present := m["shopId"]; present && !isNull(raw) {
		if json.Unmarshal(raw, &in.shopID) != nil {
			return in, blazeBad("shopId must be a string"), false
		}
	}
	switch in.shopID {
	case "":
		in.shopID = shop.ShopID
	case shop.ShopID:
	default:
		return in, blazeError(http.StatusForbidden, "The developer key has no access to shop "+in.shopID), false
	}
	for k, v := range m {
		if !slices.Contains(blazeKnownFields, k) {
			if in.extra == nil {
				in.extra = map[string]json.RawMessage{}
			}
			in.extra[k] = slices.Clone(v)
		}
	}
	return in, reply{}, true
}

// blazeNow is the clock at BLAZE's millisecond precision, so that a stored
// time and its wire form are equal.
func (s *Sandbox) blazeNow() time.Time { return time.UnixMilli(s.now().UnixMilli()).UTC() }

func (s *Sandbox) newBlazeID() string {
	for {
		id := randomHex(24)
		if _, taken := s.blazeHook[id]; !taken {
			return id
		}
	}
}

func (s *Sandbox) sortedBlaze() []*BlazeWebhook {
	out := make([]*BlazeWebhook, 0, len(s.blazeHook))
	for _, w := range s.blazeHook {
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b *BlazeWebhook) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
	return out
}

// defaultBlazeShop is the shop seeds belong to when they name none: that of
// the first developer key in sorted order, so the choice is stable.
func (s *Sandbox) defaultBlazeShop() BlazeShop {
	keys := slices.Sorted(maps.Keys(s.cfg.Blaze.DeveloperKeys))
	return s.cfg.Blaze.DeveloperKeys[keys[0]]
}

// BlazeWebhooks returns copies of every BLAZE webhook, soft-deleted ones
// included, ordered by Created then ID.
func (s *Sandbox) BlazeWebhooks() []BlazeWebhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []BlazeWebhook{}
	for _, w := range s.sortedBlaze() {
		out = append(out, w.clone())
	}
	return out
}

// BlazeWebhook returns a copy of the webhook with that id, soft-deleted or not.
func (s *Sandbox) BlazeWebhook(id string) (BlazeWebhook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.blazeHook[id]
	if !ok {
		return BlazeWebhook{}, false
	}
	return w.clone(), true
}

// UpdateBlazeWebhook changes a webhook behind the API's back: fn edits a
// copy, stored as fn leaves it except for the ID (Modified is not bumped).
// fn runs under the sandbox lock and must not call the Sandbox.
func (s *Sandbox) UpdateBlazeWebhook(id string, fn func(*BlazeWebhook)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.blazeHook[id]
	if !ok {
		return false
	}
	c := w.clone()
	fn(&c)
	stored := c.clone() // fn may keep pointers into c
	stored.ID = id
	s.blazeHook[id] = &stored
	return true
}

// DeleteBlazeWebhook soft-deletes a webhook behind the API's back, as the
// API's DELETE does.
func (s *Sandbox) DeleteBlazeWebhook(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.blazeHook[id]
	if !ok {
		return false
	}
	if !w.Deleted {
		w.Deleted = true
		w.Modified = s.blazeNow()
	}
	return true
}

// AddBlazeWebhook seeds a webhook, filling an empty ID, CompanyID and ShopID
// (the default shop), Created and Modified. An existing ID is replaced.
func (s *Sandbox) AddBlazeWebhook(w BlazeWebhook) BlazeWebhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	w = w.clone()
	if w.ID == "" {
		w.ID = s.newBlazeID()
	}
	shop := s.defaultBlazeShop()
	if w.CompanyID == "" {
		w.CompanyID = shop.CompanyID
	}
	if w.ShopID == "" {
		w.ShopID = shop.ShopID
	}
	if w.Created.IsZero() {
		w.Created = s.blazeNow()
	}
	if w.Modified.IsZero() {
		w.Modified = w.Created
	}
	s.blazeHook[w.ID] = &w
	return w.clone()
}
