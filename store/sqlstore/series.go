package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/statusd/statusd/series"
)

// Series sums the stored results of the query's components per step, by
// their start time, and returns the steps that have results, in time
// order. Standalone keeps no rollup: it serves charts from its results
// table (read through the (component, check, started) index), which holds
// a small installation's results well. Steps are aligned on the Unix
// epoch, as the query's From and To are.
func (s *Store) Series(ctx context.Context, q series.Query) ([]series.Point, error) {
	if len(q.ComponentIDs) == 0 {
		return nil, nil
	}
	step := q.Step.Milliseconds()
	args := []any{step, step}
	for _, id := range q.ComponentIDs {
		args = append(args, id)
	}
	args = append(args, ms(q.From), ms(q.To))
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`
		SELECT (started / CAST(? AS BIGINT)) * CAST(? AS BIGINT) AS slot, COUNT(*),
			SUM(CASE WHEN success THEN 1 ELSE 0 END), SUM(duration_us)
		FROM results WHERE component_id IN (`+placeholders(len(q.ComponentIDs))+`) AND started >= ? AND started < ?
		GROUP BY slot ORDER BY slot`), args...)
	if err != nil {
		return nil, fmt.Errorf("read result series: %w", err)
	}
	var out []series.Point
	for rows.Next() {
		var p series.Point
		var slot int64
		if err := rows.Scan(&slot, &p.Total, &p.Successes, &p.DurationSumUS); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan result series: %w", err))
		}
		p.Time = time.UnixMilli(slot).UTC()
		out = append(out, p)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("read result series: %w", err)
	}
	return out, nil
}
