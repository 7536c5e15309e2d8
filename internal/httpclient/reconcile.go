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
