package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
)

// CreateIncident stores an incident with its components and updates (given
// newest first, as in incident.Incident) and returns its ID. Its page is the
// page of its first component, or inc.PageID when it names no known
// component. A resolved incident without ResolvedAt is resolved at its
// UpdatedAt; ResolvedAt is ignored unless the status is resolved.
func (s *Store) CreateIncident(ctx context.Context, inc incident.Incident) (int64, error) {
	if err := validIncident(inc); err != nil {
		return 0, fmt.Errorf("create incident: %w", err)
	}
	var id int64
	err := s.inTx(ctx, "create incident", 0, func(tx *sql.Tx) error {
		var err error
		id, err = s.insertIncident(ctx, tx, inc)
		return err
	})
	return id, err
}

func validIncident(inc incident.Incident) error {
	switch {
	case inc.Name == "":
		return errors.New("name is required")
	case !slices.Contains([]incident.Status{incident.Investigating, incident.Identified,
		incident.Monitoring, incident.Resolved}, inc.Status):
		return fmt.Errorf("status: must be investigating, identified, monitoring or resolved, got %q", inc.Status)
	case !slices.Contains([]incident.Impact{incident.ImpactNone, incident.ImpactMinor,
		incident.ImpactMajor, incident.ImpactCritical}, inc.Impact):
		return fmt.Errorf("impact: must be none, minor, major or critical, got %q", inc.Impact)
	case inc.CreatedAt.IsZero():
		return errors.New("created_at is required")
	case len(inc.ComponentIDs) == 0 && inc.PageID == "":
		return errors.New("page_id or component_ids is required")
	}
	return nil
}

// insertIncident writes inc in tx and returns its ID.
func (s *Store) insertIncident(ctx context.Context, tx *sql.Tx, inc incident.Incident) (int64, error) {
	page, err := s.incidentPage(ctx, tx, inc)
	if err != nil {
		return 0, err
	}
	if inc.UpdatedAt.IsZero() {
		inc.UpdatedAt = inc.CreatedAt
	}
	var resolved sql.NullInt64
	if inc.Status == incident.Resolved {
		at := inc.ResolvedAt
		if at.IsZero() {
			at = inc.UpdatedAt
		}
		resolved = sql.NullInt64{Int64: ms(at), Valid: true}
	}
	var id int64
	if err := tx.QueryRowContext(ctx, s.d.rebind(`
		INSERT INTO incidents (page_id, name, status, impact, automatic, created_at, updated_at, resolved_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		page, inc.Name, string(inc.Status), string(inc.Impact), inc.Automatic,
		ms(inc.CreatedAt), ms(inc.UpdatedAt), resolved).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert incident: %w", err)
	}
	seen := map[string]bool{}
	for _, c := range inc.ComponentIDs {
		if seen[c] {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`
			INSERT INTO incident_components (incident_id, component_id, position) VALUES (?, ?, ?)`),
			id, c, len(seen)); err != nil {
			return 0, fmt.Errorf("insert component %s of incident %d: %w", c, id, err)
		}
		seen[c] = true
	}
	for i := len(inc.Updates) - 1; i >= 0; i-- { // oldest first, so IDs follow time
		u := inc.Updates[i]
		if u.CreatedAt.IsZero() {
			u.CreatedAt = inc.CreatedAt
		}
		if err := s.insertUpdate(ctx, tx, id, u); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func (s *Store) insertUpdate(ctx context.Context, tx *sql.Tx, incidentID int64, u incident.Update) error {
	if _, err := tx.ExecContext(ctx, s.d.rebind(`
		INSERT INTO incident_updates (incident_id, status, body, created_at) VALUES (?, ?, ?, ?)`),
		incidentID, string(u.Status), u.Body, ms(u.CreatedAt)); err != nil {
		return fmt.Errorf("insert update of incident %d: %w", incidentID, err)
	}
	return nil
}

// incidentPage is the page of the incident's first component, or its own
// PageID when that component is unknown.
func (s *Store) incidentPage(ctx context.Context, tx *sql.Tx, inc incident.Incident) (string, error) {
	if len(inc.ComponentIDs) > 0 {
		var page string
		err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT page_id FROM components WHERE id = ?`),
			inc.ComponentIDs[0]).Scan(&page)
		switch {
		case err == nil:
			return page, nil
		case !errors.Is(err, sql.ErrNoRows):
			return "", fmt.Errorf("find page of component %s: %w", inc.ComponentIDs[0], err)
		}
	}
	if inc.PageID == "" {
		return "", fmt.Errorf("incident %q: no page: component %v is unknown and page_id is empty", inc.Name, inc.ComponentIDs)
	}
	return inc.PageID, nil
}

// openAutomatic opens an automatic incident unless an unresolved incident,
// automatic or manual, already includes one of its components.
func (s *Store) openAutomatic(ctx context.Context, tx *sql.Tx, inc incident.Incident) error {
	if len(inc.ComponentIDs) == 0 {
		return fmt.Errorf("open incident %q: it names no component", inc.Name)
	}
	args := make([]any, len(inc.ComponentIDs))
	for i, c := range inc.ComponentIDs {
		args[i] = c
	}
	var open int
	if err := tx.QueryRowContext(ctx, s.d.rebind(`
		SELECT COUNT(*) FROM incidents i JOIN incident_components ic ON ic.incident_id = i.id
		WHERE i.resolved_at IS NULL AND ic.component_id IN (`+placeholders(len(args))+`)`),
		args...).Scan(&open); err != nil {
		return fmt.Errorf("find open incidents of %v: %w", inc.ComponentIDs, err)
	}
	if open > 0 {
		s.log.DebugContext(ctx, "incident already open", "components", inc.ComponentIDs)
		return nil
	}
	inc.Automatic = true
	if _, err := s.insertIncident(ctx, tx, inc); err != nil {
		return fmt.Errorf("open incident of %v: %w", inc.ComponentIDs, err)
	}
	return nil
}

// resolveAutomatic resolves the unresolved automatic incidents that include
// the component, posting a resolved update to each.
func (s *Store) resolveAutomatic(ctx context.Context, tx *sql.Tx, r health.Resolution) error {
	rows, err := tx.QueryContext(ctx, s.d.rebind(`
		SELECT i.id FROM incidents i JOIN incident_components ic ON ic.incident_id = i.id
		WHERE ic.component_id = ? AND i.automatic = ? AND i.resolved_at IS NULL ORDER BY i.id`),
		r.ComponentID, true)
	if err != nil {
		return fmt.Errorf("find automatic incidents of %s: %w", r.ComponentID, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return closeRows(rows, fmt.Errorf("scan incident id: %w", err))
		}
		ids = append(ids, id)
	}
	if err := closeRows(rows, nil); err != nil {
		return fmt.Errorf("find automatic incidents of %s: %w", r.ComponentID, err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`
			UPDATE incidents SET status = ?, resolved_at = ?, updated_at = ? WHERE id = ?`),
			string(incident.Resolved), ms(r.At), ms(r.At), id); err != nil {
			return fmt.Errorf("resolve incident %d: %w", id, err)
		}
		if err := s.insertUpdate(ctx, tx, id, incident.Update{Status: incident.Resolved, Body: r.Body, CreatedAt: r.At}); err != nil {
			return err
		}
	}
	return nil
}
