// Package uptime owns the arithmetic of a component's day buckets: how the
// time between its status changes is split into the days of its page's
// time zone and sorted into major, partial, degraded, maintenance and
// no-data time, how outages are counted, and how uptime, MTTR, MTBF and
// error budgets follow from the sums. It is pure: times, time zones and
// weights are passed in, and nothing here knows where buckets are stored.
//
// A Cursor carries what is accumulated for the component's current day and
// the class of time it is in since its last accounting. Move accounts up to
// a time and switches class; it returns the buckets it changed with their
// absolute values, never increments, so that writing them again (a replay,
// a retried transaction) changes nothing.
package uptime

import (
	"fmt"
	"math"
)

// Class is what a span of a component's time counts as.
type Class int8

// The classes.
const (
	NoData      Class = iota // no live region votes, or no verdict yet
	Operational              // up
	Degraded                 // up but slow
	Partial                  // failing in fewer regions than the quorum
	Major                    // failing in a quorum of regions
	Maintenance              // under maintenance: not counted against uptime
)

var classNames = [...]string{"no_data", "operational", "degraded", "partial", "major", "maintenance"}

func (c Class) String() string {
	if c >= 0 && int(c) < len(classNames) {
		return classNames[c]
	}
	return "unknown"
}

// IsOutage reports whether c is a partial or major outage.
func (c Class) IsOutage() bool { return c == Partial || c == Major }

// Weights say how much a second of each class counts as impact.
type Weights struct {
	Major, Partial, Degraded float64
}

// DefaultWeights are the usual weights: major 1.0, partial 0.3, degraded 0.
func DefaultWeights() Weights { return Weights{Major: 1, Partial: 0.3, Degraded: 0} }

// Validate names the first weight out of its range: major in (0, 1],
// partial in [0, major], degraded in [0, partial].
func (w Weights) Validate() (field string, msg string) {
	switch {
	case !(w.Major > 0 && w.Major <= 1):
		return "major", fmt.Sprintf("must be more than 0 and at most 1, got %g", w.Major)
	case !(w.Partial >= 0 && w.Partial <= w.Major):
		return "partial", fmt.Sprintf("must be between 0 and the major weight (%g), got %g", w.Major, w.Partial)
	case !(w.Degraded >= 0 && w.Degraded <= w.Partial):
		return "degraded", fmt.Sprintf("must be between 0 and the partial weight (%g), got %g", w.Partial, w.Degraded)
	}
	return "", ""
}

// Totals are the sums of one day, or of several; times in milliseconds.
type Totals struct {
	Major       int64 `json:"major_ms"`
	Partial     int64 `json:"partial_ms"`
	Degraded    int64 `json:"degraded_ms"`
	Maintenance int64 `json:"maintenance_ms"`
	NoData      int64 `json:"no_data_ms"`
	// Observed is all the time accounted, whatever its class.
	Observed int64 `json:"observed_ms"`
	// Impact is the weighted outage time, rounded to the millisecond per
	// day: recomputed from the day's sums, so it never drifts.
	Impact  int64 `json:"impact_ms"`
	Outages int   `json:"outages"`
}

// Add adds o to t.
func (t *Totals) Add(o Totals) {
	t.Major += o.Major
	t.Partial += o.Partial
	t.Degraded += o.Degraded
	t.Maintenance += o.Maintenance
	t.NoData += o.NoData
	t.Observed += o.Observed
	t.Impact += o.Impact
	t.Outages += o.Outages
}

// account adds ms of class c and recomputes the impact.
func (t *Totals) account(c Class, ms int64, w Weights) {
	switch c {
	case Major:
		t.Major += ms
	case Partial:
		t.Partial += ms
	case Degraded:
		t.Degraded += ms
	case Maintenance:
		t.Maintenance += ms
	case NoData:
		t.NoData += ms
	}
	t.Observed += ms
	t.Impact = int64(math.Round(w.Major*float64(t.Major) + w.Partial*float64(t.Partial) + w.Degraded*float64(t.Degraded)))
}

// Bucket is one component's totals of one day.
type Bucket struct {
	ComponentID string
	Day         Day
	Totals
}
