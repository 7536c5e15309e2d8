package inveterate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// The sandbox answers lists as a bare array; the contract leaves open whether the real API wraps
// the array in an object, so both must decode.
func TestDecodeListShapes(t *testing.T) {
	for name, data := range map[string]string{
		"bare array": `[{"id":"a","topic":"customer.updated"},{"id":"b","topic":"customer.ordered"}]`,
		"wrapped":    `{"subscriptions":[{"id":"a","topic":"customer.updated"},{"id":"b","topic":"customer.ordered"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			got, err := decodeList[Subscription](json.RawMessage(data))
			if err != nil || len(got) != 2 || got[0].ID != "a" || got[1].Topic != "customer.ordered" {
				t.Fatalf("decodeList = %+v, %v", got, err)
			}
		})
	}
	if got, err := decodeList[Subscription](json.RawMessage(`null`)); err != nil || len(got) != 0 {
		t.Fatalf("null data: %+v, %v", got, err)
	}
	if _, err := decodeList[Subscription](json.RawMessage(`"nope"`)); !errors.Is(err, httpclient.ErrServer) {
		t.Fatalf("garbage: %v, want ErrServer", err)
	}
}

func TestDecodeErrorClassifiesInveteratesFourHundreds(t *testing.T) {
	cases := []struct {
		body string
		want error
	}{
		{`{"message":"Webhook subscription not found"}`, httpclient.ErrNotFound},
		{`{"message":"Webhook not found"}`, httpclient.ErrNotFound},
		{`{"message":"Invalid or missing API key"}`, httpclient.ErrUnauthorized},
		{`{"message":"API key not found"}`, httpclient.ErrUnauthorized},
		{`{"message":"callbackUrl is required"}`, nil},
	}
	for _, tc := range cases {
		info := decodeError(400, []byte(tc.body))
		if info.Kind != tc.want || info.Message == "" {
			t.Errorf("decodeError(400, %s) = %+v; want kind %v", tc.body, info, tc.want)
		}
	}
}

// Inveterate's timestamps are RFC 3339 strings that may be absent: they decode to UTC times, and
// one that is absent or does not parse to the zero time (which callers treat as not known).
func TestDecodeTimestamps(t *testing.T) {
	for raw, want := range map[string]time.Time{
		`{"id":"a","topic":"t.u"}`: {},
		`{"id":"a","topic":"t.u","createdAt":"2026-03-01T10:20:30.123456789Z"}`: time.Date(2026, 3, 1, 10, 20, 30, 123456789, time.UTC),
		`{"id":"a","topic":"t.u","createdAt":"2026-03-01T12:20:30+02:00"}`:      time.Date(2026, 3, 1, 10, 20, 30, 0, time.UTC),
		`{"id":"a","topic":"t.u","createdAt":"yesterday"}`:                      {},
	} {
		var s Subscription
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			t.Fatal(err)
		}
		var w Webhook
		if err := json.Unmarshal([]byte(raw), &w); err != nil {
			t.Fatal(err)
		}
		if !s.CreatedAt.Equal(want) || !w.CreatedAt.Equal(want) || (!want.IsZero() && (s.CreatedAt.Location() != time.UTC || w.CreatedAt.Location() != time.UTC)) {
			t.Errorf("%s: subscription %s, webhook %s, want %s in UTC", raw, s.CreatedAt, w.CreatedAt, want)
		}
		if s.ID != "a" || s.Topic != "t.u" || w.ID != "a" {
			t.Errorf("%s: the other fields were lost: %+v %+v", raw, s, w)
		}
	}
}

// An object is read as a wrapped list only when it holds exactly one member and that member is an
// array: with two members there is no telling which is the list (ranging over a Go map picked one
// at random), so the answer is unreadable, every time.
func TestDecodeListWrappedIsStrict(t *testing.T) {
	const two = `[{"id":"a","topic":"customer.updated"},{"id":"b","topic":"customer.ordered"}]`
	if got, err := decodeList[Subscription](json.RawMessage(`{"items":` + two + `}`)); err != nil || len(got) != 2 || got[1].ID != "b" {
		t.Fatalf("one wrapped array: %+v, %v", got, err)
	}
	if got, err := decodeList[Subscription](json.RawMessage(" \n{ \"items\" : " + two + " }\n")); err != nil || len(got) != 2 {
		t.Fatalf("one wrapped array, with white space: %+v, %v", got, err)
	}
	if got, err := decodeList[Subscription](json.RawMessage(`{"items":[]}`)); err != nil || len(got) != 0 {
		t.Fatalf("one wrapped empty array: %+v, %v", got, err)
	}
	if got, err := decodeList[Subscription](json.RawMessage(``)); err != nil || len(got) != 0 {
		t.Fatalf("no data: %+v, %v", got, err)
	}
	for name, data := range map[string]string{
		"an empty and a full array": `{"items":[],"more":` + two + `}`,
		"a full and an empty array": `{"more":` + two + `,"items":[]}`,
		"an array and a count":      `{"items":` + two + `,"count":2}`,
		"a repeated member":         `{"items":[],"items":` + two + `}`,
		"a member that is no array": `{"items":{"id":"a","topic":"customer.updated"}}`,
		"a wrapped null":            `{"items":null}`,
		"an empty object":           `{}`,
		"an array of garbage":       `{"items":[1,2]}`,
	} {
		t.Run(name, func(t *testing.T) {
			for range 300 { // ranging over a map changes order from run to run: show it never does here
				got, err := decodeList[Subscription](json.RawMessage(data))
				var apiErr *httpclient.APIError
				if !errors.Is(err, httpclient.ErrServer) || !errors.As(err, &apiErr) || !strings.Contains(err.Error(), "unreadable list") {
					t.Fatalf("decodeList(%s) = %+v, %v; want an unreadable list", data, got, err)
				}
			}
		})
	}
}

// listBody is an answer to a list of n subscriptions, as the sandbox sends it.
func listBody(n int) []byte {
	items := make([]map[string]string, n)
	for i := range items {
		items[i] = map[string]string{"id": fmt.Sprintf("%032x", i), "topic": "customer.updated",
			"callbackUrl": fmt.Sprintf("https://hooks.example/%d", i), "name": fmt.Sprintf("hook-%d", i),
			"merchantId": "0123456789abcdef", "createdAt": "2026-12-04T22:13:17.123456Z", "updatedAt": "2026-12-04T22:13:17Z"}
	}
	body, err := json.Marshal(map[string]any{"message": "ok", "data": items})
	if err != nil {
		panic(err)
	}
	return body
}

// decodeAnswer decodes a list's answer body as the client does: httpclient hands it to a listAnswer
// (DecodeBody) and validates that, then listed reads the records.
func decodeAnswer[W, T any](body []byte, record func(*W) T) ([]T, error) {
	var answer listAnswer[W]
	if err := answer.DecodeBody(body); err != nil {
		return nil, err
	}
	if err := answer.Validate(); err != nil {
		return nil, err
	}
	return listed(&answer, record)
}

// frozenSubscription and frozenWebhook decode as Subscription and Webhook did before lists had a wire
// form of their own, each record through a decoder of its own: the reference readings, kept here
// so that a mistake in the wire forms cannot hide on both sides of a comparison.
type (
	frozenSubscription Subscription
	frozenWebhook      Webhook
)

func (s *frozenSubscription) UnmarshalJSON(data []byte) error {
	type plain Subscription
	var wire struct {
		plain
		CreatedAt string `json:"createdAt"`
		UpdatedAt string `json:"updatedAt"`
	}
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	*s = frozenSubscription(wire.plain)
	s.CreatedAt, s.UpdatedAt = parseTime(wire.CreatedAt), parseTime(wire.UpdatedAt)
	return nil
}

func (w *frozenWebhook) UnmarshalJSON(data []byte) error {
	type plain Webhook
	var wire struct {
		plain
		CreatedAt string `json:"createdAt"`
	}
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	*w = frozenWebhook(wire.plain)
	w.CreatedAt = parseTime(wire.CreatedAt)
	return nil
}

// decodeEnvelope is the reference reading of a list's answer: the envelope (an answer without data
// is no list), then decodeList of its data through the frozen decoder F, each record made a T and
// checked as the client checks it.
func decodeEnvelope[F, T any](body []byte) ([]T, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	if len(env.Data) == 0 {
		return nil, errors.New("no data")
	}
	frozen, err := decodeList[F](env.Data)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(frozen))
	for i := range frozen {
		out[i] = any(frozen[i]).(interface{ thaw() T }).thaw()
	}
	return validList(out)
}

func (s frozenSubscription) thaw() Subscription { return Subscription(s) }
func (w frozenWebhook) thaw() Webhook           { return Webhook(w) }

// sameReading fails t unless the client reads body as the reference does: the same records, or an
// error where it errs.
func sameReading[W, F, T any](t *testing.T, body []byte, record func(*W) T) {
	t.Helper()
	got, gotErr := decodeAnswer(body, record)
	want, wantErr := decodeEnvelope[F, T](body)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("%T, body %s: client's error %v, reference's error %v", got, body, gotErr, wantErr)
	}
	if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
		t.Fatalf("%T, body %s:\nclient    %+v\nreference %+v", got, body, got, want)
	}
}

// listAnswerSeeds are answers to a list, the usual and the unusual, to seed the fuzz targets that
// read them.
func listAnswerSeeds() []string {
	return []string{
		string(listBody(3)),
		`{"message":"ok","data":[{"id":"a","topic":"t.x","createdAt":"2026-01-02T03:04:05+01:00","updatedAt":"soon"}]}`,
		`{"message":"ok","data":[{"id":"a","callbackUrl":"https://x","createdByApp":"app","token":"t"}]}`,
		`{"message":"ok","data":{"items":[{"id":"a","topic":"t.x"}]}}`,
		`{"message":"ok","data":{"a":[],"b":[{"id":"x","topic":"y.z"}]}}`,
		`{"message":7,"data":[{"id":"a","topic":"t.x"}]}`,
		`{"message":"ok","data":[{"id":1,"topic":"t.x"}]}`,
		`{"message":"ok","data":[{"id":"a","topic":"t.x","createdAt":5}]}`,
		`{"message":"ok","data":[{"id":"a"}]}`,
		`{"message":"ok","data":[{"ID":"a","TOPIC":"t.x","createdat":null}]}`,
		`{"message":"ok","data":[null]}`,
		`{"message":"ok","data":null}`,
		`{"message":"ok","data":[]}`,
		`{"message":"ok"}`,
		`{"status":"maintenance"}`,
		`{}`,
		`null`,
		`{"data":[{"id":"a","topic":"t.x"}],"data":{"x":[]}}`,
		`{"data":[{"id":"a","topic":"t.x"}],"data":[null]}`,
		`{"data":[{"id":"a","topic":"t.x"}],"data":[{}]}`,
		`{"data":[{"id":"a","topic":"t.x","name":"first"}],"data":[{"id":"b","topic":"t.y"}]}`,
		`[]`,
		`"nope"`,
	}
}

// FuzzListAnswerDecodesAsTheEnvelope: the client reads every answer to a list of either kind as the
// reference reading does (decodeEnvelope): the same records, or an error where it errs.
func FuzzListAnswerDecodesAsTheEnvelope(f *testing.F) {
	for _, body := range listAnswerSeeds() {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return // httpclient does not decode what is not JSON
		}
		sameReading[subscriptionWire, frozenSubscription](t, body, (*subscriptionWire).subscription)
		sameReading[webhookWire, frozenWebhook](t, body, (*webhookWire).webhook)
	})
}

// An answer with no data member is no list: read as an empty one, it would tell a refresh that
// every record is gone (and the next apply would create them all again), and a delete's wait that
// its record has left.
func TestListAnswerWithoutDataIsNoList(t *testing.T) {
	for _, body := range []string{``, ` `, `null`, `{}`, `{"message":"ok"}`, `{"status":"maintenance"}`} {
		var answer listAnswer[subscriptionWire]
		if len(bytes.TrimSpace([]byte(body))) > 0 { // httpclient decodes no empty body, and validates it all the same
			if err := answer.DecodeBody([]byte(body)); err != nil {
				t.Fatalf("%q: %v", body, err)
			}
		}
		if err := answer.Validate(); err == nil {
			t.Errorf("%q reads as a list", body)
		}
	}
	for _, body := range []string{`{"data":null}`, `{"data":[]}`, `{"message":"ok","data":{"items":[]}}`} {
		got, err := decodeAnswer([]byte(body), (*subscriptionWire).subscription)
		if err != nil || len(got) != 0 {
			t.Errorf("%s: %+v, %v; want an empty list", body, got, err)
		}
	}
}

// A repeated data member counts once, the last: its records are read afresh, never over the first's.
func TestListAnswerRepeatedDataTheLastCounts(t *testing.T) {
	got, err := decodeAnswer([]byte(`{"data":[{"id":"a","topic":"t.x","name":"first"}],"data":[{"id":"b","topic":"t.y"}]}`), (*subscriptionWire).subscription)
	if err != nil || len(got) != 1 || got[0].ID != "b" || got[0].Name != "" {
		t.Fatalf("got %+v, %v; want b alone, without the first record's name", got, err)
	}
	if got, err := decodeAnswer([]byte(`{"data":[{"id":"a","topic":"t.x"}],"data":[{}]}`), (*subscriptionWire).subscription); err == nil {
		t.Fatalf("got %+v; want the incomplete record rejected", got)
	}
}

// Each wire form carries every member of its record: a field added to Subscription or Webhook and
// not to its wire form would silently never be read from a list.
func TestWireFormsCarryEveryMember(t *testing.T) {
	for _, pair := range [][2]any{{Subscription{}, subscriptionWire{}}, {Webhook{}, webhookWire{}}} {
		public, wire := reflect.TypeOf(pair[0]), reflect.TypeOf(pair[1])
		tags := map[string]bool{}
		for i := range wire.NumField() {
			tags[strings.Split(wire.Field(i).Tag.Get("json"), ",")[0]] = true
		}
		for i := range public.NumField() {
			f := public.Field(i)
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "-" { // the timestamps: the wire form has them as strings, by their JSON names
				name = strings.ToLower(f.Name[:1]) + f.Name[1:]
			}
			if !tags[name] {
				t.Errorf("%s.%s (%q) is not in %s", public.Name(), f.Name, name, wire.Name())
			}
		}
		if public.NumField() != wire.NumField() {
			t.Errorf("%s has %d fields, %s %d", public.Name(), public.NumField(), wire.Name(), wire.NumField())
		}
	}
}

// BenchmarkListAnswer2000 decodes the answer to a list of 2,000 subscriptions, as a list confirming
// creates at 2,000 per type carries (the bench's largest scale): each look of the watch pays it.
func BenchmarkListAnswer2000(b *testing.B) {
	body := listBody(2000)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if got, err := decodeAnswer(body, (*subscriptionWire).subscription); err != nil || len(got) != 2000 {
			b.Fatalf("%d records, %v", len(got), err)
		}
	}
}
