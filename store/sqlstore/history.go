package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/statusd/statusd/componentstatus"
	"github.com/statusd/statusd/status"
)

// historyRow is one history entry to append.
type historyRow struct {
	componentID string
	componentstatus.Change
}

// historyPerInsert × 6 parameters stays under both backends' limits.
const historyPerInsert = 500

func (s *Store) appendHistory(ctx context.Context, tx *sql.Tx, rows []historyRow) error {
	for start := 0; start < len(rows); start += historyPerInsert {
		chunk := rows[start:min(start+historyPerInsert, len(rows))]
		var q strings.Builder
		q.WriteString(`INSERT INTO component_status_history (component_id, from_status, to_status, source, ref_id, at) VALUES `)
		args := make([]any, 0, 6*len(chunk))
		for i, r := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, r.componentID, string(r.From), string(r.To), string(r.Source), r.RefID, ms(r.At))
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(q.String()), args...); err != nil {
			return fmt.Errorf("append %d status history entries: %w", len(chunk), err)
		}
	}
	return nil
}

// StatusHistory lists the entries q selects, newest first.
func (s *Store) StatusHistory(ctx context.Context, q componentstatus.HistoryQuery) ([]componentstatus.Entry, error) {
	where := []string{"component_id = ?"}
	args := []any{q.ComponentID}
	if !q.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, ms(q.From))
	}
	if !q.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, ms(q.To))
	}
	if q.Before.ID > 0 {
		at := ms(q.Before.At)
		where, args = append(where, "(at < ? OR (at = ? AND id < ?))"), append(args, at, at, q.Before.ID)
	}
	args = append(args, q.Limit)
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`
		SELECT id, from_status, to_status, source, ref_id, at FROM component_status_history
		WHERE `+strings.Join(where, " AND ")+` ORDER BY at DESC, id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("list status history of %s: %w", q.ComponentID, err)
	}
	out := []componentstatus.Entry{}
	for rows.Next() {
		var (
			e                componentstatus.Entry
			from, to, source string
			at               int64
		)
		if err := rows.Scan(&e.ID, &from, &to, &source, &e.RefID, &at); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan status history: %w", err))
		}
		e.ComponentID, e.From, e.To, e.Source, e.At = q.ComponentID, status.Status(from), status.Status(to),
			componentstatus.Source(source), fromMS(at)
		out = append(out, e)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list status history of %s: %w", q.ComponentID, err)
	}
	return out, nil
}
