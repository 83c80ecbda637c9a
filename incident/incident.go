// Package incident owns incidents and their updates: their status and impact
// vocabularies, as Atlassian Statuspage names them, the custom statuses a
// page may add (each mapped onto a standard one), and the lifecycle rules a
// person's or a probe's action must follow. Everything here is pure: actions
// take the time as an argument and return a new Incident or a *FieldError
// naming the offending field; nothing is stored.
package incident

import (
	"time"

	"github.com/statusd/statusd/status"
)

// Status is where an incident stands.
type Status string

// The incident statuses. Investigating, Identified and Monitoring are open;
// Resolved and Postmortem are closed.
const (
	Investigating Status = "investigating"
	Identified    Status = "identified"
	Monitoring    Status = "monitoring"
	Resolved      Status = "resolved"
	Postmortem    Status = "postmortem"
)

// Valid reports whether s is a standard status.
func (s Status) Valid() bool {
	switch s {
	case Investigating, Identified, Monitoring, Resolved, Postmortem:
		return true
	}
	return false
}

// Open reports whether s is one of the statuses of an unresolved incident.
func (s Status) Open() bool { return s == Investigating || s == Identified || s == Monitoring }

// Impact is how bad an incident is.
type Impact string

// The incident impacts.
const (
	ImpactNone     Impact = "none"
	ImpactMinor    Impact = "minor"
	ImpactMajor    Impact = "major"
	ImpactCritical Impact = "critical"
)

// Valid reports whether i is a known impact.
func (i Impact) Valid() bool {
	switch i {
	case ImpactNone, ImpactMinor, ImpactMajor, ImpactCritical:
		return true
	}
	return false
}

// Incident is an event shown on a status page.
type Incident struct {
	ID           int64
	PageID       string
	Name         string // the title
	Status       Status
	Impact       Impact
	Automatic    bool     // opened by the aggregator, not by a person
	ComponentIDs []string // every component the incident concerns
	CreatedAt    time.Time
	UpdatedAt    time.Time
	ResolvedAt   time.Time // the end time; zero while open
	Updates      []Update  // newest first (by display time)

	// Body is the incident's description.
	Body string
	// CustomStatus is the name of the page's custom status the incident
	// is in, or "" for the standard Status it maps onto.
	CustomStatus string
	// Private incidents are shown only to holders of a key, never in v2.
	Private bool
	// Components are the components whose status the incident sets, each
	// with that status; they are also listed in ComponentIDs. While the
	// incident is open, these statuses win over the probes' (see Claims).
	Components []ComponentStatus
	// StartedAt is when the incident began; zero means CreatedAt.
	StartedAt time.Time
	// Backfilled incidents were entered after the fact, already resolved.
	Backfilled bool
	// TakenOver is set when a person acts on an automatic incident; the
	// probes then no longer resolve it (see OnProbe).
	TakenOver bool
	// PostmortemBody and PostmortemAt are the published postmortem.
	PostmortemBody string
	PostmortemAt   time.Time
	// Notify is kept for the notifications issue.
	Notify Notify
	// DeletedAt is when the incident was deleted; zero while it exists.
	DeletedAt time.Time
}

// Started returns when the incident began.
func (in Incident) Started() time.Time {
	if in.StartedAt.IsZero() {
		return in.CreatedAt
	}
	return in.StartedAt
}

// MonitoringAt returns the display time of the first monitoring update, or
// zero.
func (in Incident) MonitoringAt() time.Time {
	var at time.Time
	for _, u := range in.Updates {
		if u.Status == Monitoring && (at.IsZero() || u.Display().Before(at)) {
			at = u.Display()
		}
	}
	return at
}

// Update is one message posted to an incident.
type Update struct {
	ID        int64
	Status    Status
	Body      string
	CreatedAt time.Time

	// CustomStatus is the custom status name posted, or "".
	CustomStatus string
	// DisplayAt is the time shown for the update; zero means CreatedAt.
	DisplayAt time.Time
	// UpdatedAt is when the update was last edited; zero if never.
	UpdatedAt time.Time
	// Private updates are shown only to holders of a key.
	Private bool
	// Components are the component transitions the update announced.
	Components []ComponentChange
	// Notify is kept for the notifications issue.
	Notify Notify
	// ByPerson is set when a person, not the aggregator, posted it.
	ByPerson bool
}

// Display returns the time shown for the update.
func (u Update) Display() time.Time {
	if u.DisplayAt.IsZero() {
		return u.CreatedAt
	}
	return u.DisplayAt
}

// ComponentStatus is a component and the status an incident gives it.
type ComponentStatus struct {
	ComponentID string
	Status      status.Status
}

// ComponentChange is a component transition announced by an update.
type ComponentChange struct {
	ComponentID string
	Old         status.Status
	New         status.Status
}

// Notify holds the notification choices of an incident or an update, as
// Statuspage (deliver_notifications, custom_tweet) and Freshstatus
// (send_email, send_tweet) name them. Nothing here sends anything.
type Notify struct {
	Deliver     bool   // email, webhooks and the other subscriber channels
	Tweet       bool   // post to the page's social account
	CustomTweet string // text of the post instead of the update's body
}
