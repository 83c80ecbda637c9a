package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// inChunk bounds the IDs bound in one IN list.
const inChunk = 500

// Incidents lists the public incidents of a page: newest first (by
// created_at, then ID), each with its component IDs and its public
// updates newest first, never a private or deleted one. pageID "" means
// every page; unresolvedOnly leaves out resolved incidents; limit <= 0
// means no limit.
func (s *Store) Incidents(ctx context.Context, pageID string, unresolvedOnly bool, limit int) ([]incident.Incident, error) {
	list, _, err := s.ListIncidents(ctx, incident.Filter{PageID: pageID, UnresolvedOnly: unresolvedOnly, Limit: limit})
	return list, err
}

// ListIncidents lists the incidents f selects, newest first, and how many
// it selects in all.
func (s *Store) ListIncidents(ctx context.Context, f incident.Filter) ([]incident.Incident, int, error) {
	where, args := []string{"deleted_at = 0"}, []any{}
	if f.PageID != "" {
		where, args = append(where, "page_id = ?"), append(args, f.PageID)
	}
	if !f.Private {
		where, args = append(where, "private = ?"), append(args, false)
	}
	if f.UnresolvedOnly {
		where = append(where, "resolved_at IS NULL")
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM incidents`+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count incidents: %w", err)
	}
	query := `SELECT ` + incidentColumns + ` FROM incidents` + cond + ` ORDER BY created_at DESC, id DESC`
	if f.Limit > 0 {
		query, args = query+` LIMIT ? OFFSET ?`, append(args, f.Limit, max(f.Offset, 0))
	} else if f.Offset > 0 {
		query, args = query+` LIMIT -1 OFFSET ?`, append(args, f.Offset)
		if s.d.name == "postgres" {
			query = strings.Replace(query, "LIMIT -1 ", "", 1)
		}
	}
	out, err := s.readIncidents(ctx, s.db, query, args, f.Private)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// Incident returns one incident, with its private updates, deleted or
// not, or a *catalog.NotFoundError.
func (s *Store) Incident(ctx context.Context, id int64) (incident.Incident, error) {
	return s.incidentIn(ctx, s.db, id, false)
}

// incidentIn reads incident id with q; forUpdate locks its row on
// PostgreSQL until the transaction ends.
func (s *Store) incidentIn(ctx context.Context, q querier, id int64, forUpdate bool) (incident.Incident, error) {
	query := `SELECT ` + incidentColumns + ` FROM incidents WHERE id = ?`
	if forUpdate && s.d.name == "postgres" {
		query += ` FOR UPDATE`
	}
	list, err := s.readIncidents(ctx, q, query, []any{id}, true)
	if err != nil {
		return incident.Incident{}, err
	}
	if len(list) == 0 {
		return incident.Incident{}, &catalog.NotFoundError{Kind: "incident", ID: fmt.Sprint(id)}
	}
	return list[0], nil
}

// readIncidents runs query, which selects incidentColumns, and fills in
// each incident's components and updates (private ones too when private).
func (s *Store) readIncidents(ctx context.Context, q querier, query string, args []any, private bool) ([]incident.Incident, error) {
	rows, err := q.QueryContext(ctx, s.d.rebind(query), args...)
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
		if err := s.incidentComponents(ctx, q, ids, out, index); err != nil {
			return nil, err
		}
		if err := s.incidentUpdates(ctx, q, ids, out, index, private); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// incidentComponents fills in the component IDs and the component statuses
// of the incidents with the given IDs.
func (s *Store) incidentComponents(ctx context.Context, q querier, ids []any, out []incident.Incident, index map[int64]int) error {
	rows, err := q.QueryContext(ctx, s.d.rebind(`SELECT incident_id, component_id, status, status_position
		FROM incident_components WHERE incident_id IN (`+placeholders(len(ids))+`) ORDER BY incident_id, position`), ids...)
	if err != nil {
		return fmt.Errorf("list incident components: %w", err)
	}
	pos := map[int64][]int{}
	for rows.Next() {
		var (
			id, at   int64
			comp, st string
		)
		if err := rows.Scan(&id, &comp, &st, &at); err != nil {
			return closeRows(rows, fmt.Errorf("scan incident component: %w", err))
		}
		inc := &out[index[id]]
		inc.ComponentIDs = append(inc.ComponentIDs, comp)
		if st != "" {
			inc.Components = append(inc.Components, incident.ComponentStatus{ComponentID: comp, Status: status.Status(st)})
			pos[id] = append(pos[id], int(at))
		}
	}
	if err := closeRows(rows, nil); err != nil {
		return fmt.Errorf("list incident components: %w", err)
	}
	for id, p := range pos { // back into the order the incident set them
		cs := out[index[id]].Components
		order := make([]int, len(cs))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return p[a] - p[b] })
		sorted := make([]incident.ComponentStatus, len(cs))
		for i, o := range order {
			sorted[i] = cs[o]
		}
		out[index[id]].Components = sorted
	}
	return nil
}

// incidentUpdates fills in the updates, newest first by display time.
func (s *Store) incidentUpdates(ctx context.Context, q querier, ids []any, out []incident.Incident, index map[int64]int, private bool) error {
	n, cond := len(ids), ""
	if !private {
		cond = ` AND private = ?`
		ids = append(slices.Clone(ids), false)
	}
	rows, err := q.QueryContext(ctx, s.d.rebind(`SELECT incident_id, `+updateColumns+` FROM incident_updates
		WHERE incident_id IN (`+placeholders(n)+`)`+cond+`
		ORDER BY incident_id, CASE WHEN display_at = 0 THEN created_at ELSE display_at END DESC, id DESC`), ids...)
	if err != nil {
		return fmt.Errorf("list incident updates: %w", err)
	}
	for rows.Next() {
		id, u, err := scanUpdate(rows)
		if err != nil {
			return closeRows(rows, err)
		}
		out[index[id]].Updates = append(out[index[id]].Updates, u)
	}
	if err := closeRows(rows, nil); err != nil {
		return fmt.Errorf("list incident updates: %w", err)
	}
	return nil
}
