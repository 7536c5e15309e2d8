package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

const inveterateWebhookAddr = "webhooks_inveterate_webhook.test"

// inveterateWebhookConfig is a webhooks_inveterate_webhook with the given callback URL and extra lines.
func inveterateWebhookConfig(callbackURL string, extra ...string) string {
	return fmt.Sprintf("resource \"webhooks_inveterate_webhook\" \"test\" {\n  callback_url = %q\n%s}\n", callbackURL, indent(extra))
}

// onlyInveterateWebhook returns the single admin webhook in the sandbox that is not deleted
// (listed or not yet), failing if there is not exactly one.
func onlyInveterateWebhook(srv *sandbox.Server) (sandbox.InveterateWebhook, error) {
	all := srv.InveterateWebhooks()
	if len(all) != 1 {
		return sandbox.InveterateWebhook{}, fmt.Errorf("the sandbox holds %d Inveterate admin webhooks, want exactly 1", len(all))
	}
	return all[0], nil
}

// isOnlyInveterateWebhook checks that a state value is the id of the sandbox's only admin webhook.
func isOnlyInveterateWebhook(srv *sandbox.Server) knownvalue.Check {
	return knownvalue.StringFunc(func(id string) error {
		w, err := onlyInveterateWebhook(srv)
		if err == nil && w.ID != id {
			err = fmt.Errorf("state holds webhook %s, the sandbox %s", id, w.ID)
		}
		return err
	})
}

// tokenIsSandboxs checks that the token in state is the one the sandbox issued to its only admin
// webhook, without ever printing either.
func tokenIsSandboxs(srv *sandbox.Server) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		w, err := onlyInveterateWebhook(srv)
		if err != nil {
			return err
		}
		if v != w.Token {
			return errors.New("the token in state is not the one the sandbox issued")
		}
		return nil
	})
}

// createInveterateWebhook makes an admin webhook behind Terraform's back, as one that existed before
// the configuration, and waits until Inveterate lists it; it is deleted when the test ends.
func createInveterateWebhook(t *testing.T, api *Clients, in inveterate.CreateWebhookInput) *inveterate.Webhook {
	t.Helper()
	ctx := context.Background()
	created, err := api.Inveterate.Client.CreateWebhook(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	deleteAtEnd(t, "Inveterate webhook "+created.ID, func(ctx context.Context) error { return api.Inveterate.Client.DeleteWebhook(ctx, created.ID) })
	listed, err := api.Inveterate.Client.WaitForWebhook(ctx, created.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return listed
}

// inveterateWebhookEventsCheck is the documented list of events.
func inveterateWebhookEventsCheck() knownvalue.Check {
	checks := make([]knownvalue.Check, 0, len(inveterate.WebhookEvents))
	for _, ev := range inveterate.WebhookEvents {
		checks = append(checks, knownvalue.StringExact(ev))
	}
	return knownvalue.ListExact(checks)
}

// inveterateWebhooksGone is the CheckDestroy of webhooks_inveterate_webhook: it asks Inveterate,
// whose list still shows a deleted webhook for a while (a destroy waits until it does not).
func inveterateWebhooksGone(api *Clients) resource.TestCheckFunc {
	return gone(inveterateWebhookTypeName, api.Inveterate.Client.FindWebhook)
}

// tokenIsIssued checks that the state holds a security token, never printing it, and against the
// sandbox that it is the one issued to the webhook in state. Inveterate never shows a token again,
// so live only its presence and shape can be checked.
func tokenIsIssued(e *accEnv) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := stateID(s, inveterateWebhookAddr)
		if err != nil {
			return err
		}
		token := s.RootModule().Resources[inveterateWebhookAddr].Primary.Attributes["token"]
		if !inveterateIDRegexp.MatchString(token) {
			return errors.New("the state holds no well-formed token")
		}
		if e.srv != nil {
			if w, ok := e.srv.InveterateWebhook(id); !ok || w.Token != token {
				return errors.New("the token in state is not the one the sandbox issued")
			}
		}
		return nil
	}
}

