package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/statusd/statusd/auth"
)

// The audit log's kinds of the auth entities.
const (
	kindAdmin = "admin"
	kindKey   = "key"
)

// authWrite runs one write of admins or keys in a transaction serialized
// with every other such write, with the principal of ctx, which the audit
// entries of fn name; a write without a principal is refused.
func (s *Store) authWrite(ctx context.Context, action string, fn func(tx *sql.Tx, p auth.Principal) error) error {
	p, err := principal(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return s.inTx(ctx, action, lockAuth, func(tx *sql.Tx) error { return fn(tx, p) })
}

// adminAudit is an admin as the audit log records it.
type adminAudit struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	Disabled  bool   `json:"disabled"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func newAdminAudit(a auth.Admin) adminAudit {
	return adminAudit{ID: a.ID, Email: a.Email, Name: a.Name, Disabled: a.Disabled,
		CreatedAt: auditTime(a.CreatedAt), UpdatedAt: auditTime(a.UpdatedAt)}
}

// keyAudit is an API key as the audit log records it: never its secret
// nor its hash.
type keyAudit struct {
	ID        string `json:"id"`
	AdminID   string `json:"admin_id"`
	Name      string `json:"name"`
	Scope     string `json:"scope"`
	PageID    string `json:"page_id"`
	CreatedAt string `json:"created_at"`
	RevokedAt string `json:"revoked_at"`
}

func newKeyAudit(k auth.Key) keyAudit {
	return keyAudit{ID: k.ID, AdminID: k.AdminID, Name: k.Name, Scope: string(k.Scope), PageID: k.PageID,
		CreatedAt: auditTime(k.CreatedAt), RevokedAt: auditTime(k.RevokedAt)}
}

// auditTime is t as RFC 3339 in UTC to the millisecond, "" for none.
func auditTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// keysOf lists the keys of one admin in q.
func (s *Store) keysOf(ctx context.Context, q querier, adminID string) ([]auth.Key, error) {
	rows, err := q.QueryContext(ctx, s.d.rebind(`SELECT `+keyColumns+` FROM api_keys WHERE admin_id = ? ORDER BY created_at, id`), adminID)
	if err != nil {
		return nil, fmt.Errorf("list keys of admin: %w", err)
	}
	var out []auth.Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, closeRows(rows, fmt.Errorf("list keys of admin: %w", err))
		}
		out = append(out, k)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list keys of admin: %w", err)
	}
	return out, nil
}

// cutID shortens an ID from a caller for an error message.
func cutID(id string) string {
	const max = 64
	if len(id) <= max {
		return id
	}
	return fmt.Sprintf("%q…", id[:max])
}
