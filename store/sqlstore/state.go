package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
)

// The state upserts insert only when the check or component still exists:
// a catalog sync may have removed it while the batch was being evaluated,
// and that must not fail the batch. The casts give PostgreSQL the types of
// the parameters in the SELECT list.
const (
	upsertCheckState = `
		INSERT INTO check_states (check_id, region, down, degraded, consecutive_failures,
			consecutive_successes, last_scheduled, last_message)
		SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BOOLEAN), CAST(? AS BOOLEAN), CAST(? AS INTEGER),
			CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS TEXT)
		WHERE EXISTS (SELECT 1 FROM checks WHERE id = ?)
		ON CONFLICT (check_id, region) DO UPDATE SET down = excluded.down, degraded = excluded.degraded,
			consecutive_failures = excluded.consecutive_failures,
			consecutive_successes = excluded.consecutive_successes,
			last_scheduled = excluded.last_scheduled, last_message = excluded.last_message`
	upsertComponentState = `
		INSERT INTO component_states (component_id, status, since, updated_at, failing_regions)
		SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT)
		WHERE EXISTS (SELECT 1 FROM components WHERE id = ?)
		ON CONFLICT (component_id) DO UPDATE SET status = excluded.status, since = excluded.since,
			updated_at = excluded.updated_at, failing_regions = excluded.failing_regions`
)

// LoadState returns every stored check state, sorted by check ID then
// region, and every component state, sorted by component ID.
func (s *Store) LoadState(ctx context.Context) ([]health.CheckState, []health.ComponentState, error) {
	checks, err := s.checkStates(ctx)
	if err != nil {
		return nil, nil, err
	}
	comps, err := s.ComponentStates(ctx)
	if err != nil {
		return nil, nil, err
	}
	return checks, comps, nil
}

func (s *Store) checkStates(ctx context.Context) ([]health.CheckState, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT check_id, region, down, degraded, consecutive_failures, consecutive_successes,
			last_scheduled, last_message
		FROM check_states ORDER BY check_id, region`)
	if err != nil {
		return nil, fmt.Errorf("load check states: %w", err)
	}
	var out []health.CheckState
	for rows.Next() {
		var (
			cs   health.CheckState
			last int64
		)
		if err := rows.Scan(&cs.CheckID, &cs.Region, &cs.Down, &cs.Degraded, &cs.ConsecutiveFailures,
			&cs.ConsecutiveSuccesses, &last, &cs.LastMessage); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan check state: %w", err))
		}
		cs.LastScheduled = fromMS(last)
		out = append(out, cs)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("load check states: %w", err)
	}
	return out, nil
}

// ComponentStates lists the state of every component that has one, sorted
// by component ID.
func (s *Store) ComponentStates(ctx context.Context) ([]health.ComponentState, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT component_id, status, since, updated_at, failing_regions
		FROM component_states ORDER BY component_id`)
	if err != nil {
		return nil, fmt.Errorf("load component states: %w", err)
	}
	var out []health.ComponentState
	for rows.Next() {
		var (
			cs             health.ComponentState
			st, regions    string
			since, updated int64
		)
		if err := rows.Scan(&cs.ComponentID, &st, &since, &updated, &regions); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan component state: %w", err))
		}
		cs.Status, cs.Since, cs.UpdatedAt = status.Status(st), fromMS(since), fromMS(updated)
		if regions != "" {
			cs.FailingRegions = strings.Split(regions, ",")
		}
		out = append(out, cs)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("load component states: %w", err)
	}
	return out, nil
}

// ApplyChanges persists what one batch changed in one transaction: it
// upserts the check states (by check and region) and component states (by
// component) — skipping those of checks or components no longer in the
// catalog —, opens each incident of ch.Open unless an unresolved incident
// already includes one of its components, and for each ch.Resolve resolves
// the unresolved automatic incidents that include the component. Manual
// incidents are never changed.
func (s *Store) ApplyChanges(ctx context.Context, ch health.Changes) error {
	if ch.Empty() {
		return nil
	}
	return s.inTx(ctx, "apply changes", 0, func(tx *sql.Tx) error {
		if err := s.upsertStates(ctx, tx, ch); err != nil {
			return err
		}
		for _, inc := range ch.Open {
			if err := s.openAutomatic(ctx, tx, inc); err != nil {
				return err
			}
		}
		for _, r := range ch.Resolve {
			if err := s.resolveAutomatic(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) upsertStates(ctx context.Context, tx *sql.Tx, ch health.Changes) error {
	if len(ch.Checks) > 0 {
		stmt, err := tx.PrepareContext(ctx, s.d.rebind(upsertCheckState))
		if err != nil {
			return fmt.Errorf("prepare check state upsert: %w", err)
		}
		for _, cs := range ch.Checks {
			res, err := stmt.ExecContext(ctx, cs.CheckID, cs.Region, cs.Down, cs.Degraded, cs.ConsecutiveFailures,
				cs.ConsecutiveSuccesses, ms(cs.LastScheduled), cs.LastMessage, cs.CheckID)
			if err != nil {
				return closeStmt(stmt, fmt.Errorf("upsert state of check %s in %s: %w", cs.CheckID, cs.Region, err))
			}
			if n, err := res.RowsAffected(); err == nil && n == 0 {
				s.log.DebugContext(ctx, "skipped state of unknown check", "check", cs.CheckID, "region", cs.Region)
			}
		}
		if err := closeStmt(stmt, nil); err != nil {
			return err
		}
	}
	for _, cs := range ch.Components {
		res, err := tx.ExecContext(ctx, s.d.rebind(upsertComponentState), cs.ComponentID, string(cs.Status),
			ms(cs.Since), ms(cs.UpdatedAt), strings.Join(cs.FailingRegions, ","), cs.ComponentID)
		if err != nil {
			return fmt.Errorf("upsert state of component %s: %w", cs.ComponentID, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			s.log.DebugContext(ctx, "skipped state of unknown component", "component", cs.ComponentID)
		}
	}
	return nil
}

func closeStmt(stmt *sql.Stmt, err error) error {
	if cerr := stmt.Close(); cerr != nil && err == nil {
		return fmt.Errorf("close statement: %w", cerr)
	}
	return err
}
