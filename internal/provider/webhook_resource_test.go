package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

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

// secretIsSandboxs checks that the secret in state is the sandbox's current secret, without ever
// printing either.
func secretIsSandboxs(srv *sandbox.Server) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		w, err := onlyLuneWebhook(srv)
		if err != nil {
			return err
		}
		if v != w.Secret {
			return errors.New("the secret in state is not the sandbox's current secret")
		}
		return nil
	})
}

// sandboxCount checks an operation counter of the sandbox.
func sandboxCount(srv *sandbox.Server, op string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := srv.Count(op); got != want {
			return fmt.Errorf("%s was called %d times, want %d", op, got, want)
		}
		return nil
	}
}

// luneWebhooksDestroyed is the CheckDestroy of webhooks_webhook: it asks the sandbox.
func luneWebhooksDestroyed(srv *sandbox.Server) resource.TestCheckFunc {
	return destroyedCheck(webhookTypeName, func(id string) bool { _, ok := srv.LuneWebhook(id); return ok })
}

func TestAccWebhook_basic(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksDestroyed(srv),
		Steps: []resource.TestStep{
			{
				Config: e.config(webhookConfig("https://hooks.example.com/lune")),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("url"), knownvalue.StringExact("https://hooks.example.com/lune")),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("account_ids"), knownvalue.Null()),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("account_type"), knownvalue.StringExact("test")),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret"), secretIsSandboxs(srv)),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret_last4"), knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9]{4}$`))),
					statecheck.ExpectSensitiveValue(webhookAddr, tfjsonpath.New("secret")),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(sandboxCount(srv, "lune.create", 1), sandboxCount(srv, "lune.update", 0)),
			},
			{
				// Lune cannot return a secret after creation, so an imported webhook has none.
				ResourceName:            webhookAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"secret"},
			},
			{
				Config: e.config(webhookConfig("https://hooks.example.com/lune/v2")),
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
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret"), secretIsSandboxs(srv)),
				},
				Check: func(*terraform.State) error {
					w, err := onlyLuneWebhook(srv)
					if err == nil && w.URL != "https://hooks.example.com/lune/v2" {
						err = fmt.Errorf("sandbox url %q", w.URL)
					}
					return err
				},
			},
		},
	})
}

func TestAccWebhook_secretRotation(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	differentSecret := statecheck.CompareValue(compare.ValuesDiffer())
	config := func(rotation string) string {
		return e.config(webhookConfig("https://hooks.example.com/rotate", fmt.Sprintf("secret_rotation_triggers = { rotation = %q }", rotation)))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksDestroyed(srv),
		Steps: []resource.TestStep{
			{
				Config: config("2026-01"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
					differentSecret.AddStateValue(webhookAddr, tfjsonpath.New("secret")),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret"), secretIsSandboxs(srv)),
				},
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
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret"), secretIsSandboxs(srv)),
				},
				Check: resource.ComposeTestCheckFunc(
					sandboxCount(srv, "lune.rotate", 1),
					sandboxCount(srv, "lune.create", 1),
					sandboxCount(srv, "lune.update", 0),
				),
			},
			{
				// Changing the URL alone does not rotate.
				Config: e.config(webhookConfig("https://hooks.example.com/rotate/v2", `secret_rotation_triggers = { rotation = "2026-02" }`)),
				Check:  sandboxCount(srv, "lune.rotate", 1),
			},
		},
	})
}

func TestAccWebhook_disabled(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox()
	enabledInSandbox := func(want bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			w, err := onlyLuneWebhook(srv)
			if err == nil && w.Enabled != want {
				err = fmt.Errorf("sandbox enabled = %v, want %v", w.Enabled, want)
			}
			return err
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksDestroyed(srv),
		Steps: []resource.TestStep{
			{
				Config: e.config(webhookConfig("https://hooks.example.com/off", "enabled = false")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret"), secretIsSandboxs(srv)),
				},
				// Lune creates webhooks enabled: one create, then one update.
				Check: resource.ComposeTestCheckFunc(enabledInSandbox(false), sandboxCount(srv, "lune.create", 1), sandboxCount(srv, "lune.update", 1)),
			},
			{
				Config: e.config(webhookConfig("https://hooks.example.com/off")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate)},
				},
				Check: enabledInSandbox(true),
			},
		},
	})
}

func TestAccWebhook_disableFailureLeavesWebhookInState(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox()
	config := e.config(webhookConfig("https://hooks.example.com/tainted", "enabled = false"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksDestroyed(srv),
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
	srv := e.sandbox()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newID := statecheck.CompareValue(compare.ValuesDiffer())
	const url = "https://hooks.example.com/accounts"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksDestroyed(srv),
		Steps: []resource.TestStep{
			{
				Config: e.config(webhookConfig(url, `account_ids = ["acc_one"]`)),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
					newID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
				},
			},
			{
				// Reordered and extended: an in-place update.
				Config: e.config(webhookConfig(url, `account_ids = ["acc_two", "acc_one"]`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(webhookAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("account_ids"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("acc_one"), knownvalue.StringExact("acc_two"),
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
				Check: func(*terraform.State) error {
					w, err := onlyLuneWebhook(srv)
					if err == nil && w.AccountIDs != nil {
						err = fmt.Errorf("the new webhook has an account filter %v", w.AccountIDs)
					}
					return err
				},
			},
		},
	})
}

func TestAccWebhook_rotatedOutsideTerraform(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksDestroyed(srv),
		Steps: []resource.TestStep{
			{Config: e.config(webhookConfig("https://hooks.example.com/outside", `secret_rotation_triggers = { n = "1" }`))},
			{
				PreConfig: func() {
					w, err := onlyLuneWebhook(srv)
					if err != nil {
						t.Fatal(err)
					}
					srv.RotateLuneSecret(w.ID)
				},
				RefreshState: true,
				Check:        resource.TestCheckNoResourceAttr(webhookAddr, "secret"),
			},
			{
				// Changing the triggers gets a valid secret into state again.
				Config: e.config(webhookConfig("https://hooks.example.com/outside", `secret_rotation_triggers = { n = "2" }`)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret"), secretIsSandboxs(srv)),
				},
			},
		},
	})
}

func TestAccWebhook_drift(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox()
	config := e.config(webhookConfig("https://hooks.example.com/drift", `account_ids = ["acc_one"]`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksDestroyed(srv),
		Steps: []resource.TestStep{
			{Config: config},
			{
				// Changed outside Terraform: planned back in place.
				PreConfig: func() {
					w, _ := onlyLuneWebhook(srv)
					srv.UpdateLuneWebhook(w.ID, func(w *sandbox.LuneWebhook) {
						w.URL, w.Enabled, w.AccountIDs = "https://elsewhere.example.com/x", false, []string{"acc_two"}
					})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					w, err := onlyLuneWebhook(srv)
					if err == nil && (w.URL != "https://hooks.example.com/drift" || !w.Enabled || len(w.AccountIDs) != 1 || w.AccountIDs[0] != "acc_one") {
						err = fmt.Errorf("drift not corrected: %s enabled=%v accounts=%v", w.URL, w.Enabled, w.AccountIDs)
					}
					return err
				},
			},
			{
				// Deleted outside Terraform: planned for creation.
				PreConfig: func() {
					w, _ := onlyLuneWebhook(srv)
					srv.DeleteLuneWebhook(w.ID)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret"), secretIsSandboxs(srv)),
				},
			},
		},
	})
}

func TestAccWebhook_importBlock(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox()
	existing := srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://hooks.example.com/existing", Enabled: false, AccountIDs: []string{"acc_one"}})
	resourceConfig := webhookConfig("https://hooks.example.com/existing", "enabled = false", `account_ids = ["acc_one"]`)
	config := e.config(fmt.Sprintf("import {\n  to = webhooks_webhook.test\n  id = %q\n}\n\n", existing.ID) + resourceConfig)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksDestroyed(srv),
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
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret_last4"), knownvalue.StringExact(existing.Secret[len(existing.Secret)-4:])),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("account_type"), knownvalue.StringExact(existing.AccountType)),
				},
				Check: resource.ComposeTestCheckFunc(sandboxCount(srv, "lune.create", 0), sandboxCount(srv, "lune.update", 0)),
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
			Config:        e.config(webhookConfig("https://hooks.example.com/x")),
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
			srv := e.sandbox()
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:      e.config(webhookConfig(url)),
					ExpectError: regexp.MustCompile(`(?s)Attribute url must be an https:// URL with a domain name.*` + regexp.QuoteMeta(url)),
				}},
			})
			if n := srv.Count("lune.create"); n != 0 {
				t.Fatalf("%d create calls for an invalid URL", n)
			}
		})
	}
}

