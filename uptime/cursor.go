package uptime

import (
	"slices"
	"time"
)

// Recent history kept in a cursor, for burn rates over the last hours and
// the uptime of the last 24 hours.
const (
	RecentWindow = 24 * time.Hour
	maxRecent    = 1000
)

// Segment is a class of time from a moment on, until the next segment.
type Segment struct {
	From  time.Time `json:"from"`
	Class Class     `json:"class"`
}

// Cursor is where a component's accounting stands: everything before At
// is in its buckets, and since At it has been in Class. The zero Cursor
// has accounted nothing.
type Cursor struct {
	Class Class `json:"class"`
	// Start is the first instant accounted: before it the component was
	// not tracked (it did not exist, or statusd did not watch it yet).
	Start time.Time `json:"start"`
	At    time.Time `json:"at"`
	Day   Day       `json:"day"` // the day At is in
	// Today are the totals of Day up to At: the day's bucket.
	Today Totals `json:"today"`
	// InOutage is true from the start of an outage to the next operational
	// or degraded time: no-data and maintenance time within an outage do
	// not end it, so the outage is counted once.
	InOutage bool `json:"in_outage,omitempty"`
	// Recent are the class changes of the last RecentWindow (at most
	// maxRecent), oldest first; the first may begin before the window.
	Recent []Segment `json:"recent,omitempty"`
}

// Tracking reports whether the cursor has accounted anything.
func (c Cursor) Tracking() bool { return !c.At.IsZero() }

// Move accounts the time from At to `to` to the current class, split at
// the day boundaries of loc, then switches to class (at `to`). It returns
// the buckets it changed, oldest first, with their absolute totals: the
// days it closed and the current one. A `to` before At counts as At: a
// decision never moves time backwards.
func (c *Cursor) Move(componentID string, to time.Time, class Class, loc *time.Location, w Weights) []Bucket {
	if !c.Tracking() {
		*c = Cursor{Class: class, Start: to, At: to, Day: DayOf(to, loc)}
		c.enter(class)
		c.Recent = []Segment{{From: to, Class: class}}
		return []Bucket{{ComponentID: componentID, Day: c.Day, Totals: c.Today}}
	}
	if to.Before(c.At) {
		to = c.At
	}
	var out []Bucket
	for {
		end := c.Day.Next().Start(loc)
		if to.Before(end) {
			c.Today.account(c.Class, to.Sub(c.At).Milliseconds(), w)
			c.At = to
			break
		}
		c.Today.account(c.Class, end.Sub(c.At).Milliseconds(), w)
		out = append(out, Bucket{ComponentID: componentID, Day: c.Day, Totals: c.Today})
		c.Day, c.At, c.Today = c.Day.Next(), end, Totals{}
	}
	if class != c.Class {
		c.Class = class
		c.enter(class)
		c.Recent = appendRecent(c.Recent, Segment{From: to, Class: class}, to)
	}
	return append(out, Bucket{ComponentID: componentID, Day: c.Day, Totals: c.Today})
}

// enter counts an outage that starts with class.
func (c *Cursor) enter(class Class) {
	switch {
	case class.IsOutage() && !c.InOutage:
		c.InOutage = true
		c.Today.Outages++
	case class == Operational || class == Degraded:
		c.InOutage = false
	}
}

// appendRecent adds s to a copy of segs and drops the segments that ended
// before the window ending at now (a cursor is shared by copies of a
// component state, so the slice is never changed in place).
func appendRecent(segs []Segment, s Segment, now time.Time) []Segment {
	from := now.Add(-RecentWindow)
	i := 0
	for i+1 < len(segs) && !segs[i+1].From.After(from) {
		i++
	}
	out := make([]Segment, 0, len(segs)-i+1)
	out = append(out, segs[i:]...)
	out = append(out, s)
	if len(out) > maxRecent {
		out = slices.Clone(out[len(out)-maxRecent:])
	}
	return out
}
