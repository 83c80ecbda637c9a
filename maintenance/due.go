package maintenance

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// TransitionKind names a step that falls due by the clock.
type TransitionKind string

// The transitions, in the order they apply at the same second.
const (
	TransitionStart    TransitionKind = "start"    // scheduled → in_progress (auto start)
	TransitionComplete TransitionKind = "complete" // in_progress|verifying → completed (auto end)
	TransitionRemind   TransitionKind = "remind"   // a reminder is due (or passed over)
	TransitionSpawn    TransitionKind = "spawn"    // create a recurring series' next window
)

func (k TransitionKind) rank() int {
	return slices.Index([]TransitionKind{TransitionStart, TransitionComplete, TransitionRemind, TransitionSpawn}, k)
}

// Transition is one step due for a window.
type Transition struct {
	WindowID int64
	Kind     TransitionKind
	Reminder Reminder  // TransitionRemind
	At       time.Time // when it was due
	// Missed marks a reminder that is recorded as done but not sent: a
	// later one is due too, or what it announces has already begun.
	Missed bool
}

// Key names the transition uniquely, for a guard that lets exactly one
// aggregator carry it out ("maintenance:42:start").
func (t Transition) Key() string {
	k := "maintenance:" + strconv.FormatInt(t.WindowID, 10) + ":" + string(t.Kind)
	if t.Kind == TransitionRemind {
		k += ":" + string(t.Reminder)
	}
	return k
}

// Due returns the transitions due at now for windows, in the order to
// apply them (by due time, then start, complete, remind, spawn, then window
// ID). After an outage it returns every step missed, each once: a window
// that should have started and ended both starts and completes, stamped at
// its scheduled seconds. Applying them may make more due (a spawned window
// that should already have started): call Due again until it returns none.
func Due(windows []Window, now time.Time) []Transition {
	var out []Transition
	for _, w := range windows {
		out = append(out, w.due(now)...)
	}
	slices.SortStableFunc(out, func(a, b Transition) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Kind.rank(), b.Kind.rank()), cmp.Compare(a.WindowID, b.WindowID))
	})
	return out
}

func (w Window) due(now time.Time) []Transition {
	var out []Transition
	add := func(k TransitionKind, at time.Time) {
		out = append(out, Transition{WindowID: w.ID, Kind: k, At: at})
	}
	started, startedAt := w.Status != Scheduled, w.StartedAt
	if w.Status == Scheduled && w.AutoStart && !now.Before(w.StartsAt) {
		add(TransitionStart, w.StartsAt)
		started, startedAt = true, w.StartsAt
	}
	completed, completedAt := w.Status == Completed, w.CompletedAt
	if (w.Status.Active() || (w.Status == Scheduled && started)) && w.AutoEnd && !now.Before(w.EndsAt) {
		add(TransitionComplete, w.EndsAt)
		completed, completedAt = true, w.EndsAt
	}
	if w.Status != Cancelled {
		out = append(out, w.reminders(now, started, startedAt, completed, completedAt)...)
	}
	if w.Recurrence != nil && !w.Spawned && started {
		add(TransitionSpawn, startedAt)
	}
	if w.Recurrence != nil && !w.Spawned && w.Status == Cancelled {
		add(TransitionSpawn, w.CancelledAt)
	}
	return out
}

// reminders returns the due reminders: only the latest of them is sent, the
// earlier ones and a "before" reminder once the window started are missed.
func (w Window) reminders(now time.Time, started bool, startedAt time.Time, completed bool, completedAt time.Time) []Transition {
	var out []Transition
	for _, r := range []struct {
		kind Reminder
		at   time.Time
		ok   bool
	}{
		{DayBefore, w.StartsAt.Add(-24 * time.Hour), true},
		{HourBefore, w.StartsAt.Add(-time.Hour), true},
		{AtStart, startedAt, started},
		{AtCompletion, completedAt, completed},
	} {
		if !r.ok || !w.Reminders.wants(r.kind) || w.sent(r.kind) || now.Before(r.at) {
			continue
		}
		missed := started && (r.kind == DayBefore || r.kind == HourBefore)
		out = append(out, Transition{WindowID: w.ID, Kind: TransitionRemind, Reminder: r.kind, At: r.at, Missed: missed})
	}
	for i := range len(out) - 1 {
		out[i].Missed = true
	}
	return out
}

