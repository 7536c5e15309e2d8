// Command terraform-provider-webhooks serves the webhooks Terraform provider.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/provider"
)

// version is set at build time by goreleaser or the Makefile (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	// Run by a debugger, the provider's logs go to its own standard error, for the developer.
	if !debug {
		quietUnreadLogs(os.Getenv, os.Setenv)
	}
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/webhookinfra/webhooks",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// logLevelVariables set the levels of the plugin SDK's loggers and of the provider's own, which
// all default to TRACE when unset.
var logLevelVariables = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_WEBHOOKS"}

// quietUnreadLogs turns the provider's logging off when nobody will read it. Terraform and OpenTofu
// start the provider with their own environment and keep its log lines at TF_LOG_PROVIDER's
// level, else TF_LOG's, dropping every line when neither is set. The plugin SDK writes its lines
// at TRACE all the same: a dozen JSON lines per call, which the provider formats and the client
// parses only to throw away, about a quarter of the provider's CPU in a plan of hundreds of resources.
// With neither variable set, the levels above are set to off, unless the user set one of them.
func quietUnreadLogs(getenv func(string) string, setenv func(key, value string) error) {
	if getenv("TF_LOG") != "" || getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, name := range logLevelVariables {
		if getenv(name) == "" {
			_ = setenv(name, "off")
		}
	}
}
