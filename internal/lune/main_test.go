package lune

import (
	"os"
	"testing"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient/httpclienttest"
)

// TestMain runs the tests with a cache directory of their own: the clients' pace ledgers stay out
// of the user's.
func TestMain(m *testing.M) {
	os.Exit(httpclienttest.OwnCache{M: m}.Run())
}
