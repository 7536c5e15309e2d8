package main

import (
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin"
)

// The provider process's lifetime against Terraform's. Terraform starts each provider process and
// stops it when it is done with it; these cover the ways it can end otherwise, with writes in
// progress (busy): the writes already sent, the lookups and clean-ups of a lost answer, each on a
// deadline of its own. Once Terraform is gone, its calls' contexts have ended, as on an interrupt,
// so nothing new is sent; what was begun is let finish, so that leaving orphans nothing that
// staying would not.

// parentAtStart is the id of the process that started this one (Terraform), read as early as the
// process can: should Terraform die before this is read, the watch cannot tell (exitWithParent).
var parentAtStart = os.Getppid()

// stopGrace bounds how long a provider that Terraform has told to stop waits for its writes in
// progress: Terraform kills it 2 s after telling it (go-plugin's Client.Kill).
const stopGrace = 1500 * time.Millisecond

// survivePipes makes a write to standard output or error whose reader is gone fail instead of
// killing the process, as Go does by default on a broken pipe: those are Terraform's pipes, the
// provider's logs go there (TF_LOG), and once Terraform is dead a log line must not cut short a
// write that the provider is finishing.
func survivePipes() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}

// exitWithParent calls exit once the process that started this one (started) is gone and busy
// reports nothing in progress, looking every interval.
//
// When Terraform dies without stopping the provider (killed outright, by the OOM killer, or by a
// CI runner's timeout that spares its children), nothing else would: the provider would serve
// nobody until someone killed it. On Unix a process whose parent dies is handed to another (init,
// or a subreaper), so a parent id that differs from started means the parent is gone. Windows
// hands an orphan to nobody and may give its parent's id to another process: there the watch is
// off.
func exitWithParent(started int, parent func() int, interval time.Duration, busy func() bool, exit func()) {
	if runtime.GOOS == "windows" {
		return
	}
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

// finishWrites waits until busy reports nothing in progress, for at most limit. The provider has
// stopped serving: Terraform told it to stop, which it does with writes in progress when it exits
// at once on a second Ctrl-C.
func finishWrites(busy func() bool, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for busy() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
}

// pluginSocketDir is the directory in which go-plugin puts the socket that serves Terraform: the one
// its environment names, or else the temporary directory (TMPDIR, /tmp by default).
func pluginSocketDir() string {
	if dir := os.Getenv(plugin.EnvUnixSocketDir); dir != "" {
		return dir
	}
	return os.TempDir()
}
