package api

import (
	"context"
	"fmt"
	"time"

	"github.com/statusd/statusd/uptime"
)

// FrozenReader reads the frozen totals of closed months; the metrics
// endpoint serves each closed month a timeframe covers whole from them
// when the Store is one, as they were frozen.
type FrozenReader interface {
	FrozenMonths(ctx context.Context, ids []string, from, to uptime.Month) ([]uptime.FrozenMonth, error)
}

// frozenMonths reads the frozen months of ids over the days from..to, by
// component; none when the store keeps none.
func (a *API) frozenMonths(ctx context.Context, ids []string, from, to uptime.Day) (map[string][]uptime.FrozenMonth, error) {
	fr, ok := a.store.(FrozenReader)
	if !ok || len(ids) == 0 {
		return nil, nil
	}
	ms, err := fr.FrozenMonths(ctx, ids, uptime.MonthOf(from), uptime.MonthOf(to))
	if err != nil {
		return nil, fmt.Errorf("read frozen months: %w", err)
	}
	out := map[string][]uptime.FrozenMonth{}
	for _, m := range ms {
		out[m.ComponentID] = append(out[m.ComponentID], m)
	}
	return out, nil
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
