package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/maintenance"
)

// CreateMaintenance stores a new window (its ID, if any, is ignored) with
// its components and updates, and an audit entry of the principal in ctx.
// Every component must sit on the window's page: otherwise a
// *catalog.InvalidError names the component_ids entry, and nothing is
// written.
func (s *Store) CreateMaintenance(ctx context.Context, w maintenance.Window) (maintenance.Window, error) {
	p, err := principal(ctx)
	if err != nil {
		return maintenance.Window{}, fmt.Errorf("create maintenance: %w", err)
	}
	err = s.inTx(ctx, "create maintenance", 0, func(tx *sql.Tx) error {
		if err := s.checkMaintenanceComponents(ctx, tx, w); err != nil {
			return err
		}
		if err := s.insertMaintenance(ctx, tx, &w); err != nil {
			return err
		}
		if err := s.appendAudit(ctx, tx, p, "create", "maintenance", strconv.FormatInt(w.ID, 10), nil, auditView(w), w.CreatedAt); err != nil {
			return err
		}
		return bumpStoredVersion(ctx, tx)
	})
	if err != nil {
		return maintenance.Window{}, err
	}
	return w, nil
}

// ChangeMaintenance reads window id in a transaction, holding its row,
// lets change decide its new state, and stores that with an audit entry
// named action: a person's edit, update, start, complete or cancel. An
// error of change (a *maintenance.FieldError) is returned as it is and
// nothing is written; a missing window is a *catalog.NotFoundError.
func (s *Store) ChangeMaintenance(ctx context.Context, id int64, action string,
	change func(maintenance.Window) (maintenance.Window, error)) (maintenance.Window, error) {
	p, err := principal(ctx)
	if err != nil {
		return maintenance.Window{}, fmt.Errorf("change maintenance: %w", err)
	}
	var after maintenance.Window
	err = s.inTx(ctx, action+" maintenance", 0, func(tx *sql.Tx) error {
		before, err := s.maintenanceForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if after, err = change(before); err != nil {
			return err
		}
		after.ID, after.PageID = before.ID, before.PageID
		if err := s.checkMaintenanceComponents(ctx, tx, after); err != nil {
			return err
		}
		if err := s.writeMaintenance(ctx, tx, before, &after); err != nil {
			return err
		}
		if err := s.windowMoved(ctx, tx, before, &after, after.UpdatedAt); err != nil {
			return err
		}
		if err := s.appendAudit(ctx, tx, p, action, "maintenance", strconv.FormatInt(id, 10),
			auditView(before), auditView(after), after.UpdatedAt); err != nil {
			return err
		}
		return bumpStoredVersion(ctx, tx)
	})
	if err != nil {
		return maintenance.Window{}, err
	}
	return after, nil
}

