package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

const webhookAddr = "webhooks_webhook.test"

// webhookConfig is a webhooks_webhook with the given url and extra arguments.
func webhookConfig(url string, extra ...string) string {
	return fmt.Sprintf("resource \"webhooks_webhook\" \"test\" {\n  url = %q\n%s}\n", url, indent(extra))
}

func indent(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

// onlyLuneWebhook returns the single webhook in the sandbox, failing if there is not exactly one.
func onlyLuneWebhook(srv *sandbox.Server) (sandbox.LuneWebhook, error) {
	all := srv.LuneWebhooks()
	if len(all) != 1 {
		return sandbox.LuneWebhook{}, fmt.Errorf("the sandbox holds %d Lune webhooks, want exactly 1", len(all))
	}
	return all[0], nil
}

// luneSecretIsCurrent checks, without ever printing either, that the secret in state is the
// webhook's current one: its last 4 characters are those Lune reports, and against the sandbox the
// whole secret is the one the sandbox holds.
func luneSecretIsCurrent(e *accEnv, api *Clients, addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := stateID(s, addr)
		if err != nil {
			return err
		}
		secret := s.RootModule().Resources[addr].Primary.Attributes["secret"]
		w, err := api.Lune.Client.GetWebhook(context.Background(), id)
		if err != nil {
			return err
		}
		if secret == "" || !matchesLast4(secret, w.SecretLast4()) {
			return errors.New("the secret in state does not end in the characters Lune reports")
		}
		if e.srv != nil {
			if held, ok := e.srv.LuneWebhook(id); !ok || held.Secret != secret {
				return errors.New("the secret in state is not the sandbox's current secret")
			}
		}
		return nil
	}
}

// luneWebhook checks the webhook behind webhookAddr as Lune reports it.
func luneWebhook(api *Clients, check func(*lune.Webhook) error) resource.TestCheckFunc {
	return remote(webhookAddr, api.Lune.Client.GetWebhook, check)
}

// luneWebhooksGone is the CheckDestroy of webhooks_webhook: it asks Lune.
func luneWebhooksGone(api *Clients) resource.TestCheckFunc {
	return gone(luneWebhookTypeName, api.Lune.Client.GetWebhook)
}

// luneAccounts are two account ids of the organisation for account filter tests: any two ids
// against the sandbox; live, WEBHOOKS_ACC_LUNE_ACCOUNT_IDS (two ids, comma-separated), without
// which the test is skipped.
func (e *accEnv) luneAccounts() (string, string) {
	e.t.Helper()
	if e.srv != nil {
		return "acc_one", "acc_two"
	}
	one, two, ok := strings.Cut(os.Getenv("WEBHOOKS_ACC_LUNE_ACCOUNT_IDS"), ",")
	if !ok || one == "" || two == "" {
		e.t.Skip("WEBHOOKS_ACC_LUNE_ACCOUNT_IDS (two account ids of the organisation, comma-separated) is not set")
	}
	return one, two
}

func TestAccWebhook_basic(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	api := e.api()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	url, url2 := e.url("lune"), e.url("lune/v2")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksGone(api),
		Steps: []resource.TestStep{
			{
				Config: e.config(webhookConfig(url)),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("url"), knownvalue.StringExact(url)),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("account_ids"), knownvalue.Null()),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("account_type"), knownvalue.StringRegexp(regexp.MustCompile(`^(test|live)$`))),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret_last4"), knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9]{4}$`))),
					statecheck.ExpectSensitiveValue(webhookAddr, tfjsonpath.New("secret")),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					luneSecretIsCurrent(e, api, webhookAddr),
					luneWebhook(api, func(w *lune.Webhook) error {
						if w.URL != url || !w.Enabled || w.AccountIDs != nil {
							return fmt.Errorf("Lune holds url %q enabled=%v accounts=%v", w.URL, w.Enabled, w.AccountIDs)
						}
						return nil
					}),
					e.count("lune.create", 1), e.count("lune.update", 0),
				),
			},
			{
				// Lune cannot return a secret after creation, so an imported webhook has none.
				ResourceName:            webhookAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"secret"},
			},
			{
				Config: e.config(webhookConfig(url2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate),
						// The secret does not change when the URL does.
						plancheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret_last4"), knownvalue.NotNull()),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
				},
				Check: resource.ComposeTestCheckFunc(
					luneSecretIsCurrent(e, api, webhookAddr),
					luneWebhook(api, func(w *lune.Webhook) error {
						if w.URL != url2 {
							return fmt.Errorf("Lune holds url %q", w.URL)
						}
						return nil
					}),
				),
			},
		},
	})
}

