// Package benchstats is what the ideal provider (internal/bench/idealprovider) tells the bench of
// the writes it made, as JSON in the file the bench names in WEBHOOKS_IDEAL_STATS: one Flight per
// kind of write ("webhooks_inveterate_webhook create").
package benchstats

// Flight is what the ideal provider reports of one kind of write.
type Flight struct {
	Ops int `json:"ops"`
	// Requests is how many request latencies one write of the kind waits in a row: two for a write
	// and the list that confirms it.
	Requests int `json:"requests"`
	// MeanInFlight is the writes in flight on average while any was. For a kind with Requests > 1 a
	// list can confirm only those, so a list shared by as many costs 1 + 1/MeanInFlight calls per
	// write.
	MeanInFlight float64 `json:"mean_in_flight"`
	// MeanSeconds is how long a write took on average, its pacing included.
	MeanSeconds float64 `json:"mean_seconds"`
	// FirstUnixNano is when the first write of the kind began, LastUnixNano when the last ended, so
	// that the bench can set them beside the real provider's calls to the vendor.
	FirstUnixNano int64 `json:"first_unix_nano"`
	LastUnixNano  int64 `json:"last_unix_nano"`
}
