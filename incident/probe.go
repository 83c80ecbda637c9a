package incident

import (
	"time"

	"github.com/statusd/statusd/componentstatus"
)

// ProbeEvent is what the probes report about an automatic incident's
// component.
type ProbeEvent string

// The probe events.
const (
	ProbeWorse     ProbeEvent = "worse"     // the outage changed (partial ↔ major)
	ProbeRecovered ProbeEvent = "recovered" // the component is no longer in an outage
)

// Decision is what the aggregator does with a probe event.
type Decision string

// The decisions.
const (
	// DecideIgnore: leave the incident alone (a manual, closed or deleted
	// incident; the probes never touch those).
	DecideIgnore Decision = "ignore"
	// DecideFollow: the aggregator still owns the incident; apply the event
	// as before (retitle and update on worse, resolve on recovery).
	DecideFollow Decision = "follow"
	// DecideNote: a person has taken the incident over; post an update in
	// the person's current status saying what the probes see, and change
	// nothing else: the person resolves it.
	DecideNote Decision = "note"
)

// OnProbe decides what the aggregator does with event ev for in: a person's
// decision wins, so an automatic incident a person has acted on is not
// resolved, retitled or moved by the probes; they add an update.
func OnProbe(in Incident, ev ProbeEvent) Decision {
	switch {
	case !in.Automatic, !in.DeletedAt.IsZero(), !in.Status.Open():
		return DecideIgnore
	case in.TakenOver && (ev == ProbeRecovered || ev == ProbeWorse):
		return DecideNote
	case ev == ProbeRecovered || ev == ProbeWorse:
		return DecideFollow
	}
	return DecideIgnore
}

// NoteAction is the aggregator's update for DecideNote: body in the
// incident's current status, no component statuses.
func NoteAction(body string) Action {
	return Action{Kind: KindUpdate, Body: body}
}

// Claims returns the incident's holds on its components' statuses: the
// statuses it sets while it is open and not deleted. An automatic incident
// claims only the statuses a person set on it.
func (in Incident) Claims() []componentstatus.Claim {
	if !in.Status.Open() || !in.DeletedAt.IsZero() {
		return nil
	}
	out := make([]componentstatus.Claim, 0, len(in.Components))
	for _, c := range in.Components {
		out = append(out, componentstatus.Claim{
			ComponentID: c.ComponentID, Source: componentstatus.SourceIncident, RefID: in.ID, Status: c.Status,
			Since: in.claimSince(c.ComponentID), Private: in.Private,
		})
	}
	return out
}

// claimSince is when the component's current status was set: the newest
// update announcing it, else the incident's creation.
func (in Incident) claimSince(id string) time.Time {
	for _, u := range in.Updates { // newest first
		for _, c := range u.Components {
			if c.ComponentID == id {
				return u.CreatedAt
			}
		}
	}
	return in.CreatedAt
}
