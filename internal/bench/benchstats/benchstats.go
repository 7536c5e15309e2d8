// Package benchstats is what the ideal provider (internal/bench/idealprovider) tells the bench of
// the writes it made, as JSON in the file the bench names in WEBHOOKS_IDEAL_STATS: one Flight per
// kind of two-request write ("webhooks_inveterate_webhook create").
package benchstats

// Flight is what the ideal provider reports of one kind of write.
type Flight struct {
	Ops int `json:"ops"`
	// MeanInFlight is the writes in flight on average while any was: a list can confirm only those,
	// so a list shared by as many costs 1 + 1/MeanInFlight calls per write.
	MeanInFlight float64 `json:"mean_in_flight"`
}
