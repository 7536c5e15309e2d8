package provider

import (
	"context"
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

const inveterateSubscriptionAddr = "webhooks_inveterate_webhook_subscription.test"

// inveterateIDRegexp matches an Inveterate id in state.
var inveterateIDRegexp = regexp.MustCompile(`^[0-9a-f]{32}$`)

// inveterateSubscriptionConfig is a webhooks_inveterate_webhook_subscription with the given
// arguments and extra lines.
func inveterateSubscriptionConfig(topic, callbackURL, name string, extra ...string) string {
	return fmt.Sprintf("resource \"webhooks_inveterate_webhook_subscription\" \"test\" {\n  topic        = %q\n  callback_url = %q\n  name         = %q\n%s}\n",
		topic, callbackURL, name, indent(extra))
}

// onlyInveterateSubscription returns the single subscription in the sandbox (listed or not yet),
// failing if there is not exactly one.
func onlyInveterateSubscription(srv *sandbox.Server) (sandbox.InveterateSubscription, error) {
	all := srv.InveterateSubscriptions()
	if len(all) != 1 {
		return sandbox.InveterateSubscription{}, fmt.Errorf("the sandbox holds %d Inveterate subscriptions, want exactly 1", len(all))
	}
	return all[0], nil
}

// isOnlyInveterateSubscription checks that a state value is the id of the sandbox's only subscription.
func isOnlyInveterateSubscription(srv *sandbox.Server) knownvalue.Check {
	return knownvalue.StringFunc(func(id string) error {
		sub, err := onlyInveterateSubscription(srv)
		if err == nil && sub.ID != id {
			err = fmt.Errorf("state holds subscription %s, the sandbox %s", id, sub.ID)
		}
		return err
	})
}

// inveterateSubscriptionIs checks the subscription behind the resource as Inveterate lists it.
func inveterateSubscriptionIs(api *Clients, topic, callbackURL, name string) resource.TestCheckFunc {
	return remote(inveterateSubscriptionAddr, api.Inveterate.Client.FindSubscription, func(sub *inveterate.Subscription) error {
		if sub.Topic != topic || sub.CallbackURL != callbackURL || sub.Name != name {
			return fmt.Errorf("Inveterate holds %s %s %q, want %s %s %q", sub.Topic, sub.CallbackURL, sub.Name, topic, callbackURL, name)
		}
		return nil
	})
}

// inveterateSubscriptionsGone is the CheckDestroy of webhooks_inveterate_webhook_subscription: it
// asks Inveterate.
func inveterateSubscriptionsGone(api *Clients) resource.TestCheckFunc {
	return gone(inveterateWebhookSubscriptionTypeName, api.Inveterate.Client.FindSubscription)
}

// createInveterateSubscription makes a subscription behind Terraform's back, as one that existed
// before the configuration, and waits until Inveterate lists it; it is deleted when the test ends.
func createInveterateSubscription(t *testing.T, api *Clients, in inveterate.CreateSubscriptionInput) *inveterate.Subscription {
	t.Helper()
	ctx := context.Background()
	created, err := api.Inveterate.Client.CreateSubscription(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	deleteAtEnd(t, "Inveterate subscription "+created.ID, func(ctx context.Context) error {
		return api.Inveterate.Client.DeleteSubscription(ctx, created.Topic, created.ID)
	})
	listed, err := api.Inveterate.Client.WaitForSubscription(ctx, created.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return listed
}

// merchant checks merchant_id: the sandbox's merchant, or live any merchant id.
func (e *accEnv) merchant() knownvalue.Check {
	if e.srv != nil {
		return knownvalue.StringExact(sandbox.DefaultInveterateMerchant)
	}
	return knownvalue.StringRegexp(regexp.MustCompile(`.`))
}

// name is a name for an object the test creates, with the run's marker.
func (e *accEnv) name(s string) string { return accRun() + " " + s }

// topicAndID is the `<topic>/<id>` import id of the resource at addr.
func topicAndID(addr string) resource.ImportStateIdFunc {
	return func(s *terraform.State) (string, error) {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return "", fmt.Errorf("%s is not in state", addr)
		}
		return rs.Primary.Attributes["topic"] + "/" + rs.Primary.ID, nil
	}
}

func TestAccInveterateWebhookSubscription_basic(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const topic = "customer.updated"
	url, url2, name, name2 := e.url("inveterate"), e.url("inveterate/v2"), e.name("updates"), e.name("updates v2")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateSubscriptionsGone(api),
		Steps: []resource.TestStep{
			{
				Config: e.config(inveterateSubscriptionConfig(topic, url, name)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateSubscriptionAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(inveterateSubscriptionAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(inveterateIDRegexp)),
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("topic"), knownvalue.StringExact(topic)),
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("callback_url"), knownvalue.StringExact(url)),
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("merchant_id"), e.merchant()),
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("updated_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
				},
				Check: resource.ComposeTestCheckFunc(
					inveterateSubscriptionIs(api, topic, url, name),
					e.count("inveterate.subscriptions.create", 1),
				),
			},
			{
				// Import by id: the topic is found by listing. Everything round-trips.
				ResourceName:      inveterateSubscriptionAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// Import by <topic>/<id>.
				ResourceName:      inveterateSubscriptionAddr,
				ImportState:       true,
				ImportStateIdFunc: topicAndID(inveterateSubscriptionAddr),
				ImportStateVerify: true,
			},
			{
				Config: e.config(inveterateSubscriptionConfig(topic, url2, name2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(inveterateSubscriptionAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(inveterateSubscriptionAddr, tfjsonpath.New("updated_at")),
						plancheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(inveterateSubscriptionAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("callback_url"), knownvalue.StringExact(url2)),
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("name"), knownvalue.StringExact(name2)),
				},
				Check: resource.ComposeTestCheckFunc(
					inveterateSubscriptionIs(api, topic, url2, name2),
					e.count("inveterate.subscriptions.create", 1),
					e.count("inveterate.subscriptions.update", 1),
				),
			},
			{
				// A change of timeouts alone calls nothing.
				Config: e.config(inveterateSubscriptionConfig(topic, url2, name2, `timeouts = { update = "2m" }`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateSubscriptionAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: e.count("inveterate.subscriptions.update", 1),
			},
		},
	})
}

func TestAccInveterateWebhookSubscription_topicReplaces(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	newID := statecheck.CompareValue(compare.ValuesDiffer())
	url, name := e.url("topic"), e.name("topic")
	var first capturedID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateSubscriptionsGone(api),
		Steps: []resource.TestStep{
			{
				Config:            e.config(inveterateSubscriptionConfig("customer.updated", url, name)),
				Check:             first.from(inveterateSubscriptionAddr),
				ConfigStateChecks: []statecheck.StateCheck{newID.AddStateValue(inveterateSubscriptionAddr, tfjsonpath.New("id"))},
			},
			{
				// Inveterate cannot change a topic: the plan replaces the subscription, because of topic.
				Config: e.config(inveterateSubscriptionConfig("customer.ordered", url, name)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(inveterateSubscriptionAddr, plancheck.ResourceActionDestroyBeforeCreate),
						expectReplacedBy(inveterateSubscriptionAddr, "topic"),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					newID.AddStateValue(inveterateSubscriptionAddr, tfjsonpath.New("id")),
				},
				Check: resource.ComposeTestCheckFunc(
					inveterateSubscriptionIs(api, "customer.ordered", url, name),
					func(*terraform.State) error {
						// The replaced subscription is gone.
						if _, err := api.Inveterate.Client.FindSubscription(context.Background(), first.id); !httpclient.IsNotFound(err) {
							return fmt.Errorf("the replaced subscription %s is still listed (%v)", first.id, err)
						}
						return nil
					},
					e.count("inveterate.subscriptions.update", 0),
				),
			},
		},
	})
}

