package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/uptime"
)

// The day bucket upsert, like the component state upsert: many rows per
// statement, only for components that still exist, and only where the
// stored row is not newer (seq). Rows are absolute totals.
const (
	upsertDayBucketsHead = `
	INSERT INTO day_buckets (component_id, day, major_ms, partial_ms, degraded_ms, maintenance_ms, no_data_ms,
		observed_ms, impact_ms, outages, seq)
	SELECT column1, column2, column3, column4, column5, column6, column7, column8, column9, column10, column11
	FROM (VALUES `
	upsertDayBucketsRow = `(CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS BIGINT),
		CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT),
		CAST(? AS INTEGER), CAST(? AS BIGINT))`
	upsertDayBucketsTail = `) AS v
	WHERE EXISTS (SELECT 1 FROM components c WHERE c.id = v.column1)
	ON CONFLICT (component_id, day) DO UPDATE SET major_ms = excluded.major_ms, partial_ms = excluded.partial_ms,
		degraded_ms = excluded.degraded_ms, maintenance_ms = excluded.maintenance_ms,
		no_data_ms = excluded.no_data_ms, observed_ms = excluded.observed_ms, impact_ms = excluded.impact_ms,
		outages = excluded.outages, seq = excluded.seq
	WHERE day_buckets.seq <= excluded.seq`
	// bucketsPerUpsert × 11 parameters stays under both backends' limits.
	bucketsPerUpsert = 500
)

// upsertDayBuckets writes buckets in one statement.
func (s *Store) upsertDayBuckets(ctx context.Context, tx *sql.Tx, bs []health.DayBucket) error {
	var q strings.Builder
	q.WriteString(upsertDayBucketsHead)
	args := make([]any, 0, 11*len(bs))
	for i, b := range bs {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(upsertDayBucketsRow)
		args = append(args, b.ComponentID, int64(b.Day), b.Major, b.Partial, b.Degraded, b.Maintenance,
			b.NoData, b.Observed, b.Impact, b.Outages, b.Seq)
	}
	q.WriteString(upsertDayBucketsTail)
	if _, err := tx.ExecContext(ctx, s.d.rebind(q.String()), args...); err != nil {
		return fmt.Errorf("upsert %d day buckets: %w", len(bs), err)
	}
	return nil
}

// DayBuckets lists the buckets of the given components for the days
// from..to, sorted by component and day.
func (s *Store) DayBuckets(ctx context.Context, ids []string, from, to uptime.Day) ([]uptime.Bucket, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+2)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, int64(from), int64(to))
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`
		SELECT component_id, day, major_ms, partial_ms, degraded_ms, maintenance_ms, no_data_ms, observed_ms,
			impact_ms, outages
		FROM day_buckets WHERE component_id IN (`+placeholders(len(ids))+`) AND day BETWEEN ? AND ?
		ORDER BY component_id, day`), args...)
	if err != nil {
		return nil, fmt.Errorf("read day buckets: %w", err)
	}
	return scanBuckets(rows)
}

// DayBucketsIn lists the buckets of the given components for the days of
// the spans (each from..to, both included), sorted by component and day,
// in one query.
func (s *Store) DayBucketsIn(ctx context.Context, ids []string, spans [][2]uptime.Day) ([]uptime.Bucket, error) {
	if len(ids) == 0 || len(spans) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+2*len(spans))
	for _, id := range ids {
		args = append(args, id)
	}
	days := make([]string, len(spans))
	for i, sp := range spans {
		days[i] = "day BETWEEN ? AND ?"
		args = append(args, int64(sp[0]), int64(sp[1]))
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`
		SELECT component_id, day, major_ms, partial_ms, degraded_ms, maintenance_ms, no_data_ms, observed_ms,
			impact_ms, outages
		FROM day_buckets WHERE component_id IN (`+placeholders(len(ids))+`) AND (`+strings.Join(days, " OR ")+`)
		ORDER BY component_id, day`), args...)
	if err != nil {
		return nil, fmt.Errorf("read day buckets: %w", err)
	}
	return scanBuckets(rows)
}

// scanBuckets reads the rows of a day bucket query and closes them.
func scanBuckets(rows *sql.Rows) ([]uptime.Bucket, error) {
	var out []uptime.Bucket
	for rows.Next() {
		var b uptime.Bucket
		var day int64
		if err := rows.Scan(&b.ComponentID, &day, &b.Major, &b.Partial, &b.Degraded, &b.Maintenance, &b.NoData,
			&b.Observed, &b.Impact, &b.Outages); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan day bucket: %w", err))
		}
		b.Day = uptime.Day(day)
		out = append(out, b)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("read day buckets: %w", err)
	}
	return out, nil
}

// PruneDayBuckets deletes the buckets of days before the given one and
// returns how many it deleted: the retention of day buckets.
func (s *Store) PruneDayBuckets(ctx context.Context, before uptime.Day) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.d.rebind(`DELETE FROM day_buckets WHERE day < ?`), int64(before))
	if err != nil {
		return 0, fmt.Errorf("prune day buckets before %s: %w", before, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune day buckets before %s: %w", before, err)
	}
	return n, nil
}
