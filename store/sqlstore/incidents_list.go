package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/statusd/statusd/incident"
)

// inChunk bounds the IDs bound in one IN list.
const inChunk = 500

// Incidents lists incidents newest first (by created_at, then ID), each with
// its component IDs and its updates newest first. pageID "" means every
// page; unresolvedOnly leaves out resolved incidents; limit <= 0 means no
// limit.
func (s *Store) Incidents(ctx context.Context, pageID string, unresolvedOnly bool, limit int) ([]incident.Incident, error) {
	query := `SELECT id, page_id, name, status, impact, automatic, created_at, updated_at, resolved_at
		FROM incidents WHERE 1 = 1`
	var args []any
	if pageID != "" {
		query += ` AND page_id = ?`
		args = append(args, pageID)
	}
	if unresolvedOnly {
		query += ` AND resolved_at IS NULL`
	}
	query += ` ORDER BY created_at DESC, id DESC`
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	var (
		out   []incident.Incident
		index = map[int64]int{}
	)
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, closeRows(rows, err)
		}
		index[inc.ID] = len(out)
		out = append(out, inc)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	for start := 0; start < len(out); start += inChunk {
		ids := make([]any, 0, inChunk)
		for _, inc := range out[start:min(start+inChunk, len(out))] {
			ids = append(ids, inc.ID)
		}
		if err := s.incidentDetails(ctx, ids, out, index); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanIncident(rows *sql.Rows) (incident.Incident, error) {
	var (
		inc              incident.Incident
		st, impact       string
		created, updated int64
		resolved         sql.NullInt64
	)
	if err := rows.Scan(&inc.ID, &inc.PageID, &inc.Name, &st, &impact, &inc.Automatic,
		&created, &updated, &resolved); err != nil {
		return inc, fmt.Errorf("scan incident: %w", err)
	}
	inc.Status, inc.Impact = incident.Status(st), incident.Impact(impact)
	inc.CreatedAt, inc.UpdatedAt = fromMS(created), fromMS(updated)
	if resolved.Valid {
		inc.ResolvedAt = fromMS(resolved.Int64)
	}
	return inc, nil
}

// incidentDetails fills in the components and updates of the incidents
// with the given IDs.
func (s *Store) incidentDetails(ctx context.Context, ids []any, out []incident.Incident, index map[int64]int) error {
	in := `(` + placeholders(len(ids)) + `)`
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT incident_id, component_id FROM incident_components
		WHERE incident_id IN `+in+` ORDER BY incident_id, position`), ids...)
	if err != nil {
		return fmt.Errorf("list incident components: %w", err)
	}
	for rows.Next() {
		var (
			id   int64
			comp string
		)
		if err := rows.Scan(&id, &comp); err != nil {
			return closeRows(rows, fmt.Errorf("scan incident component: %w", err))
		}
		out[index[id]].ComponentIDs = append(out[index[id]].ComponentIDs, comp)
	}
	if err := closeRows(rows, nil); err != nil {
		return fmt.Errorf("list incident components: %w", err)
	}
	rows, err = s.db.QueryContext(ctx, s.d.rebind(`SELECT incident_id, id, status, body, created_at FROM incident_updates
		WHERE incident_id IN `+in+` ORDER BY incident_id, created_at DESC, id DESC`), ids...)
	if err != nil {
		return fmt.Errorf("list incident updates: %w", err)
	}
	for rows.Next() {
		var (
			id, created int64
			u           incident.Update
			st          string
		)
		if err := rows.Scan(&id, &u.ID, &st, &u.Body, &created); err != nil {
			return closeRows(rows, fmt.Errorf("scan incident update: %w", err))
		}
		u.Status, u.CreatedAt = incident.Status(st), fromMS(created)
		out[index[id]].Updates = append(out[index[id]].Updates, u)
	}
	if err := closeRows(rows, nil); err != nil {
		return fmt.Errorf("list incident updates: %w", err)
	}
	return nil
}
