package maintenance

import (
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// cronRule is a 5-field cron expression (minute hour day-of-month month
// day-of-week) read in the page's zone. Each wall-clock time it names fires
// once: a time the clocks skip fires as far after the change as it was
// meant after its start, a time they repeat fires the first time.
type cronRule struct {
	spec *cron.SpecSchedule
	loc  *time.Location
}

// maxShift bounds how far a clock change moves a wall time.
const maxShift = 3 * time.Hour

// starBit is robfig/cron's mark of a field given as "*" or "?".
const starBit = 1 << 63

func parseCron(text string, loc *time.Location) (*cronRule, error) {
	text = strings.TrimSpace(text)
	if strings.ContainsAny(text, "=@") {
		return nil, recurErr("%q is not 5 cron fields (minute hour day-of-month month day-of-week); the time zone is the page's", text)
	}
	if n := len(strings.Fields(text)); n != 5 {
		return nil, recurErr("%q has %d fields, not 5 (minute hour day-of-month month day-of-week)", text, n)
	}
	p := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)
	s, err := p.Parse(text)
	if err != nil {
		return nil, recurErr("%q: %v", text, err)
	}
	spec, ok := s.(*cron.SpecSchedule)
	if !ok {
		return nil, recurErr("%q is not a cron expression", text)
	}
	return &cronRule{spec: spec, loc: loc}, nil
}

func (c *cronRule) dayMatches(day time.Time) bool {
	s := c.spec
	if s.Month&(1<<uint(day.Month())) == 0 {
		return false
	}
	dom := s.Dom&(1<<uint(day.Day())) != 0
	dow := s.Dow&(1<<uint(day.Weekday())) != 0
	if s.Dom&starBit != 0 || s.Dow&starBit != 0 {
		return dom && dow
	}
	return dom || dow
}

// first returns the earliest instant the rule names on the local date day
// (a UTC midnight) that lies after t.
func (c *cronRule) first(day, t time.Time) (time.Time, bool) {
	if !c.dayMatches(day) {
		return time.Time{}, false
	}
	lt := t.In(c.loc)
	floor := time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), lt.Minute(), lt.Second(), 0, time.UTC).Add(-maxShift)
	var best time.Time
	for h := range 24 {
		if c.spec.Hour&(1<<uint(h)) == 0 {
			continue
		}
		for m := range 60 {
			if c.spec.Minute&(1<<uint(m)) == 0 {
				continue
			}
			if time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, time.UTC).Before(floor) {
				continue // well before t on the wall clock: before t
			}
			o := wall(day.Year(), day.Month(), day.Day(), h, m, 0, c.loc)
			if o.After(t) && (best.IsZero() || o.Before(best)) {
				best = o
			}
			if !best.IsZero() && o.After(best.Add(maxShift)) {
				return best, true // later wall times resolve later still
			}
		}
	}
	return best, !best.IsZero()
}

// after returns the first instant the rule names strictly after t.
func (c *cronRule) after(t, horizon time.Time) (time.Time, bool) {
	y, m, d := t.In(c.loc).Date()
	day := time.Date(y, m, d-1, 0, 0, 0, 0, time.UTC)
	for ; !time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, c.loc).After(horizon); day = day.AddDate(0, 0, 1) {
		if o, ok := c.first(day, t); ok {
			// A time shifted out of a gap at the day's end can pass the
			// next day's first; take the earlier.
			if n, ok := c.first(day.AddDate(0, 0, 1), t); ok && n.Before(o) {
				o = n
			}
			return o, true
		}
	}
	return time.Time{}, false
}

// dayTimes returns the instants the rule names on the local date day (a UTC
// midnight), in order.
func (c *cronRule) dayTimes(day time.Time) []time.Time {
	if !c.dayMatches(day) {
		return nil
	}
	var out []time.Time
	for h := range 24 {
		if c.spec.Hour&(1<<uint(h)) == 0 {
			continue
		}
		for m := range 60 {
			if c.spec.Minute&(1<<uint(m)) != 0 {
				out = append(out, wall(day.Year(), day.Month(), day.Day(), h, m, 0, c.loc))
			}
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return slices.CompactFunc(out, time.Time.Equal)
}

// seq yields the series' starts from from to end: start itself, then the
// rule's times after it.
func (c *cronRule) seq(start, from, end time.Time) iter.Seq[time.Time] {
	return func(yield func(time.Time) bool) {
		last := from.Add(-time.Nanosecond)
		if !from.After(start) {
			if !yield(start) {
				return
			}
			last = start
		}
		y, m, d := last.In(c.loc).Date()
		for day := time.Date(y, m, d-1, 0, 0, 0, 0, time.UTC); !time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, c.loc).After(end); day = day.AddDate(0, 0, 1) {
			for _, t := range c.dayTimes(day) {
				if t.After(end) {
					return
				}
				if t.After(last) {
					last = t
					if !yield(t) {
						return
					}
				}
			}
		}
	}
}
