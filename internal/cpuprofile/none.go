//go:build !benchprofile

// Package cpuprofile lets `make bench -cpuprofile` profile the provider processes it runs (see
// profile.go, built with the tag benchprofile). Without the tag, as released, Start does nothing.
package cpuprofile

// Start does nothing: this build has no profiling.
func Start() (stop func()) { return func() {} }
