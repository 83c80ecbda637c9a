package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/statusd/statusd/audit"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/componentstatus"
	"github.com/statusd/statusd/status"
)

// overrideView is an override as the audit log shows it.
type overrideView struct {
	Status status.Status `json:"status"`
	Since  time.Time     `json:"since"`
	By     string        `json:"by"`
}

// SetOverride sets a person's status on a component, replacing the one it
// had, and returns it as stored; the principal of ctx is its author. The
// component shows it from now until it is cleared. The error is a
// *catalog.NotFoundError when there is no such component.
func (s *Store) SetOverride(ctx context.Context, componentID string, st status.Status, now time.Time) (componentstatus.Override, error) {
	var out componentstatus.Override
	err := s.write(ctx, "set override", func(tx *sql.Tx, p auth.Principal) error {
		prev, err := s.override(ctx, tx, componentID)
		if err != nil {
			return err
		}
		out = componentstatus.Override{Status: st, Since: now, By: p.String()}
		if prev != nil && prev.Status == st {
			out = *prev // setting the same status again keeps when it began
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`
			INSERT INTO component_overrides (component_id, status, since, by_principal) VALUES (?, ?, ?, ?)
			ON CONFLICT (component_id) DO UPDATE SET status = excluded.status, since = excluded.since,
				by_principal = excluded.by_principal`), componentID, string(st), ms(now), out.By); err != nil {
			return fmt.Errorf("store override of %s: %w", componentID, err)
		}
		if err := s.appendAudit(ctx, tx, p, audit.ActionSetOverride, kindComponent, componentID,
			viewOverride(prev), viewOverride(&out), now); err != nil {
			return err
		}
		return s.moveEffective(ctx, tx, []effectiveStep{{ComponentID: componentID, At: now}})
	})
	return out, err
}

// ClearOverride clears the override of a component: it shows what the
// incidents, maintenance and probes say again. The error is a
// *catalog.NotFoundError when the component has no override.
func (s *Store) ClearOverride(ctx context.Context, componentID string, now time.Time) error {
	return s.write(ctx, "clear override", func(tx *sql.Tx, p auth.Principal) error {
		prev, err := s.override(ctx, tx, componentID)
		if err != nil {
			return err
		}
		if prev == nil {
			return &catalog.NotFoundError{Kind: "override", ID: componentID}
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM component_overrides WHERE component_id = ?`), componentID); err != nil {
			return fmt.Errorf("delete override of %s: %w", componentID, err)
		}
		if err := s.appendAudit(ctx, tx, p, audit.ActionClearOverride, kindComponent, componentID,
			viewOverride(prev), nil, now); err != nil {
			return err
		}
		return s.moveEffective(ctx, tx, []effectiveStep{{ComponentID: componentID, At: now}})
	})
}

// Override returns the override of a component, nil when it has none. The
// error is a *catalog.NotFoundError when there is no such component.
func (s *Store) Override(ctx context.Context, componentID string) (*componentstatus.Override, error) {
	return s.override(ctx, s.db, componentID)
}

func (s *Store) override(ctx context.Context, q querier, componentID string) (*componentstatus.Override, error) {
	var (
		st, by string
		since  int64
	)
	err := q.QueryRowContext(ctx, s.d.rebind(`
		SELECT COALESCE(o.status, ''), COALESCE(o.since, 0), COALESCE(o.by_principal, '')
		FROM components c LEFT JOIN component_overrides o ON o.component_id = c.id WHERE c.id = ?`),
		componentID).Scan(&st, &since, &by)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, &catalog.NotFoundError{Kind: kindComponent, ID: componentID}
	case err != nil:
		return nil, fmt.Errorf("read override of %s: %w", componentID, err)
	case st == "":
		return nil, nil
	}
	return &componentstatus.Override{Status: status.Status(st), Since: fromMS(since), By: by}, nil
}

func viewOverride(o *componentstatus.Override) any {
	if o == nil {
		return nil
	}
	return overrideView{Status: o.Status, Since: o.Since, By: o.By}
}
