package httpclient

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// ClockSkew is how far a vendor's clock may be from ours when an object's creation time is
// compared with the moment its create was sent: an object adopted after a lost answer must have
// been created within [sent - ClockSkew, looked for + ClockSkew].
const ClockSkew = 30 * time.Second

// Claims remembers the ids of objects this process created or adopted, so that reconciling one
// create of unknown outcome never adopts an object that belongs to another resource.
type Claims struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

// Add records ids as taken.
func (c *Claims) Add(ids ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[string]struct{}{}
	}
	for _, id := range ids {
		c.ids[id] = struct{}{}
	}
}

// TryClaim takes id if nobody has, and reports whether it did: two reconciliations racing for
// the same object cannot both adopt it.
func (c *Claims) TryClaim(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, taken := c.ids[id]; taken {
		return false
	}
	if c.ids == nil {
		c.ids = map[string]struct{}{}
	}
	c.ids[id] = struct{}{}
	return true
}

// Has reports whether id is taken.
func (c *Claims) Has(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.ids[id]
	return ok
}

// CreatedWithin reports whether an object created at t (by the vendor's clock) may be the result
// of a create sent at sent and looked for at lookedAt (by ours), allowing ClockSkew either way.
func CreatedWithin(t, sent, lookedAt time.Time) bool {
	return !t.Before(sent.Add(-ClockSkew)) && !t.After(lookedAt.Add(ClockSkew))
}

// SameSet reports whether a and b hold the same strings, ignoring order and repeats.
func SameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// AmbiguousError is the error of a create whose answer was lost when more than one object
// matches what it sent: the provider cannot tell which one it made, so it adopts none.
type AmbiguousError struct {
	Vendor string
	IDs    []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("the answer to the create was lost, and %d %s objects match what it sent and were created since "+
		"(ids %s): the provider cannot tell which one it created, so it adopted none and sent nothing more",
		len(e.IDs), e.Vendor, strings.Join(e.IDs, ", "))
}

// Unwrap classifies the error: the create's outcome stays unknown.
func (e *AmbiguousError) Unwrap() error { return ErrOutcomeUnknown }

// ClaimOnly claims and returns the one item that matches and nobody has claimed. It returns nil
// when none does, and an *AmbiguousError, claiming nothing, when more than one does: adopting one
// of them could take an object that somebody else created. match returns an item's id and whether
// it is a candidate.
func ClaimOnly[T any](claims *Claims, vendor string, items []T, match func(*T) (id string, ok bool)) (*T, error) {
	for {
		var found *T
		var ids []string
		for i := range items {
			if id, ok := match(&items[i]); ok && !claims.Has(id) {
				found = &items[i]
				ids = append(ids, id)
			}
		}
		switch {
		case len(ids) == 0:
			return nil, nil
		case len(ids) > 1:
			slices.Sort(ids)
			return nil, &AmbiguousError{Vendor: vendor, IDs: ids}
		case claims.TryClaim(ids[0]):
			return found, nil
		}
		// Claimed by a concurrent reconciliation in the meantime: look again.
	}
}
