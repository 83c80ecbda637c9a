package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/statusd/statusd/catalog"
)

const componentColumns = `id, page_id, group_id, is_group, name, description, position, quorum,
	hide_uptime, start_date, only_show_if_degraded, managed, slo_target, slo_window_days`

func scanComponent(r scanner) (catalog.Component, error) {
	var (
		c     catalog.Component
		start int64
	)
	err := r.Scan(&c.ID, &c.PageID, &c.GroupID, &c.IsGroup, &c.Name, &c.Description, &c.Position, &c.Quorum,
		&c.HideUptime, &start, &c.OnlyShowIfDegraded, &c.Managed, &c.SLO.Target, &c.SLO.WindowDays)
	c.StartDate = fromMS(start)
	return c, err
}

// Components lists the components of a page, or of every page for "",
// sorted by position, then ID. Listed for a page, each component carries
// that page's ID and its position there; listed for every page, its
// primary page. Each carries every page it sits on in Pages.
func (s *Store) Components(ctx context.Context, pageID string) ([]catalog.Component, error) {
	return s.components(ctx, s.db, pageID)
}

func (s *Store) components(ctx context.Context, q querier, pageID string) ([]catalog.Component, error) {
	query := `SELECT ` + componentColumns + ` FROM components ORDER BY position, id`
	var args []any
	if pageID != "" {
		query = `SELECT c.id, pc.page_id, c.group_id, c.is_group, c.name, c.description, pc.position, c.quorum,
			c.hide_uptime, c.start_date, c.only_show_if_degraded, c.managed, c.slo_target, c.slo_window_days
			FROM page_components pc JOIN components c ON c.id = pc.component_id
			WHERE pc.page_id = ? ORDER BY pc.position, c.id`
		args = append(args, pageID)
	}
	rows, err := q.QueryContext(ctx, s.d.rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list components: %w", err)
	}
	var out []catalog.Component
	for rows.Next() {
		c, err := scanComponent(rows)
		if err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan component: %w", err))
		}
		out = append(out, c)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list components: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	placements, err := s.placements(ctx, q, "")
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Pages = placements[out[i].ID]
	}
	return out, nil
}

// placements returns the pages of one component (or of all for ""), by
// component ID, the primary page first, then by page ID.
func (s *Store) placements(ctx context.Context, q querier, componentID string) (map[string][]catalog.Placement, error) {
	query := `SELECT pc.component_id, pc.page_id, pc.position FROM page_components pc
		JOIN components c ON c.id = pc.component_id`
	var args []any
	if componentID != "" {
		query += ` WHERE pc.component_id = ?`
		args = append(args, componentID)
	}
	query += ` ORDER BY pc.component_id, CASE WHEN pc.page_id = c.page_id THEN 0 ELSE 1 END, pc.page_id`
	rows, err := q.QueryContext(ctx, s.d.rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list component pages: %w", err)
	}
	out := map[string][]catalog.Placement{}
	for rows.Next() {
		var (
			id string
			p  catalog.Placement
		)
		if err := rows.Scan(&id, &p.PageID, &p.Position); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan component page: %w", err))
		}
		out[id] = append(out[id], p)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list component pages: %w", err)
	}
	return out, nil
}

// Component returns one component with its pages, or a
// *catalog.NotFoundError.
func (s *Store) Component(ctx context.Context, id string) (catalog.Component, error) {
	c, ok, err := s.component(ctx, s.db, id)
	if err == nil && !ok {
		err = &catalog.NotFoundError{Kind: kindComponent, ID: id}
	}
	return c, err
}

