//go:build !unix

package main

import "time"

// selfCPU is not measured here: the report shows the sandbox's CPU as 0.
func selfCPU() time.Duration { return 0 }
