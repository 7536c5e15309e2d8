// Package inveterate is a client for the Inveterate Public API 2.0 admin webhook endpoints: webhook
// subscriptions and admin webhooks with a security token. It knows nothing of Terraform.
package inveterate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

const (
	// DefaultBaseURL is Inveterate's public API host; the 2.0 paths live under /v2.0/.
	DefaultBaseURL = "https://public.inveterateapi.com"
	// DefaultVisibilityWait is how long a create of unknown outcome keeps looking for the record
	// it may have made: Inveterate's creates are eventually consistent.
	DefaultVisibilityWait = 15 * time.Second
)

// Config holds what an Inveterate client needs.
type Config struct {
	httpclient.Settings
	// APIKey is the merchant's private key, sent as X-Inveterate-Api-Key.
	APIKey string
	// VisibilityWait bounds the search for a record that a create of unknown outcome may have
	// made (0: DefaultVisibilityWait).
	VisibilityWait time.Duration
	// PollInterval is the pause between two list calls while waiting (0: one second).
	PollInterval time.Duration
	// Context carries the fields of the logs of the list calls that serve many waits at once (the
	// operation's, not one caller's); nil is context.Background().
	Context context.Context
	// OnWrite, when set, is called after every request of this client that may change data,
	// whatever its outcome: its owner drops what it cached from reads.
	OnWrite func()
}

// Client talks to Inveterate's admin webhook endpoints. It is safe for concurrent use.
type Client struct {
	http           *httpclient.Client
	visibilityWait time.Duration
	pollInterval   time.Duration
	onWrite        func()
	// subscriptions and webhooks serve the waits for records to show in (or leave) each list, which
	// they read as indexes (listindex.go).
	subscriptions *watch[listedRecord]
	webhooks      *watch[listedRecord]
}

// New returns a client for cfg. An empty BaseURL means DefaultBaseURL.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.VisibilityWait <= 0 {
		cfg.VisibilityWait = DefaultVisibilityWait
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	header := http.Header{}
	header.Set("X-Inveterate-Api-Key", cfg.APIKey)
	requestTimeout := cfg.RequestTimeout
	if requestTimeout <= 0 {
		requestTimeout = httpclient.DefaultRequestTimeout
	}
	hc, err := httpclient.New(httpclient.Config{
		Settings: cfg.Settings,
		// A lookup after a lost create answer polls the list for up to the visibility wait, and an
		// admin webhook's then deletes what it found.
		ResolveTimeout: cfg.VisibilityWait + 4*requestTimeout,
		Vendor:         "Inveterate",
		APIPath:        "/v2.0",
		Subsystem:      "inveterate",
		Header:         header,
		DecodeError:    decodeError,
		Redact: httpclient.Redaction{
			Headers:    []string{"X-Inveterate-Api-Key"},
			Values:     []string{cfg.APIKey},
			JSONFields: []string{"token"},
		},
	})
	if err != nil {
		return nil, err
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	c := &Client{http: hc, onWrite: cfg.OnWrite, visibilityWait: cfg.VisibilityWait, pollInterval: cfg.PollInterval}
	c.subscriptions = newWatch(cfg.Context, c.listIndex(subscriptionsPath), listedID, cfg.PollInterval)
	c.webhooks = newWatch(cfg.Context, c.listIndex(webhooksPath), listedID, cfg.PollInterval)
	return c, nil
}

// VisibilityWait is how long the client expects Inveterate may take to list a record it has
// accepted (Config.VisibilityWait). Callers use it to bound their own waits for a new record
// before they conclude it does not exist.
func (c *Client) VisibilityWait() time.Duration { return c.visibilityWait }

