package provider

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// TestAccReliability_interruptedApply interrupts `terraform apply` (SIGINT, as Ctrl-C does) while
// creates of every vendor are in flight, then checks that every object the vendors created is in
// the state Terraform saved, and that destroying that state leaves nothing behind.
//
// The testing framework cannot interrupt Terraform, so this test runs the Terraform CLI itself
// against the provider served in-process (the reattach mechanism the framework uses too).
func TestAccReliability_interruptedApply(t *testing.T) {
	e := newAccEnv(t, sandbox.Config{})
	srv := e.sandbox()
	env := e.sandboxEnv()
	cli := newTerraformCLI(t, testProvider("acctest", func(k string) string { return env[k] }, fastRetries))
	t.Parallel()
	for _, api := range []sandbox.API{sandbox.Lune, sandbox.Inveterate, sandbox.Blaze} {
		srv.SetLatency(api, 1500*time.Millisecond)
	}
	cli.write("main.tf", requiredProviders+"\nprovider \"webhooks\" {}\n"+mixedConfig("v1"))
	run := cli.command
	cli.run("init", "-input=false", "-no-color")

	apply := run("apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10")
	var output bytes.Buffer
	apply.Stdout, apply.Stderr = &output, &output
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	creates := func() int {
		return srv.Count("lune.create") + srv.Count("inveterate.subscriptions.create") +
			srv.Count("inveterate.webhooks.create") + srv.Count("blaze.create")
	}
	deadline := time.Now().Add(60 * time.Second)
	for creates() < 5 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if creates() < 5 {
		_ = apply.Process.Kill()
		t.Fatalf("creates never started:\n%s", output.String())
	}
	if err := apply.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := apply.Wait(); err == nil {
		t.Logf("the apply finished before the interrupt took effect:\n%s", output.String())
	}
	if !bytes.Contains(output.Bytes(), []byte("Interrupt received")) {
		t.Fatalf("Terraform did not see the interrupt:\n%s", output.String())
	}

	show := func() *tfjson.State {
		out, err := run("show", "-json", "-no-color").Output()
		if err != nil {
			t.Fatalf("terraform show: %v", err)
		}
		var state tfjson.State
		if err := json.Unmarshal(out, &state); err != nil {
			t.Fatal(err)
		}
		return &state
	}
	if err := stateMatchesSandbox(srv, show()); err != nil {
		t.Fatalf("after the interrupted apply: %v\n%s", err, output.String())
	}
	if n := len(srv.LuneWebhooks()) + len(srv.InveterateSubscriptions()) + len(srv.InveterateWebhooks()); n == 0 {
		t.Fatalf("nothing was created before the interrupt: the test proved nothing\n%s", output.String())
	}

	for _, api := range []sandbox.API{sandbox.Lune, sandbox.Inveterate, sandbox.Blaze} {
		srv.SetLatency(api, 0)
	}
	if out, err := run("destroy", "-auto-approve", "-input=false", "-no-color").CombinedOutput(); err != nil {
		t.Fatalf("terraform destroy after the interrupted apply: %v\n%s", err, out)
	}
	if err := stateMatchesSandbox(srv, show()); err != nil {
		t.Fatalf("after destroy: %v", err)
	}
}

// TestAccReliability_interruptDuringInveterateVisibilityWait interrupts `terraform apply` after
// Inveterate has accepted a subscription and an admin webhook, while the provider waits for them to
// show in Inveterate's lists. Both are in state, untainted, the admin webhook with the token
// Inveterate issued; once they are listed, the plan is empty. They used to be tainted (the error
// blamed a timeout), so the next apply replaced them and the admin webhook's saved token was thrown
// away with it.
func TestAccReliability_interruptDuringInveterateVisibilityWait(t *testing.T) {
	if accLive() {
		t.Skip("the visibility delay is the sandbox's")
	}
	e := newAccEnv(t, sandbox.Config{Inveterate: sandbox.InveterateConfig{VisibilityDelay: 4 * time.Second}})
	srv := e.sandbox()
	env := e.sandboxEnv()
	cli := newTerraformCLI(t, testProvider("acctest", func(k string) string { return env[k] }, fastRetries))
	t.Parallel()
	cli.write("main.tf", requiredProviders+`
provider "webhooks" {}

resource "webhooks_inveterate_webhook_subscription" "sub" {
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/inveterate/interrupted"
  name         = "interrupted"
}

resource "webhooks_inveterate_webhook" "admin" {
  callback_url = "https://hooks.example.com/inveterate/admin/interrupted"
  name         = "interrupted"
}
`)
	cli.run("init", "-input=false", "-no-color")
	apply := cli.command("apply", "-auto-approve", "-input=false", "-no-color")
	var output bytes.Buffer
	apply.Stdout, apply.Stderr = &output, &output
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for srv.Count("inveterate.subscriptions.create")+srv.Count("inveterate.webhooks.create") < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the answers are in; the provider waits for the lists
	if err := apply.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = apply.Wait()
	if !bytes.Contains(output.Bytes(), []byte("Interrupt received")) {
		t.Fatalf("Terraform did not see the interrupt:\n%s", output.String())
	}
	if bytes.Contains(output.Bytes(), []byte("timeout")) && bytes.Contains(output.Bytes(), []byte("ran out")) {
		t.Errorf("an interrupt was reported as a timeout:\n%s", output.String())
	}

	out, err := cli.command("show", "-json", "-no-color").Output()
	if err != nil {
		t.Fatalf("terraform show: %v", err)
	}
	var state tfjson.State
	if err := json.Unmarshal(out, &state); err != nil {
		t.Fatal(err)
	}
	if err := stateMatchesSandbox(srv, &state); err != nil {
		t.Fatalf("after the interrupted apply: %v\n%s", err, output.String())
	}
	hooks := srv.InveterateWebhooks()
	if len(hooks) != 1 || len(srv.InveterateSubscriptions()) != 1 {
		t.Fatalf("the sandbox holds %d admin webhooks and %d subscriptions, want 1 and 1", len(hooks), len(srv.InveterateSubscriptions()))
	}
	resources := state.Values.RootModule.Resources
	if len(resources) != 2 {
		t.Fatalf("%d resources in state, want 2\n%s", len(resources), output.String())
	}
	for _, r := range resources {
		if r.Tainted {
			t.Errorf("%s is tainted: the next apply would replace it", r.Address)
		}
		if r.Type == "webhooks_inveterate_webhook" && r.AttributeValues["token"] != hooks[0].Token {
			t.Errorf("%s: the token in state is not the one Inveterate issued", r.Address)
		}
	}
	srv.SetInveterateDelays(0, 0) // Inveterate lists them now, instead of 4 s after their create
	cli.expectEmptyPlan()
}
