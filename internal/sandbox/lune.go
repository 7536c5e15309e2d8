package sandbox

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// luneVersion is the only Lune-Version the sandbox accepts and the one it echoes.
const luneVersion = "2024-08-08"

var (
	// luneURLPattern is Lune's documented url pattern, verbatim.
	luneURLPattern = regexp.MustCompile(`^https:\/\/[-a-zA-Z0-9@:%._\+~#=]{2,256}\.[a-z]{2,6}\b([-a-zA-Z0-9@:%_\+.~#?&\/\/=]*)$`)
	luneIDPattern  = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)
)

// LuneWebhook is a Lune webhook as the sandbox stores it.
type LuneWebhook struct {
	ID, URL     string
	Enabled     bool
	AccountType string
	// AccountIDs filters the accounts whose events are pushed; nil = all accounts.
	AccountIDs []string
	CreatedAt  time.Time
	// Secret is the full signing secret; the API shows only its last 4
	// characters except in the create and rotate answers.
	Secret string
}

func (w LuneWebhook) clone() LuneWebhook {
	w.AccountIDs = cloneStrings(w.AccountIDs)
	return w
}

// matchLune routes the path segments after /v1/webhooks.
func matchLune(method string, rest []string) (route, bool) {
	rt := route{api: Lune}
	switch {
	case len(rest) == 0:
		switch method {
		case http.MethodGet:
			rt.op = "lune.list"
		case http.MethodPost:
			rt.op = "lune.create"
		}
	case len(rest) == 1 && rest[0] != "":
		rt.id = rest[0]
		switch method {
		case http.MethodGet:
			rt.op = "lune.get"
		case http.MethodPut:
			rt.op = "lune.update"
		case http.MethodDelete:
			rt.op = "lune.delete"
		}
	case len(rest) == 2 && rest[0] != "" && rest[1] == "rotate-secret" && method == http.MethodPut:
		rt.id = rest[0]
		rt.op = "lune.rotate"
	}
	return rt, rt.op != ""
}

// luneJSON is the wire form of a Lune webhook.
type luneJSON struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Enabled     bool     `json:"enabled"`
	AccountType string   `json:"account_type"`
	AccountIDs  []string `json:"account_ids,omitzero"` // omitted only when nil
	CreatedAt   string   `json:"created_at"`
	Secret      string   `json:"secret"`
}

func luneView(w *LuneWebhook, fullSecret bool) luneJSON {
	secret := w.Secret
	if !fullSecret && len(secret) > 4 {
		secret = secret[len(secret)-4:]
	}
	return luneJSON{
		ID:          w.ID,
		URL:         w.URL,
		Enabled:     w.Enabled,
		AccountType: w.AccountType,
		AccountIDs:  cloneStrings(w.AccountIDs),
		CreatedAt:   formatTime(w.CreatedAt),
		Secret:      secret,
	}
}

type luneErr struct {
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
}

// luneError is Lune's documented error body, the error repeated in "errors".
func luneError(status int, code, msg string) reply {
	e := luneErr{ErrorCode: code, Message: msg}
	return jsonReply(status, struct {
		Error  luneErr   `json:"error"`
		Errors []luneErr `json:"errors"`
	}{e, []luneErr{e}})
}

func luneValidation(msg string) reply {
	return luneError(http.StatusBadRequest, "validation_error", msg)
}