// TestAccInveterateWebhookSubscription_visibilityDelay shows that a create waits until Inveterate
// lists the new subscription, so the apply succeeds, the next plan is empty and exactly one
// subscription exists.
func TestAccInveterateWebhookSubscription_visibilityDelay(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: 2 * time.Second}}, "inveterate")
	srv := e.sandbox()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateSubscriptionsGone(e.api()),
		Steps: []resource.TestStep{{
			Config: e.config(inveterateSubscriptionConfig("customer.cancelled", "https://hooks.example.com/slow", "slow")),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("id"), isOnlyInveterateSubscription(srv)),
				statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("merchant_id"), knownvalue.StringExact(sandbox.DefaultInveterateMerchant)),
			},
			Check: resource.ComposeTestCheckFunc(
				sandboxCount(srv, "inveterate.subscriptions.create", 1),
				inveterateSubscriptionIs(e.api(), "customer.cancelled", "https://hooks.example.com/slow", "slow"),
			),
		}},
	})
}

// TestAccInveterateWebhookSubscription_createTimeout: when Inveterate takes longer to list the new
// subscription than the create timeout, the apply fails with a clear error, the subscription is in
// state (not orphaned), a refresh while it is still not listed keeps it, and the next apply
// converges without a duplicate.
func TestAccInveterateWebhookSubscription_createTimeout(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: 4 * time.Second}}, "inveterate")
	srv := e.sandbox()
	const topic, url, name = "customer.ordered", "https://hooks.example.com/timeout", "timeout"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateSubscriptionsGone(e.api()),
		Steps: []resource.TestStep{
			{
				Config: e.config(inveterateSubscriptionConfig(topic, url, name, `timeouts = { create = "1s" }`)),
				ExpectError: errorText("Inveterate Webhook Subscription Not Listed in Time",
					"had not listed it yet when the create timeout (1s) ran out", "the create took", "of them waiting for the", "kept in state", "raise timeouts.create"),
			},
			{
				// Right away, while Inveterate still does not list it: the refresh waits instead of
				// dropping it, and the tainted subscription is planned for replacement, not re-created
				// beside the first.
				RefreshState: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestMatchResourceAttr(inveterateSubscriptionAddr, "id", inveterateIDRegexp),
					func(s *terraform.State) error {
						sub, err := onlyInveterateSubscription(srv)
						if err == nil && s.RootModule().Resources[inveterateSubscriptionAddr].Primary.ID != sub.ID {
							err = fmt.Errorf("state does not hold the subscription the sandbox has (%s)", sub.ID)
						}
						return err
					},
				),
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{
					PostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateSubscriptionAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
			},
			{
				Config: e.config(inveterateSubscriptionConfig(topic, url, name)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateSubscriptionAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("id"), isOnlyInveterateSubscription(srv)),
				},
				Check: resource.ComposeTestCheckFunc(
					inveterateSubscriptionIs(e.api(), topic, url, name),
					sandboxCount(srv, "inveterate.subscriptions.create", 2),
					sandboxCount(srv, "inveterate.subscriptions.delete", 1),
				),
			},
		},
	})
}