// inveterateWebhookIs checks the admin webhook behind the resource as Inveterate lists it.
func inveterateWebhookIs(api *Clients, callbackURL, name string) resource.TestCheckFunc {
	return remote(inveterateWebhookAddr, api.Inveterate.Client.FindWebhook, func(w *inveterate.Webhook) error {
		if w.CallbackURL != callbackURL || w.Name != name {
			return fmt.Errorf("Inveterate holds %s %q, want %s %q", w.CallbackURL, w.Name, callbackURL, name)
		}
		return nil
	})
}

// appName checks created_by_app: the sandbox's app, or live any app name.
func (e *accEnv) appName() knownvalue.Check {
	if e.srv != nil {
		return knownvalue.StringExact(sandbox.DefaultInveterateAppName)
	}
	return knownvalue.StringRegexp(regexp.MustCompile(`.`))
}

func TestAccInveterateWebhook_basic(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameToken := statecheck.CompareValue(compare.ValuesSame())
	url, name := e.url("admin"), e.name("admin")
	config := inveterateWebhookConfig(url, fmt.Sprintf("name = %q", name))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateWebhooksGone(api),
		Steps: []resource.TestStep{
			{
				Config: e.config(config),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(inveterateWebhookAddr, plancheck.ResourceActionCreate),
						// The events are known before the webhook exists.
						plancheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("events"), inveterateWebhookEventsCheck()),
						plancheck.ExpectUnknownValue(inveterateWebhookAddr, tfjsonpath.New("token")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(inveterateWebhookAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(inveterateIDRegexp)),
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("callback_url"), knownvalue.StringExact(url)),
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					sameToken.AddStateValue(inveterateWebhookAddr, tfjsonpath.New("token")),
					statecheck.ExpectSensitiveValue(inveterateWebhookAddr, tfjsonpath.New("token")),
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("merchant_id"), e.merchant()),
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("created_by_app"), e.appName()),
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("events"), inveterateWebhookEventsCheck()),
				},
				Check: resource.ComposeTestCheckFunc(tokenIsIssued(e), inveterateWebhookIs(api, url, name), e.count("inveterate.webhooks.create", 1)),
			},
			{
				// Inveterate shows the token only when the webhook is created, so an imported
				// webhook has none.
				ResourceName:            inveterateWebhookAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token"},
			},
			{
				// A refresh never touches the token.
				RefreshState: true,
				Check:        tokenIsIssued(e),
			},
			{
				// A change of timeouts alone calls nothing and keeps the token.
				Config: e.config(inveterateWebhookConfig(url, fmt.Sprintf("name = %q", name), `timeouts = { delete = "2m" }`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateWebhookAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(inveterateWebhookAddr, tfjsonpath.New("id")),
					sameToken.AddStateValue(inveterateWebhookAddr, tfjsonpath.New("token")),
				},
				Check: resource.ComposeTestCheckFunc(tokenIsIssued(e), e.count("inveterate.webhooks.create", 1), e.count("inveterate.webhooks.delete", 0)),
			},
		},
	})
}

