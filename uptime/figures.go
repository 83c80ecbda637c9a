package uptime

import (
	"slices"
	"time"
)

// Summary is what a timeframe holds: the sums of its buckets, the
// current day carried on to now, and the time of the timeframe that no
// bucket covers.
type Summary struct {
	Totals
	// Start and End bound the timeframe; End is at most now.
	Start, End time.Time
	// Total is End − Start in milliseconds.
	Total int64
	// Untracked is the part of Total no bucket accounts for: before the
	// component was first tracked. It counts as no data.
	Untracked int64
	// Frozen are the closed months whose frozen totals were used instead
	// of their day buckets, oldest first.
	Frozen []Month
}

// Sum adds up one component's buckets over the days from..to of loc,
// with the cursor's current class carried on from its last accounting to
// now (the stored buckets stop at the last status change). Buckets outside
// the days are ignored.
func Sum(buckets []Bucket, cur Cursor, from, to Day, now time.Time, loc *time.Location, w Weights) Summary {
	return SumFrozen(buckets, nil, cur, from, to, now, loc, w)
}

// SumFrozen is Sum, with the frozen totals of each closed month that lies
// wholly within the days from..to used instead of its day buckets: a
// frozen month is served as it was frozen, whatever its buckets say now.
// A month the timeframe covers only in part is summed from its buckets.
func SumFrozen(buckets []Bucket, frozen []FrozenMonth, cur Cursor, from, to Day, now time.Time, loc *time.Location, w Weights) Summary {
	s := Summary{Start: from.Start(loc), End: to.Next().Start(loc)}
	if now.Before(s.End) {
		s.End = now
	}
	if !s.End.After(s.Start) {
		s.End = s.Start
		return s
	}
	s.Total = s.End.Sub(s.Start).Milliseconds()
	days := make(map[Day]Totals, len(buckets)+1)
	for _, b := range buckets {
		if b.Day >= from && b.Day <= to {
			days[b.Day] = b.Totals
		}
	}
	if cur.Tracking() && now.After(cur.At) {
		proj := cur
		proj.Recent = nil // Move changes no segment when the class stays
		for _, b := range proj.Move("", now, cur.Class, loc, w) {
			if b.Day >= from && b.Day <= to {
				days[b.Day] = b.Totals
			}
		}
	}
	for _, fm := range frozen {
		m := fm.Month
		if m.First() < from || m.Last() > to || now.Before(m.End(loc)) || slices.Contains(s.Frozen, m) {
			continue
		}
		for d := range days {
			if MonthOf(d) == m {
				delete(days, d)
			}
		}
		s.Totals.Add(fm.Totals)
		s.Frozen = append(s.Frozen, m)
	}
	slices.Sort(s.Frozen)
	for _, t := range days {
		s.Totals.Add(t)
	}
	s.Untracked = max(0, s.Total-s.Observed)
	return s
}

// Combine adds the summaries of several components (a group's children):
// each one's time counts as its own, so uptime is weighted by observed
// time.
func Combine(ss []Summary) Summary {
	var out Summary
	for i, s := range ss {
		if i == 0 || s.Start.Before(out.Start) {
			out.Start = s.Start
		}
		if s.End.After(out.End) {
			out.End = s.End
		}
		out.Totals.Add(s.Totals)
		out.Total += s.Total
		out.Untracked += s.Untracked
		for _, m := range s.Frozen {
			if !slices.Contains(out.Frozen, m) {
				out.Frozen = append(out.Frozen, m)
			}
		}
	}
	slices.Sort(out.Frozen)
	return out
}

// Figures are the metrics of a summary. Times are in milliseconds; a nil
// figure cannot be computed (no time with data, or no outage).
type Figures struct {
	// Available is the time that counts: total − maintenance − no data
	// (including the untracked time).
	Available int64
	NoData    int64 // bucket no-data time plus the untracked time
	// UptimeMilli is the uptime in thousandths of a percent, floored, so
	// that any impact shows below 100 %.
	UptimeMilli *int64
	MTTR, MTBF  *int64
}

// Compute derives uptime, MTTR and MTBF:
//
//	uptime = 100 − impact / (total − maintenance − no data) × 100
//	MTTR   = impact / outages
//	MTBF   = (total − maintenance − no data − impact) / outages
func Compute(s Summary) Figures {
	f := Figures{NoData: s.NoData + s.Untracked}
	f.Available = max(0, s.Total-s.Maintenance-f.NoData)
	if f.Available > 0 {
		up := (f.Available - min(s.Impact, f.Available)) * 100_000 / f.Available
		f.UptimeMilli = &up
	}
	if s.Outages > 0 {
		mttr := s.Impact / int64(s.Outages)
		mtbf := max(0, f.Available-s.Impact) / int64(s.Outages)
		f.MTTR, f.MTBF = &mttr, &mtbf
	}
	return f
}

// Window sums the impact and available time of the last d before now
// from the cursor's recent segments (d at most RecentWindow). Time before
// the first segment is not counted: the component was not tracked then.
func (c Cursor) Window(now time.Time, d time.Duration, w Weights) (impact, available int64) {
	from := now.Add(-d)
	var t Totals
	for i, seg := range c.Recent {
		end := now
		if i+1 < len(c.Recent) {
			end = c.Recent[i+1].From
		}
		lo, hi := seg.From, end
		if lo.Before(from) {
			lo = from
		}
		if hi.After(now) {
			hi = now
		}
		if hi.After(lo) {
			t.account(seg.Class, hi.Sub(lo).Milliseconds(), w)
		}
	}
	return t.Impact, t.Observed - t.Maintenance - t.NoData
}
