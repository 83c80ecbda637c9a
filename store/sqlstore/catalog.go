package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/status"
)

// markNoData gives each probed component without a state one that says
// "no data yet", so a page does not call it operational before its checks
// reached a verdict; a component without checks has no state and is
// operational. The placeholder belongs to no partition (-1) and has the
// lowest seq, so the aggregator's first write replaces it.
func (s *Store) markNoData(ctx context.Context, tx *sql.Tx, now time.Time) error {
	if _, err := tx.ExecContext(ctx, s.d.rebind(`
		INSERT INTO component_states (component_id, status, since, updated_at, failing_regions, no_data, kafka_partition, seq)
		SELECT DISTINCT c.component_id, CAST(? AS TEXT), 0, CAST(? AS BIGINT), '', CAST(? AS BOOLEAN), -1, -1 FROM checks c
		WHERE NOT EXISTS (SELECT 1 FROM component_states s WHERE s.component_id = c.component_id)`),
		string(status.Operational), ms(now), true); err != nil {
		return fmt.Errorf("mark probed components without a state: %w", err)
	}
	return nil
}

// checkCatalog rejects duplicate or empty IDs and references to pages,
// groups or components missing from c, before anything is written.
func checkCatalog(c catalog.Catalog) error {
	pages, comps, checks := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, p := range c.Pages {
		if err := addID(pages, fmt.Sprintf("pages[%d]", i), p.ID); err != nil {
			return err
		}
	}
	for i, co := range c.Components {
		at := fmt.Sprintf("components[%d]", i)
		if err := addID(comps, at, co.ID); err != nil {
			return err
		}
		for _, pl := range co.Placements() {
			if !pages[pl.PageID] {
				return fmt.Errorf("%s (%s): page_id: no page %q", at, co.ID, pl.PageID)
			}
		}
	}
	for i, co := range c.Components {
		if co.GroupID != "" && !comps[co.GroupID] {
			return fmt.Errorf("components[%d] (%s): group_id: no component %q", i, co.ID, co.GroupID)
		}
	}
	for i, ch := range c.Checks {
		at := fmt.Sprintf("checks[%d]", i)
		if err := addID(checks, at, ch.ID); err != nil {
			return err
		}
		if !comps[ch.ComponentID] {
			return fmt.Errorf("%s (%s): component_id: no component %q", at, ch.ID, ch.ComponentID)
		}
	}
	return nil
}

func addID(seen map[string]bool, at, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%s: id is required", at)
	case seen[id]:
		return fmt.Errorf("%s: id %q used twice", at, id)
	}
	seen[id] = true
	return nil
}

// ComponentTimes returns, by component ID, when each component was created
// and last updated: the later of its last catalog change and the last change
// of its stored state.
func (s *Store) ComponentTimes(ctx context.Context) (map[string]Times, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT c.id, c.created_at, c.updated_at, cs.updated_at
		FROM components c LEFT JOIN component_states cs ON cs.component_id = c.id`)
	if err != nil {
		return nil, fmt.Errorf("list component times: %w", err)
	}
	out := map[string]Times{}
	for rows.Next() {
		var (
			id               string
			created, updated int64
			stateUpdated     sql.NullInt64
		)
		if err := rows.Scan(&id, &created, &updated, &stateUpdated); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan component times: %w", err))
		}
		if stateUpdated.Valid && stateUpdated.Int64 > updated {
			updated = stateUpdated.Int64
		}
		out[id] = Times{Created: fromMS(created), Updated: fromMS(updated)}
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list component times: %w", err)
	}
	return out, nil
}