func TestAccWebhook_secretRotation(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	api := e.api()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	differentSecret := statecheck.CompareValue(compare.ValuesDiffer())
	sameSecret := statecheck.CompareValue(compare.ValuesSame())
	config := func(rotation string) string {
		return e.config(webhookConfig(e.url("rotate"), fmt.Sprintf("secret_rotation_triggers = { rotation = %q }", rotation)))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksGone(api),
		Steps: []resource.TestStep{
			{
				Config: config("2026-01"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
					differentSecret.AddStateValue(webhookAddr, tfjsonpath.New("secret")),
				},
				Check: luneSecretIsCurrent(e, api, webhookAddr),
			},
			{
				Config: config("2026-02"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(webhookAddr, tfjsonpath.New("secret")),
						plancheck.ExpectUnknownValue(webhookAddr, tfjsonpath.New("secret_last4")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
					differentSecret.AddStateValue(webhookAddr, tfjsonpath.New("secret")),
					sameSecret.AddStateValue(webhookAddr, tfjsonpath.New("secret")),
				},
				Check: resource.ComposeTestCheckFunc(
					luneSecretIsCurrent(e, api, webhookAddr),
					e.count("lune.rotate", 1),
					e.count("lune.create", 1),
					e.count("lune.update", 0),
				),
			},
			{
				// Changing the URL alone does not rotate.
				Config: e.config(webhookConfig(e.url("rotate/v2"), `secret_rotation_triggers = { rotation = "2026-02" }`)),
				ConfigStateChecks: []statecheck.StateCheck{
					sameSecret.AddStateValue(webhookAddr, tfjsonpath.New("secret")),
				},
				Check: resource.ComposeTestCheckFunc(luneSecretIsCurrent(e, api, webhookAddr), e.count("lune.rotate", 1)),
			},
		},
	})
}

func TestAccWebhook_disabled(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	api := e.api()
	enabledAtLune := func(want bool) resource.TestCheckFunc {
		return luneWebhook(api, func(w *lune.Webhook) error {
			if w.Enabled != want {
				return fmt.Errorf("Lune says enabled = %v, want %v", w.Enabled, want)
			}
			return nil
		})
	}
	url := e.url("off")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksGone(api),
		Steps: []resource.TestStep{
			{
				Config: e.config(webhookConfig(url, "enabled = false")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				},
				// Lune creates webhooks enabled: one create, then one update.
				Check: resource.ComposeTestCheckFunc(enabledAtLune(false), luneSecretIsCurrent(e, api, webhookAddr),
					e.count("lune.create", 1), e.count("lune.update", 1)),
			},
			{
				Config: e.config(webhookConfig(url)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate)},
				},
				Check: enabledAtLune(true),
			},
		},
	})
}

func TestAccWebhook_disableFailureLeavesWebhookInState(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox() // fault injection
	config := e.config(webhookConfig(e.url("tainted"), "enabled = false"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksGone(e.api()),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { srv.FailNext(sandbox.Lune, "lune.update", sandbox.Fail500, 1000) },
				Config:      config,
				ExpectError: errorText("Unable to Disable Lune Webhook", "was created and is kept in state"),
			},
			{
				// The webhook was kept (tainted): the next apply replaces it, leaving exactly one.
				PreConfig: func() { srv.FailNext(sandbox.Lune, "lune.update", sandbox.Fail500, 0) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: func(*terraform.State) error {
					w, err := onlyLuneWebhook(srv)
					if err == nil && w.Enabled {
						err = errors.New("the replacement is enabled")
					}
					return err
				},
			},
		},
	})
}

