package aggregator

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/uptime"
)

// MonthStore keeps the frozen totals of closed months: written once,
// served as they were.
type MonthStore interface {
	// FreezeMonths writes each month unless it is frozen already.
	FreezeMonths(ctx context.Context, ms []uptime.FrozenMonth) (int64, error)
	FrozenMonths(ctx context.Context, ids []string, from, to uptime.Month) ([]uptime.FrozenMonth, error)
	// MarkFrozenMismatch records a recomputation that disagrees; it
	// reports whether it is the month's first.
	MarkFrozenMismatch(ctx context.Context, id string, m uptime.Month, recomputed uptime.Totals, at time.Time) (bool, error)
}

// MonthInputs reads what a month's totals are computed from: the stored
// day buckets and the components' bucket cursors.
type MonthInputs interface {
	DayBuckets(ctx context.Context, ids []string, from, to uptime.Day) ([]uptime.Bucket, error)
	ComponentStatesOf(ctx context.Context, ids []string) ([]health.ComponentState, error)
}

// DefaultMonthFreezeGrace is how long after a month's end its figures
// are frozen by default: twice an agent's default spool age (24 h), so
// that results spooled through a day-long Kafka outage and a day of
// aggregator downtime still count.
const DefaultMonthFreezeGrace = 48 * time.Hour

// Freezing pace: a pass over the owned components every freezeInterval,
// freezeChunk components per sweep, so that no sweep holds up the results
// for long.
const (
	freezeInterval = time.Hour
	freezeChunk    = 200
)

// freezeDue takes the next chunk of the owned components to freeze, and
// starts a new pass over them once freezeInterval has passed.
func (a *Aggregator) freezeDue(o *owned, now time.Time) []string {
	if a.opts.Months == nil || a.opts.MonthInputs == nil {
		return nil
	}
	if len(o.freezeQueue) == 0 {
		if !a.frozeAt.IsZero() && now.Sub(a.frozeAt) < freezeInterval {
			return nil
		}
		a.frozeAt = now
		o.freezeQueue = slices.Sorted(maps.Keys(o.compOf))
	}
	n := min(len(o.freezeQueue), freezeChunk)
	ids := o.freezeQueue[:n]
	o.freezeQueue = o.freezeQueue[n:]
	return ids
}

// freezeMonths freezes the closed months of the components that are over
// by the grace period and not frozen yet, and recomputes the frozen months
// that late results could still reach (those that ended within the
// maximum result age and the grace), counting and logging once each one
// that disagrees. Only the owner of a component's partition calls it;
// the writes are idempotent all the same.
func (a *Aggregator) freezeMonths(ctx context.Context, ids []string, now time.Time) error {
	byLoc := map[*time.Location][]string{}
	for _, id := range ids {
		loc := a.eval.Location(id)
		byLoc[loc] = append(byLoc[loc], id)
	}
	for loc, ids := range byLoc {
		if err := a.freezeZone(ctx, ids, loc, now); err != nil {
			return err
		}
	}
	return nil
}

