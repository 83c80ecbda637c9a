package maintenance

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// rrule is the RFC 5545 subset statusd reads: FREQ=DAILY|WEEKLY|MONTHLY,
// INTERVAL, BYDAY (with an ordinal such as 1SU or -1FR for MONTHLY), COUNT
// and UNTIL. DTSTART is the window's start; weeks start on Monday.
type rrule struct {
	freq     string
	interval int
	byday    []weekdayNum
	count    int
	until    time.Time // inclusive; zero for none
	start    time.Time // in the page's zone
}

type weekdayNum struct {
	ord int // 0: every such weekday; n: the nth in the month; -n: the nth from the end
	day time.Weekday
}

// weekday reads a two-letter RFC 5545 weekday.
func weekday(s string) (time.Weekday, bool) {
	i := slices.Index([]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}, s)
	return time.Weekday(i), i >= 0
}

// parseRRULE reads text (with or without the "RRULE:" prefix) for a series
// starting at start, in start's location.
func parseRRULE(text string, start time.Time) (*rrule, error) {
	body := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(text)), "RRULE:")
	r := &rrule{interval: 1, start: start}
	seen := map[string]bool{}
	for _, part := range strings.Split(body, ";") {
		key, val, ok := strings.Cut(part, "=")
		if !ok || val == "" {
			return nil, recurErr("%q is not KEY=VALUE", part)
		}
		if seen[key] {
			return nil, recurErr("%s is given twice", key)
		}
		seen[key] = true
		if err := r.set(key, val); err != nil {
			return nil, err
		}
	}
	switch {
	case r.freq == "":
		return nil, recurErr("FREQ is required")
	case r.count > 0 && !r.until.IsZero():
		return nil, recurErr("COUNT and UNTIL exclude each other")
	case !r.until.IsZero() && r.until.Before(start):
		return nil, recurErr("UNTIL is before the window's start: the rule never fires")
	case r.freq != "MONTHLY" && slices.ContainsFunc(r.byday, func(w weekdayNum) bool { return w.ord != 0 }):
		return nil, recurErr("BYDAY with an ordinal (1MO, -1FR) needs FREQ=MONTHLY")
	}
	return r, nil
}

func (r *rrule) set(key, val string) error {
	switch key {
	case "FREQ":
		if val != "DAILY" && val != "WEEKLY" && val != "MONTHLY" {
			return recurErr("FREQ=%s is not one of DAILY, WEEKLY, MONTHLY", val)
		}
		r.freq = val
	case "INTERVAL":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > 1000 {
			return recurErr("INTERVAL=%s is not a whole number from 1 to 1000", val)
		}
		r.interval = n
	case "COUNT":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > 100000 {
			return recurErr("COUNT=%s is not a whole number from 1 to 100000: the rule would never fire", val)
		}
		r.count = n
	case "UNTIL":
		t, err := parseUntil(val, r.start.Location())
		if err != nil {
			return err
		}
		r.until = t
	case "BYDAY":
		for _, d := range strings.Split(val, ",") {
			w, err := parseWeekdayNum(d)
			if err != nil {
				return err
			}
			if slices.Contains(r.byday, w) {
				return recurErr("BYDAY lists %s twice", d)
			}
			r.byday = append(r.byday, w)
		}
	default:
		return recurErr("%s is not supported; use FREQ, INTERVAL, BYDAY, COUNT and UNTIL", key)
	}
	return nil
}

func parseUntil(val string, loc *time.Location) (time.Time, error) {
	for _, f := range []struct {
		layout string
		loc    *time.Location
		day    bool
	}{{"20060102T150405Z", time.UTC, false}, {"20060102T150405", loc, false}, {"20060102", loc, true}} {
		if len(val) != len(f.layout) {
			continue
		}
		t, err := time.ParseInLocation(f.layout, val, f.loc)
		if err != nil {
			break
		}
		if f.day { // a date: until the end of that day
			y, m, d := t.Date()
			t = wall(y, m, d, 23, 59, 59, loc)
		} else if f.loc != time.UTC {
			t = wall(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), loc)
		}
		return t, nil
	}
	return time.Time{}, recurErr("UNTIL=%s is not YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ", val)
}