// TestAccInveterateWebhook_changesReplace: Inveterate has no update for admin webhooks, so every
// change replaces the webhook, and the new one comes with a new token.
func TestAccInveterateWebhook_changesReplace(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	newID := statecheck.CompareValue(compare.ValuesDiffer())
	newToken := statecheck.CompareValue(compare.ValuesDiffer())
	step := func(config string, because string) resource.TestStep {
		s := resource.TestStep{
			Config: e.config(config),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				newID.AddStateValue(inveterateWebhookAddr, tfjsonpath.New("id")),
				newToken.AddStateValue(inveterateWebhookAddr, tfjsonpath.New("token")),
			},
			Check: tokenIsIssued(e),
		}
		if because != "" {
			s.ConfigPlanChecks.PreApply = []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(inveterateWebhookAddr, plancheck.ResourceActionDestroyBeforeCreate),
				expectReplacedBy(inveterateWebhookAddr, because),
				plancheck.ExpectUnknownValue(inveterateWebhookAddr, tfjsonpath.New("token")),
			}
		}
		return s
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateWebhooksGone(api),
		Steps: []resource.TestStep{
			step(inveterateWebhookConfig(e.url("one")), ""),
			step(inveterateWebhookConfig(e.url("two")), "callback_url"),
			step(inveterateWebhookConfig(e.url("two"), fmt.Sprintf("name = %q", e.name("named"))), "name"),
			step(inveterateWebhookConfig(e.url("two"), fmt.Sprintf("name = %q", e.name("renamed"))), "name"),
			step(inveterateWebhookConfig(e.url("two")), "name"),
		},
	})
}

// TestAccInveterateWebhook_visibilityDelay: a create waits until Inveterate lists the new webhook.
func TestAccInveterateWebhook_visibilityDelay(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: 2 * time.Second}}, "inveterate")
	srv := e.sandbox()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateWebhooksGone(e.api()),
		Steps: []resource.TestStep{{
			Config: e.config(inveterateWebhookConfig("https://hooks.example.com/slow")),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("id"), isOnlyInveterateWebhook(srv)),
				statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("token"), tokenIsSandboxs(srv)),
				statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("name"), knownvalue.Null()),
			},
			Check: sandboxCount(srv, "inveterate.webhooks.create", 1),
		}},
	})
}

// TestAccInveterateWebhook_createTimeout: a webhook Inveterate lists later than the create timeout
// is kept in state with its token, survives a refresh while still not listed, and is replaced by
// the next apply without leaving a duplicate.
func TestAccInveterateWebhook_createTimeout(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: 4 * time.Second}}, "inveterate")
	srv := e.sandbox()
	const url = "https://hooks.example.com/timeout"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateWebhooksGone(e.api()),
		Steps: []resource.TestStep{
			{
				Config: e.config(inveterateWebhookConfig(url, `timeouts = { create = "1s" }`)),
				ExpectError: errorText("Inveterate Webhook Not Listed in Time",
					"had not listed it yet when the create timeout (1s) ran out", "the create took", "of them waiting for the", "kept in state", "raise timeouts.create"),
			},
			{
				// Right away, while Inveterate still does not list it: the refresh waits instead of
				// dropping it, and the tainted webhook is planned for replacement.
				RefreshState: true,
				Check: resource.ComposeTestCheckFunc(tokenIsIssued(e), func(*terraform.State) error {
					_, err := onlyInveterateWebhook(srv)
					return err
				}),
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{
					PostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateWebhookAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
			},
			{
				Config: e.config(inveterateWebhookConfig(url)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateWebhookAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("id"), isOnlyInveterateWebhook(srv)),
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("token"), tokenIsSandboxs(srv)),
				},
				Check: resource.ComposeTestCheckFunc(sandboxCount(srv, "inveterate.webhooks.create", 2), sandboxCount(srv, "inveterate.webhooks.delete", 1)),
			},
		},
	})
}

// TestAccInveterateWebhook_deleteDelay: Inveterate lists a deleted webhook a little longer, and a
// destroy waits until it has left the list. CheckDestroy runs right after the destroy and finds
// nothing listed; so does the check after a replacement, for the old webhook.
func TestAccInveterateWebhook_deleteDelay(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{DeleteDelay: 2 * time.Second}}, "inveterate")
	srv := e.sandbox()
	var first string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateWebhooksGone(e.api()),
		Steps: []resource.TestStep{
			{
				Config: e.config(inveterateWebhookConfig("https://hooks.example.com/one")),
				Check: func(s *terraform.State) error {
					first = s.RootModule().Resources[inveterateWebhookAddr].Primary.ID
					return nil
				},
			},
			{
				Config: e.config(inveterateWebhookConfig("https://hooks.example.com/two")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateWebhookAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("id"), isOnlyInveterateWebhook(srv)),
				},
				Check: func(*terraform.State) error {
					if _, listed := srv.InveterateWebhook(first); listed {
						return fmt.Errorf("the replaced webhook %s is still listed", first)
					}
					return nil
				},
			},
		},
	})
}