func TestAccWebhook_invalidArguments(t *testing.T) {
	for name, tc := range map[string]struct{ extra, want string }{
		"empty account_ids":  {`account_ids = []`, `(?s)account_ids.*at least 1`},
		"empty account id":   {`account_ids = [""]`, `(?s)account_ids.*length must be at least 1`},
		"bad create timeout": {`timeouts = { create = "soon" }`, `(?s)Invalid Attribute Value Time Duration.*"soon"`},
	} {
		t.Run(name, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "lune")
			srv := e.sandbox()
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:      e.config(webhookConfig("https://hooks.example.com/x", tc.extra)),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			if n := srv.Writes(); n != 0 {
				t.Fatalf("%d write calls for an invalid configuration", n)
			}
		})
	}
}

func TestAccWebhook_missingCredentials(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factoriesWithoutCredentials(),
		Steps: []resource.TestStep{{
			Config:      "provider \"webhooks\" {}\n\n" + webhookConfig("https://hooks.example.com/x"),
			ExpectError: errorText("Missing Lune Credentials", "lune.api_key (environment variable LUNE_API_KEY)"),
		}},
	})
	e.noWrites("without credentials")
}

func TestAccWebhook_wrongKey(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox()
	config := strings.Replace(e.config(webhookConfig("https://hooks.example.com/x")), sandbox.DefaultLuneTestKey, "test_wrong_key", 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: config,
			// The plan already asks Lune, so the wrong key fails it before anything is written.
			ExpectError: errorText("Lune Rejected the Credentials", "answered HTTP 401", "lune.api_key (or LUNE_API_KEY)"),
		}},
	})
	if n := srv.Writes(); n != 0 {
		t.Fatalf("%d write calls with a wrong key", n)
	}
}

