package chstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/statusd/statusd/series"
)

// Series sums the rollup the query's step calls for (results_1h for whole
// hours, results_1m otherwise) per step of the query, for its components,
// and returns the steps that have results, in time order. Steps are
// aligned on the Unix epoch, as the query's From and To are.
func (s *Store) Series(ctx context.Context, q series.Query) ([]series.Point, error) {
	if len(q.ComponentIDs) == 0 {
		return nil, nil
	}
	table, col := "results_1m", "minute"
	if q.Rollup() == series.Hour {
		table, col = "results_1h", "hour"
	}
	step := int64(q.Step / time.Second)
	args := []any{step, step}
	for _, id := range q.ComponentIDs {
		args = append(args, id)
	}
	args = append(args, q.From.Unix(), q.To.Unix())
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(q.ComponentIDs)), ", ")
	rows, err := s.conn.Query(ctx, s.q(`SELECT intDiv(toInt64(toUInt32(`+col+`)), ?) * ? AS slot,
		sum(total), sum(successes), sum(duration_us_sum)
		FROM {db}.`+table+`
		WHERE component_id IN (`+marks+`) AND `+col+` >= toDateTime(?) AND `+col+` < toDateTime(?)
		GROUP BY slot ORDER BY slot`), args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	var out []series.Point
	for rows.Next() {
		var slot int64
		var total, successes uint64
		var dur int64
		if err := rows.Scan(&slot, &total, &successes, &dur); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan %s: %w", table, err))
		}
		out = append(out, series.Point{Time: time.Unix(slot, 0).UTC(), Total: int64(total), Successes: int64(successes),
			DurationSumUS: dur})
	}
	if err := closeRows(rows, rows.Err()); err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return out, nil
}
