package api

import (
	"context"
	"time"

	"github.com/statusd/statusd/api/daycache"
	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/uptime"
)

// readDays reads the day buckets of ids over spans as readSpans does,
// taking from the closed-day cache (api/daycache) each component whose
// closed days in spans are all kept there, and keeping the closed days it
// reads. A component's closed days are those before its cursor day in
// snap, whose states were read before any bucket; the days from the
// cursor day on are not needed, since uptime.SumFrozen takes them from the
// cursor's projection to now. Without a cache or a snapshot it is
// readSpans.
func (a *API) readDays(ctx context.Context, br BucketReader, snap *readmodel.Snapshot, ids []string, spans []daySpan, now time.Time) ([]uptime.Bucket, error) {
	if a.days == nil || snap == nil || len(ids) == 0 || len(spans) == 0 {
		return readSpans(ctx, br, ids, spans)
	}
	ds := make([]daycache.Span, len(spans))
	for i, sp := range spans {
		ds[i] = daycache.Span{From: sp.from, To: sp.to}
	}
	cursors := make(map[string]uptime.Cursor, len(ids))
	for _, st := range snap.ComponentStatesOf(ids) {
		cursors[st.ComponentID] = st.Uptime
	}
	out, miss := a.keptDays(ids, ds, snap, cursors, now)
	if len(miss) > 0 {
		swept, err := a.days.Sweep(len(snap.Components("")), ds, func() error { return a.sweepDays(ctx, br, snap, ds, spans) })
		if err != nil {
			return nil, err
		}
		if swept {
			var more []uptime.Bucket
			more, miss = a.keptDays(miss, ds, snap, cursors, now)
			out = append(out, more...)
		}
	}
	a.metrics.daysKept.Add(float64(len(ids) - len(miss)))
	if len(miss) == 0 {
		return out, nil
	}
	a.metrics.daysRead.Add(float64(len(miss)))
	read, err := readSpans(ctx, br, miss, spans)
	if err != nil {
		return nil, err
	}
	for _, id := range miss {
		if cur, ok := cursors[id]; ok && cur.Tracking() {
			a.days.Put(id, ds, cur.Day, read)
		}
	}
	return append(out, read...), nil
}

// keptDays returns the kept buckets of the ids whose closed days in spans
// are all kept, and the others.
func (a *API) keptDays(ids []string, spans []daycache.Span, snap *readmodel.Snapshot, cursors map[string]uptime.Cursor,
	now time.Time) (out []uptime.Bucket, miss []string) {
	for _, id := range ids {
		cur, ok := cursors[id]
		if !ok || !cur.Tracking() || !now.After(cur.At) {
			miss = append(miss, id)
			continue
		}
		bs, ok := a.days.Get(id, closedPart(spans, cur.Day), a.dayOfStart(snap, id, cur))
		if !ok {
			miss = append(miss, id)
			continue
		}
		out = append(out, bs...)
	}
	return out, miss
}

// sweepIDs is how many components one query of a sweep reads.
const sweepIDs = 1000

// sweepDays reads the buckets of every component of snap over spans, a
// query per sweepIDs components, and keeps their closed days.
func (a *API) sweepDays(ctx context.Context, br BucketReader, snap *readmodel.Snapshot, ds []daycache.Span, spans []daySpan) error {
	ids := leavesOf(snap)
	cursors := make(map[string]uptime.Cursor, len(ids))
	for _, st := range snap.ComponentStatesOf(ids) {
		cursors[st.ComponentID] = st.Uptime
	}
	for start := 0; start < len(ids); start += sweepIDs {
		part := ids[start:min(start+sweepIDs, len(ids))]
		read, err := readSpans(ctx, br, part, spans)
		if err != nil {
			return err
		}
		byComp := map[string][]uptime.Bucket{}
		for _, b := range read {
			byComp[b.ComponentID] = append(byComp[b.ComponentID], b)
		}
		for _, id := range part {
			if cur, ok := cursors[id]; ok && cur.Tracking() {
				a.days.Put(id, ds, cur.Day, byComp[id])
			}
		}
	}
	return nil
}

// closedPart is spans cut to the days before closedBefore.
func closedPart(spans []daycache.Span, closedBefore uptime.Day) []daycache.Span {
	var out []daycache.Span
	for _, sp := range spans {
		sp.To = min(sp.To, closedBefore.AddDays(-1))
		if sp.From <= sp.To {
			out = append(out, sp)
		}
	}
	return out
}

// dayOfStart is the day, in the component's page's time zone, it was
// first tracked: kept days before it are another component's that had the
// same ID.
func (a *API) dayOfStart(snap *readmodel.Snapshot, id string, cur uptime.Cursor) uptime.Day {
	loc := time.UTC
	if c, ok := snap.Component(id); ok {
		if p, ok := snap.Page(c.PageID); ok {
			loc = a.location(p.TimeZone)
		}
	}
	return uptime.DayOf(cur.Start, loc)
}