// TestAccInveterateWebhookSubscription_neverListed: a subscription whose create timed out and that
// is then never listed is waited for (a bounded time), then kept in state, tainted: the next apply
// deletes it by id and creates it again, leaving exactly one.
func TestAccInveterateWebhookSubscription_neverListed(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: 4 * time.Second}}, "inveterate")
	srv := e.sandbox()
	const topic, url, name = "customer.updated", "https://hooks.example.com/never", "never"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateSubscriptionsGone(e.api()),
		Steps: []resource.TestStep{
			{
				Config:      e.config(inveterateSubscriptionConfig(topic, url, name, `timeouts = { create = "1s" }`)),
				ExpectError: errorText("Inveterate Webhook Subscription Not Listed in Time"),
			},
			{
				PreConfig: func() {
					sub, err := onlyInveterateSubscription(srv)
					if err != nil {
						t.Fatal(err)
					}
					srv.DeleteInveterateSubscription(sub.ID)
				},
				Config: e.config(inveterateSubscriptionConfig(topic, url, name)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateSubscriptionAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("id"), isOnlyInveterateSubscription(srv)),
				},
				Check: sandboxCount(srv, "inveterate.subscriptions.delete", 1),
			},
		},
	})
}

// TestAccInveterateWebhookSubscription_lostCreateResponse: a create whose answer is lost is not
// sent blindly again: the subscription it made is found and adopted once Inveterate lists it.
func TestAccInveterateWebhookSubscription_lostCreateResponse(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: time.Second}}, "inveterate")
	srv := e.sandbox()
	srv.FailNext(sandbox.Inveterate, "inveterate.subscriptions.create", sandbox.FailLostResponse, 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateSubscriptionsGone(e.api()),
		Steps: []resource.TestStep{{
			Config: e.config(inveterateSubscriptionConfig("customer.credits.updated", "https://hooks.example.com/lost", "lost")),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("id"), isOnlyInveterateSubscription(srv)),
			},
		}},
	})
}

