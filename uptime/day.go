package uptime

import (
	"fmt"
	"time"
)

// Day is a civil date, YYYYMMDD: 20260301 is 1 March 2026. Days sort as
// integers.
type Day int32

// DayOf is the date of t in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return DateDay(y, m, d)
}

// DateDay is the Day of a date; the date is normalized as time.Date does.
func DateDay(y int, m time.Month, d int) Day {
	y, m, d = time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Date()
	return Day(y*10000 + int(m)*100 + d)
}

// Date splits d into year, month and day.
func (d Day) Date() (int, time.Month, int) {
	return int(d) / 10000, time.Month(int(d) / 100 % 100), int(d) % 100
}

// AddDays is the day n days after d (before, when n is negative).
func (d Day) AddDays(n int) Day {
	y, m, dd := d.Date()
	return DateDay(y, m, dd+n)
}

// Next is the day after d.
func (d Day) Next() Day { return d.AddDays(1) }

// Start is the first instant of d in loc. Where a time zone skips
// midnight, it is the first instant that exists on that date.
func (d Day) Start(loc *time.Location) time.Time {
	y, m, dd := d.Date()
	t := time.Date(y, m, dd, 0, 0, 0, 0, loc)
	// time.Date may resolve a skipped midnight to the evening before.
	for DayOf(t, loc) < d {
		t = t.Add(15 * time.Minute).Truncate(15 * time.Minute)
	}
	return t
}

// Length is how long d lasts in loc: 24 hours, or 23 or 25 on the days a
// time zone changes its offset.
func (d Day) Length(loc *time.Location) time.Duration {
	return d.Next().Start(loc).Sub(d.Start(loc))
}

// String is the date as YYYY-MM-DD.
func (d Day) String() string {
	y, m, dd := d.Date()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// ParseDay reads a date written YYYY-MM-DD.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return 0, fmt.Errorf("must be a date written YYYY-MM-DD, got %q", s)
	}
	return DateDay(t.Date()), nil
}

// DaysBetween counts the days from a to b (negative when b is before a).
func DaysBetween(a, b Day) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	ta := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	tb := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Round(24*time.Hour) / (24 * time.Hour))
}
