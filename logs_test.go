package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestProviderLogsWhenAsked runs the built provider under Terraform: quieting logs nobody reads
// must never hide the lines a user asks for with TF_LOG or TF_LOG_PROVIDER.
func TestProviderLogsWhenAsked(t *testing.T) {
	terraform := testCLI(t)
	rc, work := devBuild(t, "")
	for _, asked := range []string{"TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE"} {
		cmd := exec.Command(terraform, "validate", "-no-color") //nolint:gosec // the tests' own CLI.
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_LOG=", "TF_LOG_PROVIDER=", "TF_LOG_PATH=", asked)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s terraform validate: %v\n%s", asked, err, out)
		}
		// The plugin SDK's line for every call the provider serves.
		if !strings.Contains(string(out), "tf_rpc=GetProviderSchema") {
			t.Errorf("with %s, Terraform shows no log line of the provider's:\n%s", asked, out)
		}
	}
}
