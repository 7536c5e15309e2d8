// Command idealprovider is the bench's yardstick, never shipped: a provider with the webhooks
// provider's own schemas that makes no calls. Each write only waits as long as the vendor's
// contract makes any provider wait: one request latency, two where the contract needs two requests
// in a row (an Inveterate create, of either kind, and the list that confirms it; an Inveterate admin
// webhook's delete and the list that confirms it), and Lune's writes are paced perfectly at its
// limit of 15 in any second. Reads wait for nothing, so with state in place its plan is the no-op
// provider's plan: Terraform's own cost.
//
// WEBHOOKS_IDEAL_LATENCY (a Go duration, default 0) is the latency of one request;
// WEBHOOKS_IDEAL_STATS names a file where it writes, as JSON, for each kind of write when the first
// began and the last ended, how long one took on average, and how many were in flight on average
// while any was (a list confirming two-request writes can confirm only those). `make bench`
// builds it, installs it under the webhooks provider's address in a directory of its own, and runs
// it beside the real provider on the same configuration.
package main

import (
	"context"
	"encoding/json"
	"log"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/cpuprofile"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/pluginlog"
)

func main() {
	// The real provider writes no log lines when Terraform would drop them; neither does its floor.
	pluginlog.QuietUnread(os.Getenv, os.Setenv)
	latency, err := time.ParseDuration(envOr("WEBHOOKS_IDEAL_LATENCY", "0s"))
	if err != nil {
		log.Fatalf("WEBHOOKS_IDEAL_LATENCY: %v", err)
	}
	var served *ideal
	stopProfile := cpuprofile.Start() // a no-op unless `make bench` built this (tag benchprofile) and asks for it
	newProvider := newIdeal(latency, time.Now)
	err = providerserver.Serve(context.Background(), func() provider.Provider {
		p := newProvider()
		served = p.(*ideal)
		return p
	}, providerserver.ServeOpts{Address: "registry.terraform.io/webhookinfra/webhooks"})
	stopProfile()
	if err != nil {
		log.Fatal(err.Error())
	}
	// WEBHOOKS_IDEAL_STATS names a file for the writes' figures, written once Terraform is done by
	// the process that made writes (Terraform starts one per walk: the others have nothing to say).
	if path := os.Getenv("WEBHOOKS_IDEAL_STATS"); path != "" && served != nil {
		report := served.flights.report()
		if len(report) == 0 {
			return
		}
		b, err := json.Marshal(report)
		if err == nil {
			err = os.WriteFile(path, b, 0o600) //nolint:gosec // G703: the bench names the file, as it names the provider.
		}
		if err != nil {
			log.Fatalf("WEBHOOKS_IDEAL_STATS: %v", err)
		}
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
