package uptime

import (
	"fmt"
	"time"
)

// Month is a calendar month, YYYYMM: 202603 is March 2026. Months sort as
// integers.
type Month int32

// MonthOf is the month d is in.
func MonthOf(d Day) Month { return Month(d / 100) }

// First is the first day of m.
func (m Month) First() Day { return Day(m)*100 + 1 }

// Next is the month after m.
func (m Month) Next() Month {
	y, mo := int(m)/100, int(m)%100
	if mo == 12 {
		return Month((y+1)*100 + 1)
	}
	return Month(y*100 + mo + 1)
}

// Last is the last day of m.
func (m Month) Last() Day { return m.Next().First().AddDays(-1) }

// End is the first instant after m in loc: when the month is over.
func (m Month) End(loc *time.Location) time.Time { return m.Next().First().Start(loc) }

// String is the month as YYYY-MM.
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", int(m)/100, int(m)%100) }

// FrozenMonth is a component's totals of a closed month, written once
// when the month was over (plus a grace period for late results) and
// served as they were from then on.
type FrozenMonth struct {
	ComponentID string
	Month       Month
	Totals
	FrozenAt time.Time
}

// Freeze computes the totals of month m from a component's buckets and
// cursor as the metrics endpoint would serve them at now (the cursor's
// class carried on to now when it stopped before the month's end). ok is
// false when the month cannot be frozen yet: it is not over at now, or
// the component was not tracked before its end.
func Freeze(buckets []Bucket, cur Cursor, m Month, now time.Time, loc *time.Location, w Weights) (Totals, bool) {
	end := m.End(loc)
	if now.Before(end) || !cur.Tracking() || !cur.Start.Before(end) {
		return Totals{}, false
	}
	return Sum(buckets, cur, m.First(), m.Last(), now, loc, w).Totals, true
}
