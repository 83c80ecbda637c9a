package api

import (
	"context"
	"slices"
	"time"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/uptime"
)

// figures is what one scope holds over a timeframe and over its SLO
// window.
type figures struct {
	sum    uptime.Summary
	window *uptime.Summary
	recent [2][2]int64 // impact, available over 1 h and 6 h
	since  time.Time   // when the first leaf was first tracked; zero if none
}

// fetched is what the store holds for a measure: the frozen months and
// day buckets of the scopes' leaves (ids).
type fetched struct {
	ids     []string
	frozen  map[string][]uptime.FrozenMonth
	buckets []uptime.Bucket
	err     error
}

// fetch reads the frozen months and day buckets the scopes need over the
// days from..to and their SLO windows (ending today).
//
// The component states (cursors) they are summed with must have been
// read before: every day before a cursor's day is closed, its bucket
// written for good, and the cursor's own days are taken from the cursor,
// so buckets newer than the cursor change nothing, while older ones could
// miss the days a later cursor closed.
//
// snap, when not nil, names every component, for a sweep of the frozen
// months (frozencache.Cache.Sweep).
func (a *API) fetch(ctx context.Context, br BucketReader, snap *readmodel.Snapshot, scs []scope, from, to uptime.Day,
	now time.Time) fetched {
	var f fetched
	lo, hi := from, to
	for _, sc := range scs {
		f.ids = append(f.ids, sc.leaves...)
		if slo := sc.comp.SLO; slo.Set() {
			today := uptime.DayOf(now, sc.loc)
			lo, hi = min(lo, today.AddDays(-(slo.WindowDays-1))), max(hi, today)
		}
	}
	slices.Sort(f.ids)
	f.ids = slices.Compact(f.ids)
	// A day of margin each side: the pages' days are not UTC's.
	lo, hi = lo.AddDays(-1), hi.AddDays(1)
	if a.frozen == nil {
		f.buckets, f.err = a.readDays(ctx, br, snap, f.ids, bucketSpans(scs, f.ids, nil, lo, hi, from, to, now), now)
		return f
	}
	want := wantedMonths(scs, from, to, now)
	var missing []string
	f.frozen, missing = a.frozen.Cached(f.ids, want)
	if len(missing) > 0 && snap != nil && !a.frozen.Swept(want) {
		swept, err := a.frozen.Sweep(ctx, len(snap.Components("")), func() []string { return leavesOf(snap) }, want)
		if f.err = err; err != nil {
			return f
		}
		if swept {
			f.frozen, missing = a.frozen.Cached(f.ids, want)
		}
	}
	if len(missing) == 0 {
		f.buckets, f.err = a.readDays(ctx, br, snap, f.ids, bucketSpans(scs, f.ids, f.frozen, lo, hi, from, to, now), now)
		return f
	}
	// Some months are not kept for some leaves: they are read from the
	// store, and beside them the buckets of the days the scopes will need
	// if each month kept frozen for another component is frozen for these
	// too. Days that guess left out are read after.
	guess := expectFrozen(f.frozen, missing, want, a.frozen.Seen)
	first := bucketSpans(scs, f.ids, guess, lo, hi, from, to, now)
	type read struct {
		bs  []uptime.Bucket
		err error
	}
	done := make(chan read, 1)
	go func() {
		bs, err := a.readDays(ctx, br, snap, f.ids, first, now)
		done <- read{bs, err}
	}()
	loaded, err := a.frozen.Load(ctx, missing, uptime.MonthOf(from), uptime.MonthOf(to))
	r := <-done
	if f.err = err; f.err == nil {
		f.err = r.err
	}
	if f.err != nil {
		return f
	}
	for _, id := range missing {
		f.frozen[id] = loaded[id]
	}
	f.buckets = r.bs
	if rest := subtractSpans(bucketSpans(scs, f.ids, f.frozen, lo, hi, from, to, now), first); len(rest) > 0 {
		bs, err := a.readDays(ctx, br, snap, f.ids, rest, now)
		f.buckets, f.err = append(f.buckets, bs...), err
	}
	return f
}

// leavesOf lists the components of a snapshot that are not groups.
func leavesOf(snap *readmodel.Snapshot) []string {
	var out []string
	for _, c := range snap.Components("") {
		if !c.IsGroup {
			out = append(out, c.ID)
		}
	}
	return out
}

// sumUp sums each scope's leaves over the days from..to (and its SLO
// window, ending today) from what fetch read and the leaves' states.
func (a *API) sumUp(scs []scope, f fetched, states []health.ComponentState, from, to uptime.Day, now time.Time) []figures {
	cursors := make(map[string]uptime.Cursor, len(states))
	for _, s := range states {
		cursors[s.ComponentID] = s.Uptime
	}
	byComp := map[string][]uptime.Bucket{}
	for _, b := range f.buckets {
		byComp[b.ComponentID] = append(byComp[b.ComponentID], b)
	}
	out := make([]figures, len(scs))
	for i, sc := range scs {
		var sums, windows []uptime.Summary
		fg := &out[i]
		for _, id := range sc.leaves {
			cur := cursors[id]
			frozen := servable(f.frozen[id], cur, sc.loc)
			sums = append(sums, uptime.SumFrozen(byComp[id], frozen, cur, from, to, now, sc.loc, a.weights))
			if slo := sc.comp.SLO; slo.Set() {
				today := uptime.DayOf(now, sc.loc)
				windows = append(windows, uptime.Sum(byComp[id], cur, today.AddDays(-(slo.WindowDays-1)), today, now, sc.loc, a.weights))
				for k, d := range []time.Duration{time.Hour, 6 * time.Hour} {
					impact, available := cur.Window(now, d, a.weights)
					fg.recent[k][0] += impact
					fg.recent[k][1] += available
				}
			}
			if cur.Tracking() && (fg.since.IsZero() || cur.Start.Before(fg.since)) {
				fg.since = cur.Start
			}
		}
		fg.sum = uptime.Combine(sums)
		if len(sums) == 0 { // a group without members: the timeframe, all without data
			fg.sum = uptime.Sum(nil, uptime.Cursor{}, from, to, now, sc.loc, a.weights)
		}
		if windows != nil {
			w := uptime.Combine(windows)
			fg.window = &w
		}
	}
	return out
}

// servable keeps the frozen months that can be the component's as the
// cursor knows it: months that ended after it was first tracked. A month
// kept in memory for a component that was deleted (its months and
// buckets went with it) and made again under the same ID is not: the new
// one was first tracked after it ended.
func servable(ms []uptime.FrozenMonth, cur uptime.Cursor, loc *time.Location) []uptime.FrozenMonth {
	out := ms[:0:0]
	for _, m := range ms {
		if cur.Tracking() && cur.Start.Before(m.Month.End(loc)) {
			out = append(out, m)
		}
	}
	return out
}
