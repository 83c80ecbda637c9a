// Package maintenance owns scheduled maintenance windows: their lifecycle
// (scheduled → in_progress → verifying → completed, or cancelled), their
// updates, reminder times, recurring windows (an RRULE subset or a 5-field
// cron expression, in the page's time zone) and the transitions that fall
// due at a given time, so that an aggregator that was down catches up.
// Everything here is pure: times are arguments, nothing is stored; a
// rejected action is a *FieldError naming the field.
package maintenance

import (
	"time"

	"github.com/statusd/statusd/componentstatus"
	"github.com/statusd/statusd/status"
)

// Status is where a maintenance window stands.
type Status string

// The statuses; Scheduled, InProgress, Verifying and Completed are
// Statuspage's, Cancelled is statusd's (v2 leaves cancelled windows out).
const (
	Scheduled  Status = "scheduled"
	InProgress Status = "in_progress"
	Verifying  Status = "verifying"
	Completed  Status = "completed"
	Cancelled  Status = "cancelled"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case Scheduled, InProgress, Verifying, Completed, Cancelled:
		return true
	}
	return false
}

// Active reports whether components are under maintenance in status s.
func (s Status) Active() bool { return s == InProgress || s == Verifying }

// Reminder names one of a window's notifications.
type Reminder string

// The reminders.
const (
	DayBefore    Reminder = "day_before"
	HourBefore   Reminder = "hour_before"
	AtStart      Reminder = "at_start"
	AtCompletion Reminder = "at_completion"
)

// Reminders says which reminders a window wants.
type Reminders struct {
	DayBefore, HourBefore, AtStart, AtCompletion bool
}

// Names lists the reminders r wants, in the order they fall due; never nil.
func (r Reminders) Names() []Reminder {
	out := []Reminder{}
	for _, k := range []Reminder{DayBefore, HourBefore, AtStart, AtCompletion} {
		if r.wants(k) {
			out = append(out, k)
		}
	}
	return out
}

// Set turns the reminder k on; false when k is not a reminder.
func (r *Reminders) Set(k Reminder) bool {
	switch k {
	case DayBefore:
		r.DayBefore = true
	case HourBefore:
		r.HourBefore = true
	case AtStart:
		r.AtStart = true
	case AtCompletion:
		r.AtCompletion = true
	default:
		return false
	}
	return true
}

func (r Reminders) wants(k Reminder) bool {
	switch k {
	case DayBefore:
		return r.DayBefore
	case HourBefore:
		return r.HourBefore
	case AtStart:
		return r.AtStart
	case AtCompletion:
		return r.AtCompletion
	}
	return false
}

// Notify holds the notification choices, kept for the notifications issue.
type Notify struct {
	Deliver     bool
	Tweet       bool
	CustomTweet string
}

// Window is one scheduled maintenance (one occurrence of a recurring one).
type Window struct {
	ID       int64
	PageID   string
	Title    string
	Body     string
	Status   Status
	StartsAt time.Time // scheduled_for
	EndsAt   time.Time // scheduled_until
	// StartedAt, CompletedAt and CancelledAt are when it happened; zero
	// until then. An automatic start or end is stamped at the scheduled
	// second, even when the aggregator catches up later.
	StartedAt    time.Time
	CompletedAt  time.Time
	CancelledAt  time.Time
	ComponentIDs []string
	AutoStart    bool
	AutoEnd      bool
	Private      bool
	Reminders    Reminders
	// Sent lists the reminders already sent or passed over.
	Sent   []Reminder
	Notify Notify
	// Recurrence is the rule of a recurring window, nil for a one-off.
	Recurrence *Recurrence
	// SeriesID is the ID of a recurring series' first window (0 for a
	// one-off); Occurrence counts from 1 within the series.
	SeriesID   int64
	Occurrence int
	// Spawned is set once the series' next window has been created.
	Spawned   bool
	Updates   []Update // newest first
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Update is one message posted to a maintenance window.
type Update struct {
	ID        int64
	Status    Status
	Body      string
	CreatedAt time.Time
	DisplayAt time.Time // zero means CreatedAt
	Private   bool
	ByPerson  bool
}

// Display returns the time shown for the update: DisplayAt, else when it
// was posted.
func (u Update) Display() time.Time {
	if u.DisplayAt.IsZero() {
		return u.CreatedAt
	}
	return u.DisplayAt
}

// Claims returns the window's holds on its components while it is in
// progress or verifying: they show under_maintenance.
func (w Window) Claims() []componentstatus.Claim {
	if !w.Status.Active() {
		return nil
	}
	out := make([]componentstatus.Claim, 0, len(w.ComponentIDs))
	for _, id := range w.ComponentIDs {
		out = append(out, componentstatus.Claim{ComponentID: id, Source: componentstatus.SourceMaintenance,
			RefID: w.ID, Status: status.UnderMaintenance, Since: w.StartedAt, Private: w.Private})
	}
	return out
}

// Covers reports whether the window holds component id under maintenance,
// when probe failures open no incident and count as maintenance time.
func (w Window) Covers(id string) bool {
	if !w.Status.Active() {
		return false
	}
	for _, c := range w.ComponentIDs {
		if c == id {
			return true
		}
	}
	return false
}

func (w Window) sent(r Reminder) bool {
	for _, s := range w.Sent {
		if s == r {
			return true
		}
	}
	return false
}

// FieldError is a rejected action: the field at fault and why. The API
// answers it with 422.
type FieldError struct {
	Field   string
	Message string
}

// FieldName returns the field at fault.
func (e *FieldError) FieldName() string { return e.Field }

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }
