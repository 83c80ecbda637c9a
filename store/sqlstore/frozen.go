package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/statusd/statusd/uptime"
)

// Frozen months are written once: a second write of the same component and
// month, by this aggregator or another, changes nothing.
const (
	freezeMonthsHead = `
	INSERT INTO frozen_months (component_id, month, major_ms, partial_ms, degraded_ms, maintenance_ms, no_data_ms,
		observed_ms, impact_ms, outages, frozen_at)
	SELECT column1, column2, column3, column4, column5, column6, column7, column8, column9, column10, column11
	FROM (VALUES `
	freezeMonthsTail = `) AS v
	WHERE EXISTS (SELECT 1 FROM components c WHERE c.id = v.column1)
	ON CONFLICT (component_id, month) DO NOTHING`
)

// FreezeMonths writes the frozen totals of closed months, each unless one
// is stored already for its component and month, and returns how many it
// wrote. Months of components that no longer exist are left out.
func (s *Store) FreezeMonths(ctx context.Context, months []uptime.FrozenMonth) (int64, error) {
	var n int64
	for len(months) > 0 {
		chunk := months[:min(len(months), bucketsPerUpsert)]
		months = months[len(chunk):]
		var q strings.Builder
		q.WriteString(freezeMonthsHead)
		args := make([]any, 0, 11*len(chunk))
		for i, m := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(upsertDayBucketsRow) // the same 11 columns' types
			args = append(args, m.ComponentID, int64(m.Month), m.Major, m.Partial, m.Degraded, m.Maintenance,
				m.NoData, m.Observed, m.Impact, m.Outages, ms(m.FrozenAt))
		}
		q.WriteString(freezeMonthsTail)
		res, err := s.db.ExecContext(ctx, s.d.rebind(q.String()), args...)
		if err != nil {
			return n, fmt.Errorf("freeze %d months: %w", len(chunk), err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return n, fmt.Errorf("freeze %d months: %w", len(chunk), err)
		}
		n += k
	}
	if n > 0 {
		// What the metrics endpoint serves changed: a reader that sees the
		// new stored version asks for the frozen months again.
		if _, err := s.db.ExecContext(ctx, `UPDATE stored_version SET v = v + 1, frozen = frozen + 1 WHERE id = 1`); err != nil {
			return n, fmt.Errorf("freeze months: move stored version: %w", err)
		}
	}
	return n, nil
}

// FrozenMonths lists the frozen months of the given components from..to,
// sorted by component and month.
func (s *Store) FrozenMonths(ctx context.Context, ids []string, from, to uptime.Month) ([]uptime.FrozenMonth, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+2)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, int64(from), int64(to))
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`
		SELECT component_id, month, major_ms, partial_ms, degraded_ms, maintenance_ms, no_data_ms, observed_ms,
			impact_ms, outages, frozen_at
		FROM frozen_months WHERE component_id IN (`+placeholders(len(ids))+`) AND month BETWEEN ? AND ?
		ORDER BY component_id, month`), args...)
	if err != nil {
		return nil, fmt.Errorf("read frozen months: %w", err)
	}
	var out []uptime.FrozenMonth
	for rows.Next() {
		var m uptime.FrozenMonth
		var month, at int64
		if err := rows.Scan(&m.ComponentID, &month, &m.Major, &m.Partial, &m.Degraded, &m.Maintenance, &m.NoData,
			&m.Observed, &m.Impact, &m.Outages, &at); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan frozen month: %w", err))
		}
		m.Month, m.FrozenAt = uptime.Month(month), fromMS(at)
		out = append(out, m)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("read frozen months: %w", err)
	}
	return out, nil
}

// MarkFrozenMismatch records that a recomputation of a frozen month
// disagrees with it, keeping the frozen totals. It reports whether this
// is the first mismatch recorded for the month: only that one is logged
// and counted, by whichever aggregator records it.
func (s *Store) MarkFrozenMismatch(ctx context.Context, id string, m uptime.Month, recomputed uptime.Totals, at time.Time) (bool, error) {
	js, err := json.Marshal(recomputed)
	if err != nil {
		return false, fmt.Errorf("encode recomputed totals of %s %s: %w", id, m, err)
	}
	res, err := s.db.ExecContext(ctx, s.d.rebind(`UPDATE frozen_months SET mismatch_at = ?, mismatch = ?
		WHERE component_id = ? AND month = ? AND mismatch_at = 0`), ms(at), string(js), id, int64(m))
	if err != nil {
		return false, fmt.Errorf("mark frozen month %s of %s: %w", m, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark frozen month %s of %s: %w", m, id, err)
	}
	return n == 1, nil
}

// PruneFrozenMonths deletes the frozen months before the given one: the
// retention of frozen months follows that of the day buckets.
func (s *Store) PruneFrozenMonths(ctx context.Context, before uptime.Month) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.d.rebind(`DELETE FROM frozen_months WHERE month < ?`), int64(before))
	if err != nil {
		return 0, fmt.Errorf("prune frozen months before %s: %w", before, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune frozen months before %s: %w", before, err)
	}
	return n, nil
}
