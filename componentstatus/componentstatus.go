// Package componentstatus decides the status a component shows, from what
// the probes measure and what people decided: overrides, manual incidents
// and maintenance windows. A person's decision wins.
//
// Precedence, highest first:
//
//  1. An override a person set on the component, until it is cleared.
//  2. Open incidents that set the component's status (manual incidents, and
//     automatic ones after a person set a status on them); when several do,
//     the worst status wins, then the most recent claim.
//  3. A maintenance window in progress or verifying: under_maintenance.
//  4. The probes' status ("" while they have no verdict yet).
//
// The probes keep measuring whatever wins: Effective.Probe carries their
// view, for v1 to show beside the effective status.
package componentstatus

import (
	"time"

	"github.com/statusd/statusd/status"
)

// Source says where a component's status comes from.
type Source string

// The sources, in the words of the component status history.
const (
	SourceProbe       Source = "probe"
	SourceIncident    Source = "incident"
	SourceOverride    Source = "override"
	SourceMaintenance Source = "maintenance"
)

// Claim is an open incident's or an active maintenance's hold on a
// component's status.
type Claim struct {
	ComponentID string
	Source      Source // SourceIncident or SourceMaintenance
	RefID       int64  // the incident's or maintenance's ID
	Status      status.Status
	Since       time.Time
	Private     bool // from a private incident: ignored unless Inputs.IncludePrivate
}

// Override is a status a person set on a component directly.
type Override struct {
	Status status.Status
	Since  time.Time
	By     string // the principal, for the history and the audit log
}

// Validate checks the override's status.
func (o Override) Validate() error {
	if !o.Status.Valid() {
		return &FieldError{Field: "status", Message: "\"" + string(o.Status) +
			"\" is not one of operational, under_maintenance, degraded_performance, partial_outage, major_outage"}
	}
	return nil
}

// Inputs is everything that bears on one component's status.
type Inputs struct {
	Probe    status.Status // "" when the probes have no verdict
	Override *Override     // nil when none is set
	Claims   []Claim       // the component's; ComponentID is not looked at
	// IncludePrivate counts claims of private incidents (a view with a
	// key); the public view leaves them out.
	IncludePrivate bool
}

// Effective is the status a component shows and why.
type Effective struct {
	Status status.Status
	Source Source
	RefID  int64     // the incident or maintenance, for those sources
	Since  time.Time // when the deciding claim or override began; zero for the probes
	Probe  status.Status
}

// Resolve applies the precedence to in.
func Resolve(in Inputs) Effective {
	out := Effective{Status: in.Probe, Source: SourceProbe, Probe: in.Probe}
	if in.Override != nil && in.Override.Status.Valid() {
		out.Status, out.Source, out.Since = in.Override.Status, SourceOverride, in.Override.Since
		return out
	}
	var inc, mnt *Claim
	for i := range in.Claims {
		c := &in.Claims[i]
		if !c.Status.Valid() || (c.Private && !in.IncludePrivate) {
			continue
		}
		switch c.Source {
		case SourceIncident:
			if inc == nil || c.Status.Worse(inc.Status) || (c.Status == inc.Status && later(c, inc)) {
				inc = c
			}
		case SourceMaintenance:
			if mnt == nil || c.Since.Before(mnt.Since) || (c.Since.Equal(mnt.Since) && c.RefID < mnt.RefID) {
				mnt = c
			}
		}
	}
	switch {
	case inc != nil:
		out.Status, out.Source, out.RefID, out.Since = inc.Status, SourceIncident, inc.RefID, inc.Since
	case mnt != nil:
		out.Status, out.Source, out.RefID, out.Since = status.UnderMaintenance, SourceMaintenance, mnt.RefID, mnt.Since
	}
	return out
}

func later(a, b *Claim) bool {
	if !a.Since.Equal(b.Since) {
		return a.Since.After(b.Since)
	}
	return a.RefID > b.RefID
}

// Change is one entry of a component's status history.
type Change struct {
	From, To status.Status
	Source   Source
	RefID    int64
	At       time.Time
}

// Diff returns the history entry for a move from prev to next at at, and
// false when the shown status did not change.
func Diff(prev, next Effective, at time.Time) (Change, bool) {
	if prev.Status == next.Status {
		return Change{}, false
	}
	return Change{From: prev.Status, To: next.Status, Source: next.Source, RefID: next.RefID, At: at}, true
}

// FieldError is a rejected override: the field at fault and why.
type FieldError struct {
	Field   string
	Message string
}

// FieldName returns the field at fault.
func (e *FieldError) FieldName() string { return e.Field }

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Entry is a stored history entry of one component.
type Entry struct {
	ID          int64 // orders entries stored at the same time
	ComponentID string
	Change
}

// HistoryQuery selects a page of one component's status history.
type HistoryQuery struct {
	ComponentID string
	From, To    time.Time // [From, To); zero for unbounded
	// Before continues a listing: only entries older than this cursor
	// (the previous page's last entry) are listed.
	Before HistoryCursor
	Limit  int
}

// HistoryCursor is the position of an entry in the newest-first order.
type HistoryCursor struct {
	At time.Time
	ID int64
}