func TestAccInveterateWebhookSubscription_drift(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	const topic = "customer.payment_failed"
	url, name := e.url("drift"), e.name("drift")
	config := e.config(inveterateSubscriptionConfig(topic, url, name))
	var sub capturedID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateSubscriptionsGone(api),
		Steps: []resource.TestStep{
			{Config: config, Check: sub.from(inveterateSubscriptionAddr)},
			{
				// Changed outside Terraform: planned back in place.
				PreConfig: func() {
					elsewhere, renamed := e.url("elsewhere"), e.name("renamed")
					_, err := api.Inveterate.Client.UpdateSubscription(context.Background(), inveterate.UpdateSubscriptionInput{
						Topic: topic, ID: sub.id, CallbackURL: &elsewhere, Name: &renamed,
					})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateSubscriptionAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				// One update made the drift, one corrected it.
				Check: resource.ComposeTestCheckFunc(inveterateSubscriptionIs(api, topic, url, name), e.count("inveterate.subscriptions.update", 2)),
			},
			{
				// Deleted outside Terraform: planned for creation.
				PreConfig: func() {
					if err := api.Inveterate.Client.DeleteSubscription(context.Background(), topic, sub.id); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateSubscriptionAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(inveterateSubscriptionIs(api, topic, url, name), e.count("inveterate.subscriptions.create", 2)),
			},
		},
	})
}

func TestAccInveterateWebhookSubscription_importBlock(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	existing := createInveterateSubscription(t, api, inveterate.CreateSubscriptionInput{Topic: "customer.joined.paid_tier", CallbackURL: e.url("existing"), Name: e.name("existing")})
	resourceConfig := inveterateSubscriptionConfig(existing.Topic, existing.CallbackURL, existing.Name)
	importBlock := func(id string) string {
		return e.config(fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n\n", inveterateSubscriptionAddr, id) + resourceConfig)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             inveterateSubscriptionsGone(api),
		Steps: []resource.TestStep{
			{
				Config: importBlock(existing.ID),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(inveterateSubscriptionAddr, plancheck.ResourceActionNoop)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("topic"), knownvalue.StringExact(existing.Topic)),
					statecheck.ExpectKnownValue(inveterateSubscriptionAddr, tfjsonpath.New("created_at"), knownvalue.StringExact(inveterateTimestamp(existing.CreatedAt).ValueString())),
				},
				// One create made the subscription, before Terraform ran.
				Check: resource.ComposeTestCheckFunc(e.count("inveterate.subscriptions.create", 1), e.count("inveterate.subscriptions.update", 0)),
			},
			{
				// The same through the import-block test mode of the framework, by <id>...
				Config:          e.config(resourceConfig),
				ResourceName:    inveterateSubscriptionAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
			{
				// ...and by <topic>/<id>.
				Config:          e.config(resourceConfig),
				ResourceName:    inveterateSubscriptionAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   existing.Topic + "/" + existing.ID,
			},
		},
	})
}

func TestAccInveterateWebhookSubscription_importWrongTopic(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	api := e.api()
	existing := createInveterateSubscription(t, api, inveterate.CreateSubscriptionInput{Topic: "customer.updated", CallbackURL: e.url("x"), Name: e.name("x")})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config:        e.config(inveterateSubscriptionConfig("customer.updated", e.url("x"), e.name("x"))),
			ResourceName:  inveterateSubscriptionAddr,
			ImportState:   true,
			ImportStateId: "customer.ordered/" + existing.ID,
			ExpectError: errorText("Invalid Import ID", fmt.Sprintf(`subscription %s has the topic "customer.updated", not "customer.ordered"`, existing.ID),
				"customer.updated/"+existing.ID),
		}},
	})
}

func TestAccInveterateWebhookSubscription_invalidImportID(t *testing.T) {
	for name, id := range map[string]string{
		"not hex":        "not-an-id",
		"upper case":     strings.Repeat("AB", 16),
		"too short":      "0123456789abcdef",
		"bad topic":      "Customer.Updated/" + strings.Repeat("ab", 16),
		"bad id":         "customer.updated/xyz",
		"too many parts": "customer.updated/" + strings.Repeat("ab", 16) + "/x",
	} {
		t.Run(name, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "inveterate")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:        e.config(inveterateSubscriptionConfig("customer.updated", "https://hooks.example.com/x", "x")),
					ResourceName:  inveterateSubscriptionAddr,
					ImportState:   true,
					ImportStateId: id,
					ExpectError: errorText("Invalid Import ID", fmt.Sprintf("%q is not an Inveterate webhook subscription import id", id),
						"Expected <id> or <topic>/<id>", "32 lowercase hexadecimal characters", "customer.updated/0123456789abcdef0123456789abcdef"),
				}},
			})
		})
	}
}