func parseWeekdayNum(s string) (weekdayNum, error) {
	if len(s) < 2 {
		return weekdayNum{}, recurErr("BYDAY=%s is not a weekday (MO … SU)", s)
	}
	day, ok := weekday(s[len(s)-2:])
	if !ok {
		return weekdayNum{}, recurErr("BYDAY=%s is not a weekday (MO … SU)", s)
	}
	w := weekdayNum{day: day}
	if num := s[:len(s)-2]; num != "" {
		n, err := strconv.Atoi(num)
		if err != nil || n == 0 || n < -5 || n > 5 {
			return weekdayNum{}, recurErr("BYDAY=%s: the ordinal is not from 1 to 5 or -1 to -5", s)
		}
		w.ord = n
	}
	return w, nil
}

// each calls yield with every occurrence in order, the window's own start
// first (RFC 5545 counts DTSTART as the first instance), until yield
// returns false, COUNT or UNTIL is reached, or the horizon passes.
func (r *rrule) each(horizon time.Time, yield func(time.Time) bool) {
	n := 0
	last := time.Time{}
	emit := func(t time.Time) bool {
		if !t.After(last) || t.Before(r.start) {
			return true
		}
		if (!r.until.IsZero() && t.After(r.until)) || t.After(horizon) {
			return false
		}
		n++
		if r.count > 0 && n > r.count {
			return false
		}
		last = t
		return yield(t)
	}
	if !emit(r.start) {
		return
	}
	y, mo, d := r.start.Date()
	for k := 0; ; k += r.interval {
		days := r.period(y, mo, d, k)
		if days == nil {
			if periodStart(y, mo, d, k, r.freq, r.start.Location()).After(horizon) {
				return
			}
			continue
		}
		for _, day := range days {
			hh, mm, ss := r.start.Clock()
			if !emit(wall(day.Year(), day.Month(), day.Day(), hh, mm, ss, r.start.Location())) {
				return
			}
		}
	}
}

// period returns the dates (as UTC midnights) the rule picks in the k-th
// period (day, week or month) counted from the start's.
func (r *rrule) period(y int, mo time.Month, d, k int) []time.Time {
	var out []time.Time
	switch r.freq {
	case "DAILY":
		day := time.Date(y, mo, d+k, 0, 0, 0, 0, time.UTC)
		if len(r.byday) == 0 || slices.ContainsFunc(r.byday, func(w weekdayNum) bool { return w.day == day.Weekday() }) {
			out = append(out, day)
		}
	case "WEEKLY":
		first := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
		monday := first.AddDate(0, 0, -((int(first.Weekday())+6)%7)+7*k)
		for i := range 7 {
			day := monday.AddDate(0, 0, i)
			if (len(r.byday) == 0 && day.Weekday() == first.Weekday()) ||
				slices.ContainsFunc(r.byday, func(w weekdayNum) bool { return w.day == day.Weekday() }) {
				out = append(out, day)
			}
		}
	case "MONTHLY":
		first := time.Date(y, mo+time.Month(k), 1, 0, 0, 0, 0, time.UTC)
		last := first.AddDate(0, 1, -1).Day()
		if len(r.byday) == 0 {
			if d <= last {
				out = append(out, first.AddDate(0, 0, d-1))
			}
			return out
		}
		for dd := 1; dd <= last; dd++ {
			day := first.AddDate(0, 0, dd-1)
			if slices.ContainsFunc(r.byday, func(w weekdayNum) bool { return w.matches(day, last) }) {
				out = append(out, day)
			}
		}
	}
	return out
}

func (w weekdayNum) matches(day time.Time, last int) bool {
	if day.Weekday() != w.day {
		return false
	}
	switch {
	case w.ord > 0:
		return (day.Day()-1)/7+1 == w.ord
	case w.ord < 0:
		return (last-day.Day())/7+1 == -w.ord
	}
	return true
}

func periodStart(y int, mo time.Month, d, k int, freq string, loc *time.Location) time.Time {
	switch freq {
	case "DAILY":
		return time.Date(y, mo, d+k, 0, 0, 0, 0, loc)
	case "WEEKLY":
		return time.Date(y, mo, d+7*k-7, 0, 0, 0, 0, loc)
	}
	return time.Date(y, mo+time.Month(k), 1, 0, 0, 0, 0, loc)
}

// after returns the first occurrence strictly after t.
func (r *rrule) after(t, horizon time.Time) (time.Time, bool) {
	var found time.Time
	r.each(horizon, func(o time.Time) bool {
		if o.After(t) {
			found = o
			return false
		}
		return true
	})
	return found, !found.IsZero()
}
