package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// incidentColumns are the columns of an incidents row, in scanIncident's
// order.
const incidentColumns = `id, page_id, name, status, impact, automatic, created_at, updated_at, resolved_at,
	body, custom_status, private, started_at, backfilled, taken_over, postmortem_body, postmortem_at,
	notify_deliver, notify_tweet, custom_tweet, deleted_at`

// updateColumns are the columns of an incident_updates row after
// incident_id, in scanUpdate's order.
const updateColumns = `id, status, body, created_at, custom_status, display_at, updated_at, private,
	components, notify_deliver, notify_tweet, custom_tweet, by_person`

// componentChange is the stored form of an incident.ComponentChange.
type componentChange struct {
	Component string        `json:"component"`
	Old       status.Status `json:"old"`
	New       status.Status `json:"new"`
}

// resolvedAt is the resolved_at of inc: NULL while open, else its end (its
// last update when it has none).
func resolvedAt(inc incident.Incident) sql.NullInt64 {
	if inc.Status.Open() || !inc.Status.Valid() {
		return sql.NullInt64{}
	}
	at := inc.ResolvedAt
	if at.IsZero() {
		at = inc.UpdatedAt
	}
	return sql.NullInt64{Int64: ms(at), Valid: true}
}

// incidentArgs are inc's values for every column of incidentColumns but id
// and page_id, in order.
func incidentArgs(inc incident.Incident) []any {
	return []any{inc.Name, string(inc.Status), string(inc.Impact), inc.Automatic, ms(inc.CreatedAt),
		ms(inc.UpdatedAt), resolvedAt(inc), inc.Body, inc.CustomStatus, inc.Private, ms(inc.StartedAt),
		inc.Backfilled, inc.TakenOver, inc.PostmortemBody, ms(inc.PostmortemAt), inc.Notify.Deliver,
		inc.Notify.Tweet, inc.Notify.CustomTweet, ms(inc.DeletedAt)}
}

// saveIncidentRow replaces every column of incident inc.ID.
func (s *Store) saveIncidentRow(ctx context.Context, tx *sql.Tx, inc incident.Incident) error {
	if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE incidents SET name = ?, status = ?, impact = ?,
		automatic = ?, created_at = ?, updated_at = ?, resolved_at = ?, body = ?, custom_status = ?, private = ?,
		started_at = ?, backfilled = ?, taken_over = ?, postmortem_body = ?, postmortem_at = ?,
		notify_deliver = ?, notify_tweet = ?, custom_tweet = ?, deleted_at = ? WHERE id = ?`),
		append(incidentArgs(inc), inc.ID)...); err != nil {
		return fmt.Errorf("save incident %d: %w", inc.ID, err)
	}
	return nil
}

// writeComponents replaces the components of incident id: every ID of
// inc.ComponentIDs (and of inc.Components), each with the status the
// incident sets on it.
func (s *Store) writeComponents(ctx context.Context, tx *sql.Tx, id int64, inc incident.Incident) error {
	if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM incident_components WHERE incident_id = ?`), id); err != nil {
		return fmt.Errorf("clear components of incident %d: %w", id, err)
	}
	ids := slices.Clone(inc.ComponentIDs)
	for _, c := range inc.Components {
		if !slices.Contains(ids, c.ComponentID) {
			ids = append(ids, c.ComponentID)
		}
	}
	seen := map[string]bool{}
	for _, c := range ids {
		if seen[c] {
			continue
		}
		st, pos := "", 0
		if i := slices.IndexFunc(inc.Components, func(e incident.ComponentStatus) bool { return e.ComponentID == c }); i >= 0 {
			st, pos = string(inc.Components[i].Status), i
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO incident_components
			(incident_id, component_id, position, status, status_position) VALUES (?, ?, ?, ?, ?)`),
			id, c, len(seen), st, pos); err != nil {
			return fmt.Errorf("insert component %s of incident %d: %w", c, id, err)
		}
		seen[c] = true
	}
	return nil
}

// updateArgs are u's values for updateColumns after id.
func updateArgs(u incident.Update) ([]any, error) {
	changes := make([]componentChange, len(u.Components))
	for i, c := range u.Components {
		changes[i] = componentChange{Component: c.ComponentID, Old: c.Old, New: c.New}
	}
	enc, err := json.Marshal(changes)
	if err != nil {
		return nil, fmt.Errorf("encode component changes: %w", err)
	}
	return []any{string(u.Status), u.Body, ms(u.CreatedAt), u.CustomStatus, ms(u.DisplayAt), ms(u.UpdatedAt),
		u.Private, string(enc), u.Notify.Deliver, u.Notify.Tweet, u.Notify.CustomTweet, u.ByPerson}, nil
}

func (s *Store) insertUpdate(ctx context.Context, tx *sql.Tx, incidentID int64, u incident.Update) error {
	args, err := updateArgs(u)
	if err != nil {
		return fmt.Errorf("insert update of incident %d: %w", incidentID, err)
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO incident_updates (incident_id, status, body,
		created_at, custom_status, display_at, updated_at, private, components, notify_deliver, notify_tweet,
		custom_tweet, by_person) VALUES (?, `+placeholders(len(args))+`)`), append([]any{incidentID}, args...)...); err != nil {
		return fmt.Errorf("insert update of incident %d: %w", incidentID, err)
	}
	return nil
}