// serveLune runs the Lune checks in the documented order (auth, rate limit,
// version, size, id) and then the operation; callers hold s.mu.
func (s *Sandbox) serveLune(rq *request) reply {
	key, ok := strings.CutPrefix(rq.r.Header.Get("Authorization"), "Bearer ")
	if !ok || !slices.Contains(s.cfg.Lune.Keys, key) {
		return luneError(http.StatusUnauthorized, "unauthorised", "Invalid or missing API key")
	}
	if acc, present := rq.r.Header["Lune-Account"]; present {
		if len(acc) != 1 || !slices.Contains(s.cfg.Lune.Accounts, acc[0]) {
			return luneError(http.StatusForbidden, "unauthorised", "The API key has no access to the account in the Lune-Account header")
		}
	}
	if !s.luneAllow(key) {
		s.counts["lune.rate_limited"]++
		return reply{status: http.StatusTooManyRequests}
	}
	if v := rq.r.Header.Values("Lune-Version"); len(v) != 1 || v[0] != luneVersion {
		return luneError(http.StatusBadRequest, "api_version_invalid",
			fmt.Sprintf("The Lune-Version header must be %q", luneVersion))
	}
	if rq.tooLarge {
		return reply{status: http.StatusRequestEntityTooLarge}
	}
	if rq.id != "" && !luneIDPattern.MatchString(rq.id) {
		return luneError(http.StatusBadRequest, "id_invalid", "The webhook id is invalid")
	}
	switch rq.op {
	case "lune.list":
		return s.luneList(rq)
	case "lune.create":
		return s.luneCreate(rq, key)
	}
	w, found := s.lune[rq.id]
	if !found {
		return reply{status: http.StatusNotFound}
	}
	switch rq.op {
	case "lune.get":
		return jsonReply(http.StatusOK, luneView(w, false))
	case "lune.update":
		return s.luneUpdate(rq, w)
	case "lune.delete":
		delete(s.lune, w.ID)
		return reply{status: http.StatusNoContent}
	default: // lune.rotate
		w.Secret = newLuneSecret()
		return jsonReply(http.StatusOK, luneView(w, true))
	}
}

// luneAllow applies the per-key sliding one-second window; a refused request
// does not use up the budget.
func (s *Sandbox) luneAllow(key string) bool {
	limit := s.cfg.Lune.RateLimit
	if limit < 0 {
		return true
	}
	now := s.limiterNow()
	hits := s.luneHits[key]
	i := 0
	for i < len(hits) && now.Sub(hits[i]) >= time.Second {
		i++
	}
	hits = hits[i:]
	if len(hits) >= limit {
		s.luneHits[key] = hits
		return false
	}
	s.luneHits[key] = append(hits, now)
	return true
}

func (s *Sandbox) luneList(rq *request) reply {
	filter := rq.r.URL.Query()["account_id"]
	for _, a := range filter {
		if a == "" {
			return luneValidation("account_id: must not be empty")
		}
	}
	out := []luneJSON{}
	for _, w := range s.sortedLune() {
		// A webhook without account_ids pushes every account, so it always matches.
		if len(filter) == 0 || w.AccountIDs == nil || slices.ContainsFunc(w.AccountIDs, func(a string) bool {
			return slices.Contains(filter, a)
		}) {
			out = append(out, luneView(w, false))
		}
	}
	return jsonReply(http.StatusOK, out)
}

func (s *Sandbox) luneCreate(rq *request, key string) reply {
	m, err := decodeObject(rq.body)
	if err != nil {
		return luneValidation("The request body must be a JSON object: " + err.Error())
	}
	u, rep, ok := luneURL(m)
	if !ok {
		return rep
	}
	ids, _, rep, ok := luneAccountIDs(m)
	if !ok {
		return rep
	}
	if limit := s.cfg.Lune.WebhookLimit; limit >= 0 && len(s.lune) >= limit {
		return luneError(http.StatusBadRequest, "webhook_limit_reached",
			fmt.Sprintf("The limit of %d webhooks has been reached", limit))
	}
	accountType := "live"
	if strings.HasPrefix(key, "test_") {
		accountType = "test"
	}
	// "enabled" is not part of create: new webhooks always start enabled.
	w := &LuneWebhook{
		ID:          s.newLuneID(),
		URL:         u,
		Enabled:     true,
		AccountType: accountType,
		AccountIDs:  ids,
		CreatedAt:   s.now().UTC(),
		Secret:      newLuneSecret(),
	}
	s.lune[w.ID] = w
	return jsonReply(http.StatusOK, luneView(w, true))
}

func (s *Sandbox) luneUpdate(rq *request, w *LuneWebhook) reply {
	m, err := decodeObject(rq.body)
	if err != nil {
		return luneValidation("The request body must be a JSON object: " + err.Error())
	}
	u, rep, ok := luneURL(m)
	if !ok {
		return rep
	}
	var enabled *bool
	if raw, present := m["enabled"]; present {
		var b bool
		if isNull(raw) || json.Unmarshal(raw, &b) != nil {
			return luneValidation("enabled: must be a boolean")
		}
		enabled = &b
	}
	ids, idsPresent, rep, ok := luneAccountIDs(m)
	if !ok {
		return rep
	}
	w.URL = u
	if enabled != nil {
		w.Enabled = *enabled
	}
	if idsPresent {
		w.AccountIDs = ids
	}
	return jsonReply(http.StatusOK, luneView(w, false))
}

