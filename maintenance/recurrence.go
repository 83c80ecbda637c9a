package maintenance

import (
	"fmt"
	"iter"
	"strings"
	"time"
)

// Limits on recurring windows.
const (
	// MinInterval is the shortest time between two starts of a series.
	MinInterval = 5 * time.Minute
	// Horizon is how far ahead a rule is searched for its next start.
	Horizon = 10 * 366 * 24 * time.Hour
	// checkSpan is how far ahead a rule's starts are checked for spacing
	// and overlap, at most checkStarts of them (all of a rule sparser than
	// one start in 9 hours), plus the 30 hours either side of every clock
	// change within it (which holds the pair around the change of a
	// denser rule).
	checkSpan   = 2 * 366 * 24 * time.Hour
	checkStarts = 2000
)

// Recurrence is a recurring window's rule: an RRULE subset ("RRULE:" or
// "FREQ=…", see rrule) or a 5-field cron expression, in the page's zone.
// The series' first window is the one scheduled (DTSTART); each next one
// starts at the rule's next time and lasts as long.
type Recurrence struct {
	Text     string
	Start    time.Time
	Duration time.Duration
	next     func(after, horizon time.Time) (time.Time, bool)
	// seq yields the starts from from to end in order.
	seq func(from, end time.Time) iter.Seq[time.Time]
}

// ParseRecurrence reads text for a series whose first window runs from
// start for dur, in loc. It rejects a rule that never fires after the first
// window, starts more often than MinInterval, or makes a window overlap the
// next one; the error is a *FieldError for "recurrence".
func ParseRecurrence(text string, start time.Time, dur time.Duration, loc *time.Location) (*Recurrence, error) {
	if loc == nil {
		loc = time.UTC
	}
	start = start.In(loc)
	r := &Recurrence{Text: strings.TrimSpace(text), Start: start, Duration: dur}
	up := strings.ToUpper(r.Text)
	switch {
	case r.Text == "":
		return nil, recurErr("is empty")
	case len(r.Text) > 200:
		return nil, recurErr("is longer than 200 characters")
	case strings.HasPrefix(up, "RRULE:") || (strings.Contains(up, "=") && !strings.HasPrefix(up, "TZ=") && !strings.HasPrefix(up, "CRON_TZ=")):
		rr, err := parseRRULE(r.Text, start)
		if err != nil {
			return nil, err
		}
		r.next = rr.after
		r.seq = func(from, end time.Time) iter.Seq[time.Time] {
			return func(yield func(time.Time) bool) {
				rr.each(end, func(t time.Time) bool { return t.Before(from) || yield(t) })
			}
		}
	default:
		c, err := parseCron(r.Text, loc)
		if err != nil {
			return nil, err
		}
		r.next = func(after, horizon time.Time) (time.Time, bool) {
			if after.Before(start) {
				return start, true
			}
			return c.after(after, horizon)
		}
		r.seq = func(from, end time.Time) iter.Seq[time.Time] { return c.seq(start, from, end) }
	}
	if err := r.check(loc); err != nil {
		return nil, err
	}
	return r, nil
}

// After returns the start of the series' first window strictly after t,
// and false when the rule has no more.
func (r *Recurrence) After(t time.Time) (time.Time, bool) {
	return r.next(t, t.Add(Horizon))
}

// check rejects rules that never repeat, repeat too often or overlap.
func (r *Recurrence) check(loc *time.Location) error {
	if _, ok := r.After(r.Start); !ok {
		return recurErr("never fires after the first window")
	}
	if err := r.spacing(r.Start, r.Start.Add(checkSpan)); err != nil {
		return err
	}
	for _, change := range clockChanges(r.Start, r.Start.Add(checkSpan), loc) {
		if err := r.spacing(change.Add(-30*time.Hour), change.Add(30*time.Hour)); err != nil {
			return err
		}
	}
	return nil
}

// spacing checks the gaps between the starts from from to end, at most
// checkStarts of them.
func (r *Recurrence) spacing(from, end time.Time) error {
	var prev time.Time
	n := 0
	for next := range r.seq(from, end) {
		if n++; n > checkStarts {
			return nil
		}
		if !prev.IsZero() {
			gap := next.Sub(prev)
			switch {
			case gap < MinInterval:
				return recurErr("starts %s and %s, %s apart; windows start at most once every %s",
					stamp(prev), stamp(next), gap, MinInterval)
			case gap < r.Duration:
				return recurErr("the window of %s lasts %s and overlaps the next, which starts %s later",
					stamp(prev), r.Duration, gap)
			}
		}
		prev = next
	}
	return nil
}

// clockChanges returns the hours in [from, to) in which loc's offset changes.
func clockChanges(from, to time.Time, loc *time.Location) []time.Time {
	var out []time.Time
	_, off := from.In(loc).Zone()
	for t := from.Truncate(time.Hour); t.Before(to); t = t.Add(time.Hour) {
		if _, o := t.In(loc).Zone(); o != off {
			out, off = append(out, t), o
		}
	}
	return out
}

func stamp(t time.Time) string { return t.Format(time.RFC3339) }

func recurErr(format string, args ...any) *FieldError {
	return &FieldError{Field: "recurrence", Message: fmt.Sprintf(format, args...)}
}
