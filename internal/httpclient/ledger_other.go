//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package httpclient

import "os"

// ledgerSupported: without a lock the ledger could not be trusted, so a pacer here goes without
// one.
const ledgerSupported = false

// openNoFollow is nothing here: without a lock there is no ledger.
const openNoFollow = 0

// lockFile is never called here: there is no ledger.
func lockFile(*os.File) error { return errLedgerUnsupported }

// holdLive is never called here: without a lock there is no ledger.
func holdLive(*os.Root, string) error { return errLedgerUnsupported }

// liveAt is never asked here: without a lock there is no ledger.
func liveAt(*os.Root, string) bool { return true }

// privateDir is never asked here: without a lock there is no ledger.
func privateDir(*os.Root, string, string) (os.FileInfo, error) { return nil, errLedgerUnsupported }