func (s *Store) component(ctx context.Context, q querier, id string) (catalog.Component, bool, error) {
	c, err := scanComponent(q.QueryRowContext(ctx, s.d.rebind(`SELECT `+componentColumns+` FROM components WHERE id = ?`), id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return catalog.Component{}, false, nil
	case err != nil:
		return catalog.Component{}, false, fmt.Errorf("read component %s: %w", id, err)
	}
	pl, err := s.placements(ctx, q, id)
	if err != nil {
		return catalog.Component{}, false, err
	}
	c.Pages = pl[id]
	return c, true, nil
}

// saveComponent inserts or updates c (normalized) and its pages.
func (s *Store) saveComponent(ctx context.Context, tx *sql.Tx, c catalog.Component, now time.Time) error {
	if _, err := tx.ExecContext(ctx, s.d.rebind(`
		INSERT INTO components (`+componentColumns+`, created_at, updated_at)
		VALUES (`+placeholders(16)+`)
		ON CONFLICT (id) DO UPDATE SET page_id = excluded.page_id, group_id = excluded.group_id,
			is_group = excluded.is_group, name = excluded.name, description = excluded.description,
			position = excluded.position, quorum = excluded.quorum, hide_uptime = excluded.hide_uptime,
			start_date = excluded.start_date, only_show_if_degraded = excluded.only_show_if_degraded,
			managed = excluded.managed, slo_target = excluded.slo_target,
			slo_window_days = excluded.slo_window_days, updated_at = excluded.updated_at`),
		c.ID, c.PageID, c.GroupID, c.IsGroup, c.Name, c.Description, c.Position, c.Quorum,
		c.HideUptime, ms(c.StartDate), c.OnlyShowIfDegraded, c.Managed, c.SLO.Target, c.SLO.WindowDays,
		ms(now), ms(now)); err != nil {
		return fmt.Errorf("save component %s: %w", c.ID, err)
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM page_components WHERE component_id = ?`), c.ID); err != nil {
		return fmt.Errorf("save pages of component %s: %w", c.ID, err)
	}
	for _, p := range c.Placements() {
		if _, err := tx.ExecContext(ctx, s.d.rebind(
			`INSERT INTO page_components (page_id, component_id, position) VALUES (?, ?, ?)`),
			p.PageID, c.ID, p.Position); err != nil {
			return fmt.Errorf("save page %s of component %s: %w", p.PageID, c.ID, err)
		}
	}
	return nil
}

// deleteComponent deletes a component with its checks, states and places.
func (s *Store) deleteComponent(ctx context.Context, tx *sql.Tx, id string) error {
	for _, stmt := range []string{
		`DELETE FROM component_states WHERE component_id = ?`,
		`DELETE FROM checks WHERE component_id = ?`,
		`DELETE FROM page_components WHERE component_id = ?`,
		`DELETE FROM components WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, s.d.rebind(stmt), id); err != nil {
			return fmt.Errorf("delete component %s: %w", id, err)
		}
	}
	return nil
}

// componentRefs checks what c refers to in tx: its pages exist; its group
// exists, is a group, and is not c itself or below it.
func (s *Store) componentRefs(ctx context.Context, tx *sql.Tx, c catalog.Component) error {
	var fields []catalog.FieldError
	for i, p := range c.Placements() {
		_, ok, err := s.page(ctx, tx, p.PageID)
		if err != nil {
			return err
		}
		if !ok {
			at := fmt.Sprintf("pages[%d]", i)
			if len(c.Pages) == 0 {
				at = "page_id"
			}
			fields = append(fields, catalog.FieldError{Field: at, Message: fmt.Sprintf("no page %q", catalog.Truncate(p.PageID))})
		}
	}
	for g, hops := c.GroupID, 0; g != ""; hops++ {
		if g == c.ID || hops > 100 {
			fields = append(fields, catalog.FieldError{Field: "group_id", Message: "would put the component inside itself"})
			break
		}
		grp, ok, err := s.component(ctx, tx, g)
		if err != nil {
			return err
		}
		if !ok || !grp.IsGroup {
			msg := fmt.Sprintf("no group %q", catalog.Truncate(g))
			if ok {
				msg = fmt.Sprintf("component %q is not a group", g)
			}
			if hops == 0 {
				fields = append(fields, catalog.FieldError{Field: "group_id", Message: msg})
			}
			break
		}
		g = grp.GroupID
	}
	if !c.IsGroup {
		var members int
		if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM components WHERE group_id = ?`), c.ID).Scan(&members); err != nil {
			return fmt.Errorf("count members of %s: %w", c.ID, err)
		}
		if members > 0 {
			fields = append(fields, catalog.FieldError{Field: "is_group", Message: fmt.Sprintf("the group has %d components; move them out first", members)})
		}
	} else {
		var checks int
		if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM checks WHERE component_id = ?`), c.ID).Scan(&checks); err != nil {
			return fmt.Errorf("count checks of %s: %w", c.ID, err)
		}
		if checks > 0 {
			fields = append(fields, catalog.FieldError{Field: "is_group", Message: fmt.Sprintf("a group may not have checks, and the component has %d", checks)})
		}
	}
	return catalog.Invalid(kindComponent, fields)
}
