package inveterate

import (
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

// decodeAnswer decodes a list's answer body as the client does: into a listAnswer (as httpclient
// decodes it), then listed.
func decodeAnswer(body []byte) ([]Subscription, error) {
	var answer listAnswer[subscriptionWire]
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, err
	}
	return listed(&answer, (*subscriptionWire).subscription)
}

// decodeEnvelope is the plain reading of the same body, the reference: the envelope, then
// decodeList of its data, each record through Subscription's own decoder.
func decodeEnvelope(body []byte) ([]Subscription, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	return decodeList[Subscription](env.Data)
}

// FuzzListAnswerDecodesAsTheEnvelope: the one-pass decoding of a list's answer (listAnswer) reads
// every body as the plain reading does: the same records, or an error where it errs.
func FuzzListAnswerDecodesAsTheEnvelope(f *testing.F) {
	for _, body := range []string{
		string(listBody(3)),
		`{"message":"ok","data":[{"id":"a","topic":"t.x","createdAt":"2026-01-02T03:04:05+01:00","updatedAt":"soon"}]}`,
		`{"message":"ok","data":{"items":[{"id":"a","topic":"t.x"}]}}`,
		`{"message":"ok","data":{"a":[],"b":[{"id":"x","topic":"y.z"}]}}`,
		`{"message":7,"data":[{"id":"a","topic":"t.x"}]}`,
		`{"message":"ok","data":[{"id":1,"topic":"t.x"}]}`,
		`{"message":"ok","data":[{"id":"a","topic":"t.x","createdAt":5}]}`,
		`{"message":"ok","data":[{"id":"a"}]}`,
		`{"message":"ok","data":[{"ID":"a","TOPIC":"t.x","createdat":null}]}`,
		`{"message":"ok","data":null}`,
		`{"message":"ok","data":[]}`,
		`{"message":"ok"}`,
		`{"data":[{"id":"a","topic":"t.x"}],"data":{"x":[]}}`,
		`[]`,
		`"nope"`,
	} {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return // httpclient does not decode what is not JSON
		}
		got, gotErr := decodeAnswer(body)
		want, wantErr := decodeEnvelope(body)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("body %s: one-pass error %v, envelope error %v", body, gotErr, wantErr)
		}
		if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
			t.Fatalf("body %s:\none-pass %+v\nenvelope %+v", body, got, want)
		}
	})
}

// BenchmarkListAnswer2000 decodes the answer to a list of 2,000 subscriptions, as a list confirming
// creates at 2,000 per type carries (the bench's largest scale): each look of the watch pays it.
func BenchmarkListAnswer2000(b *testing.B) {
	body := listBody(2000)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if got, err := decodeAnswer(body); err != nil || len(got) != 2000 {
			b.Fatalf("%d records, %v", len(got), err)
		}
	}
}
