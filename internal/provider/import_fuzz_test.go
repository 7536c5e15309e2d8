package provider

import (
	"errors"
	"strings"
	"testing"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
)

// FuzzSubscriptionImportID parses arbitrary import ids of a subscription: never a panic; an
// accepted id is a well-formed id, with a well-formed topic or none, and is exactly what was
// given; an identity never carries a topic; a refused one gets a diagnostic that quotes it.
func FuzzSubscriptionImportID(f *testing.F) {
	for _, seed := range []string{
		"0123456789abcdef0123456789abcdef", "customer.updated/0123456789abcdef0123456789abcdef",
		"customer.updated/", "/0123456789abcdef0123456789abcdef", "a/b/c", "Customer.Updated/0123456789abcdef0123456789abcdef",
		"customer.updated/0123456789ABCDEF0123456789ABCDEF", "", "\n", `"quoted"`,
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, value string, byIdentity bool) {
		topic, id, err := parseSubscriptionImportID(value, byIdentity)
		if err != nil {
			var bad *importIDError
			if !errors.As(err, &bad) || !strings.HasPrefix(bad.summary, "Invalid Import") || !strings.Contains(bad.detail, "0123456789abcdef0123456789abcdef") {
				t.Fatalf("%q: refused without a useful diagnostic: %v", value, err)
			}
			return
		}
		if !inveterate.IDPattern.MatchString(id) || (topic != "" && !inveterate.TopicPattern.MatchString(topic)) {
			t.Fatalf("%q accepted as topic %q, id %q", value, topic, id)
		}
		if byIdentity && topic != "" {
			t.Fatalf("%q accepted as an identity with the topic %q", value, topic)
		}
		if rebuilt := strings.TrimPrefix(topic+"/"+id, "/"); rebuilt != value {
			t.Fatalf("%q accepted as %q", value, rebuilt)
		}
	})
}
