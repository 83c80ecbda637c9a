package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/status"
)

// SyncCatalog makes the stored catalog equal to c, in one transaction:
// pages, components and checks are inserted or updated, and those not in c
// are deleted with their states. A check's Version starts at 1 and grows by
// one whenever its definition (everything but Version, compared by a
// canonical encoding) changes. now stamps created_at and updated_at of what
// changed. Concurrent syncs are serialized.
func (s *Store) SyncCatalog(ctx context.Context, c catalog.Catalog, now time.Time) error {
	if err := checkCatalog(c); err != nil {
		return fmt.Errorf("sync catalog: %w", err)
	}
	return s.inTx(ctx, "sync catalog", lockCatalog, func(tx *sql.Tx) error {
		removedPages, err := s.syncPages(ctx, tx, c.Pages, now)
		if err != nil {
			return err
		}
		removedComps, err := s.syncComponents(ctx, tx, c.Components, now)
		if err != nil {
			return err
		}
		removedChecks, err := s.syncChecks(ctx, tx, c.Checks, now)
		if err != nil {
			return err
		}
		deletes := []struct {
			ids   []string
			stmts []string
		}{
			{removedChecks, []string{`DELETE FROM checks WHERE id = ?`}},
			{removedComps, []string{`DELETE FROM component_states WHERE component_id = ?`,
				`DELETE FROM checks WHERE component_id = ?`, `DELETE FROM components WHERE id = ?`}},
			{removedPages, []string{`DELETE FROM components WHERE page_id = ?`, `DELETE FROM pages WHERE id = ?`}},
		}
		for _, d := range deletes {
			for _, id := range d.ids {
				for _, stmt := range d.stmts {
					if _, err := tx.ExecContext(ctx, s.d.rebind(stmt), id); err != nil {
						return fmt.Errorf("delete %s: %w", id, err)
					}
				}
			}
		}
		return s.markNoData(ctx, tx, now)
	})
}

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

// checkCatalog rejects duplicate or empty IDs and references to pages or
// components missing from c, before anything is written.
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
		if !pages[co.PageID] {
			return fmt.Errorf("%s (%s): page_id: no page %q", at, co.ID, co.PageID)
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

// syncPages upserts pages and returns the IDs of stored pages not in ps.
func (s *Store) syncPages(ctx context.Context, tx *sql.Tx, ps []catalog.Page, now time.Time) ([]string, error) {
	old, err := s.pages(ctx, tx)
	if err != nil {
		return nil, err
	}
	stored := make(map[string]catalog.Page, len(old))
	for _, p := range old {
		stored[p.ID] = p
	}
	for _, p := range ps {
		prev, ok := stored[p.ID]
		delete(stored, p.ID)
		if ok && prev == p {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`
			INSERT INTO pages (id, name, url, time_zone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, url = excluded.url,
				time_zone = excluded.time_zone, updated_at = excluded.updated_at`),
			p.ID, p.Name, p.URL, p.TimeZone, ms(now), ms(now)); err != nil {
			return nil, fmt.Errorf("upsert page %s: %w", p.ID, err)
		}
	}
	return slices.Sorted(maps.Keys(stored)), nil
}

// syncComponents upserts components and returns the IDs of stored
// components not in cs.
func (s *Store) syncComponents(ctx context.Context, tx *sql.Tx, cs []catalog.Component, now time.Time) ([]string, error) {
	old, err := s.components(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	stored := make(map[string]catalog.Component, len(old))
	for _, c := range old {
		stored[c.ID] = c
	}
	for _, c := range cs {
		prev, ok := stored[c.ID]
		delete(stored, c.ID)
		if ok && prev == c {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`
			INSERT INTO components (id, page_id, group_id, is_group, name, description, position, quorum,
				slo_target, slo_window_days, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET page_id = excluded.page_id, group_id = excluded.group_id,
				is_group = excluded.is_group, name = excluded.name, description = excluded.description,
				position = excluded.position, quorum = excluded.quorum, slo_target = excluded.slo_target,
				slo_window_days = excluded.slo_window_days, updated_at = excluded.updated_at`),
			c.ID, c.PageID, c.GroupID, c.IsGroup, c.Name, c.Description, c.Position, c.Quorum,
			c.SLO.Target, c.SLO.WindowDays, ms(now), ms(now)); err != nil {
			return nil, fmt.Errorf("upsert component %s: %w", c.ID, err)
		}
	}
	return slices.Sorted(maps.Keys(stored)), nil
}

