package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLocalBuildOffline follows the README's recipe for trying a local build beside other
// providers with no network: make mirror puts this build into a filesystem mirror, a stand-in for
// another provider (time, in the README) sits in the same mirror, and examples/local-build/offline.tfrc,
// as written but for its two paths, lets terraform init install both without any network and then
// runs the build from the dev_overrides directory.
func TestLocalBuildOffline(t *testing.T) {
	terraform := testCLI(t)
	tfrc, err := os.ReadFile(filepath.Join("examples", "local-build", "offline.tfrc"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), string(tfrc)) {
		t.Error("the README does not show examples/local-build/offline.tfrc as it is")
	}

	tmp := t.TempDir()
	mirror, bin, work := filepath.Join(tmp, "mirror"), filepath.Join(tmp, "bin"), filepath.Join(tmp, "work")
	run := func(dir string, env []string, name string, args ...string) []byte {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return out
	}
	run(".", nil, "make", "mirror", "MIRROR="+mirror)
	run(".", nil, "go", "build", "-o", filepath.Join(bin, "terraform-provider-webhooks"), ".")
	// The stand-in for another provider: any provider binary will do, at another address.
	mirrored, err := filepath.Glob(filepath.Join(mirror, "registry.terraform.io", "webhookinfra", "webhooks", "*", "*", "terraform-provider-webhooks_v*"))
	if err != nil || len(mirrored) != 1 {
		t.Fatalf("make mirror installed %v (%v), want one binary", mirrored, err)
	}
	platform := filepath.Base(filepath.Dir(mirrored[0]))
	other := filepath.Join(mirror, "example.com", "test", "other", "1.0.0", platform)
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	stand, err := os.ReadFile(mirrored[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "terraform-provider-other_v1.0.0"), stand, 0o755); err != nil { //nolint:gosec // an executable for the test.
		t.Fatal(err)
	}

	config := strings.NewReplacer(
		"/path/to/terraform-provider-webhooks/bin", bin,
		"/path/to/providers-mirror", mirror,
	).Replace(string(tfrc))
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"offline.tfrc": config,
		"main.tf": `terraform {
  required_providers {
    webhooks = { source = "webhookinfra/webhooks" }
    other    = { source = "example.com/test/other" }
  }
}

resource "terraform_data" "x" {}
`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(work, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// No network: no proxy would help, and the registry is never asked.
	env := []string{"TF_CLI_CONFIG_FILE=" + filepath.Join(work, "offline.tfrc"), "CHECKPOINT_DISABLE=1",
		"HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9", "TF_IN_AUTOMATION=1"}
	run(work, env, terraform, "init", "-input=false", "-no-color")
	var schemas struct {
		Providers map[string]json.RawMessage `json:"provider_schemas"`
	}
	schemaCmd := exec.Command(terraform, "providers", "schema", "-json")
	schemaCmd.Dir, schemaCmd.Env = work, append(os.Environ(), env...)
	out, err := schemaCmd.Output()
	if err != nil {
		t.Fatalf("terraform providers schema: %v", err)
	}
	if err := json.Unmarshal(out, &schemas); err != nil {
		t.Fatal(err)
	}
	ours := "registry.terraform.io/webhookinfra/webhooks"
	if version, err := exec.Command(terraform, "version").Output(); err == nil && strings.Contains(string(version), "OpenTofu v") { //nolint:gosec // the tests' own CLI.
		ours = "registry.opentofu.org/webhookinfra/webhooks" // how OpenTofu reads webhookinfra/webhooks
	}
	for _, addr := range []string{ours, "example.com/test/other"} {
		if _, ok := schemas.Providers[addr]; !ok {
			t.Errorf("Terraform did not load %s: %v", addr, schemas.Providers)
		}
	}
	if plan := run(work, env, terraform, "plan", "-input=false", "-no-color"); !strings.Contains(string(plan), "webhookinfra/webhooks in "+bin) {
		t.Errorf("the plan does not run the build in %s (dev_overrides):\n%s", bin, plan)
	}
}

// testCLI returns the Terraform (or OpenTofu) the tests run: TF_ACC_TERRAFORM_PATH, else terraform
// from PATH. Without TF_ACC=1, or without a CLI, the test skips.
func testCLI(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs Terraform (TF_ACC=1)")
	}
	if path := os.Getenv("TF_ACC_TERRAFORM_PATH"); path != "" {
		return path
	}
	terraform, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not on PATH")
	}
	return terraform
}

// devBuild builds this module's provider and sets up a working directory for it: a CLI
// configuration whose dev_overrides run that build (no terraform init needed), and a main.tf that
// requires the provider, configures it with an empty block and declares resources. It returns the
// configuration's path and the working directory.
func devBuild(t *testing.T, resources string) (rc, work string) {
	t.Helper()
	tmp := t.TempDir()
	bin, work := filepath.Join(tmp, "bin"), filepath.Join(tmp, "work")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-webhooks"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rc = filepath.Join(tmp, "dev.tfrc")
	devOverrides := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"webhookinfra/webhooks\" = %q\n  }\n  direct {}\n}\n", bin)
	if err := os.WriteFile(rc, []byte(devOverrides), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	config := "terraform {\n  required_providers {\n    webhooks = { source = \"webhookinfra/webhooks\" }\n  }\n}\n\nprovider \"webhooks\" {}\n" + resources
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return rc, work
}
