package provider

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-version"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// providerAddresses are the provider's addresses: `source = "webhookinfra/webhooks"` means the first
// to Terraform and the second to OpenTofu. The CLI tests reattach the provider under both.
var providerAddresses = []string{"registry.terraform.io/webhookinfra/webhooks", "registry.opentofu.org/webhookinfra/webhooks"}

// terraformCLI runs the Terraform the acceptance tests use (TF_ACC_TERRAFORM_PATH, else terraform
// on PATH) in a temporary directory, against p served in this process and reattached, for the
// tests that need what terraform-plugin-testing does not do: interrupting an apply, or
// generating configuration with terraform query.
type terraformCLI struct {
	t        *testing.T
	bin, dir string
	env      []string
}

// newTerraformCLI skips the test unless TF_ACC=1 and a Terraform is at hand.
func newTerraformCLI(t *testing.T, p *WebhooksProvider) *terraformCLI {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test (TF_ACC=1)")
	}
	bin, err := exec.LookPath("terraform")
	if path := os.Getenv("TF_ACC_TERRAFORM_PATH"); path != "" {
		bin, err = path, nil
	}
	if err != nil {
		t.Skip("terraform is not on PATH")
	}

	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig)
	closed := make(chan struct{})
	go func() {
		err := tf6server.Serve(providerAddresses[0], providerserver.NewProtocol6(p),
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
		cancel()
		t.Fatal("the provider server did not start")
	}
	t.Cleanup(func() { cancel(); <-closed })
	servers := map[string]any{}
	for _, addr := range providerAddresses {
		servers[addr] = map[string]any{
			"Protocol": string(rc.Protocol), "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": true,
			"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
		}
	}
	reattachJSON, err := json.Marshal(servers)
	if err != nil {
		t.Fatal(err)
	}
	return &terraformCLI{t: t, bin: bin, dir: t.TempDir(), env: append(os.Environ(),
		"TF_REATTACH_PROVIDERS="+string(reattachJSON), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")}
}

// requireVersion skips the test when the Terraform is older than minimum. A prerelease counts as its
// release (1.16.0-rc2 as 1.16.0), as tfversion.SkipBelow has it.
func (c *terraformCLI) requireVersion(minimum, feature string) {
	c.t.Helper()
	if reason, lacks := openTofuLacks[feature]; lacks && openTofu() {
		c.t.Skipf("%s: OpenTofu %s", feature, reason)
	}
	if v := c.version(); v.Core().LessThan(version.Must(version.NewVersion(minimum))) {
		c.t.Skipf("%s needs Terraform %s or later; this is %s", feature, minimum, v)
	}
}

// version is the version of the Terraform the CLI runs.
func (c *terraformCLI) version() *version.Version {
	c.t.Helper()
	out, err := exec.Command(c.bin, "version", "-json").Output() //nolint:gosec // the test's own Terraform binary.
	if err != nil {
		c.t.Fatalf("terraform version: %v", err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		c.t.Fatal(err)
	}
	return version.Must(version.NewVersion(v.Version))
}

// in is the CLI for another working directory, name, inside this one, sharing the provider
// server: one test can run several configurations, each with its own state.
func (c *terraformCLI) in(name string) *terraformCLI {
	c.t.Helper()
	dir := filepath.Join(c.dir, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		c.t.Fatal(err)
	}
	other := *c
	other.dir = dir
	return &other
}

// plan saves a plan of the configuration as plan.tfplan and returns it.
func (c *terraformCLI) plan() *tfjson.Plan {
	c.t.Helper()
	c.run("plan", "-input=false", "-no-color", "-out=plan.tfplan")
	var plan tfjson.Plan
	if err := json.Unmarshal(c.output("show", "-json", "plan.tfplan"), &plan); err != nil {
		c.t.Fatal(err)
	}
	return &plan
}

// expectEmptyPlan fails the test unless a plan of the configuration has nothing to do.
func (c *terraformCLI) expectEmptyPlan() {
	c.t.Helper()
	err := c.command("plan", "-input=false", "-no-color", "-detailed-exitcode").Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 2:
		c.t.Errorf("the plan in %s is not empty:\n%s", filepath.Base(c.dir), c.run("plan", "-no-color"))
	default:
		c.t.Errorf("terraform plan in %s: %v", filepath.Base(c.dir), err)
	}
}

// write puts a file into the working directory.
func (c *terraformCLI) write(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// read returns a file of the working directory.
func (c *terraformCLI) read(name string) string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, name))
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

// command is a Terraform command in the working directory.
func (c *terraformCLI) command(args ...string) *exec.Cmd {
	cmd := exec.Command(c.bin, args...) //nolint:gosec // the test's own Terraform binary and arguments.
	cmd.Dir = c.dir
	cmd.Env = c.env
	return cmd
}

// run runs a Terraform command and fails the test if it fails.
func (c *terraformCLI) run(args ...string) []byte {
	c.t.Helper()
	out, err := c.command(args...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("terraform %v: %v\n%s", args, err, out)
	}
	return out
}

// output runs a Terraform command and returns its standard output alone (for -json).
func (c *terraformCLI) output(args ...string) []byte {
	c.t.Helper()
	out, err := c.command(args...).Output()
	if err != nil {
		c.t.Fatalf("terraform %v: %v", args, err)
	}
	return out
}

// requiredProviders is the terraform block of every configuration the CLI tests write.
const requiredProviders = "terraform {\n  required_providers {\n    webhooks = { source = \"webhookinfra/webhooks\" }\n  }\n}\n"
