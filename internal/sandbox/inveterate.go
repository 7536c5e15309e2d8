package sandbox

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// inveterateTopics are the documented subscription topics; the sandbox
// rejects any other.
var inveterateTopics = []string{
	"customer.joined.paid_tier",
	"customer.joined.free_tier",
	"customer.joined.free_trial",
	"customer.joined.lifetime_tier",
	"customer.changed_tier",
	"customer.updated",
	"customer.ordered",
	"customer.payment_succeeded",
	"customer.payment_failed",
	"customer_billing.attempt.failed",
	"customer.payment_methods.updated",
	"customer.credits.updated",
	"customer.credits.expired",
	"customer.cancelled",
	"customer.pending_cancellation",
}

// InveterateTopics returns the documented subscription topics the sandbox accepts.
func InveterateTopics() []string { return slices.Clone(inveterateTopics) }

// InveterateSubscription is an Inveterate 2.0 webhook subscription.
type InveterateSubscription struct {
	ID, Topic, CallbackURL, Name, MerchantID string
	CreatedAt, UpdatedAt                     time.Time
}

// InveterateWebhook is an Inveterate 2.0 admin webhook with a security token.
type InveterateWebhook struct {
	ID, MerchantID, CallbackURL, Name, CreatedByApp, Token string
	CreatedAt                                              time.Time
	// Deleted marks a deleted webhook that may still be listed during the
	// delete delay.
	Deleted bool
}

// invSubscription is a stored subscription; seeded records skip the
// visibility delay because a test put them there on purpose.
type invSubscription struct {
	InveterateSubscription
	seeded bool
}

// invWebhook is a stored admin webhook.
type invWebhook struct {
	InveterateWebhook
	seeded    bool
	deletedAt time.Time
}

// matchInveterate routes the path segments after /v2.0/admin.
func matchInveterate(method string, rest []string) (route, bool) {
	rt := route{api: Inveterate}
	switch {
	case len(rest) == 1 && rest[0] == "webhook-subscriptions":
		switch method {
		case http.MethodGet:
			rt.op = "inveterate.subscriptions.list"
		case http.MethodPost:
			rt.op = "inveterate.subscriptions.create"
		case http.MethodPut:
			rt.op = "inveterate.subscriptions.update"
		case http.MethodDelete:
			rt.op = "inveterate.subscriptions.delete"
		}
	case len(rest) == 1 && rest[0] == "webhooks":
		switch method {
		case http.MethodGet:
			rt.op = "inveterate.webhooks.list"
		case http.MethodPost:
			rt.op = "inveterate.webhooks.create"
		case http.MethodDelete:
			rt.op = "inveterate.webhooks.delete"
		}
	case len(rest) == 2 && rest[0] == "webhooks" && rest[1] != "" && method == http.MethodDelete:
		rt.id = rest[1]
		rt.op = "inveterate.webhooks.delete"
	}
	return rt, rt.op != ""
}

type invSubJSON struct {
	ID          string `json:"id"`
	Topic       string `json:"topic"`
	CallbackURL string `json:"callbackUrl"`
	Name        string `json:"name"`
	MerchantID  string `json:"merchantId"`
	CreatedAt   string `json:"createdAt"`
	UpdatedAt   string `json:"updatedAt"`
}

func invSubView(s *InveterateSubscription) invSubJSON {
	return invSubJSON{
		ID:          s.ID,
		Topic:       s.Topic,
		CallbackURL: s.CallbackURL,
		Name:        s.Name,
		MerchantID:  s.MerchantID,
		CreatedAt:   formatTime(s.CreatedAt),
		UpdatedAt:   formatTime(s.UpdatedAt),
	}
}

type invHookJSON struct {
	ID           string `json:"id"`
	MerchantID   string `json:"merchantId"`
	CallbackURL  string `json:"callbackUrl"`
	Name         string `json:"name"`
	CreatedByApp string `json:"createdByApp"`
	CreatedAt    string `json:"createdAt"`
	Token        string `json:"token,omitempty"` // create answer only
}

