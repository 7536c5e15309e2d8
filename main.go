// Command terraform-provider-webhooks serves the webhooks Terraform provider.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/cpuprofile"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/pluginlog"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/provider"
)

// version is set at build time by goreleaser or the Makefile (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	busy := func() bool { return provider.WritesInProgress() > 0 }
	// Run by a debugger, the provider's logs go to its own standard error, for the developer, and
	// the provider outlives whatever started it (lifetime.go).
	if !debug {
		pluginlog.QuietUnread(os.Getenv, os.Setenv)
		survivePipes()
		socketDir := pluginSocketDir() // read as go-plugin reads it, before it serves
		exitWithParent(parentAtStart, os.Getppid, time.Second, busy, func() {
			removeOwnSockets(socketDir)
			os.Exit(1)
		})
	}
	stopProfile := cpuprofile.Start() // a no-op unless `make bench` built this (tag benchprofile) and asks for it
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/webhookinfra/webhooks",
		Debug:   debug,
	})
	finishWrites(busy, stopGrace)
	stopProfile()
	if err != nil {
		log.Fatal(err.Error())
	}
}