// envelope is the shape of every Inveterate answer.
type envelope struct {
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// dataKeys names the fields of an error's data object, sorted; "" when it is not an object.
func dataKeys(data json.RawMessage) string {
	var fields map[string]json.RawMessage
	if len(data) == 0 || json.Unmarshal(data, &fields) != nil || len(fields) == 0 {
		return ""
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// decodeError classifies Inveterate's errors. Inveterate answers 400 for a bad or missing key and
// for a record that does not exist, so the message decides.
func decodeError(status int, body []byte) httpclient.ErrorInfo {
	var env envelope
	if json.Unmarshal(body, &env) != nil {
		// JSON, but not Inveterate's envelope: nothing of it is quoted (it may hold anything).
		return httpclient.ErrorInfo{Message: fmt.Sprintf("an answer that is not Inveterate's envelope (%d bytes of JSON)", len(body))}
	}
	msg := env.Message
	// The details are named, never quoted: a 500 "may have been partly applied", and its data may
	// carry what it made, a token included.
	if keys := dataKeys(env.Data); keys != "" {
		msg = fmt.Sprintf("%s (details: %s)", msg, keys)
	}
	info := httpclient.ErrorInfo{Message: msg}
	if status == http.StatusBadRequest {
		lower := strings.ToLower(env.Message)
		// A message about the key wins over "not found": "API key not found" is not a missing record.
		switch {
		case strings.Contains(lower, "api key"), strings.Contains(lower, "apikey"), strings.Contains(lower, "unauthori"):
			info.Kind = httpclient.ErrUnauthorized
		case strings.Contains(lower, "not found"):
			info.Kind = httpclient.ErrNotFound
		}
	}
	return info
}

// write sends a write and decodes the envelope's data into out.
func (c *Client) write(ctx context.Context, req httpclient.Request, out any) error {
	defer c.wrote()
	var env envelope
	if _, err := c.http.Do(ctx, req, &env); err != nil {
		return err
	}
	return decodeData(env.Data, out)
}

// createOrAdopt is write for creates, with reconciliation (see httpclient.Client.CreateOrAdopt).
// When find adopts an object it fills the caller's result itself.
func (c *Client) createOrAdopt(ctx context.Context, req httpclient.Request, out any, find httpclient.Finder) error {
	defer c.wrote()
	var env createdEnvelope
	adopted, err := c.http.CreateOrAdopt(ctx, req, &env, find)
	if err != nil || adopted {
		return err
	}
	return decodeData(env.Data, out)
}

// createdEnvelope is the answer to a create. One that names no record (no data, or data without
// an id) cannot be used: the create's outcome is then unknown, and the record is looked for
// (httpclient.Validator), never created twice.
type createdEnvelope struct{ envelope }

// Validate rejects an answer that names no record.
func (e *createdEnvelope) Validate() error {
	if e.CreatedID() == "" {
		return errors.New("the answer names no record (no data.id)")
	}
	return nil
}

// CreatedID names the record a create answered with (httpclient.Identified).
func (e *envelope) CreatedID() string {
	var created struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(e.Data, &created) != nil {
		return ""
	}
	return created.ID
}

func decodeData(data json.RawMessage, out any) error {
	if out == nil || len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &httpclient.APIError{Kind: httpclient.ErrServer, Vendor: "Inveterate", Cause: fmt.Errorf("unreadable data: %w", err)}
	}
	return nil
}

// decodeList accepts a list as a JSON array, or as an object whose only member is the array
// (listArray). Every record in the list must be complete (httpclient.Validator).
func decodeList[T any](data json.RawMessage) ([]T, error) {
	array, err := listArray(data)
	if err != nil || array == nil {
		return nil, err
	}
	var out []T
	if err := json.Unmarshal(array, &out); err != nil {
		return nil, errUnreadableList(data)
	}
	return validList(out)
}

// listArray is the array of a list's data: data itself, or the only member of the object data is
// (the contract leaves open whether Inveterate wraps its lists); nil for no data or null. The wrapped
// form is strict: an object with a second member (even a repeated key), or whose member is not an
// array, is an unreadable answer, because there is no telling which member is the list, and picking
// one would make the same answer mean different things from one call to the next.
func listArray(data json.RawMessage) (json.RawMessage, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return nil, nil
	}
	if trimmed[0] == '[' {
		return trimmed, nil
	}
	// soleMember reads the object's only member. It walks the tokens rather than decode a map: a map
	// has no order to rely on, and it keeps only the last of two members with the same key, which
	// would hide the ambiguity.
	soleMember := func() (json.RawMessage, bool) {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		var member json.RawMessage
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return nil, false
		}
		if _, err := dec.Token(); err != nil { // the member's key
			return nil, false
		}
		if err := dec.Decode(&member); err != nil {
			return nil, false
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('}') || dec.More() {
			return nil, false
		}
		return bytes.TrimSpace(member), true
	}
	if member, ok := soleMember(); ok && bytes.HasPrefix(member, []byte("[")) {
		return member, nil
	}
	return nil, errUnreadableList(data)
}

// onList names the list at path in err, an error of reading its answer that names no request
// (errListRecord, errUnreadableList), so that the user is told which list was unusable.
func onList(path string, err error) error {
	var apiErr *httpclient.APIError
	if errors.As(err, &apiErr) && apiErr.Method == "" && apiErr.Path == "" {
		apiErr.Method, apiErr.Path = http.MethodGet, path
	}
	return err
}

// errListRecord is the error of a record of a list, named by which (its place or its quoted id),
// that cannot be used: the list is not Inveterate's, or not whole.
func errListRecord(which string, err error) error {
	return &httpclient.APIError{Kind: httpclient.ErrServer, Vendor: "Inveterate", Cause: fmt.Errorf("record %s of the list: %w", which, err)}
}

func errUnreadableList(data json.RawMessage) error {
	return &httpclient.APIError{Kind: httpclient.ErrServer, Vendor: "Inveterate",
		Cause: fmt.Errorf("unreadable list (want an array, or an object with the array as its only member; got %d bytes)", len(data))}
}

// validList returns items when every one is complete, else an error: a list never yields a
// half-filled record.
func validList[T any](items []T) ([]T, error) {
	for i := range items {
		if v, ok := any(&items[i]).(httpclient.Validator); ok {
			if err := v.Validate(); err != nil {
				return nil, errListRecord(strconv.Itoa(i), err)
			}
		}
	}
	return items, nil
}

// listAnswer is the answer to a list, for records that arrive as W. Its usual form, the records as
// an array in data, decodes straight into W, with no decoder of its own per record; any other form
// keeps the envelope for decodeList to read. An answer with no data member at all is no list (a
// proxy's or a maintenance page's JSON): Validate rejects it, so that it never reads as an empty
// list, which would say that every record is gone.
type listAnswer[W any] struct {
	items []W
	// typed is set when the answer had the usual form: items holds its records. hasData is set when
	// the answer has a data member, null included (an empty list, as some encoders send it).
	typed, hasData bool
	env            envelope
}

// DecodeBody reads the answer to a list (httpclient.BodyDecoder): straight into its records when it
// has the usual form, else into its envelope. The usual form is decoded as strictly as the envelope
// (message a string or absent); json.Unmarshal rejects a body that is not JSON either way.
func (a *listAnswer[W]) DecodeBody(body []byte) error {
	var usual struct {
		Message string      `json:"message"`
		Data    listData[W] `json:"data"`
	}
	if json.Unmarshal(body, &usual) == nil {
		a.items, a.typed, a.hasData = usual.Data.items, true, usual.Data.seen
		return nil
	}
	if err := json.Unmarshal(body, &a.env); err != nil {
		return err
	}
	a.hasData = len(a.env.Data) > 0
	return nil
}

// Validate rejects an answer without data (httpclient.Validator): an empty body, JSON null, or an
// object with no data member.
func (a *listAnswer[W]) Validate() error {
	if !a.hasData {
		return errors.New("the answer has no data member, so it is not a list")
	}
	return nil
}

// listData is the data member of a list's answer, as an array of W decoded afresh: when an answer
// repeats the member, its last value alone counts, as it does for the envelope's json.RawMessage
// (decoding the second array into the first's slice would keep the first's fields wherever the
// second's records lack them).
type listData[W any] struct {
	items []W
	// seen is set once the member has been read, null included.
	seen bool
}

func (d *listData[W]) UnmarshalJSON(data []byte) error {
	var fresh []W
	if err := json.Unmarshal(data, &fresh); err != nil {
		return err
	}
	d.items, d.seen = fresh, true
	return nil
}

// decodeVia reads one record into into through its wire form W, which record makes a T: the
// decoder of a record type, sharing its wire form with the lists.
func decodeVia[W, T any](data []byte, into *T, record func(*W) T) error {
	var wire W
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	*into = record(&wire)
	return nil
}

// list fetches a list endpoint whose records arrive as W, and makes each a T with record.
func list[W, T any](ctx context.Context, c *Client, path string, record func(*W) T) ([]T, error) {
	var answer listAnswer[W]
	if _, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodGet, Path: path, MustExist: true}, &answer); err != nil {
		return nil, err
	}
	items, err := listed(&answer, record)
	return items, onList(path, err)
}