func invHookView(w *InveterateWebhook, withToken bool) invHookJSON {
	v := invHookJSON{
		ID:           w.ID,
		MerchantID:   w.MerchantID,
		CallbackURL:  w.CallbackURL,
		Name:         w.Name,
		CreatedByApp: w.CreatedByApp,
		CreatedAt:    formatTime(w.CreatedAt),
	}
	if withToken {
		v.Token = w.Token
	}
	return v
}

// invEnvelope is Inveterate's success envelope.
type invEnvelope struct {
	Message string `json:"message"`
	Data    any    `json:"data"`
}

// invOK answers data in Inveterate's success envelope.
func invOK(status int, msg string, data any) reply {
	return jsonReply(status, invEnvelope{msg, data})
}

// invListOK answers a list in Inveterate's success envelope, with its data
// built by list once the lock is released (lateReply).
func invListOK(msg string, list func() any) reply {
	return lateReply(http.StatusOK, func() any { return invEnvelope{msg, list()} })
}

// invError is the decided error body: the message alone, no data.
func invError(status int, msg string) reply {
	return jsonReply(status, struct {
		Message string `json:"message"`
	}{msg})
}

func invBad(msg string) reply { return invError(http.StatusBadRequest, msg) }

// serveInveterate authenticates and runs one Inveterate operation; callers
// hold s.mu. Inveterate answers 400 (never 401/403/404) for a bad key or id.
func (s *Sandbox) serveInveterate(rq *request) reply {
	key := rq.r.Header.Get("X-Inveterate-Api-Key")
	if key == "" || !slices.Contains(s.cfg.Inveterate.Keys, key) {
		return invBad("Invalid or missing API key")
	}
	if rq.tooLarge {
		// Inveterate documents only 400 and 500 as errors: an oversized body is malformed.
		return invBad("Request body too large")
	}
	switch rq.op {
	case "inveterate.subscriptions.list":
		return s.invSubList()
	case "inveterate.subscriptions.create":
		return s.invSubCreate(rq)
	case "inveterate.subscriptions.update":
		return s.invSubUpdate(rq)
	case "inveterate.subscriptions.delete":
		return s.invSubDelete(rq)
	case "inveterate.webhooks.list":
		return s.invHookList()
	case "inveterate.webhooks.create":
		return s.invHookCreate(rq)
	default: // inveterate.webhooks.delete
		return s.invHookDelete(rq)
	}
}

// visible reports whether a record created at created has outlived the
// visibility delay; callers hold s.mu.
func (s *Sandbox) visible(created time.Time, seeded bool) bool {
	return seeded || !s.now().Before(created.Add(s.cfg.Inveterate.VisibilityDelay))
}

// gone reports whether a deleted admin webhook has left the list for good;
// callers hold s.mu.
func (s *Sandbox) gone(w *invWebhook) bool {
	return w.Deleted && !s.now().Before(w.deletedAt.Add(s.cfg.Inveterate.DeleteDelay))
}

