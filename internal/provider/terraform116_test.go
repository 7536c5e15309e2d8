package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// Terraform 1.16 adds import blocks inside modules and `lifecycle { destroy = false }`. These tests
// skip on older clients; run them with TF_ACC_TERRAFORM_PATH naming a Terraform 1.16 (see the
// README). They run the CLI directly: terraform-plugin-testing installs no modules.

// moduleAdoptionExample is the example of the module-adoption guide.
var moduleAdoptionExample = filepath.Join("..", "..", "examples", "guides", "module-adoption")

// newSandboxCLI is the CLI against the sandbox of e, whose provider configuration comes from the
// environment.
func newSandboxCLI(t *testing.T, e *accEnv) *terraformCLI {
	t.Helper()
	env := e.sandboxEnv()
	return newTerraformCLI(t, testProvider("acctest", func(k string) string { return env[k] }, fastRetries))
}

// copyExample copies the files of an example directory, its modules too, into the CLI's directory,
// replacing each old with its new.
func (c *terraformCLI) copyExample(dir string, replace ...string) {
	c.t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(c.dir, filepath.Dir(rel)), 0o700); err != nil {
			return err
		}
		c.write(rel, strings.NewReplacer(replace...).Replace(string(src)))
		return nil
	})
	if err != nil {
		c.t.Fatal(err)
	}
}

// change is the change a plan makes to address, nil when it has none.
func change(plan *tfjson.Plan, address string) *tfjson.ResourceChange {
	for _, rc := range plan.ResourceChanges {
		if rc.Address == address {
			return rc
		}
	}
	return nil
}

// The example module adopts its team's existing webhook by identity from inside the module: the
// first plan imports it and changes nothing, the apply creates only the other team's webhook and
// rotates no secret, and the next plan is empty.
func TestAccModuleAdoption_byIdentity(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{}, "lune")
	srv := e.sandbox()
	cli := newSandboxCLI(t, e)
	cli.requireVersion("1.16.0", "import blocks in modules")
	t.Parallel()

	existing := srv.AddLuneWebhook(sandbox.LuneWebhook{URL: "https://hooks.example.com/lune/orders", Enabled: true, CreatedAt: time.Now().Add(-time.Hour)})
	cli.copyExample(moduleAdoptionExample, "6Kq0c9kB1n8Xg2Lr4Tz7Vw3Yp5Hs1Dd0", existing.ID)
	cli.run("init", "-input=false", "-no-color")

	plan := cli.plan()
	orders := change(plan, "module.orders.webhooks_webhook.this")
	switch {
	case orders == nil:
		t.Fatalf("the plan does not mention the orders webhook: %v", plan.ResourceChanges)
	case orders.Change.Importing == nil || !orders.Change.Actions.NoOp():
		t.Fatalf("the orders webhook is planned as %v (importing %+v), want a pure import", orders.Change.Actions, orders.Change.Importing)
	}
	if refunds := change(plan, "module.refunds.webhooks_webhook.this"); refunds == nil || !refunds.Change.Actions.Create() {
		t.Fatalf("the refunds webhook is not planned as a create: %+v", refunds)
	}
	cli.run("apply", "-input=false", "-no-color", "plan.tfplan")

	if all := srv.LuneWebhooks(); len(all) != 2 {
		t.Errorf("the sandbox holds %d webhooks, want 2: the adopted one and the refunds team's", len(all))
	}
	if got, ok := srv.LuneWebhook(existing.ID); !ok || got.Secret != existing.Secret {
		t.Error("the adopted webhook is gone, or its secret was rotated")
	}
	var ids map[string]string
	if err := json.Unmarshal(cli.output("output", "-json", "webhook_ids"), &ids); err != nil || ids["orders"] != existing.ID {
		t.Errorf("webhook_ids = %v (%v), want orders = %s", ids, err, existing.ID)
	}
	cli.expectEmptyPlan()
}

