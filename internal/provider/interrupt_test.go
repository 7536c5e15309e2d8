package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

const providerAddress = "registry.terraform.io/webhookinfra/webhooks"

// TestAccReliability_interruptedApply interrupts `terraform apply` (SIGINT, as Ctrl-C does) while
// creates of every vendor are in flight, then checks that every object the vendors created is in
// the state Terraform saved, and that destroying that state leaves nothing behind.
//
// The testing framework cannot interrupt Terraform, so this test runs the Terraform CLI itself
// against the provider served in-process (the reattach mechanism the framework uses too).
func TestAccReliability_interruptedApply(t *testing.T) {
	if accLive() || os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test against the sandbox (TF_ACC=1)")
	}
	terraform, err := exec.LookPath("terraform")
	if path := os.Getenv("TF_ACC_TERRAFORM_PATH"); path != "" {
		terraform, err = path, nil
	}
	if err != nil {
		t.Skip("terraform is not on PATH")
	}
	t.Parallel()
	e := newAccEnv(t, sandbox.Config{})
	srv := e.sandbox()
	// Every request takes a while, so that creates are in flight when the interrupt comes.
	for _, api := range []sandbox.API{sandbox.Lune, sandbox.Inveterate, sandbox.Blaze} {
		srv.SetLatency(api, 1500*time.Millisecond)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := e.sandboxEnv()
	p := &WebhooksProvider{version: "acctest", getenv: func(k string) string { return env[k] }, tune: fastRetries}
	reattach := make(chan *plugin.ReattachConfig)
	closed := make(chan struct{})
	go func() {
		err := tf6server.Serve(providerAddress, providerserver.NewProtocol6(p),
			tf6server.WithDebug(ctx, reattach, closed), tf6server.WithLoggingSink(t),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()))
		if err != nil {
			t.Errorf("serving the provider: %v", err)
		}
	}()
	var rc *plugin.ReattachConfig
	select {
	case rc = <-reattach:
	case <-time.After(30 * time.Second):
		t.Fatal("the provider server did not start")
	}
	defer func() { cancel(); <-closed }()
	reattachJSON, err := json.Marshal(map[string]any{providerAddress: map[string]any{
		"Protocol": string(rc.Protocol), "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": true,
		"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	config := "terraform {\n  required_providers {\n    webhooks = { source = \"webhookinfra/webhooks\" }\n  }\n}\n\n" +
		"provider \"webhooks\" {}\n" + mixedConfig("v1")
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(terraform, args...) //nolint:gosec // the test's own Terraform binary and arguments.
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+string(reattachJSON), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
		return cmd
	}
	if out, err := run("init", "-input=false", "-no-color").CombinedOutput(); err != nil {
		t.Fatalf("terraform init: %v\n%s", err, out)
	}

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
