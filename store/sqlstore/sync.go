package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
)

// SyncCatalog makes the stored catalog agree with c, what the
// configuration file declares, in one transaction serialized with every
// other catalog write:
//
//   - each page, component and check of c is created or updated, marked
//     managed by its Managed (the file's path; "config" when empty), with an
//     audit entry; one that did not change is left alone. A page keeps its
//     stored platform alert, which the file does not declare, and its
//     stored enabled flag unless the file disables it (Disabled): the
//     file may say "enabled: false", while enable and disable through the
//     API last until it does;
//   - each stored entity managed by a configuration file that c no longer
//     declares is deleted, with an audit entry; first the open incidents of
//     a removed page, and those whose every component is removed, are
//     resolved with an update saying so, so no history is left open and
//     orphaned. Entities the API owns (Managed "") are left alone, unless
//     they go with a removed page or component.
//
// A check's Version starts at 1 and grows by one whenever its definition
// changes. The principal of ctx, or else "config:<file>", is recorded.
// now stamps what changed.
func (s *Store) SyncCatalog(ctx context.Context, c catalog.Catalog, now time.Time) error {
	if err := checkCatalog(c); err != nil {
		return fmt.Errorf("sync catalog: %w", err)
	}
	c = managedCatalog(c)
	p, ok := auth.FromContext(ctx)
	if !ok {
		p = auth.Principal{Kind: auth.KindConfig, ID: catalogSource(c)}
	}
	return s.inTx(ctx, "sync catalog", lockCatalog, func(tx *sql.Tx) error {
		pk := s.pageKind()
		stored, err := s.pages(ctx, tx)
		if err != nil {
			return err
		}
		byID := map[string]catalog.Page{}
		for _, sp := range stored {
			byID[sp.ID] = sp
		}
		for i, pg := range c.Pages {
			if old, ok := byID[pg.ID]; ok {
				c.Pages[i].Alert, c.Pages[i].Disabled = old.Alert, pg.Disabled || old.Disabled
			}
		}
		removedPages, err := syncKind(ctx, s, tx, pk, p, c.Pages, now)
		if err != nil {
			return err
		}
		removedComps, err := syncKind(ctx, s, tx, s.componentKind(), p, c.Components, now)
		if err != nil {
			return err
		}
		removedChecks, err := syncKind(ctx, s, tx, s.checkKind(), p, c.Checks, now)
		if err != nil {
			return err
		}
		if err := s.resolveRemoved(ctx, tx, removedPages, removedComps, catalogSource(c), now); err != nil {
			return err
		}
		for _, id := range removedChecks {
			if err := remove(ctx, s, tx, s.checkKind(), p, id, true, now); err != nil && !isNotFound(err) {
				return err
			}
		}
		for _, id := range removedComps {
			if err := remove(ctx, s, tx, s.componentKind(), p, id, true, now); err != nil && !isNotFound(err) {
				return err
			}
		}
		for _, id := range removedPages {
			if err := remove(ctx, s, tx, pk, p, id, true, now); err != nil && !isNotFound(err) {
				return err
			}
		}
		return s.markNoData(ctx, tx, now)
	})
}

// syncKind upserts want and returns the IDs of stored entities managed by a
// configuration file that want does not hold, sorted.
func syncKind[T any](ctx context.Context, s *Store, tx *sql.Tx, k kind[T], p auth.Principal, want []T, now time.Time) ([]string, error) {
	stored, err := k.list(ctx, tx)
	if err != nil {
		return nil, err
	}
	gone := map[string]bool{}
	byID := make(map[string]T, len(stored))
	for _, v := range stored {
		byID[k.id(v)] = v
		if k.managed(v) != "" {
			gone[k.id(v)] = true
		}
	}
	// The listing is the stored state, read in tx under the catalog lock:
	// an unchanged entity costs no round trip (a restart with the same
	// file writes nothing).
	for _, v := range want {
		delete(gone, k.id(v))
		prev, exists := byID[k.id(v)]
		if _, err := putOver(ctx, s, tx, k, p, modeUpsert, v, prev, exists, now); err != nil {
			return nil, err
		}
	}
	return slices.Sorted(maps.Keys(gone)), nil
}