func (s *Store) saveUpdate(ctx context.Context, tx *sql.Tx, incidentID int64, u incident.Update) error {
	args, err := updateArgs(u)
	if err != nil {
		return fmt.Errorf("save update %d: %w", u.ID, err)
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE incident_updates SET status = ?, body = ?, created_at = ?,
		custom_status = ?, display_at = ?, updated_at = ?, private = ?, components = ?, notify_deliver = ?,
		notify_tweet = ?, custom_tweet = ?, by_person = ? WHERE id = ? AND incident_id = ?`),
		append(args, u.ID, incidentID)...); err != nil {
		return fmt.Errorf("save update %d: %w", u.ID, err)
	}
	return nil
}

func scanIncident(rows scanner) (incident.Incident, error) {
	var (
		inc                                  incident.Incident
		st, impact                           string
		created, updated, started, pm, deled int64
		resolved                             sql.NullInt64
	)
	if err := rows.Scan(&inc.ID, &inc.PageID, &inc.Name, &st, &impact, &inc.Automatic, &created, &updated,
		&resolved, &inc.Body, &inc.CustomStatus, &inc.Private, &started, &inc.Backfilled, &inc.TakenOver,
		&inc.PostmortemBody, &pm, &inc.Notify.Deliver, &inc.Notify.Tweet, &inc.Notify.CustomTweet, &deled); err != nil {
		return inc, fmt.Errorf("scan incident: %w", err)
	}
	inc.Status, inc.Impact = incident.Status(st), incident.Impact(impact)
	inc.CreatedAt, inc.UpdatedAt, inc.StartedAt = fromMS(created), fromMS(updated), fromMS(started)
	inc.PostmortemAt, inc.DeletedAt = fromMS(pm), fromMS(deled)
	if resolved.Valid {
		inc.ResolvedAt = fromMS(resolved.Int64)
	}
	return inc, nil
}

// scanUpdate scans incident_id and updateColumns.
func scanUpdate(rows scanner) (int64, incident.Update, error) {
	var (
		id, created, display, edited int64
		u                            incident.Update
		st, changes                  string
	)
	if err := rows.Scan(&id, &u.ID, &st, &u.Body, &created, &u.CustomStatus, &display, &edited, &u.Private,
		&changes, &u.Notify.Deliver, &u.Notify.Tweet, &u.Notify.CustomTweet, &u.ByPerson); err != nil {
		return 0, u, fmt.Errorf("scan incident update: %w", err)
	}
	u.Status, u.CreatedAt, u.DisplayAt, u.UpdatedAt = incident.Status(st), fromMS(created), fromMS(display), fromMS(edited)
	var cs []componentChange
	if err := json.Unmarshal([]byte(changes), &cs); err != nil {
		return 0, u, fmt.Errorf("decode component changes of update %d: %w", u.ID, err)
	}
	for _, c := range cs {
		u.Components = append(u.Components, incident.ComponentChange{ComponentID: c.Component, Old: c.Old, New: c.New})
	}
	return id, u, nil
}