// What `lifecycle { destroy = false }` does to an admin webhook, measured on Terraform 1.16.0-rc2 and
// stated in the adoption guide. Terraform forgets the webhook instead of deleting it when the
// configuration destroys it (terraform destroy, an instance dropped by count or for_each) and when a
// tainted one is replaced: the old webhook stays registered with its token. It still deletes the
// old webhook when a change forces a replacement, and when the resource block is removed (its
// lifecycle goes with it; a removed block with destroy = false forgets). With create_before_destroy
// too, Terraform asks the provider to delete the old webhook (the protocol cannot tell the provider
// it means to forget it) and then fails. If a Terraform release changes any of this, the case fails:
// update the guide.
func TestAccLifecycleDestroyFalse(t *testing.T) {
	const addr = "webhooks_inveterate_webhook.events"
	type outcome struct {
		kept   bool // the first webhook is still registered, with its token
		failed bool // the apply fails
	}
	cases := []struct {
		name string
		// lifecycle is the resource's lifecycle block; change changes the configuration (given how
		// to write it) or runs a command, and returns the arguments of the apply that follows.
		lifecycle string
		change    func(cli *terraformCLI, config func(callback, lifecycle string) string) []string
		want      outcome
	}{
		{"terraform destroy", "destroy = false", func(*terraformCLI, func(string, string) string) []string {
			return []string{"destroy"}
		}, outcome{kept: true}},
		{"replacement of a tainted webhook", "destroy = false", func(cli *terraformCLI, _ func(string, string) string) []string {
			cli.run("taint", addr)
			return []string{"apply"}
		}, outcome{kept: true}},
		{"instance dropped by for_each", "destroy = false", func(cli *terraformCLI, config func(string, string) string) []string {
			cli.write("main.tf", strings.Replace(config("first", "destroy = false"), "\n  callback_url", "\n  for_each     = toset([])\n  callback_url", 1))
			cli.write("moved.tf", "moved {\n  from = "+addr+"\n  to   = "+addr+"[\"a\"]\n}\n")
			return []string{"apply"}
		}, outcome{kept: true}},
		{"instance dropped by count", "destroy = false", func(cli *terraformCLI, config func(string, string) string) []string {
			cli.write("main.tf", strings.Replace(config("first", "destroy = false"), "\n  callback_url", "\n  count        = 0\n  callback_url", 1))
			cli.write("moved.tf", "moved {\n  from = "+addr+"\n  to   = "+addr+"[0]\n}\n")
			return []string{"apply"}
		}, outcome{kept: true}},
		{"-replace", "destroy = false", func(*terraformCLI, func(string, string) string) []string {
			return []string{"apply", "-replace=" + addr}
		}, outcome{}},
		{"block replaced by a removed block", "destroy = false", func(cli *terraformCLI, _ func(string, string) string) []string {
			cli.write("main.tf", requiredProviders+"\nprovider \"webhooks\" {}\n\nremoved {\n  from = "+addr+"\n\n  lifecycle {\n    destroy = false\n  }\n}\n")
			return []string{"apply"}
		}, outcome{kept: true}},
		{"change that forces a replacement", "destroy = false", func(cli *terraformCLI, config func(string, string) string) []string {
			cli.write("main.tf", config("second", "destroy = false"))
			return []string{"apply"}
		}, outcome{}},
		{"block removed", "destroy = false", func(cli *terraformCLI, _ func(string, string) string) []string {
			cli.write("main.tf", requiredProviders+"\nprovider \"webhooks\" {}\n")
			return []string{"apply"}
		}, outcome{}},
		{"forced replacement with create_before_destroy", "create_before_destroy = true\n    destroy               = false",
			func(cli *terraformCLI, config func(string, string) string) []string {
				cli.write("main.tf", config("second", "create_before_destroy = true\n    destroy               = false"))
				return []string{"apply"}
			}, outcome{failed: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newAccEnv(t, sandbox.Config{}, "inveterate")
			srv := e.sandbox()
			cli := newSandboxCLI(t, e)
			cli.requireVersion("1.16.0", "lifecycle destroy = false")
			t.Parallel()

			config := func(callback, lifecycle string) string {
				return requiredProviders + fmt.Sprintf(`
provider "webhooks" {}

resource "webhooks_inveterate_webhook" "events" {
  callback_url = %q

  lifecycle {
    %s
  }
}
`, e.url(callback), lifecycle)
			}
			cli.write("main.tf", config("first", tc.lifecycle))
			cli.run("init", "-input=false", "-no-color")
			cli.run("apply", "-input=false", "-no-color", "-auto-approve")
			all := srv.InveterateWebhooks()
			if len(all) != 1 {
				t.Fatalf("%d admin webhooks after the create, want 1", len(all))
			}
			first := all[0]

			args := append(tc.change(cli, config), "-input=false", "-no-color", "-auto-approve")
			out, err := cli.command(args...).CombinedOutput()
			if failed := err != nil; failed != tc.want.failed {
				t.Fatalf("terraform %s failed: %v, want %v\n%s", args[0], failed, tc.want.failed, out)
			}
			w, ok := srv.InveterateWebhook(first.ID)
			kept := ok && !w.Deleted && w.Token == first.Token && w.CallbackURL == first.CallbackURL
			if kept != tc.want.kept {
				t.Errorf("the first webhook kept: %v, want %v (deletes at Inveterate: %d)\n%s", kept, tc.want.kept, srv.Count("inveterate.webhooks.delete"), out)
			}
			if kept && strings.Contains(string(cli.output("show", "-json")), first.ID) {
				t.Errorf("the state still holds the forgotten webhook %s", first.ID)
			}
		})
	}
}
