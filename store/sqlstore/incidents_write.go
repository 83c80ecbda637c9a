package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// ActOnIncident carries out a person's action on an incident in one
// transaction: it loads incident id (ignored for incident.KindOpen, which
// opens one on page pageID), applies a with incident.Apply at now against
// the page's custom statuses and its components' stored statuses, writes
// the result, appends the audit entries (the incident's, and an edited or
// deleted update's) and moves the stored version. When pageID is set, an
// incident of another page is not found. A rejected action returns a
// *incident.FieldError and writes nothing; an unknown incident a
// *catalog.NotFoundError.
func (s *Store) ActOnIncident(ctx context.Context, pageID string, id int64, a incident.Action, now time.Time) (incident.Incident, error) {
	a.Person = true
	var out incident.Incident
	action := "incident " + string(a.Kind)
	err := s.write(ctx, action, func(tx *sql.Tx, p auth.Principal) error {
		var before incident.Incident
		if a.Kind != incident.KindOpen {
			var err error
			if before, err = s.incidentIn(ctx, tx, id, true); err != nil {
				return err
			}
			if pageID != "" && before.PageID != pageID {
				return &catalog.NotFoundError{Kind: "incident", ID: strconv.FormatInt(id, 10)}
			}
			pageID = before.PageID
		} else if err := s.pageExists(ctx, tx, pageID); err != nil {
			return err
		}
		env, err := s.incidentEnv(ctx, tx, pageID, a, now)
		if err != nil {
			return err
		}
		after, rev, err := incident.Apply(before, a, env)
		if err != nil {
			return err
		}
		if a.Kind == incident.KindOpen {
			after.PageID = pageID
			if after.ID, err = s.insertIncident(ctx, tx, after); err != nil {
				return err
			}
		} else if err := s.saveIncident(ctx, tx, before, after); err != nil {
			return err
		}
		if out, err = s.incidentIn(ctx, tx, after.ID, false); err != nil {
			return err
		}
		if err := s.incidentMoved(ctx, tx, before, out, now); err != nil {
			return err
		}
		return s.auditIncident(ctx, tx, p, a.Kind, before, out, rev, now)
	})
	return out, err
}

func (s *Store) pageExists(ctx context.Context, tx *sql.Tx, pageID string) error {
	if _, ok, err := s.page(ctx, tx, pageID); err != nil || ok {
		return err
	}
	if pageID == "" {
		return &incident.FieldError{Field: "page_id", Message: "is required"}
	}
	return &incident.FieldError{Field: "page_id", Message: fmt.Sprintf("no page %q", catalog.Truncate(pageID))}
}

// incidentEnv is what a is applied against: the page's custom statuses and
// the status each component a names shows, which must sit on the page.
func (s *Store) incidentEnv(ctx context.Context, tx *sql.Tx, pageID string, a incident.Action, now time.Time) (incident.Env, error) {
	env := incident.Env{Now: now, Current: map[string]status.Status{}}
	var err error
	if env.Vocabulary, err = s.vocabulary(ctx, tx, pageID); err != nil {
		return env, err
	}
	cs := a.Components
	if a.Changes != nil && a.Changes.Components != nil {
		cs = *a.Changes.Components
	}
	for i, c := range cs {
		var st sql.NullString
		// What the page shows: a person's decision, else the probes.
		err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COALESCE(e.status, cs.status) FROM page_components pc
			LEFT JOIN component_effective e ON e.component_id = pc.component_id AND e.status <> ''
			LEFT JOIN component_states cs ON cs.component_id = pc.component_id
			WHERE pc.page_id = ? AND pc.component_id = ?`), pageID, c.ComponentID).Scan(&st)
		switch {
		case err == sql.ErrNoRows:
			return env, &incident.FieldError{Field: fmt.Sprintf("components[%d].component_id", i),
				Message: fmt.Sprintf("no component %q on page %q", catalog.Truncate(c.ComponentID), catalog.Truncate(pageID))}
		case err != nil:
			return env, fmt.Errorf("read status of component %s: %w", c.ComponentID, err)
		case st.Valid && st.String != "":
			env.Current[c.ComponentID] = status.Status(st.String)
		}
	}
	return env, nil
}

// saveIncident writes after over before, which the store holds: the row,
// the components, and the updates posted, changed and removed.
func (s *Store) saveIncident(ctx context.Context, tx *sql.Tx, before, after incident.Incident) error {
	if err := s.saveIncidentRow(ctx, tx, after); err != nil {
		return err
	}
	if !reflect.DeepEqual(before.ComponentIDs, after.ComponentIDs) || !reflect.DeepEqual(before.Components, after.Components) {
		if err := s.writeComponents(ctx, tx, after.ID, after); err != nil {
			return err
		}
	}
	old := make(map[int64]incident.Update, len(before.Updates))
	for _, u := range before.Updates {
		old[u.ID] = u
	}
	for i := len(after.Updates) - 1; i >= 0; i-- { // oldest first, so IDs follow time
		u := after.Updates[i]
		prev, known := old[u.ID]
		delete(old, u.ID)
		switch {
		case u.ID == 0:
			if err := s.insertUpdate(ctx, tx, after.ID, u); err != nil {
				return err
			}
		case known && !reflect.DeepEqual(prev, u):
			if err := s.saveUpdate(ctx, tx, after.ID, u); err != nil {
				return err
			}
		}
	}
	for id := range old {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM incident_updates WHERE id = ? AND incident_id = ?`),
			id, after.ID); err != nil {
			return fmt.Errorf("delete update %d of incident %d: %w", id, after.ID, err)
		}
	}
	return nil
}
