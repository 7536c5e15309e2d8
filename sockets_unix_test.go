//go:build linux || darwin || freebsd

package main

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestRemoveOwnSockets removes the file of a socket this process listens on under go-plugin's name,
// and leaves every other file: a socket that no process holds any more, one this process listens on
// under another name, a datagram socket it holds under go-plugin's name, and a plain file named
// like a socket.
func TestRemoveOwnSockets(t *testing.T) {
	if runtime.GOOS == "freebsd" {
		t.Skip("FreeBSD's /dev/fd lists only three descriptors without fdescfs")
	}
	dir := socketDir(t, "sock")
	listen := func(name string) *net.UnixListener {
		// Bound through an unclean path: the socket's name is what removeOwnSockets compares.
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: dir + "//" + name, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = l.Close() })
		return l
	}
	listen("plugin123")
	listen("other456")
	stale := listen("plugin789")
	stale.SetUnlinkOnClose(false)
	if err := stale.Close(); err != nil {
		t.Fatal(err)
	}
	bound, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "plugin555"), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bound.Close() })
	if err := os.WriteFile(filepath.Join(dir, "plugin42"), []byte("not a socket"), 0o600); err != nil {
		t.Fatal(err)
	}

	removeOwnSockets(dir + "/")

	for name, want := range map[string]bool{"plugin123": false, "other456": true, "plugin789": true, "plugin555": true, "plugin42": true} {
		if _, err := os.Lstat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s: there = %v, want %v (%v)", name, err == nil, want, err)
		}
	}
}

// TestIsPluginSocket takes only go-plugin's names, in the directory given, however it is spelled.
func TestIsPluginSocket(t *testing.T) {
	for _, dir := range []string{"/tmp", "/tmp/", "/tmp//", "/tmp/."} {
		for path, want := range map[string]bool{
			"/tmp/plugin2539083234":      true,
			"/tmp//plugin1":              true,
			"/tmp/plugin":                false,
			"/tmp/plugin12x":             false,
			"/tmp/plugin-dir1/plugin123": false,
			"/tmp/sub/plugin123":         false,
			"/var/tmp/plugin123":         false,
			"/tmp/xplugin123":            false,
		} {
			if got := isPluginSocket(path, dir); got != want {
				t.Errorf("isPluginSocket(%q, %q) = %v, want %v", path, dir, got, want)
			}
		}
	}
}
