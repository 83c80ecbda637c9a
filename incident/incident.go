// Package incident owns incidents and their updates: their status and impact
// vocabularies, as Atlassian Statuspage names them.
package incident

import "time"

// Status is where an incident stands.
type Status string

// The incident statuses.
const (
	Investigating Status = "investigating"
	Identified    Status = "identified"
	Monitoring    Status = "monitoring"
	Resolved      Status = "resolved"
)

// Impact is how bad an incident is.
type Impact string

// The incident impacts.
const (
	ImpactNone     Impact = "none"
	ImpactMinor    Impact = "minor"
	ImpactMajor    Impact = "major"
	ImpactCritical Impact = "critical"
)

// Incident is an event shown on a status page.
type Incident struct {
	ID           int64
	PageID       string
	Name         string
	Status       Status
	Impact       Impact
	Automatic    bool // opened by the aggregator, not by a person
	ComponentIDs []string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	ResolvedAt   time.Time // zero while open
	Updates      []Update  // newest first
}

// Update is one message posted to an incident.
type Update struct {
	ID        int64
	Status    Status
	Body      string
	CreatedAt time.Time
}
