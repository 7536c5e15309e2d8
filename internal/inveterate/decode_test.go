package inveterate

import (
	"encoding/json"
	"errors"
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