func TestAccWebhook_accountIDs(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	api := e.api()
	one, two := e.luneAccounts()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newID := statecheck.CompareValue(compare.ValuesDiffer())
	url := e.url("accounts")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksGone(api),
		Steps: []resource.TestStep{
			{
				Config: e.config(webhookConfig(url, fmt.Sprintf("account_ids = [%q]", one))),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
					newID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
				},
			},
			{
				// Reordered and extended: an in-place update.
				Config: e.config(webhookConfig(url, fmt.Sprintf("account_ids = [%q, %q]", two, one))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("account_ids"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact(one), knownvalue.StringExact(two),
					})),
				},
			},
			{
				// Lune cannot clear the filter: removing it replaces the webhook.
				Config: e.config(webhookConfig(url)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					newID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("account_ids"), knownvalue.Null()),
				},
				Check: luneWebhook(api, func(w *lune.Webhook) error {
					if w.AccountIDs != nil {
						return fmt.Errorf("the new webhook has an account filter %v", w.AccountIDs)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccWebhook_rotatedOutsideTerraform(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	api := e.api()
	var webhook capturedID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksGone(api),
		Steps: []resource.TestStep{
			{
				Config: e.config(webhookConfig(e.url("outside"), `secret_rotation_triggers = { n = "1" }`)),
				Check:  webhook.from(webhookAddr),
			},
			{
				PreConfig: func() {
					if _, err := api.Lune.Client.RotateSecret(context.Background(), webhook.id); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState: true,
				Check:        resource.TestCheckNoResourceAttr(webhookAddr, "secret"),
			},
			{
				// Changing the triggers gets a valid secret into state again.
				Config: e.config(webhookConfig(e.url("outside"), `secret_rotation_triggers = { n = "2" }`)),
				Check:  luneSecretIsCurrent(e, api, webhookAddr),
			},
		},
	})
}

func TestAccWebhook_drift(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	api := e.api()
	one, two := e.luneAccounts()
	url := e.url("drift")
	config := e.config(webhookConfig(url, fmt.Sprintf("account_ids = [%q]", one)))
	var webhook capturedID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksGone(api),
		Steps: []resource.TestStep{
			{Config: config, Check: webhook.from(webhookAddr)},
			{
				// Changed outside Terraform: planned back in place.
				PreConfig: func() {
					disabled := false
					_, err := api.Lune.Client.UpdateWebhook(context.Background(), webhook.id, lune.UpdateWebhookInput{
						URL: e.url("elsewhere"), Enabled: &disabled, AccountIDs: []string{two},
					})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate)},
				},
				Check: luneWebhook(api, func(w *lune.Webhook) error {
					if w.URL != url || !w.Enabled || len(w.AccountIDs) != 1 || w.AccountIDs[0] != one {
						return fmt.Errorf("drift not corrected: %s enabled=%v accounts=%v", w.URL, w.Enabled, w.AccountIDs)
					}
					return nil
				}),
			},
			{
				// Deleted outside Terraform: planned for creation.
				PreConfig: func() {
					if err := api.Lune.Client.DeleteWebhook(context.Background(), webhook.id); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionCreate)},
				},
				Check: luneSecretIsCurrent(e, api, webhookAddr),
			},
		},
	})
}

// createLuneWebhook makes a webhook behind Terraform's back, as one that existed before the
// configuration, with enabled = false when disabled; it is deleted when the test ends.
func createLuneWebhook(t *testing.T, api *Clients, in lune.CreateWebhookInput, disabled bool) *lune.Webhook {
	t.Helper()
	ctx := context.Background()
	w, err := api.Lune.Client.CreateWebhook(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	deleteAtEnd(t, "Lune webhook "+w.ID, func(ctx context.Context) error { return api.Lune.Client.DeleteWebhook(ctx, w.ID) })
	if disabled {
		enabled := false
		updated, err := api.Lune.Client.UpdateWebhook(ctx, w.ID, lune.UpdateWebhookInput{URL: w.URL, Enabled: &enabled})
		if err != nil {
			t.Fatal(err)
		}
		updated.Secret = w.Secret
		w = updated
	}
	return w
}

func TestAccWebhook_importBlock(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	api := e.api()
	one, _ := e.luneAccounts()
	url := e.url("existing")
	existing := createLuneWebhook(t, api, lune.CreateWebhookInput{URL: url, AccountIDs: []string{one}}, true)
	resourceConfig := webhookConfig(url, "enabled = false", fmt.Sprintf("account_ids = [%q]", one))
	config := e.config(fmt.Sprintf("import {\n  to = webhooks_webhook.test\n  id = %q\n}\n\n", existing.ID) + resourceConfig)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksGone(api),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionNoop)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret"), knownvalue.Null()),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret_last4"), knownvalue.StringExact(existing.SecretLast4())),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("account_type"), knownvalue.StringExact(existing.AccountType)),
				},
				// One create and one update made the webhook, before Terraform ran.
				Check: resource.ComposeTestCheckFunc(e.count("lune.create", 1), e.count("lune.update", 1)),
			},
			{
				// The same through the import-block test mode of the framework.
				Config:          e.config(resourceConfig),
				ResourceName:    webhookAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
		},
	})
}