// invSubList copies the listed subscriptions under the lock; they are sorted,
// viewed and encoded after it (lateReply).
func (s *Sandbox) invSubList() reply {
	recs := make([]InveterateSubscription, 0, len(s.invSubs))
	for _, sub := range s.invSubs {
		if sub.MerchantID == s.cfg.Inveterate.MerchantID && s.visible(sub.CreatedAt, sub.seeded) {
			recs = append(recs, sub.InveterateSubscription)
		}
	}
	return invListOK("Webhook subscriptions retrieved successfully", func() any {
		slices.SortFunc(recs, func(a, b InveterateSubscription) int { return byCreation(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
		out := make([]invSubJSON, len(recs))
		for i := range recs {
			out[i] = invSubView(&recs[i])
		}
		return out
	})
}

func (s *Sandbox) invSubCreate(rq *request) reply {
	m, err := decodeObject(rq.body)
	if err != nil {
		return invBad("Invalid JSON body: " + err.Error())
	}
	var topic, callback, name string
	for _, f := range []struct {
		name string
		dst  *string
	}{{"topic", &topic}, {"callbackUrl", &callback}, {"name", &name}} {
		v, msg := requiredString(m, f.name)
		if msg != "" {
			return invBad(msg)
		}
		*f.dst = v
	}
	if !slices.Contains(inveterateTopics, topic) {
		return invBad(fmt.Sprintf("Unknown topic %q", topic))
	}
	if msg := checkCallbackURL(callback); msg != "" {
		return invBad(msg)
	}
	merchant := s.cfg.Inveterate.MerchantID
	if s.cfg.Inveterate.UniqueTopic {
		for _, sub := range s.invSubs {
			if sub.MerchantID == merchant && sub.Topic == topic {
				return invBad(fmt.Sprintf("A webhook subscription for topic %q already exists", topic))
			}
		}
	}
	now := s.now().UTC()
	sub := &invSubscription{InveterateSubscription: InveterateSubscription{
		ID: s.newInvID(), Topic: topic, CallbackURL: callback, Name: name,
		MerchantID: merchant, CreatedAt: now, UpdatedAt: now,
	}}
	s.invSubs[sub.ID] = sub
	// 201: accepted, visible in the list only after the visibility delay.
	return invOK(http.StatusCreated, "Webhook subscription created successfully", invSubView(&sub.InveterateSubscription))
}

func (s *Sandbox) invSubUpdate(rq *request) reply {
	m, err := decodeObject(rq.body)
	if err != nil {
		return invBad("Invalid JSON body: " + err.Error())
	}
	sub, rep, ok := s.findSub(m)
	if !ok {
		return rep
	}
	callback, cbPresent, msg := optionalString(m, "callbackUrl")
	if msg == "" && cbPresent {
		msg = checkCallbackURL(callback)
	}
	if msg != "" {
		return invBad(msg)
	}
	name, namePresent, msg := optionalString(m, "name")
	if msg == "" && namePresent && name == "" {
		msg = "name must be a non-empty string"
	}
	if msg != "" {
		return invBad(msg)
	}
	if cbPresent {
		sub.CallbackURL = callback
	}
	if namePresent {
		sub.Name = name
	}
	sub.UpdatedAt = s.now().UTC()
	return invOK(http.StatusOK, "Webhook subscription updated successfully", invSubView(&sub.InveterateSubscription))
}

func (s *Sandbox) invSubDelete(rq *request) reply {
	m, err := decodeObject(rq.body)
	if err != nil {
		return invBad("Invalid JSON body: " + err.Error())
	}
	sub, rep, ok := s.findSub(m)
	if !ok {
		return rep
	}
	delete(s.invSubs, sub.ID)
	return invOK(http.StatusOK, "Webhook subscription deleted successfully", invSubView(&sub.InveterateSubscription))
}

// findSub finds the subscription addressed by the body's topic and id; a
// record still inside its visibility delay matches too.
func (s *Sandbox) findSub(m map[string]json.RawMessage) (*invSubscription, reply, bool) {
	topic, msg := requiredString(m, "topic")
	if msg == "" {
		var id string
		id, msg = requiredString(m, "id")
		if msg == "" {
			sub, ok := s.invSubs[id]
			if !ok || sub.Topic != topic || sub.MerchantID != s.cfg.Inveterate.MerchantID {
				return nil, invBad("Webhook subscription not found"), false
			}
			return sub, reply{}, true
		}
	}
	return nil, invBad(msg), false
}

// invHookList copies the listed admin webhooks under the lock; they are sorted,
// viewed and encoded after it (lateReply).
func (s *Sandbox) invHookList() reply {
	recs := make([]InveterateWebhook, 0, len(s.invHooks))
	for _, w := range s.invHooks {
		if w.MerchantID == s.cfg.Inveterate.MerchantID && s.visible(w.CreatedAt, w.seeded) && !s.gone(w) {
			recs = append(recs, w.InveterateWebhook)
		}
	}
	return invListOK("Webhooks retrieved successfully", func() any {
		slices.SortFunc(recs, func(a, b InveterateWebhook) int { return byCreation(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
		out := make([]invHookJSON, len(recs))
		for i := range recs {
			out[i] = invHookView(&recs[i], false)
		}
		return out
	})
}

func (s *Sandbox) invHookCreate(rq *request) reply {
	m, err := decodeObject(rq.body)
	if err != nil {
		return invBad("Invalid JSON body: " + err.Error())
	}
	callback, msg := requiredString(m, "callbackUrl")
	if msg == "" {
		msg = checkCallbackURL(callback)
	}
	if msg != "" {
		return invBad(msg)
	}
	name, _, msg := optionalString(m, "name")
	if msg != "" {
		return invBad(msg)
	}
	w := &invWebhook{InveterateWebhook: InveterateWebhook{
		ID: s.newInvID(), MerchantID: s.cfg.Inveterate.MerchantID, CallbackURL: callback,
		Name: name, CreatedByApp: s.cfg.Inveterate.AppName, Token: randomHex(32),
		CreatedAt: s.now().UTC(),
	}}
	s.invHooks[w.ID] = w
	// The token is shown here and never again.
	return invOK(http.StatusCreated, "Webhook created successfully", invHookView(&w.InveterateWebhook, true))
}

func (s *Sandbox) invHookDelete(rq *request) reply {
	id := rq.id
	if id == "" {
		m, err := decodeObject(rq.body)
		if err != nil {
			return invBad("Invalid JSON body: " + err.Error())
		}
		var msg string
		if id, msg = requiredString(m, "id"); msg != "" {
			return invBad(msg)
		}
	}
	w, ok := s.invHooks[id]
	if !ok || w.MerchantID != s.cfg.Inveterate.MerchantID || s.gone(w) {
		return invBad("Webhook not found")
	}
	// Deleting again while the row still lingers is fine: delete is idempotent
	// until the row is gone.
	if !w.Deleted {
		w.Deleted = true
		w.deletedAt = s.now()
	}
	return invOK(http.StatusOK, "Webhook deleted successfully", invHookView(&w.InveterateWebhook, false))
}

// requiredString returns the member as a non-empty string, or an error message.
func requiredString(m map[string]json.RawMessage, name string) (string, string) {
	v, present, msg := optionalString(m, name)
	switch {
	case msg != "":
		return "", msg
	case !present:
		return "", name + " is required"
	case v == "":
		return "", name + " must be a non-empty string"
	}
	return v, ""
}

// optionalString returns the member if present; a present member must be a
// string (null included: it is not the same as leaving the member out).
func optionalString(m map[string]json.RawMessage, name string) (v string, present bool, msg string) {
	raw, present := m[name]
	if !present {
		return "", false, ""
	}
	if isNull(raw) || json.Unmarshal(raw, &v) != nil {
		return "", true, name + " must be a string"
	}
	return v, true, ""
}

// checkCallbackURL requires an absolute http or https URL with a host.
func checkCallbackURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(raw, " \t\r\n") {
		return "callbackUrl must be an absolute http or https URL"
	}
	return ""
}

func (s *Sandbox) newInvID() string {
	for {
		id := randomHex(32)
		_, sub := s.invSubs[id]
		_, hook := s.invHooks[id]
		if !sub && !hook {
			return id
		}
	}
}

// byCreation orders Inveterate's records as its lists do: by creation time,
// then id.
func byCreation(aCreated time.Time, aID string, bCreated time.Time, bID string) int {
	return cmp.Or(aCreated.Compare(bCreated), strings.Compare(aID, bID))
}

func (s *Sandbox) sortedSubs() []*invSubscription {
	out := make([]*invSubscription, 0, len(s.invSubs))
	for _, sub := range s.invSubs {
		out = append(out, sub)
	}
	slices.SortFunc(out, func(a, b *invSubscription) int { return byCreation(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return out
}

func (s *Sandbox) sortedHooks() []*invWebhook {
	out := make([]*invWebhook, 0, len(s.invHooks))
	for _, w := range s.invHooks {
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b *invWebhook) int { return byCreation(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return out
}

// InveterateSubscriptions returns copies of ALL subscriptions, including those
// not yet visible in the API's list, sorted by CreatedAt then ID.
func (s *Sandbox) InveterateSubscriptions() []InveterateSubscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []InveterateSubscription{}
	for _, sub := range s.sortedSubs() {
		out = append(out, sub.InveterateSubscription)
	}
	return out
}

// InveterateSubscription returns a copy of the subscription with that id,
// visible or not.
func (s *Sandbox) InveterateSubscription(id string) (InveterateSubscription, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.invSubs[id]
	if !ok {
		return InveterateSubscription{}, false
	}
	return sub.InveterateSubscription, true
}

// UpdateInveterateSubscription changes a subscription behind the API's back:
// fn edits a copy, stored as fn leaves it except for the ID. fn runs under the
// sandbox lock and must not call the Sandbox.
func (s *Sandbox) UpdateInveterateSubscription(id string, fn func(*InveterateSubscription)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.invSubs[id]
	if !ok {
		return false
	}
	c := sub.InveterateSubscription
	fn(&c)
	c.ID = id
	sub.InveterateSubscription = c
	return true
}

// DeleteInveterateSubscription removes a subscription behind the API's back.
func (s *Sandbox) DeleteInveterateSubscription(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.invSubs[id]
	delete(s.invSubs, id)
	return ok
}

// AddInveterateSubscription seeds a subscription, visible at once, filling an
// empty ID, MerchantID, CreatedAt and UpdatedAt. An existing ID is replaced.
func (s *Sandbox) AddInveterateSubscription(sub InveterateSubscription) InveterateSubscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sub.ID == "" {
		sub.ID = s.newInvID()
	}
	if sub.MerchantID == "" {
		sub.MerchantID = s.cfg.Inveterate.MerchantID
	}
	if sub.CreatedAt.IsZero() {
		sub.CreatedAt = s.now().UTC()
	}
	if sub.UpdatedAt.IsZero() {
		sub.UpdatedAt = sub.CreatedAt
	}
	s.invSubs[sub.ID] = &invSubscription{InveterateSubscription: sub, seeded: true}
	return sub
}

// InveterateWebhooks returns copies of the admin webhooks that are not
// deleted (visible or not), sorted by CreatedAt then ID.
func (s *Sandbox) InveterateWebhooks() []InveterateWebhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []InveterateWebhook{}
	for _, w := range s.sortedHooks() {
		if !w.Deleted {
			out = append(out, w.InveterateWebhook)
		}
	}
	return out
}

// InveterateWebhook returns a copy of the admin webhook with that id; a
// deleted one is still found (Deleted set) until its delete delay has passed.
func (s *Sandbox) InveterateWebhook(id string) (InveterateWebhook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.invHooks[id]
	if !ok || s.gone(w) {
		return InveterateWebhook{}, false
	}
	return w.InveterateWebhook, true
}

// DeleteInveterateWebhook removes an admin webhook behind the API's back, at
// once and with no delete delay.
func (s *Sandbox) DeleteInveterateWebhook(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.invHooks[id]
	delete(s.invHooks, id)
	return ok && !s.gone(w)
}

// AddInveterateWebhook seeds an admin webhook, visible at once, filling an
// empty ID, MerchantID, CreatedByApp, Token and CreatedAt. A seed with Deleted
// set counts as deleted now. An existing ID is replaced.
func (s *Sandbox) AddInveterateWebhook(w InveterateWebhook) InveterateWebhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.ID == "" {
		w.ID = s.newInvID()
	}
	if w.MerchantID == "" {
		w.MerchantID = s.cfg.Inveterate.MerchantID
	}
	if w.CreatedByApp == "" {
		w.CreatedByApp = s.cfg.Inveterate.AppName
	}
	if w.Token == "" {
		w.Token = randomHex(32)
	}
	if w.CreatedAt.IsZero() {
		w.CreatedAt = s.now().UTC()
	}
	s.invHooks[w.ID] = &invWebhook{InveterateWebhook: w, seeded: true, deletedAt: s.now()}
	return w
}
