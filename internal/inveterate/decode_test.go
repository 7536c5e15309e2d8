package inveterate

import (
	"encoding/json"
	"errors"
	"testing"

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
