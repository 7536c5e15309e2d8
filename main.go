// Command terraform-provider-webhooks serves the webhooks Terraform provider.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/provider"
)

// version is set at build time by goreleaser or the Makefile (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/webhookinfra/webhooks",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