// TestAccInveterateWebhook_deleteTimeout: when the webhook is still listed at the delete timeout,
// the destroy fails with a clear error and keeps it in state; once Inveterate has dropped it, the
// next destroy finishes.
func TestAccInveterateWebhook_deleteTimeout(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{DeleteDelay: time.Hour}}, "inveterate")
	srv := e.sandbox()
	config := e.config(inveterateWebhookConfig("https://hooks.example.com/slow-delete", `timeouts = { delete = "1s" }`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateWebhooksGone(e.api()),
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config:  config,
				Destroy: true,
				ExpectError: errorText("Inveterate Webhook Still Listed After Delete",
					"when the delete timeout (1s) ran out", "stays in state", "raise timeouts.delete"),
			},
			{
				// Still in state, with its token, and still listed: nothing to do.
				RefreshState: true,
				Check:        tokenIsIssued(e),
			},
			{
				PreConfig: func() { srv.SetInveterateDelays(0, 0) },
				Config:    config,
				Destroy:   true,
			},
		},
	})
}

func TestAccInveterateWebhook_drift(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	url, name := e.url("drift"), e.name("drift")
	config := e.config(inveterateWebhookConfig(url, fmt.Sprintf("name = %q", name)))
	var webhook capturedID
	steps := []resource.TestStep{{Config: config, Check: webhook.from(inveterateWebhookAddr)}}
	if e.srv != nil {
		// Changed outside Terraform: Inveterate has no update, so only the sandbox can change a
		// record in place; the webhook is planned back by replacement.
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				w, _ := e.srv.InveterateWebhook(webhook.id)
				w.CallbackURL, w.Name = "https://elsewhere.example.com/x", "renamed"
				e.srv.AddInveterateWebhook(w)
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inveterateWebhookAddr, plancheck.ResourceActionDestroyBeforeCreate),
					expectReplacedBy(inveterateWebhookAddr, "callback_url", "name"),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(tokenIsIssued(e), inveterateWebhookIs(api, url, name), webhook.from(inveterateWebhookAddr)),
		})
	}
	steps = append(steps, resource.TestStep{
		// Deleted outside Terraform: planned for creation.
		PreConfig: func() {
			deleted := time.Now()
			if err := api.Inveterate.Client.DeleteWebhook(context.Background(), webhook.id); err != nil {
				t.Fatal(err)
			}
			if _, err := api.Inveterate.Client.WaitForWebhookGone(context.Background(), webhook.id, deleted, time.Minute); err != nil {
				t.Fatal(err)
			}
		},
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateWebhookAddr, plancheck.ResourceActionCreate)},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: resource.ComposeTestCheckFunc(tokenIsIssued(e), inveterateWebhookIs(api, url, name)),
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateWebhooksGone(api),
		Steps:                    steps,
	})
}

func TestAccInveterateWebhook_importBlock(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	existing := createInveterateWebhook(t, api, inveterate.CreateWebhookInput{CallbackURL: e.url("existing"), Name: e.name("existing")})
	resourceConfig := inveterateWebhookConfig(existing.CallbackURL, fmt.Sprintf("name = %q", existing.Name))
	config := e.config(fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n\n", inveterateWebhookAddr, existing.ID) + resourceConfig)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateWebhooksGone(e.api()),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateWebhookAddr, plancheck.ResourceActionNoop)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
					// The token cannot be recovered after creation.
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("token"), knownvalue.Null()),
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("created_by_app"), knownvalue.StringExact(existing.CreatedByApp)),
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("created_at"), knownvalue.StringExact(inveterateTimestamp(existing.CreatedAt).ValueString())),
					statecheck.ExpectKnownValue(inveterateWebhookAddr, tfjsonpath.New("events"), inveterateWebhookEventsCheck()),
				},
				// One create made the webhook, before Terraform ran.
				Check: e.count("inveterate.webhooks.create", 1),
			},
			{
				// The same through the import-block test mode of the framework.
				Config:          e.config(resourceConfig),
				ResourceName:    inveterateWebhookAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
		},
	})
}

