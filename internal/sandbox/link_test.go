package sandbox_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The sandbox command and the bench are programs users and CI run: they must not link the testing
// package (whose flags and init would come with it). Only tests start a sandbox with NewServer.
func TestPrograms_doNotLinkTesting(t *testing.T) {
	for _, pkg := range []string{
		"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox/cmd/webhooks-sandbox",
		"github.com/webhookinfra/terraform-provider-webhooks/internal/bench",
	} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "testing" {
				t.Errorf("%s links the testing package", pkg)
			}
		}
	}
}
