package aggregator

import (
	"context"
	"time"

	"github.com/statusd/statusd/uptime"
)

// BucketPruner deletes day buckets older than the retention.
type BucketPruner interface {
	PruneDayBuckets(ctx context.Context, before uptime.Day) (int64, error)
}

// FrozenPruner deletes frozen months older than the retention; prune
// calls it when the BucketPruner is one too.
type FrozenPruner interface {
	PruneFrozenMonths(ctx context.Context, before uptime.Month) (int64, error)
}

// SeriesRetention drops the time series past their retention.
type SeriesRetention interface {
	DropExpired(ctx context.Context, now time.Time) (dropped int, err error)
}

// DefaultBucketRetention is how long day buckets are kept by default.
const DefaultBucketRetention = 400 * 24 * time.Hour

// pruneInterval is how often the day buckets past the retention are
// deleted.
const pruneInterval = time.Hour

// prune drops the time-series partitions and deletes the day buckets past
// their retentions, at most once per pruneInterval. Days are of the pages' time zones, so the cut is a day
// early in UTC: a bucket is kept at least the retention, never less.
func (a *Aggregator) prune(ctx context.Context, now time.Time) {
	if now.Sub(a.pruned) < pruneInterval {
		return
	}
	a.pruned = now
	if a.opts.SeriesRetention != nil {
		if _, err := a.opts.SeriesRetention.DropExpired(ctx, now); err != nil {
			a.opts.Logger.Warn("drop time-series partitions past the retention", "err", err)
		}
	}
	if a.opts.Buckets == nil {
		return
	}
	before := uptime.DayOf(now.Add(-a.opts.BucketRetention), time.UTC).AddDays(-1)
	n, err := a.opts.Buckets.PruneDayBuckets(ctx, before)
	if err != nil {
		a.opts.Logger.Warn("prune day buckets", "err", err)
		return
	}
	if n > 0 {
		a.opts.Logger.Info("pruned day buckets past the retention", "buckets", n, "before", before.String())
	}
	fp, ok := a.opts.Buckets.(FrozenPruner)
	if !ok {
		return
	}
	// Only months wholly before the cut: their every day is past the retention.
	m := uptime.MonthOf(before)
	n, err = fp.PruneFrozenMonths(ctx, m)
	if err != nil {
		a.opts.Logger.Warn("prune frozen months", "err", err)
		return
	}
	if n > 0 {
		a.opts.Logger.Info("pruned frozen months past the retention", "months", n, "before", m.String())
	}
}