func TestAccInveterateWebhook_invalidImportID(t *testing.T) {
	for name, id := range map[string]string{
		"not hex":    "not-an-id",
		"upper case": strings.Repeat("AB", 16),
		"with topic": "customer.updated/" + strings.Repeat("ab", 16),
	} {
		t.Run(name, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "inveterate")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:        e.config(inveterateWebhookConfig("https://hooks.example.com/x")),
					ResourceName:  inveterateWebhookAddr,
					ImportState:   true,
					ImportStateId: id,
					ExpectError: errorText("Invalid Import ID", fmt.Sprintf("%q is not an Inveterate admin webhook id", id),
						"32 lowercase hexadecimal characters", "terraform import webhooks_inveterate_webhook.example 0123456789abcdef0123456789abcdef"),
				}},
			})
		})
	}
}

func TestAccInveterateWebhook_invalidArguments(t *testing.T) {
	for name, tc := range map[string]struct{ url, extra, want string }{
		"relative url":       {url: "hooks.example.com/x", want: `(?s)Invalid URL.*callback_url.*"hooks.example.com/x" is not an absolute http\(s\) URL`},
		"empty name":         {url: "https://hooks.example.com/x", extra: `name = ""`, want: `(?s)Attribute name string length must be at least 1`},
		"bad delete timeout": {url: "https://hooks.example.com/x", extra: `timeouts = { delete = "later" }`, want: `(?s)Invalid Timeout.*timeouts\.delete: "later" is not a duration`},
	} {
		t.Run(name, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "inveterate")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:      e.config(inveterateWebhookConfig(tc.url, tc.extra)),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			e.noWrites("for an invalid configuration")
		})
	}
}

func TestAccInveterateWebhook_missingCredentials(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factoriesWithoutCredentials(),
		Steps: []resource.TestStep{{
			Config:      "provider \"webhooks\" {}\n\n" + inveterateWebhookConfig("https://hooks.example.com/x"),
			PlanOnly:    true,
			ExpectError: errorText("Missing Inveterate Credentials", "inveterate.api_key (environment variable INVETERATE_API_KEY)"),
		}},
	})
	e.noWrites("without credentials")
}

// TestAccInveterateWebhook_createBeforeDestroy: with create_before_destroy, as the docs suggest for
// a replacement without a gap, the new webhook is created before the old one is deleted, and one
// webhook remains.
func TestAccInveterateWebhook_createBeforeDestroy(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	config := func(url string) string {
		return e.config(inveterateWebhookConfig(url, "lifecycle {\n    create_before_destroy = true\n  }"))
	}
	var first capturedID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateWebhooksGone(api),
		Steps: []resource.TestStep{
			{Config: config(e.url("one")), Check: first.from(inveterateWebhookAddr)},
			{
				Config: config(e.url("two")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateWebhookAddr, plancheck.ResourceActionCreateBeforeDestroy)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					tokenIsIssued(e),
					inveterateWebhookIs(api, e.url("two"), ""),
					func(*terraform.State) error {
						if _, err := api.Inveterate.Client.FindWebhook(context.Background(), first.id); !httpclient.IsNotFound(err) {
							return fmt.Errorf("the replaced webhook %s is still listed (%v)", first.id, err)
						}
						return nil
					},
				),
			},
		},
	})
}
