package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/statusd/statusd/audit"
	"github.com/statusd/statusd/auth"
)

// principal returns who ctx acts as; a write without one is refused.
func principal(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.FromContext(ctx)
	if !ok || p.Kind == "" {
		return auth.Principal{}, fmt.Errorf("no principal in the request context; every change must name who makes it")
	}
	return p, nil
}

// appendAudit records one change in tx. before and after are the entity's
// audit views (nil when it did not exist), encoded as JSON.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, p auth.Principal, action, kind, id string,
	before, after any, now time.Time) error {
	enc := func(v any) (string, error) {
		if v == nil {
			return "null", nil
		}
		b, err := json.Marshal(v)
		return string(b), err
	}
	b, err := enc(before)
	if err != nil {
		return fmt.Errorf("encode audit of %s %s: %w", kind, id, err)
	}
	a, err := enc(after)
	if err != nil {
		return fmt.Errorf("encode audit of %s %s: %w", kind, id, err)
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(`
		INSERT INTO audit_log (at, principal, action, entity_kind, entity_id, before_json, after_json)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), ms(now), p.String(), action, kind, id, b, a); err != nil {
		return fmt.Errorf("append audit of %s %s: %w", kind, id, err)
	}
	return nil
}

// AuditLog lists the entries f selects, newest first, and how many it
// selects in all.
func (s *Store) AuditLog(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error) {
	var (
		where []string
		args  []any
	)
	for _, c := range [...]struct{ column, value string }{
		{"entity_kind", f.Kind}, {"entity_id", f.EntityID}, {"principal", f.Principal},
	} {
		if c.value != "" {
			where, args = append(where, c.column+" = ?"), append(args, c.value)
		}
	}
	for _, k := range f.ExcludeKinds {
		where, args = append(where, "entity_kind <> ?"), append(args, k)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, ms(f.Since))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM audit_log`+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit log: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`
		SELECT id, at, principal, action, entity_kind, entity_id, before_json, after_json FROM audit_log`+cond+`
		ORDER BY id DESC LIMIT ? OFFSET ?`), append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list audit log: %w", err)
	}
	out := []audit.Entry{}
	for rows.Next() {
		var (
			e             audit.Entry
			at            int64
			before, after string
		)
		if err := rows.Scan(&e.ID, &at, &e.Principal, &e.Action, &e.Kind, &e.EntityID, &before, &after); err != nil {
			return nil, 0, closeRows(rows, fmt.Errorf("scan audit entry: %w", err))
		}
		e.At, e.Before, e.After = fromMS(at), json.RawMessage(before), json.RawMessage(after)
		out = append(out, e)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, 0, fmt.Errorf("list audit log: %w", err)
	}
	return out, total, nil
}
