//go:build !linux && !darwin

package httpclient

// networkFileSystem cannot tell a network file system here: the ledger is kept wherever the cache
// directory is (where there is a ledger at all; see ledgerSupported).
func networkFileSystem(string) (string, error) { return "", nil }