// listed is the records of a decoded answer to a list, each made a T with record: every one
// complete (validList), or an error.
func listed[W, T any](answer *listAnswer[W], record func(*W) T) ([]T, error) {
	items := answer.items
	if !answer.typed {
		var err error
		if items, err = decodeList[W](answer.env.Data); err != nil {
			return nil, err
		}
	}
	if len(items) == 0 {
		return nil, nil
	}
	out := make([]T, len(items))
	for i := range items {
		out[i] = record(&items[i])
	}
	return validList(out)
}

// poll calls try until it reports done, ctx ends, or wait has passed. Inveterate's lists lag
// behind its creates and deletes. It waits the whole of wait: when less than a poll interval is
// left, the last try is made when wait runs out, not given up one interval early.
func (c *Client) poll(ctx context.Context, wait time.Duration, try func(ctx context.Context) (bool, error)) (bool, error) {
	deadline := time.Now().Add(wait)
	for {
		done, err := try(ctx)
		if err != nil || done {
			return done, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(min(c.pollInterval, left)):
		}
	}
}

// parseTime reads one of Inveterate's optional timestamps. Absent, or in a form that does not
// parse, it is the zero time: the caller treats it as not known.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// NotListed is the error of a record missing from a list: Inveterate has no read by id, so that is
// how a record is "not found". what names the record ("webhook subscription").
func NotListed(what, id string) error {
	return &httpclient.APIError{Kind: httpclient.ErrNotFound, Vendor: "Inveterate", Method: http.MethodGet, Message: fmt.Sprintf("%s %q is not in the list", what, id)}
}

// errNoID is the error of a create whose answer carries no id: the record may exist, but nothing
// can be done with it, so the caller must not record an empty id.
func errNoID(what, path string) error {
	return &httpclient.APIError{Kind: httpclient.ErrServer, Vendor: "Inveterate", Method: http.MethodPost, Path: path,
		Message: fmt.Sprintf("Inveterate accepted the %s but its answer carries no id; check Inveterate's list for it before trying again", what)}
}

// wrote tells the owner (Config.OnWrite) that a write was made.
func (c *Client) wrote() {
	if c.onWrite != nil {
		c.onWrite()
	}
}
