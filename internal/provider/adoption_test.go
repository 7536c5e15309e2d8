package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// TestAccAdoption_twoCandidatesAdoptNone: the answer to a create is lost, and somebody else made a
// webhook with the same URL moments before: the apply fails naming both ids and saying how to
// import the right one; nothing is adopted into state, no secret is rotated, no create is repeated.
func TestAccAdoption_twoCandidatesAdoptNone(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{})
	srv := e.sandbox()
	const url = "https://hooks.example.com/lune/shared"
	const strangerID = "Stranger0000000000000000000000ab"
	var secret string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			// Made when the step starts, not before the parallel test is paused: moments before the
			// provider's create, inside its adoption window.
			PreConfig: func() {
				secret = srv.AddLuneWebhook(sandbox.LuneWebhook{ID: strangerID, URL: url, Enabled: true}).Secret
				srv.FailNext(sandbox.Lune, "lune.create", sandbox.FailLostResponse, 1)
			},
			Config:      e.config(webhookConfig(url)),
			ExpectError: errorText("2 Lune objects match what it sent", strangerID, "nothing was adopted, rotated or deleted", "terraform import"),
		}},
	})
	if n := srv.Count("lune.rotate"); n != 0 {
		t.Errorf("%d rotations of a webhook the provider is not sure it made", n)
	}
	if n := srv.Count("lune.create"); n != 1 {
		t.Errorf("%d creates, want the one whose answer was lost", n)
	}
	if got, ok := srv.LuneWebhook(strangerID); !ok || got.Secret != secret {
		t.Error("the stranger's webhook changed")
	}
}