func TestAccInveterateWebhookSubscription_invalidTopic(t *testing.T) {
	for _, topic := range []string{"customer", "Customer.Updated", "customer..updated", "customer.updated.", "customer-updated.x"} {
		t.Run(topic, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "inveterate")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config: e.config(inveterateSubscriptionConfig(topic, e.url("x"), "x")),
					ExpectError: errorText("Invalid Inveterate Topic", fmt.Sprintf("Attribute topic value %q is not a well-formed Inveterate topic", topic),
						inveterate.TopicPattern.String()),
				}},
			})
			e.noWrites("for a malformed topic")
		})
	}
}

// TestAccInveterateWebhookSubscription_undocumentedTopic: a well-formed topic that Inveterate does
// not document only gets a warning at plan time (see TestInveterateTopicValidator), so the create
// is sent; the sandbox, like Inveterate, rejects a topic it does not know, and that answer is
// what the user sees.
func TestAccInveterateWebhookSubscription_undocumentedTopic(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	srv := e.sandbox()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.config(inveterateSubscriptionConfig("customer.teleported", "https://hooks.example.com/x", "x")),
			ExpectError: errorText("Unable to Create Inveterate Webhook Subscription", "answered HTTP 400",
				`Unknown topic "customer.teleported"`, "Inveterate rejected the request and changed nothing"),
		}},
	})
	if n := srv.Count("inveterate.subscriptions.create"); n != 1 {
		t.Fatalf("%d create calls, want 1: a well-formed topic must not be blocked at plan time", n)
	}
	if n := len(srv.InveterateSubscriptions()); n != 0 {
		t.Fatalf("%d subscriptions exist after a rejected create", n)
	}
}

func TestAccInveterateWebhookSubscription_invalidArguments(t *testing.T) {
	for name, tc := range map[string]struct {
		url, name, extra, want string
	}{
		"relative url":       {url: "hooks.example.com/x", name: "x", want: `(?s)Invalid URL.*callback_url.*"hooks.example.com/x" is not an absolute http\(s\) URL`},
		"ftp url":            {url: "ftp://hooks.example.com/x", name: "x", want: `(?s)Invalid URL.*callback_url.*"ftp://hooks.example.com/x"`},
		"empty name":         {url: "https://hooks.example.com/x", name: "", want: `(?s)Attribute name string length must be at least 1`},
		"bad create timeout": {url: "https://hooks.example.com/x", name: "x", extra: `timeouts = { create = "soon" }`, want: `(?s)Invalid Timeout.*timeouts\.create: "soon" is not a duration`},
	} {
		t.Run(name, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "inveterate")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:      e.config(inveterateSubscriptionConfig("customer.updated", tc.url, tc.name, tc.extra)),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			e.noWrites("for an invalid configuration")
		})
	}
}

func TestAccInveterateWebhookSubscription_missingCredentials(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factoriesWithoutCredentials(),
		Steps: []resource.TestStep{{
			Config:      "provider \"webhooks\" {}\n\n" + inveterateSubscriptionConfig("customer.updated", "https://hooks.example.com/x", "x"),
			PlanOnly:    true,
			ExpectError: errorText("Missing Inveterate Credentials", "inveterate.api_key (environment variable INVETERATE_API_KEY)"),
		}},
	})
	e.noWrites("without credentials")
}

func TestAccInveterateWebhookSubscription_wrongKey(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "inveterate")
	config := fmt.Sprintf("provider \"webhooks\" {\n  inveterate = {\n    api_key = \"wrong_inveterate_key\"\n%s  }\n}\n\n", e.baseURLLine(envInveterateBaseURL)) +
		inveterateSubscriptionConfig("customer.updated", e.url("x"), "x")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: config,
			// The plan already asks Inveterate, so the wrong key fails it before anything is written.
			ExpectError: errorText("Inveterate Rejected the Credentials", "inveterate.api_key (or INVETERATE_API_KEY)"),
		}},
	})
	e.noWrites("with a wrong key")
}