// DeleteMaintenance deletes a window with its updates, transitions and
// reminders, and records who did.
func (s *Store) DeleteMaintenance(ctx context.Context, id int64, now time.Time) error {
	p, err := principal(ctx)
	if err != nil {
		return fmt.Errorf("delete maintenance: %w", err)
	}
	return s.inTx(ctx, "delete maintenance", 0, func(tx *sql.Tx) error {
		before, err := s.maintenanceForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM maintenances WHERE id = ?`), id); err != nil {
			return fmt.Errorf("delete maintenance %d: %w", id, err)
		}
		if err := s.windowMoved(ctx, tx, before, nil, now); err != nil {
			return err
		}
		if err := s.appendAudit(ctx, tx, p, "delete", "maintenance", strconv.FormatInt(id, 10), auditView(before), nil, now); err != nil {
			return err
		}
		return bumpStoredVersion(ctx, tx)
	})
}

// Maintenance returns one window, or a *catalog.NotFoundError.
func (s *Store) Maintenance(ctx context.Context, id int64) (maintenance.Window, error) {
	ws, err := s.loadMaintenances(ctx, s.db, `m.id = ?`, []any{id}, "", 1, 0)
	if err != nil {
		return maintenance.Window{}, fmt.Errorf("read maintenance %d: %w", id, err)
	}
	if len(ws) == 0 {
		return maintenance.Window{}, &catalog.NotFoundError{Kind: "maintenance", ID: strconv.FormatInt(id, 10)}
	}
	return ws[0], nil
}

// Maintenances lists the windows f selects, latest start first, and how
// many it selects in all.
func (s *Store) Maintenances(ctx context.Context, f maintenance.Filter) ([]maintenance.Window, int, error) {
	var (
		where []string
		args  []any
	)
	if f.PageID != "" {
		where, args = append(where, "m.page_id = ?"), append(args, f.PageID)
	}
	if len(f.Statuses) > 0 {
		where = append(where, "m.status IN ("+placeholders(len(f.Statuses))+")")
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if f.Public {
		where = append(where, "NOT m.private")
	}
	cond := strings.Join(where, " AND ")
	if cond == "" {
		cond = "1 = 1"
	}
	var total int
	if err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM maintenances m WHERE `+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count maintenances: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	ws, err := s.loadMaintenances(ctx, s.db, cond, args, "m.starts_at DESC, m.id DESC", limit, max(f.Offset, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("list maintenances: %w", err)
	}
	return ws, total, nil
}

// OpenMaintenances lists what the scheduler watches: every window not yet
// over, every recurring one whose next window is not made yet, and those
// that ended (completed or cancelled) at or after since, which the
// evaluator still needs to place late results. Oldest start first.
func (s *Store) OpenMaintenances(ctx context.Context, since time.Time) ([]maintenance.Window, error) {
	ws, err := s.loadMaintenances(ctx, s.db, `m.status IN ('scheduled', 'in_progress', 'verifying')
		OR (m.recurrence <> '' AND NOT m.spawned) OR m.completed_at >= ? OR m.cancelled_at >= ?`,
		[]any{ms(since), ms(since)}, "m.starts_at, m.id", 100_000, 0)
	if err != nil {
		return nil, fmt.Errorf("list open maintenances: %w", err)
	}
	return ws, nil
}

// checkMaintenanceComponents refuses components that are not on the
// window's page, and a page that does not exist.
func (s *Store) checkMaintenanceComponents(ctx context.Context, tx *sql.Tx, w maintenance.Window) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM pages WHERE id = ?`), w.PageID).Scan(&n); err != nil {
		return fmt.Errorf("find page %s: %w", w.PageID, err)
	}
	if n == 0 {
		return &catalog.InvalidError{Kind: "maintenance", Fields: []catalog.FieldError{
			{Field: "page_id", Message: fmt.Sprintf("page %q does not exist", catalog.Truncate(w.PageID))}}}
	}
	for i, id := range w.ComponentIDs {
		if err := tx.QueryRowContext(ctx, s.d.rebind(`
			SELECT COUNT(*) FROM page_components WHERE page_id = ? AND component_id = ?`), w.PageID, id).Scan(&n); err != nil {
			return fmt.Errorf("find component %s: %w", id, err)
		}
		if n == 0 {
			return &catalog.InvalidError{Kind: "maintenance", Fields: []catalog.FieldError{{
				Field:   "component_ids[" + strconv.Itoa(i) + "]",
				Message: fmt.Sprintf("component %q is not on page %q", catalog.Truncate(id), catalog.Truncate(w.PageID))}}}
		}
	}
	return nil
}

// maintenanceForUpdate reads a window in tx, holding its row on PostgreSQL
// until the commit (SQLite's IMMEDIATE transaction holds the whole file).
func (s *Store) maintenanceForUpdate(ctx context.Context, tx *sql.Tx, id int64) (maintenance.Window, error) {
	if s.d.name == "postgres" {
		if _, err := tx.ExecContext(ctx, `SELECT id FROM maintenances WHERE id = $1 FOR UPDATE`, id); err != nil {
			return maintenance.Window{}, fmt.Errorf("lock maintenance %d: %w", id, err)
		}
	}
	ws, err := s.loadMaintenances(ctx, tx, `m.id = ?`, []any{id}, "", 1, 0)
	if err != nil {
		return maintenance.Window{}, fmt.Errorf("read maintenance %d: %w", id, err)
	}
	if len(ws) == 0 {
		return maintenance.Window{}, &catalog.NotFoundError{Kind: "maintenance", ID: strconv.FormatInt(id, 10)}
	}
	return ws[0], nil
}

// auditView is what the audit log keeps of a window: its fields without
// its updates, which have their own IDs.
func auditView(w maintenance.Window) map[string]any {
	rec := ""
	if w.Recurrence != nil {
		rec = w.Recurrence.Text
	}
	return map[string]any{
		"id": w.ID, "page_id": w.PageID, "title": w.Title, "status": w.Status,
		"starts_at": w.StartsAt, "ends_at": w.EndsAt, "component_ids": w.ComponentIDs,
		"auto_start": w.AutoStart, "auto_end": w.AutoEnd, "private": w.Private, "recurrence": rec,
		"updates": len(w.Updates),
	}
}