func isNotFound(err error) bool {
	_, ok := err.(*catalog.NotFoundError)
	return ok
}

// managedCatalog returns c with every entity's Managed set: "config" where
// it is empty, since what the file declares is always managed by it.
func managedCatalog(c catalog.Catalog) catalog.Catalog {
	out := catalog.Catalog{Pages: slices.Clone(c.Pages), Components: slices.Clone(c.Components), Checks: slices.Clone(c.Checks)}
	for i := range out.Pages {
		if out.Pages[i].Managed == "" {
			out.Pages[i].Managed = "config"
		}
	}
	for i := range out.Components {
		if out.Components[i].Managed == "" {
			out.Components[i].Managed = "config"
		}
		out.Components[i].Normalize()
	}
	for i := range out.Checks {
		if out.Checks[i].Managed == "" {
			out.Checks[i].Managed = "config"
		}
	}
	return out
}

// catalogSource is the configuration file c comes from.
func catalogSource(c catalog.Catalog) string {
	for _, p := range c.Pages {
		return p.Managed
	}
	return "config"
}

// resolveRemoved resolves the open incidents of the removed pages, and
// those whose every component is removed, with an update saying why.
func (s *Store) resolveRemoved(ctx context.Context, tx *sql.Tx, pages, comps []string, source string, now time.Time) error {
	if len(pages) == 0 && len(comps) == 0 {
		return nil
	}
	removedPage := map[string]bool{}
	for _, id := range pages {
		removedPage[id] = true
	}
	removedComp := map[string]bool{}
	for _, id := range comps {
		removedComp[id] = true
	}
	// Components of removed pages go with them.
	rows, err := tx.QueryContext(ctx, `SELECT id, page_id FROM components`)
	if err != nil {
		return fmt.Errorf("list components of removed pages: %w", err)
	}
	for rows.Next() {
		var id, page string
		if err := rows.Scan(&id, &page); err != nil {
			return closeRows(rows, fmt.Errorf("scan component: %w", err))
		}
		if removedPage[page] {
			removedComp[id] = true
		}
	}
	if err := closeRows(rows, nil); err != nil {
		return fmt.Errorf("list components of removed pages: %w", err)
	}
	open, err := s.openIncidents(ctx, tx)
	if err != nil {
		return err
	}
	for _, inc := range open {
		all := len(inc.ComponentIDs) > 0
		for _, c := range inc.ComponentIDs {
			all = all && removedComp[c]
		}
		if !removedPage[inc.PageID] && !all {
			continue
		}
		body := fmt.Sprintf("Resolved because the configuration file %s no longer declares its page or components.", source)
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE incidents SET status = ?, updated_at = ?, resolved_at = ? WHERE id = ?`),
			string(incident.Resolved), ms(now), ms(now), inc.ID); err != nil {
			return fmt.Errorf("resolve incident %d of removed entities: %w", inc.ID, err)
		}
		if err := s.insertUpdate(ctx, tx, inc.ID, incident.Update{Status: incident.Resolved, Body: body, CreatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

// openIncidents lists the unresolved incidents with their components.
func (s *Store) openIncidents(ctx context.Context, tx *sql.Tx) ([]incident.Incident, error) {
	rows, err := tx.QueryContext(ctx, `SELECT i.id, i.page_id, ic.component_id FROM incidents i
		LEFT JOIN incident_components ic ON ic.incident_id = i.id WHERE i.resolved_at IS NULL AND i.deleted_at = 0
		ORDER BY i.id`)
	if err != nil {
		return nil, fmt.Errorf("list open incidents: %w", err)
	}
	var out []incident.Incident
	for rows.Next() {
		var (
			id   int64
			page string
			comp sql.NullString
		)
		if err := rows.Scan(&id, &page, &comp); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan open incident: %w", err))
		}
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, incident.Incident{ID: id, PageID: page})
		}
		if comp.Valid {
			out[len(out)-1].ComponentIDs = append(out[len(out)-1].ComponentIDs, comp.String)
		}
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list open incidents: %w", err)
	}
	return out, nil
}