func TestAccWebhook_invalidImportID(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config:        e.config(webhookConfig(e.url("x"))),
			ResourceName:  webhookAddr,
			ImportState:   true,
			ImportStateId: "not/an-id",
			ExpectError:   errorText("Invalid Import ID", `"not/an-id" is not a Lune webhook id`, "32 letters and digits"),
		}},
	})
}

func TestAccWebhook_invalidURL(t *testing.T) {
	for name, url := range map[string]string{
		"http":      "http://hooks.example.com/x",
		"no tld":    "https://localhost/x",
		"space":     "https://hooks.example .com/x",
		"not a url": "hooks.example.com",
	} {
		t.Run(name, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "lune")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:      e.config(webhookConfig(url)),
					ExpectError: regexp.MustCompile(`(?s)Attribute url must be an https:// URL with a domain name.*` + regexp.QuoteMeta(url)),
				}},
			})
			e.noWrites("for an invalid URL")
		})
	}
}

func TestAccWebhook_invalidArguments(t *testing.T) {
	for name, tc := range map[string]struct{ extra, want string }{
		"empty account_ids":  {`account_ids = []`, `(?s)account_ids.*at least 1`},
		"empty account id":   {`account_ids = [""]`, `(?s)account_ids.*length must be at least 1`},
		"bad create timeout": {`timeouts = { create = "soon" }`, `(?s)Invalid Timeout.*timeouts\.create: "soon" is not a duration`},
	} {
		t.Run(name, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "lune")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:      e.config(webhookConfig(e.url("x"), tc.extra)),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			e.noWrites("for an invalid configuration")
		})
	}
}

func TestAccWebhook_missingCredentials(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factoriesWithoutCredentials(),
		Steps: []resource.TestStep{{
			Config:      "provider \"webhooks\" {}\n\n" + webhookConfig(e.url("x")),
			ExpectError: errorText("Missing Lune Credentials", "lune.api_key (environment variable LUNE_API_KEY)"),
		}},
	})
	e.noWrites("without credentials")
}

func TestAccWebhook_wrongKey(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	config := fmt.Sprintf("provider \"webhooks\" {\n  lune = {\n    api_key = \"test_wrong_key\"\n%s  }\n}\n\n", e.baseURLLine(envLuneBaseURL)) +
		webhookConfig(e.url("x"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: config,
			// The plan already asks Lune, so the wrong key fails it before anything is written.
			ExpectError: errorText("Lune Rejected the Credentials", "answered HTTP 401", "lune.api_key (or LUNE_API_KEY)"),
		}},
	})
	e.noWrites("with a wrong key")
}

// TestAccWebhook_importKeepsTheSecret adopts a webhook whose configuration already has rotation
// triggers: the first apply records them without rotating (the receiver's secret keeps working),
// and only a later change rotates.
func TestAccWebhook_importKeepsTheSecret(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	api := e.api()
	url := e.url("adopted")
	existing := createLuneWebhook(t, api, lune.CreateWebhookInput{URL: url}, false)
	config := func(rotation string) string {
		return webhookConfig(url, fmt.Sprintf("secret_rotation_triggers = { rotation = %q }", rotation))
	}
	unchanged := luneWebhook(api, func(w *lune.Webhook) error {
		if w.SecretLast4() != existing.SecretLast4() {
			return errors.New("adopting the webhook rotated its secret")
		}
		return nil
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksGone(api),
		Steps: []resource.TestStep{
			{
				Config: e.config(fmt.Sprintf("import {\n  to = webhooks_webhook.test\n  id = %q\n}\n\n", existing.ID) + config("one")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(unchanged, e.count("lune.rotate", 0), resource.TestCheckNoResourceAttr(webhookAddr, "secret")),
			},
			{
				Config: e.config(config("two")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(webhookAddr, tfjsonpath.New("secret"))},
				},
				Check: resource.ComposeTestCheckFunc(luneSecretIsCurrent(e, api, webhookAddr), e.count("lune.rotate", 1)),
			},
		},
	})
}

