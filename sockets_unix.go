//go:build linux || darwin || freebsd

package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// removeOwnSockets removes the files of the Unix stream sockets that this process holds bound in dir
// and that go-plugin named ("plugin" and digits), before the process exits without closing them.
//
// go-plugin serves Terraform on such a socket and removes its file when the server stops. A provider
// whose Terraform is gone never has its server stopped: it exits once its writes are done
// (exitWithParent), and would leave its socket's file in the directory for good, one for each
// provider process of a killed Terraform. Only this process's own sockets are taken: the
// descriptors it holds, each asked for the path it was bound to. A relative directory (a relative
// TMPDIR) is left alone, as are sockets bound elsewhere, and on FreeBSD without fdescfs, whose
// /dev/fd lists only the first three descriptors, nothing is found. Only Linux's way is run by the
// tests here; macOS's and FreeBSD's are built.
func removeOwnSockets(dir string) {
	for _, path := range streamSockets(descriptorDir()) {
		if !isPluginSocket(path, dir) {
			continue
		}
		// The path is where the socket was bound; the file there may have been replaced since.
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
			_ = os.Remove(path)
		}
	}
}

// descriptorDir is the directory that lists this process's open descriptors.
func descriptorDir() string {
	if runtime.GOOS == "linux" {
		return "/proc/self/fd"
	}
	return "/dev/fd"
}

// streamSockets returns the absolute paths that the stream Unix sockets among the descriptors
// listed in fdDir are bound to: go-plugin's listener, and the connections it accepted, which carry
// its name. The names are read without asking each entry's kind, which macOS's /dev/fd cannot
// tell for every descriptor (a kqueue's), and what was read before an error is kept.
func streamSockets(fdDir string) []string {
	dir, err := os.Open(fdDir) //nolint:gosec // the process's own descriptor directory (descriptorDir).
	if err != nil {
		return nil
	}
	names, _ := dir.Readdirnames(-1)
	_ = dir.Close()
	var paths []string
	for _, name := range names {
		fd, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		// Not a socket, or closed since it was listed: either way, an error.
		sa, err := syscall.Getsockname(fd)
		if err != nil {
			continue
		}
		unix, ok := sa.(*syscall.SockaddrUnix)
		if !ok || !filepath.IsAbs(unix.Name) {
			continue // another family, bound to no name, or an abstract name (Linux's "@...")
		}
		// SO_TYPE, not SO_ACCEPTCONN, which macOS does not answer.
		if kind, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TYPE); err != nil || kind != syscall.SOCK_STREAM {
			continue
		}
		paths = append(paths, unix.Name)
	}
	return paths
}

// isPluginSocket reports whether path is a name that go-plugin gives a socket in dir: "plugin"
// followed by the digits that os.CreateTemp adds.
func isPluginSocket(path, dir string) bool {
	if filepath.Dir(path) != filepath.Clean(dir) {
		return false
	}
	digits, ok := strings.CutPrefix(filepath.Base(path), "plugin")
	if !ok || digits == "" {
		return false
	}
	return strings.Trim(digits, "0123456789") == ""
}
