package httpclient

import "syscall"

// networkFileSystems names the file systems, by the type statfs(2) gives, whose files other
// machines may share: there a ledger would count the places of processes on other hosts as those
// of processes gone (their pids mean nothing here), and a server that stopped answering would hold
// the pacer in the kernel.
var networkFileSystems = map[string]bool{"nfs": true, "smbfs": true, "afpfs": true, "webdav": true, "cifs": true}

// networkFileSystem returns the name of the network file system dir is on (see
// networkFileSystems), or "" if it is on another.
func networkFileSystem(dir string) (string, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "", err
	}
	var name []byte
	for _, c := range st.Fstypename {
		if c == 0 {
			break
		}
		name = append(name, byte(c))
	}
	if !networkFileSystems[string(name)] {
		return "", nil
	}
	return string(name), nil
}