// TestAccWebhook_importKeepsTheSecret adopts a webhook whose configuration already has rotation
// triggers: the first apply records them without rotating (the receiver's secret keeps working),
// and only a later change rotates.
func TestAccWebhook_importKeepsTheSecret(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox()
	existing := srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://hooks.example.com/adopted", Enabled: true})
	config := func(rotation string) string {
		return webhookConfig("https://hooks.example.com/adopted", fmt.Sprintf("secret_rotation_triggers = { rotation = %q }", rotation))
	}
	unchanged := func(*terraform.State) error {
		w, err := onlyLuneWebhook(srv)
		if err == nil && w.Secret != existing.Secret {
			err = errors.New("adopting the webhook rotated its secret")
		}
		return err
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             luneWebhooksDestroyed(srv),
		Steps: []resource.TestStep{
			{
				Config: e.config(fmt.Sprintf("import {\n  to = webhooks_webhook.test\n  id = %q\n}\n\n", existing.ID) + config("one")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(unchanged, sandboxCount(srv, "lune.rotate", 0), resource.TestCheckNoResourceAttr(webhookAddr, "secret")),
			},
			{
				Config: e.config(config("two")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(webhookAddr, tfjsonpath.New("secret"))},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("secret"), secretIsSandboxs(srv)),
				},
				Check: sandboxCount(srv, "lune.rotate", 1),
			},
		},
	})
}
