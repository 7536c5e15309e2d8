package main

import (
	"runtime"
	"time"
)

// exitWithParent calls exit once the process that started this one is gone and busy reports no
// work left, looking every interval.
//
// Terraform starts each provider process and stops it when it is done with it. When Terraform
// itself dies without stopping it (killed outright, by the OOM killer or a CI runner's timeout, or
// on a second Ctrl-C, when it exits at once), nothing else would: the provider would serve nobody
// until someone killed it. Its calls in progress see their contexts end, as on an interrupt, and
// so start nothing new; what busy reports (the writes already sent, the lookups and clean-ups of a
// lost answer, each on a deadline of its own) is let finish first, so that leaving orphans nothing
// that staying would not.
//
// On Unix a process whose parent dies is handed to another (init, or a subreaper), so a parent id
// that changes means the parent is gone; the id is read at the start, before that can have
// happened. Windows hands an orphan to nobody and may give its parent's id to another process:
// there the watch is off.
func exitWithParent(parent func() int, interval time.Duration, busy func() bool, exit func()) {
	if runtime.GOOS == "windows" {
		return
	}
	started := parent()
	go func() {
		gone := false
		for range time.Tick(interval) {
			gone = gone || parent() != started
			if gone && !busy() {
				exit()
				return
			}
		}
	}()
}
