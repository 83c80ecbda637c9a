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
	var id int64
	if err := tx.QueryRowContext(ctx, s.d.rebind(`INSERT INTO incidents (page_id, name, status, impact,
		automatic, created_at, updated_at, resolved_at, body, custom_status, private, started_at, backfilled,
		taken_over, postmortem_body, postmortem_at, notify_deliver, notify_tweet, custom_tweet, deleted_at)
		VALUES (?, `+placeholders(19)+`) RETURNING id`), append([]any{page}, incidentArgs(inc)...)...).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert incident: %w", err)
	}
	if err := s.writeComponents(ctx, tx, id, inc); err != nil {
		return 0, err
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

// applyIncidentAction carries out one step of a component's automatic
// incident. Open skips a component that already has an unresolved
// incident, automatic or manual; update and resolve act on its unresolved
// automatic incident, reopen on its most recently resolved one; each finds
// nothing to do when there is no such incident. A person's decision wins
// (incident.OnProbe): on an incident a person has acted on, update and
// resolve only post what the probes see, and reopen opens a new incident.
func (s *Store) applyIncidentAction(ctx context.Context, tx *sql.Tx, a health.IncidentAction) error {
	switch a.Kind {
	case health.ActionOpen:
		return s.openAutomatic(ctx, tx, a)
	case health.ActionUpdate, health.ActionResolve:
		id, ok, err := s.automaticIncident(ctx, tx, a.ComponentID, true)
		if err != nil || !ok {
			return err
		}
		ev := incident.ProbeWorse
		if a.Kind == health.ActionResolve {
			ev = incident.ProbeRecovered
		}
		return s.followProbes(ctx, tx, id, ev, a)
	case health.ActionReopen:
		id, ok, err := s.automaticIncident(ctx, tx, a.ComponentID, false)
		if err != nil {
			return err
		}
		if ok {
			taken, err := s.takenOver(ctx, tx, id)
			if err != nil {
				return err
			}
			if !taken {
				return s.advanceIncident(ctx, tx, id, a)
			}
		}
		return s.openAutomatic(ctx, tx, a)
	}
	return fmt.Errorf("incident action %q of component %s: unknown kind", a.Kind, a.ComponentID)
}

// followProbes applies a probe event to automatic incident id as
// incident.OnProbe decides.
func (s *Store) followProbes(ctx context.Context, tx *sql.Tx, id int64, ev incident.ProbeEvent, a health.IncidentAction) error {
	in, err := s.incidentIn(ctx, tx, id, true)
	if err != nil {
		return err
	}
	switch incident.OnProbe(in, ev) {
	case incident.DecideFollow:
		return s.advanceIncident(ctx, tx, id, a)
	case incident.DecideNote:
		body := a.Update.Body
		if ev == incident.ProbeRecovered {
			body += " A person is handling this incident, so it stays open until they resolve it."
		}
		out, _, err := incident.Apply(in, incident.NoteAction(body), incident.Env{Now: a.At})
		if err != nil {
			return fmt.Errorf("note probes on incident %d: %w", id, err)
		}
		return s.saveIncident(ctx, tx, in, out)
	}
	return nil
}

// takenOver reports whether a person has acted on incident id.
func (s *Store) takenOver(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	var taken bool
	if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT taken_over FROM incidents WHERE id = ?`), id).Scan(&taken); err != nil {
		return false, fmt.Errorf("read incident %d: %w", id, err)
	}
	return taken, nil
}

// openAutomatic opens an automatic incident unless an unresolved incident,
// automatic or manual, already includes the component.
func (s *Store) openAutomatic(ctx context.Context, tx *sql.Tx, a health.IncidentAction) error {
	var open int
	if err := tx.QueryRowContext(ctx, s.d.rebind(`
		SELECT COUNT(*) FROM incidents i JOIN incident_components ic ON ic.incident_id = i.id
		WHERE i.resolved_at IS NULL AND i.deleted_at = 0 AND ic.component_id = ?`), a.ComponentID).Scan(&open); err != nil {
		return fmt.Errorf("find open incidents of %s: %w", a.ComponentID, err)
	}
	if open > 0 {
		s.log.DebugContext(ctx, "incident already open", "component", a.ComponentID)
		return nil
	}
	inc := incident.Incident{
		PageID: a.PageID, Name: a.Name, Status: incident.Investigating, Impact: a.Impact, Automatic: true,
		ComponentIDs: []string{a.ComponentID}, CreatedAt: a.At, UpdatedAt: a.At, Updates: []incident.Update{a.Update},
	}
	if _, err := s.insertIncident(ctx, tx, inc); err != nil {
		return fmt.Errorf("open incident of %s: %w", a.ComponentID, err)
	}
	return nil
}

// automaticIncident finds the component's unresolved automatic incident
// (open) or its most recently resolved one (!open).
func (s *Store) automaticIncident(ctx context.Context, tx *sql.Tx, componentID string, open bool) (int64, bool, error) {
	cond := "i.resolved_at IS NULL"
	if !open {
		cond = "i.resolved_at IS NOT NULL"
	}
	var id int64
	err := tx.QueryRowContext(ctx, s.d.rebind(`
		SELECT i.id FROM incidents i JOIN incident_components ic ON ic.incident_id = i.id
		WHERE ic.component_id = ? AND i.automatic = ? AND i.deleted_at = 0 AND `+cond+` ORDER BY i.id DESC LIMIT 1`),
		componentID, true).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("find automatic incident of %s: %w", componentID, err)
	}
	return id, true, nil
}

// advanceIncident posts the action's update to incident id, with its new
// status, name and impact; resolve sets resolved_at, reopen clears it.
func (s *Store) advanceIncident(ctx context.Context, tx *sql.Tx, id int64, a health.IncidentAction) error {
	var resolved sql.NullInt64
	if a.Kind == health.ActionResolve {
		resolved = sql.NullInt64{Int64: ms(a.At), Valid: true}
	}
	q := `UPDATE incidents SET status = ?, updated_at = ?, resolved_at = ?`
	args := []any{string(a.Update.Status), ms(a.At), resolved}
	if a.Name != "" {
		q += `, name = ?, impact = ?`
		args = append(args, a.Name, string(a.Impact))
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(q+` WHERE id = ?`), append(args, id)...); err != nil {
		return fmt.Errorf("%s incident %d: %w", a.Kind, id, err)
	}
	return s.insertUpdate(ctx, tx, id, a.Update)
}
