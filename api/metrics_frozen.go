package api

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/uptime"
)

// FrozenReader reads the frozen totals of closed months; the metrics
// endpoint serves each closed month a timeframe covers whole from them
// when the Store is one, as they were frozen, and keeps them in memory
// (api/frozencache): they never change once written.
type FrozenReader interface {
	FrozenMonths(ctx context.Context, ids []string, from, to uptime.Month) ([]uptime.FrozenMonth, error)
}

// followSnapshot drops, once per snapshot, the kept frozen months of the
// components the snapshot no longer has (deleted, their months went with
// them) and of the months no timeframe reaches any more.
func (a *API) followSnapshot(snap *readmodel.Snapshot) {
	if a.frozen == nil || snap == nil || a.frozenSnap.Swap(snap) == snap {
		return
	}
	known := func(id string) bool { _, ok := snap.Component(id); return ok }
	a.frozen.Retain(known)
	if f := snap.Frozen(); a.frozenSeen.Swap(f) != f {
		a.frozen.ForgetAbsent() // months may have been frozen since they were found not
	}
	if a.days != nil {
		a.days.Retain(known)
	}
	y, m, d := uptime.DayOf(a.clock(), time.UTC).Date()
	a.frozen.Forget(uptime.MonthOf(uptime.DateDay(y, m-maxTimeframeMonths, d).AddDays(-1)))
}

// wantedMonths lists the months that the scopes may serve frozen over
// the days from..to: wholly within them and over at now in the time zone
// of one of the scopes.
func wantedMonths(scs []scope, from, to uptime.Day, now time.Time) []uptime.Month {
	var out []uptime.Month
	for m := uptime.MonthOf(from); m.First() <= to; m = m.Next() {
		if m.First() < from || m.Last() > to {
			continue
		}
		if slices.ContainsFunc(scs, func(sc scope) bool { return !now.Before(m.End(sc.loc)) }) {
			out = append(out, m)
		}
	}
	return out
}

// expectFrozen returns the kept frozen months with, for each of missing,
// the wanted months seen frozen for any component added as a guess.
func expectFrozen(kept map[string][]uptime.FrozenMonth, missing []string, want []uptime.Month,
	seen func(uptime.Month) bool) map[string][]uptime.FrozenMonth {
	out := make(map[string][]uptime.FrozenMonth, len(kept)+len(missing))
	for id, ms := range kept {
		out[id] = ms
	}
	for _, id := range missing {
		ms := slices.Clone(kept[id])
		for _, m := range want {
			if seen(m) && !slices.ContainsFunc(ms, func(fm uptime.FrozenMonth) bool { return fm.Month == m }) {
				ms = append(ms, uptime.FrozenMonth{ComponentID: id, Month: m})
			}
		}
		out[id] = ms
	}
	return out
}

// subtractSpans returns the days of spans that are in none of have.
func subtractSpans(spans, have []daySpan) []daySpan {
	var out []daySpan
	for _, sp := range spans {
		for d := sp.from; d <= sp.to; d = d.Next() {
			if slices.ContainsFunc(have, func(h daySpan) bool { return d >= h.from && d <= h.to }) {
				continue
			}
			if n := len(out); n > 0 && out[n-1].to.Next() == d {
				out[n-1].to = d
			} else {
				out = append(out, daySpan{d, d})
			}
		}
	}
	return out
}

// daySpan is a range of days, both ends included.
type daySpan struct{ from, to uptime.Day }

// bucketSpans splits the days lo..hi into the spans whose day buckets a
// measure must read: it leaves out every month that each of the scopes
// serves whole from frozen totals (within from..to, over at now in the
// scope's time zone, frozen for every leaf, and outside every SLO window,
// which sums day buckets), since uptime.SumFrozen drops those days.
func bucketSpans(scs []scope, ids []string, frozen map[string][]uptime.FrozenMonth, lo, hi, from, to uptime.Day, now time.Time) []daySpan {
	skip := map[uptime.Month]bool{}
	if len(ids) > 0 {
		count := map[uptime.Month]int{}
		for _, id := range ids {
			for _, m := range frozen[id] {
				count[m.Month]++
			}
		}
		for m, n := range count {
			skip[m] = n == len(ids) && m.First() >= from && m.Last() <= to
		}
	}
	for _, sc := range scs {
		today := uptime.DayOf(now, sc.loc)
		for m := range skip {
			if now.Before(m.End(sc.loc)) {
				skip[m] = false
			}
			if slo := sc.comp.SLO; slo.Set() && m.Last() >= today.AddDays(-(slo.WindowDays-1)) {
				skip[m] = false
			}
		}
	}
	var out []daySpan
	d := lo
	for d <= hi {
		m := uptime.MonthOf(d)
		if skip[m] {
			d = m.Next().First()
			continue
		}
		end := min(hi, m.Last())
		if n := len(out); n > 0 && out[n-1].to.Next() == d {
			out[n-1].to = end
		} else {
			out = append(out, daySpan{d, end})
		}
		d = end.Next()
	}
	return out
}

// SpanBucketReader reads the day buckets of several spans of days in one
// round trip; measure uses it when the store is one.
type SpanBucketReader interface {
	DayBucketsIn(ctx context.Context, ids []string, spans [][2]uptime.Day) ([]uptime.Bucket, error)
}

// readSpans reads the buckets of ids over the spans.
func readSpans(ctx context.Context, br BucketReader, ids []string, spans []daySpan) ([]uptime.Bucket, error) {
	if len(ids) == 0 || len(spans) == 0 {
		return nil, nil
	}
	if sr, ok := br.(SpanBucketReader); ok {
		days := make([][2]uptime.Day, len(spans))
		for i, sp := range spans {
			days[i] = [2]uptime.Day{sp.from, sp.to}
		}
		bs, err := sr.DayBucketsIn(ctx, ids, days)
		if err != nil {
			return nil, fmt.Errorf("read day buckets: %w", err)
		}
		return bs, nil
	}
	var out []uptime.Bucket
	for _, sp := range spans {
		bs, err := br.DayBuckets(ctx, ids, sp.from, sp.to)
		if err != nil {
			return nil, fmt.Errorf("read day buckets: %w", err)
		}
		out = append(out, bs...)
	}
	return out, nil
}