// TestAccWebhook_rateLimited: when Lune keeps answering 429 after every retry, the error says so in
// its summary and names the setting that paces the provider.
func TestAccWebhook_rateLimited(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox() // fault injection
	srv.FailNext(sandbox.Lune, "lune.create", sandbox.Fail429, 100)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.config(webhookConfig(e.url("limited"))),
			ExpectError: errorText("Unable to Create Lune Webhook (Rate Limited)", "answered HTTP 429",
				"lune.requests_per_second (or LUNE_REQUESTS_PER_SECOND)", "-parallelism", "max_retries"),
		}},
	})
}

// TestWebhook_rotationWithoutAnswer: a rotation whose answers are all lost (Lune rotated, the
// provider never heard) fails the apply with an error that says the secret may have changed; the
// next refresh sets the stale secret to null with a warning that says why, not that someone
// rotated it outside Terraform. Called at the protocol level, to see the warnings.
func TestWebhook_rotationWithoutAnswer(t *testing.T) {
	e := newProtoEnv(t, sandbox.Config{}, nil)
	e.configure(e.sandboxSections())
	triggers := func(v string) tftypes.Value {
		return tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{"n": str(v)})
	}
	url := str("https://hooks.example.com/rotate-lost")
	created := e.create(luneWebhookTypeName, map[string]tftypes.Value{"url": url, "secret_rotation_triggers": triggers("1")})
	if hasError(created.Diagnostics) {
		t.Fatal(diagText(created.Diagnostics))
	}

	e.srv.FailNext(sandbox.Lune, "lune.rotate", sandbox.FailLostResponse, 100)
	rotated := e.update(luneWebhookTypeName, created, map[string]tftypes.Value{"url": url, "secret_rotation_triggers": triggers("2")})
	e.srv.FailNext(sandbox.Lune, "lune.rotate", sandbox.FailLostResponse, 0)
	if !hasError(rotated.Diagnostics) {
		t.Fatal("the rotation did not fail")
	}
	wantText(t, diagText(rotated.Diagnostics), "Unable to Rotate Lune Webhook Secret", "may already have happened", "the next apply rotates again")
	typ := e.resourceType(luneWebhookTypeName)
	before, after := decode(t, created.NewState, typ), decode(t, rotated.NewState, typ)
	if !after["secret_rotation_triggers"].Equal(before["secret_rotation_triggers"]) {
		t.Error("the triggers were recorded although the rotation failed: the next apply would not rotate again")
	}

	read, err := e.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
		TypeName: luneWebhookTypeName, CurrentState: rotated.NewState, CurrentIdentity: rotated.NewIdentity, Private: rotated.Private,
	})
	if err != nil || hasError(read.Diagnostics) {
		t.Fatalf("ReadResource: %v %s", err, diagText(read.Diagnostics))
	}
	text := diagText(read.Diagnostics)
	wantText(t, text, "Lune Webhook Secret Rotated Without an Answer", "The next apply rotates the secret again")
	if strings.Contains(text, "Outside Terraform") {
		t.Errorf("the refresh blames a rotation outside Terraform:\n%s", text)
	}
	if !decode(t, read.NewState, typ)["secret"].IsNull() {
		t.Error("the stale secret was kept in state")
	}
}

// TestLuneURLRuleAsDocumented holds the examples the resource's documentation gives of Lune's URL
// rule, so that the docs cannot drift from the validator.
func TestLuneURLRuleAsDocumented(t *testing.T) {
	for url, accepted := range map[string]bool{
		"https://hooks.example.com/lune": true,
		"https://hooks.mycorp.example/x": true,
		"https://teamb.example/x":        false,
		"http://hooks.example.com/x":     false,
		"https://localhost/x":            false,
		"https://10.0.0.1/x":             false,
	} {
		if got := lune.URLPattern.MatchString(url); got != accepted {
			t.Errorf("%s: accepted = %v, the docs say %v", url, got, accepted)
		}
	}
}