// luneURL reads the required url member and checks Lune's pattern.
func luneURL(m map[string]json.RawMessage) (string, reply, bool) {
	raw, present := m["url"]
	if !present {
		return "", luneValidation("url: is required"), false
	}
	var u string
	if isNull(raw) || json.Unmarshal(raw, &u) != nil {
		return "", luneValidation("url: must be a string"), false
	}
	if !luneURLPattern.MatchString(u) {
		return "", luneValidation("url: must be a valid https URL matching " + luneURLPattern.String()), false
	}
	return u, reply{}, true
}

// luneAccountIDs reads the optional account_ids member: when present it must
// be an array of at least one non-empty string (null is not "absent").
func luneAccountIDs(m map[string]json.RawMessage) (ids []string, present bool, rep reply, ok bool) {
	raw, present := m["account_ids"]
	if !present {
		return nil, false, reply{}, true
	}
	if isNull(raw) || json.Unmarshal(raw, &ids) != nil {
		return nil, true, luneValidation("account_ids: must be an array of strings"), false
	}
	if len(ids) == 0 {
		return nil, true, luneValidation("account_ids: must contain at least 1 item"), false
	}
	if slices.Contains(ids, "") {
		return nil, true, luneValidation("account_ids: items must be non-empty strings"), false
	}
	return ids, true, reply{}, true
}

func (s *Sandbox) newLuneID() string {
	for {
		id := randomAlnum(32)
		if _, taken := s.lune[id]; !taken {
			return id
		}
	}
}

func newLuneSecret() string { return "whsec_" + randomAlnum(32) }

// sortedLune returns the stored webhooks by creation time, then id; callers hold s.mu.
func (s *Sandbox) sortedLune() []*LuneWebhook {
	out := make([]*LuneWebhook, 0, len(s.lune))
	for _, w := range s.lune {
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b *LuneWebhook) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out
}

// LuneWebhooks returns copies of every Lune webhook, sorted by CreatedAt then ID.
func (s *Sandbox) LuneWebhooks() []LuneWebhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []LuneWebhook{}
	for _, w := range s.sortedLune() {
		out = append(out, w.clone())
	}
	return out
}

// LuneWebhook returns a copy of the webhook with that id.
func (s *Sandbox) LuneWebhook(id string) (LuneWebhook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.lune[id]
	if !ok {
		return LuneWebhook{}, false
	}
	return w.clone(), true
}

// UpdateLuneWebhook changes a webhook behind the API's back (drift): fn edits
// a copy, which is stored as fn leaves it except for the ID, which cannot
// change. fn runs under the sandbox lock and must not call the Sandbox.
func (s *Sandbox) UpdateLuneWebhook(id string, fn func(*LuneWebhook)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.lune[id]
	if !ok {
		return false
	}
	c := w.clone()
	fn(&c)
	stored := c.clone() // fn may keep pointers into c
	stored.ID = id
	s.lune[id] = &stored
	return true
}

// DeleteLuneWebhook removes a webhook behind the API's back.
func (s *Sandbox) DeleteLuneWebhook(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.lune[id]
	delete(s.lune, id)
	return ok
}

// RotateLuneSecret rotates a webhook's secret behind the API's back and
// returns the new full secret.
func (s *Sandbox) RotateLuneSecret(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.lune[id]
	if !ok {
		return "", false
	}
	w.Secret = newLuneSecret()
	return w.Secret, true
}

// AddLuneWebhook seeds a webhook, filling an empty ID, Secret, CreatedAt and
// AccountType ("live"); Enabled is taken as given. An existing ID is replaced.
func (s *Sandbox) AddLuneWebhook(w LuneWebhook) LuneWebhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	w = w.clone()
	if w.ID == "" {
		w.ID = s.newLuneID()
	}
	if w.Secret == "" {
		w.Secret = newLuneSecret()
	}
	if w.CreatedAt.IsZero() {
		w.CreatedAt = s.now().UTC()
	}
	if w.AccountType == "" {
		w.AccountType = "live"
	}
	s.lune[w.ID] = &w
	return w.clone()
}
