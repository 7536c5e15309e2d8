package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// Acceptance tests check outcomes, and make changes behind Terraform's back, through the project's
// own clients: against the sandbox and, live, against the real APIs alike (as
// terraform-provider-tfe's CheckDestroy asks the API). Only what no public API can do (fault
// injection, the sandbox's delays, counting calls, reading a full secret server-side) stays
// sandbox-only.

// envAccRunID names the marker of one run's objects; by default each test process picks one.
const envAccRunID = "WEBHOOKS_ACC_RUN_ID"

// accMarkerPrefix starts every run marker. Everything a test creates carries its run's marker in
// its URL path (and in its name where the API has names); the sweepers delete what carries a marker
// and nothing else.
const accMarkerPrefix = "tfacc-"

var accRun = sync.OnceValue(func() string {
	if id := os.Getenv(envAccRunID); id != "" {
		return accMarkerPrefix + id
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return accMarkerPrefix + hex.EncodeToString(b)
})

// url is a receiver URL for an object the test creates:
// https://hooks.example.com/<run marker>/<test>/<path>, so that both the run and the test that made
// an object can be told from its URL.
func (e *accEnv) url(path string) string {
	return "https://hooks.example.com" + e.ownPath() + path
}

// ownPath is the path prefix of every URL this test creates.
func (e *accEnv) ownPath() string {
	test := strings.Trim(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(e.t.Name(), "-"), "-")
	return "/" + accRun() + "/" + test + "/"
}

// ownElements is an HCL expression: the elements of a data source's list whose url (or
// callback_url, or one of web_hook_urls) this test made, so that a test in a shared account, or
// beside other tests of its run, looks only at its own.
func (e *accEnv) ownElements(list, urlAttr string) string {
	return fmt.Sprintf("[for w in %s : w if strcontains(jsonencode(w.%s), %q)]", list, urlAttr, e.ownPath())
}

// baseURLLine is the base_url argument of a provider section that names its own credentials: the
// sandbox's URL, live the one in env (when set), as an HCL line.
func (e *accEnv) baseURLLine(env string) string {
	url := os.Getenv(env)
	if e.srv != nil {
		url = e.srv.URL
	}
	if url == "" {
		return ""
	}
	return fmt.Sprintf("    base_url = %q\n", url)
}

// api returns the project's clients for the world the test runs against, built as the provider
// builds them from the environment: the sandbox's, or live the process environment.
func (e *accEnv) api() *Clients {
	e.t.Helper()
	getenv := os.Getenv
	if e.srv != nil {
		env := e.sandboxEnv()
		getenv = func(k string) string { return env[k] }
	}
	clients, err := clientsFromEnv(getenv)
	if err != nil {
		e.t.Fatal(err)
	}
	return clients
}

// clientsFromEnv builds the clients an empty provider block gets from the environment getenv reads.
func clientsFromEnv(getenv func(string) string) (*Clients, error) {
	var diags diag.Diagnostics
	clients := testProvider("acctest", getenv, apiRetries).configureClients(context.Background(), nullProviderModel(), "", &diags)
	if diags.HasError() {
		return nil, fmt.Errorf("building the test's clients: %v", diags)
	}
	return clients, nil
}

// apiRetries are the retries of the test's own clients. They pace themselves apart from the
// provider's, on the same Lune key, so a call made just after Terraform's last burst (a cleanup's
// delete) may find Lune's one-second window full: at least a second of retries lets it wait its
// turn instead of failing the test (a 100 ms step doubled to a 1 s cap, equal jitter: 1.25 s at
// the least over the 5 retries).
func apiRetries(o *Options) {
	fastRetries(o)
	o.Connection.RetryWaitMin, o.Connection.RetryWaitMax = 100*time.Millisecond, time.Second
}

// deleteAtEnd deletes, when the test ends and whatever happened, an object the test made behind
// Terraform's back; one that Terraform adopted and destroyed is already gone, which is fine.
func deleteAtEnd(t *testing.T, what string, del func(context.Context) error) {
	t.Helper()
	t.Cleanup(func() {
		if err := del(context.Background()); err != nil && !httpclient.IsNotFound(err) {
			t.Errorf("deleting %s the test made: %v", what, err)
		}
	})
}

// count checks an operation counter of the sandbox. Live there is no counter, and it checks
// nothing.
func (e *accEnv) count(op string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if e.srv == nil {
			return nil
		}
		if got := e.srv.Count(op); got != want {
			return fmt.Errorf("%s was called %d times, want %d", op, got, want)
		}
		return nil
	}
}

// sandboxCount checks an operation counter of the sandbox, for the tests that only run against it.
func sandboxCount(srv *sandbox.Server, op string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := srv.Count(op); got != want {
			return fmt.Errorf("%s was called %d times, want %d", op, got, want)
		}
		return nil
	}
}

// stateID is the id in state of the resource at addr.
func stateID(s *terraform.State, addr string) (string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok || rs.Primary == nil || rs.Primary.ID == "" {
		return "", fmt.Errorf("%s is not in state", addr)
	}
	return rs.Primary.ID, nil
}

// capturedID remembers the id of a resource after a step, for the changes a later step makes
// behind Terraform's back.
type capturedID struct{ id string }

// from records the id of addr.
func (c *capturedID) from(addr string) resource.TestCheckFunc {
	return func(s *terraform.State) (err error) {
		c.id, err = stateID(s, addr)
		return err
	}
}

// remote checks the object behind addr as the vendor reports it: get fetches it by id, check judges it.
func remote[T any](addr string, get func(ctx context.Context, id string) (*T, error), check func(*T) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := stateID(s, addr)
		if err != nil {
			return err
		}
		obj, err := get(context.Background(), id)
		if err != nil {
			return fmt.Errorf("reading %s (%s) from the vendor: %w", addr, id, err)
		}
		return check(obj)
	}
}

// gone is the CheckDestroy of one resource type: every instance that was in state must be gone at
// the vendor, as get (the vendor's read by id, or its list) reports it.
func gone[T any](typeName string, get func(ctx context.Context, id string) (*T, error)) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != typeName {
				continue
			}
			_, err := get(context.Background(), rs.Primary.ID)
			switch {
			case httpclient.IsNotFound(err):
			case err != nil:
				return fmt.Errorf("checking that %s %s is gone: %w", typeName, rs.Primary.ID, err)
			default:
				return fmt.Errorf("%s %s still exists at the vendor", typeName, rs.Primary.ID)
			}
		}
		return nil
	}
}
