//go:build !benchprofile

// Package cpuprofile lets `make bench` measure the provider processes it runs: the CPU time of
// each, and with -cpuprofile its profiles (see profile.go, built with the tag benchprofile).
// Without the tag, as released, Start does nothing.
package cpuprofile

// Start does nothing: this build measures nothing.
func Start() (stop func()) { return func() {} }
