package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/statusd/statusd/catalog"
)

// maxGroupDepth is how deep ComponentScope follows nested groups: a cycle
// in bad data must not loop.
const maxGroupDepth = 16

// ComponentScope reads what one component's metrics are computed over,
// and nothing else: the component with its pages, the time zone of its
// primary page ("" when the page has none) and its leaves (itself, or a
// group's members with checks, depth first in position order). An unknown
// id is a *catalog.NotFoundError.
func (s *Store) ComponentScope(ctx context.Context, id string) (catalog.Component, string, []string, error) {
	// One round trip: a row per page the component sits on, primary first.
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT `+qualified("c", componentColumns)+`,
			(SELECT p.time_zone FROM pages p WHERE p.id = c.page_id), pc.page_id, pc.position
		FROM components c LEFT JOIN page_components pc ON pc.component_id = c.id
		WHERE c.id = ?
		ORDER BY CASE WHEN pc.page_id = c.page_id THEN 0 ELSE 1 END, pc.page_id`), id)
	if err != nil {
		return catalog.Component{}, "", nil, fmt.Errorf("read component %s: %w", id, err)
	}
	var (
		c     catalog.Component
		tz    sql.NullString
		found bool
	)
	for rows.Next() {
		var (
			page sql.NullString
			pos  sql.NullInt64
		)
		got, err := scanComponent(extra{rows, []any{&tz, &page, &pos}})
		if err != nil {
			return catalog.Component{}, "", nil, closeRows(rows, fmt.Errorf("scan component %s: %w", id, err))
		}
		if !found {
			c, found = got, true
		}
		if page.Valid {
			c.Pages = append(c.Pages, catalog.Placement{PageID: page.String, Position: int(pos.Int64)})
		}
	}
	if err := closeRows(rows, nil); err != nil {
		return catalog.Component{}, "", nil, fmt.Errorf("read component %s: %w", id, err)
	}
	if !found {
		return catalog.Component{}, "", nil, &catalog.NotFoundError{Kind: kindComponent, ID: id}
	}
	if !c.IsGroup {
		return c, tz.String, []string{c.ID}, nil
	}
	leaves, err := s.groupLeaves(ctx, c.ID)
	if err != nil {
		return catalog.Component{}, "", nil, err
	}
	return c, tz.String, leaves, nil
}

// qualified prefixes each of a list of columns with a table's name.
func qualified(table, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = table + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// extra scans a component row followed by more columns.
type extra struct {
	row  scanner
	more []any
}

func (e extra) Scan(dest ...any) error { return e.row.Scan(append(dest, e.more...)...) }

// member is a component below a group.
type member struct {
	id, group string
	isGroup   bool
	position  int
}

// groupLeaves lists the leaves below a group, depth first in position
// order, as the components list nests them.
func (s *Store) groupLeaves(ctx context.Context, group string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`
		WITH RECURSIVE below (id, group_id, is_group, position, depth) AS (
			SELECT id, group_id, is_group, position, 1 FROM components WHERE group_id = ?
			UNION ALL
			SELECT c.id, c.group_id, c.is_group, c.position, b.depth + 1
			FROM components c JOIN below b ON c.group_id = b.id
			WHERE b.is_group AND b.depth < ?)
		SELECT id, group_id, is_group, position FROM below`), group, maxGroupDepth)
	if err != nil {
		return nil, fmt.Errorf("list members of group %s: %w", group, err)
	}
	children := map[string][]member{}
	for rows.Next() {
		var m member
		if err := rows.Scan(&m.id, &m.group, &m.isGroup, &m.position); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan member of group %s: %w", group, err))
		}
		if !slices.ContainsFunc(children[m.group], func(o member) bool { return o.id == m.id }) { // cycles repeat rows
			children[m.group] = append(children[m.group], m)
		}
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list members of group %s: %w", group, err)
	}
	for _, ms := range children {
		slices.SortFunc(ms, func(a, b member) int {
			if a.position != b.position {
				return a.position - b.position
			}
			return compareStrings(a.id, b.id)
		})
	}
	var leaves []string
	var walk func(id string, depth int)
	walk = func(id string, depth int) {
		for _, m := range children[id] {
			switch {
			case !m.isGroup:
				leaves = append(leaves, m.id)
			case depth < maxGroupDepth:
				walk(m.id, depth+1)
			}
		}
	}
	walk(group, 1)
	return leaves, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
