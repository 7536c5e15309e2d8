package httpclient

import (
	"slices"
	"sync"
	"time"
)

// ClockSkew is how far a vendor's clock may be behind ours when we compare an object's creation
// time with the moment we sent its create.
const ClockSkew = 2 * time.Minute

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

// CreatedSince reports whether an object created at t may be the result of a create sent at sent,
// allowing for the vendor's clock being behind ours.
func CreatedSince(t, sent time.Time) bool {
	return !t.Before(sent.Add(-ClockSkew))
}

// SameSet reports whether a and b hold the same strings, ignoring order and repeats.
func SameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// ClaimNewest claims and returns the newest of items that matches and nobody has claimed, or nil.
// match returns an item's id, its creation time and whether it is a candidate.
func ClaimNewest[T any](claims *Claims, items []T, match func(*T) (id string, created time.Time, ok bool)) *T {
	for {
		var best *T
		var bestID string
		var bestAt time.Time
		for i := range items {
			id, at, ok := match(&items[i])
			if ok && !claims.Has(id) && (best == nil || at.After(bestAt)) {
				best, bestID, bestAt = &items[i], id, at
			}
		}
		if best == nil || claims.TryClaim(bestID) {
			return best
		}
		// Claimed by a concurrent reconciliation in the meantime: look again.
	}
}
