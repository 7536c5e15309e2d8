package provider

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"sync"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// openTofu reports whether the CLI the acceptance tests run is OpenTofu (TF_ACC_TERRAFORM_PATH,
// else terraform on PATH). tfversion compares OpenTofu's version number with Terraform's, so a
// feature OpenTofu does not have is gated on this instead.
var openTofu = sync.OnceValue(func() bool {
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin, _ = exec.LookPath("terraform")
	}
	if bin == "" {
		return false
	}
	out, err := exec.Command(bin, "version").Output() //nolint:gosec // the tests' own CLI.
	return err == nil && bytes.Contains(out, []byte("OpenTofu v"))
})

// openTofuLacks names the features of Terraform that OpenTofu (1.12) does not have, and says so.
var openTofuLacks = map[string]string{
	"terraform query": "has no list resources and no query command",
	// These tests hold what Terraform 1.16 does; OpenTofu's behaviour is not established here.
	"import blocks in modules":  "is not tested for it: the test holds Terraform 1.16's behaviour",
	"lifecycle destroy = false": "is not tested for it: the test holds Terraform 1.16's behaviour",
}

// skipOnOpenTofu is a version check that skips a test of a Terraform feature OpenTofu lacks
// (a key of openTofuLacks).
type skipOnOpenTofu string

func (feature skipOnOpenTofu) CheckTerraformVersion(_ context.Context, _ tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	if openTofu() {
		resp.Skip = string(feature) + ": OpenTofu " + openTofuLacks[string(feature)]
	}
}
