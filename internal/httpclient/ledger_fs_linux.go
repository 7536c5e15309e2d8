package httpclient

import "syscall"

// networkFileSystems names the file systems, by the magic number statfs(2) gives, whose files
// other machines may share: there a ledger would count the places of processes on other hosts as
// those of processes gone (their pids mean nothing here), and a server that stopped answering
// would hold the pacer in the kernel. FUSE is not among them: rootless containers keep local
// files on it.
var networkFileSystems = map[uint32]string{
	0x6969:     "NFS",
	0x517b:     "SMB",
	0xff534d42: "CIFS",
	0xfe534d42: "SMB2",
	0x73757245: "Coda",
	0x5346414f: "AFS",
	0x6b414653: "AFS",
	0x01021997: "9P",
	0x00c36400: "Ceph",
	0x01161970: "GFS2",
	0x7461636f: "OCFS2",
	0x0bd00bd0: "Lustre", //nolint:misspell // the file system's name
	0x47504653: "GPFS",
}

// networkFileSystem returns the name of the network file system dir is on (see
// networkFileSystems), or "" if it is on another.
func networkFileSystem(dir string) (string, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "", err
	}
	return networkFileSystems[uint32(st.Type)], nil //nolint:gosec // G115: the magic number is 32 bits, which some ports hold in an int32.
}