// syncChecks upserts checks, bumping the version of changed ones, and
// returns the IDs of stored checks not in cs.
func (s *Store) syncChecks(ctx context.Context, tx *sql.Tx, cs []catalog.Check, now time.Time) ([]string, error) {
	type stored struct {
		digest  string
		version int64
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, digest, version FROM checks`)
	if err != nil {
		return nil, fmt.Errorf("read checks: %w", err)
	}
	old := map[string]stored{}
	for rows.Next() {
		var id string
		var st stored
		if err := rows.Scan(&id, &st.digest, &st.version); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan check: %w", err))
		}
		old[id] = st
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("read checks: %w", err)
	}
	for _, c := range cs {
		def, digest, err := canonicalCheck(c)
		if err != nil {
			return nil, err
		}
		prev, ok := old[c.ID]
		delete(old, c.ID)
		if ok && prev.digest == digest {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`
			INSERT INTO checks (id, component_id, type, definition, digest, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET component_id = excluded.component_id, type = excluded.type,
				definition = excluded.definition, digest = excluded.digest, version = excluded.version,
				updated_at = excluded.updated_at`),
			c.ID, c.ComponentID, string(c.Type), def, digest, prev.version+1, ms(now), ms(now)); err != nil {
			return nil, fmt.Errorf("upsert check %s: %w", c.ID, err)
		}
	}
	return slices.Sorted(maps.Keys(old)), nil
}

// canonicalCheck returns the stored definition of c — its JSON without
// Version, empty slices and maps as null — and the hex SHA-256 of it.
// encoding/json writes struct fields in order and map keys sorted, so equal
// definitions encode equally.
func canonicalCheck(c catalog.Check) (string, string, error) {
	c.Version = 0
	if len(c.Regions) == 0 {
		c.Regions = nil
	}
	if c.HTTP != nil {
		h := *c.HTTP
		if len(h.Headers) == 0 {
			h.Headers = nil
		}
		if len(h.ExpectedStatus) == 0 {
			h.ExpectedStatus = nil
		}
		c.HTTP = &h
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "", "", fmt.Errorf("encode check %s: %w", c.ID, err)
	}
	sum := sha256.Sum256(b)
	return string(b), hex.EncodeToString(sum[:]), nil
}

// Checks lists every check with its version, sorted by ID.
func (s *Store) Checks(ctx context.Context) ([]catalog.Check, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, definition, version FROM checks ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list checks: %w", err)
	}
	var out []catalog.Check
	for rows.Next() {
		var (
			id, def string
			c       catalog.Check
			version int64
		)
		if err := rows.Scan(&id, &def, &version); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan check: %w", err))
		}
		if err := json.Unmarshal([]byte(def), &c); err != nil {
			return nil, closeRows(rows, fmt.Errorf("decode check %s: %w", id, err))
		}
		c.Version = version
		out = append(out, c)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list checks: %w", err)
	}
	return out, nil
}

// Pages lists every page, sorted by ID.
func (s *Store) Pages(ctx context.Context) ([]catalog.Page, error) {
	return s.pages(ctx, s.db)
}

func (s *Store) pages(ctx context.Context, q querier) ([]catalog.Page, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, url, time_zone FROM pages ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	var out []catalog.Page
	for rows.Next() {
		var p catalog.Page
		if err := rows.Scan(&p.ID, &p.Name, &p.URL, &p.TimeZone); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan page: %w", err))
		}
		out = append(out, p)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	return out, nil
}

// Components lists the components of a page, or of every page for "",
// sorted by position, then ID.
func (s *Store) Components(ctx context.Context, pageID string) ([]catalog.Component, error) {
	return s.components(ctx, s.db, pageID)
}

func (s *Store) components(ctx context.Context, q querier, pageID string) ([]catalog.Component, error) {
	query := `SELECT id, page_id, group_id, is_group, name, description, position, quorum, slo_target, slo_window_days
		FROM components`
	var args []any
	if pageID != "" {
		query += ` WHERE page_id = ?`
		args = append(args, pageID)
	}
	rows, err := q.QueryContext(ctx, s.d.rebind(query+` ORDER BY position, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("list components: %w", err)
	}
	var out []catalog.Component
	for rows.Next() {
		var c catalog.Component
		if err := rows.Scan(&c.ID, &c.PageID, &c.GroupID, &c.IsGroup, &c.Name, &c.Description, &c.Position, &c.Quorum,
			&c.SLO.Target, &c.SLO.WindowDays); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan component: %w", err))
		}
		out = append(out, c)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list components: %w", err)
	}
	return out, nil
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