// freezeZone freezes the months of components of one time zone.
func (a *Aggregator) freezeZone(ctx context.Context, ids []string, loc *time.Location, now time.Time) error {
	grace := a.opts.MonthFreezeGrace
	// The months within the bucket retention that are over by the grace.
	lo := uptime.MonthOf(uptime.DayOf(now.Add(-a.opts.BucketRetention), loc)).Next()
	hi := uptime.MonthOf(uptime.DayOf(now, loc))
	for hi >= lo && now.Before(hi.End(loc).Add(grace)) {
		hi = uptime.Month(hi.First().AddDays(-1) / 100)
	}
	if hi < lo {
		return nil
	}
	// Late results reach back MaxAge: months that ended before are final.
	reach := a.eval.MaxAge() + grace
	frozen, err := a.opts.Months.FrozenMonths(ctx, ids, lo, hi)
	if err != nil {
		return fmt.Errorf("read frozen months: %w", err)
	}
	have := map[string]map[uptime.Month]uptime.FrozenMonth{}
	for _, fm := range frozen {
		if have[fm.ComponentID] == nil {
			have[fm.ComponentID] = map[uptime.Month]uptime.FrozenMonth{}
		}
		have[fm.ComponentID][fm.Month] = fm
	}
	// Read from the oldest month anyone still needs.
	from := hi.Next()
	for _, id := range ids {
		for m := lo; m <= hi; m = m.Next() {
			if _, ok := have[id][m]; !ok || now.Sub(m.End(loc)) <= reach {
				from = min(from, m)
				break
			}
		}
	}
	if from > hi {
		return nil
	}
	compute, err := a.monthTotals(ctx, ids, from, hi, loc, now)
	if err != nil {
		return err
	}
	var fresh []uptime.FrozenMonth
	var suspects []uptime.FrozenMonth
	for _, id := range ids {
		for m := from; m <= hi; m = m.Next() {
			t, ok := compute(id, m)
			if !ok {
				continue
			}
			fm, was := have[id][m]
			switch {
			case !was:
				fresh = append(fresh, uptime.FrozenMonth{ComponentID: id, Month: m, Totals: t, FrozenAt: now})
			case t != fm.Totals && now.Sub(m.End(loc)) <= reach:
				suspects = append(suspects, fm)
			}
		}
	}
	if len(fresh) > 0 {
		n, err := a.opts.Months.FreezeMonths(ctx, fresh)
		if err != nil {
			return fmt.Errorf("freeze months: %w", err)
		}
		a.m.frozenMonths.Add(float64(n))
		a.opts.Logger.Info("froze closed months", "months", n, "components", len(ids), "through", hi.String())
	}
	if len(suspects) > 0 {
		return a.confirmMismatches(ctx, suspects, from, hi, loc, now)
	}
	return nil
}

// confirmMismatches reads the suspects' inputs again, so that a write
// committed between two reads is not taken for a change of history, and
// records each mismatch that remains, once.
func (a *Aggregator) confirmMismatches(ctx context.Context, suspects []uptime.FrozenMonth, from, to uptime.Month,
	loc *time.Location, now time.Time) error {
	var ids []string
	for _, fm := range suspects {
		ids = append(ids, fm.ComponentID)
	}
	slices.Sort(ids)
	compute, err := a.monthTotals(ctx, slices.Compact(ids), from, to, loc, now)
	if err != nil {
		return err
	}
	for _, fm := range suspects {
		t, ok := compute(fm.ComponentID, fm.Month)
		if !ok || t == fm.Totals {
			continue
		}
		first, err := a.opts.Months.MarkFrozenMismatch(ctx, fm.ComponentID, fm.Month, t, now)
		if err != nil {
			return fmt.Errorf("record frozen month mismatch: %w", err)
		}
		if first {
			a.m.frozenMismatches.Inc()
			a.opts.Logger.Warn("a frozen month no longer matches its day buckets; serving it as frozen",
				"component_id", fm.ComponentID, "month", fm.Month.String(), "frozen_at", fm.FrozenAt,
				"frozen_impact_ms", fm.Impact, "recomputed_impact_ms", t.Impact,
				"frozen_observed_ms", fm.Observed, "recomputed_observed_ms", t.Observed,
				"frozen_outages", fm.Outages, "recomputed_outages", t.Outages)
		}
	}
	return nil
}

// monthTotals reads the buckets and cursors of ids for the months
// from..to and returns what computes a month's totals.
func (a *Aggregator) monthTotals(ctx context.Context, ids []string, from, to uptime.Month, loc *time.Location,
	now time.Time) (func(id string, m uptime.Month) (uptime.Totals, bool), error) {
	states, err := a.opts.MonthInputs.ComponentStatesOf(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read component states: %w", err)
	}
	cursors := make(map[string]uptime.Cursor, len(states))
	for _, s := range states {
		cursors[s.ComponentID] = s.Uptime
	}
	bs, err := a.opts.MonthInputs.DayBuckets(ctx, ids, from.First(), to.Last())
	if err != nil {
		return nil, fmt.Errorf("read day buckets: %w", err)
	}
	byComp := map[string][]uptime.Bucket{}
	for _, b := range bs {
		byComp[b.ComponentID] = append(byComp[b.ComponentID], b)
	}
	w := a.eval.Weights()
	return func(id string, m uptime.Month) (uptime.Totals, bool) {
		return uptime.Freeze(byComp[id], cursors[id], m, now, loc, w)
	}, nil
}
