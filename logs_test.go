package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestQuietUnreadLogs(t *testing.T) {
	allOff := map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_PROTO": "off", "TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_PROVIDER_WEBHOOKS": "off"}
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"nothing set: Terraform drops every line, so none is written", nil, allOff},
		{"only Terraform's own logs: the provider's are still dropped", map[string]string{"TF_LOG_CORE": "TRACE", "TF_LOG_PATH": "tf.log"}, allOff},
		{"TF_LOG", map[string]string{"TF_LOG": "DEBUG"}, map[string]string{}},
		{"TF_LOG_PROVIDER", map[string]string{"TF_LOG_PROVIDER": "TRACE"}, map[string]string{}},
		{"a level the user chose is kept", map[string]string{"TF_LOG_SDK_PROTO": "TRACE"},
			map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_PROVIDER_WEBHOOKS": "off"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := map[string]string{}
			quietUnreadLogs(func(k string) string { return tt.env[k] }, func(k, v string) error {
				set[k] = v
				return nil
			})
			if !reflect.DeepEqual(set, tt.want) {
				t.Errorf("set %v, want %v", set, tt.want)
			}
		})
	}
}

// TestProviderLogsWhenAsked runs the built provider under Terraform: quieting logs nobody reads
// must never hide the lines a user asks for with TF_LOG or TF_LOG_PROVIDER.
func TestProviderLogsWhenAsked(t *testing.T) {
	terraform := testCLI(t)
	tmp := t.TempDir()
	bin, work := filepath.Join(tmp, "bin"), filepath.Join(tmp, "work")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-webhooks"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(tmp, "dev.tfrc")
	devOverrides := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"webhookinfra/webhooks\" = %q\n  }\n  direct {}\n}\n", bin)
	if err := os.WriteFile(rc, []byte(devOverrides), 0o600); err != nil {
		t.Fatal(err)
	}
	config := "terraform {\n  required_providers {\n    webhooks = { source = \"webhookinfra/webhooks\" }\n  }\n}\n\nprovider \"webhooks\" {}\n"
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
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