// Next returns the earliest time after after at which a transition falls
// due for windows, for the caller's timer, and false when none will.
func Next(windows []Window, after time.Time) (time.Time, bool) {
	var best time.Time
	consider := func(t time.Time) {
		if t.After(after) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	for _, w := range windows {
		if w.Status == Scheduled {
			if w.AutoStart {
				consider(w.StartsAt)
				if w.AutoEnd {
					consider(w.EndsAt)
				}
			}
			if w.Reminders.DayBefore && !w.sent(DayBefore) {
				consider(w.StartsAt.Add(-24 * time.Hour))
			}
			if w.Reminders.HourBefore && !w.sent(HourBefore) {
				consider(w.StartsAt.Add(-time.Hour))
			}
		}
		if w.Status.Active() && w.AutoEnd {
			consider(w.EndsAt)
		}
	}
	return best, !best.IsZero()
}

// Apply carries out transition t on w at now and returns the new window and,
// for TransitionSpawn, the series' next window (nil when the rule has no
// more). A transition that no longer fits w's state (another aggregator or a
// person got there first) returns a *FieldError and w unchanged.
func Apply(w Window, t Transition, now time.Time) (Window, *Window, error) {
	out := cloneWindow(w)
	switch t.Kind {
	case TransitionStart:
		if w.Status != Scheduled {
			return w, nil, stateErr(w.Status, "only a scheduled maintenance starts")
		}
		out.start(t.At, now, false, "Scheduled maintenance is currently in progress. We will provide updates as necessary.")
	case TransitionComplete:
		if !w.Status.Active() {
			return w, nil, stateErr(w.Status, "only a maintenance in progress or verifying completes")
		}
		out.complete(t.At, now, false, "The scheduled maintenance has been completed.")
	case TransitionRemind:
		if !w.Reminders.wants(t.Reminder) || w.sent(t.Reminder) {
			return w, nil, &FieldError{Field: "reminder", Message: "\"" + string(t.Reminder) + "\" is not wanted or already sent"}
		}
		out.Sent = append(out.Sent, t.Reminder)
	case TransitionSpawn:
		if w.Recurrence == nil || w.Spawned || w.Status == Scheduled {
			return w, nil, stateErr(w.Status, "the next window is made once, when this one starts or is cancelled")
		}
		out.Spawned = true
		next := w.nextWindow(now)
		out.UpdatedAt = now
		return out, next, nil
	default:
		return w, nil, &FieldError{Field: "transition", Message: "\"" + string(t.Kind) + "\" is not one of start, complete, remind, spawn"}
	}
	out.UpdatedAt = now
	return out, nil, nil
}

// nextWindow is the series' window after w, or nil.
func (w Window) nextWindow(now time.Time) *Window {
	start, ok := w.Recurrence.After(w.StartsAt)
	if !ok {
		return nil
	}
	series := w.SeriesID
	if series == 0 {
		series = w.ID
	}
	n := Window{
		PageID: w.PageID, Title: w.Title, Body: w.Body, Status: Scheduled,
		StartsAt: start, EndsAt: start.Add(w.Recurrence.Duration),
		ComponentIDs: slices.Clone(w.ComponentIDs), AutoStart: w.AutoStart, AutoEnd: w.AutoEnd,
		Private: w.Private, Reminders: w.Reminders, Notify: w.Notify, Recurrence: w.Recurrence,
		SeriesID: series, Occurrence: max(w.Occurrence, 1) + 1, CreatedAt: now, UpdatedAt: now,
	}
	return &n
}

func cloneWindow(w Window) Window {
	w.ComponentIDs = slices.Clone(w.ComponentIDs)
	w.Sent = slices.Clone(w.Sent)
	w.Updates = slices.Clone(w.Updates)
	return w
}

func stateErr(s Status, msg string) *FieldError {
	return &FieldError{Field: "status", Message: "is " + string(s) + "; " + msg}
}
