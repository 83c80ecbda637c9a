// Package health owns the failure-threshold state machine: how probe results
// turn into a check's up/down state per region, and how region quorum turns
// those into a component status. It is pure: time comes from the results.
package health

import (
	"time"

	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// CheckState is the threshold state of one check in one region.
type CheckState struct {
	CheckID              string
	Region               string
	Down                 bool // FailureThreshold consecutive failures seen, not yet recovered
	Degraded             bool // last success was slower than the degraded latency
	ConsecutiveFailures  int
	ConsecutiveSuccesses int
	// LastScheduled is the newest tick applied; results for older or equal
	// ticks are re-deliveries or stragglers and are ignored.
	LastScheduled time.Time
	LastMessage   string // message of the last failure
}

// ComponentState is the status the aggregator derived for a component.
type ComponentState struct {
	ComponentID    string
	Status         status.Status
	Since          time.Time // when Status began
	UpdatedAt      time.Time
	FailingRegions []string // sorted
}

// Resolution asks to resolve the open automatic incident of a component.
type Resolution struct {
	ComponentID string
	At          time.Time
	Body        string
}

// Changes is everything one batch of results changed; a store persists it
// atomically.
type Changes struct {
	Checks     []CheckState
	Components []ComponentState
	// Open lists automatic incidents to open; the store skips one whose
	// component already has an open incident.
	Open    []incident.Incident
	Resolve []Resolution
}

// Empty reports whether c changes nothing.
func (c Changes) Empty() bool {
	return len(c.Checks) == 0 && len(c.Components) == 0 && len(c.Open) == 0 && len(c.Resolve) == 0
}
