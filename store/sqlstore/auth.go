package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/statusd/statusd/audit"
	"github.com/statusd/statusd/auth"
)

// lockAuth serializes writes of admins and keys on PostgreSQL, so that the
// check for a taken email and the insert are one step.
const lockAuth int64 = 0x5374617475730005

const adminColumns = `id, email, name, disabled, created_at, updated_at`

const keyColumns = `id, admin_id, name, scope, page_id, hash, created_at, last_used_at, revoked_at`

// CreateAdmin stores a new admin and its audit entry, by the principal of
// ctx; the error wraps auth.ErrEmailTaken when another admin has its email.
func (s *Store) CreateAdmin(ctx context.Context, a auth.Admin) error {
	return s.authWrite(ctx, "create admin", func(tx *sql.Tx, p auth.Principal) error {
		if err := s.emailFree(ctx, tx, a.Email, ""); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO admins (`+adminColumns+`, email_key)
			VALUES (?, ?, ?, ?, ?, ?, ?)`),
			a.ID, a.Email, a.Name, a.Disabled, ms(a.CreatedAt), ms(a.UpdatedAt), auth.EmailKey(a.Email))
		if err != nil {
			return fmt.Errorf("insert admin: %w", err)
		}
		return s.appendAudit(ctx, tx, p, audit.ActionCreate, kindAdmin, a.ID, nil, newAdminAudit(a), a.CreatedAt)
	})
}

// emailFree returns auth.ErrEmailTaken when an admin other than exceptID
// has email.
func (s *Store) emailFree(ctx context.Context, q querier, email, exceptID string) error {
	var id string
	err := q.QueryRowContext(ctx, s.d.rebind(`SELECT id FROM admins WHERE email_key = ? AND id <> ?`),
		auth.EmailKey(email), exceptID).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("look up email: %w", err)
	}
	return auth.ErrEmailTaken
}

// Admins lists every admin, oldest first.
func (s *Store) Admins(ctx context.Context) ([]auth.Admin, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+adminColumns+` FROM admins ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list admins: %w", err)
	}
	var out []auth.Admin
	for rows.Next() {
		a, err := scanAdmin(rows)
		if err != nil {
			return nil, closeRows(rows, fmt.Errorf("list admins: %w", err))
		}
		out = append(out, a)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list admins: %w", err)
	}
	return out, nil
}

// Admin returns the admin with this ID; the error wraps auth.ErrNotFound
// when there is none.
func (s *Store) Admin(ctx context.Context, id string) (auth.Admin, error) {
	a, err := s.admin(ctx, s.db, `id`, id)
	if err != nil {
		return auth.Admin{}, fmt.Errorf("get admin: %w", err)
	}
	return a, nil
}

// AdminByEmail returns the admin with this email, compared without regard
// to case; the error wraps auth.ErrNotFound when there is none.
func (s *Store) AdminByEmail(ctx context.Context, email string) (auth.Admin, error) {
	a, err := s.admin(ctx, s.db, `email_key`, auth.EmailKey(email))
	if err != nil {
		return auth.Admin{}, fmt.Errorf("get admin by email: %w", err)
	}
	return a, nil
}

func (s *Store) admin(ctx context.Context, q querier, column, value string) (auth.Admin, error) {
	a, err := scanAdmin(q.QueryRowContext(ctx, s.d.rebind(`SELECT `+adminColumns+` FROM admins WHERE `+column+` = ?`), value))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Admin{}, auth.ErrNotFound
	}
	return a, err
}

// UpdateAdmin changes the admin with this ID by change, in one
// transaction with its audit entry by the principal of ctx, and returns it
// changed. An error of change is returned as
// is and nothing is written; the error wraps auth.ErrNotFound when there is
// no such admin and auth.ErrEmailTaken when the new email is another's.
func (s *Store) UpdateAdmin(ctx context.Context, id string, change func(*auth.Admin) error) (auth.Admin, error) {
	var out auth.Admin
	var changeErr error
	err := s.authWrite(ctx, "update admin", func(tx *sql.Tx, p auth.Principal) error {
		a, err := s.admin(ctx, tx, `id`, id)
		if err != nil {
			return err
		}
		prev := a
		if changeErr = change(&a); changeErr != nil {
			return changeErr
		}
		if err := s.emailFree(ctx, tx, a.Email, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE admins SET email = ?, email_key = ?, name = ?,
			disabled = ?, updated_at = ? WHERE id = ?`),
			a.Email, auth.EmailKey(a.Email), a.Name, a.Disabled, ms(a.UpdatedAt), id); err != nil {
			return fmt.Errorf("write admin: %w", err)
		}
		out = a
		return s.appendAudit(ctx, tx, p, audit.ActionUpdate, kindAdmin, id, newAdminAudit(prev), newAdminAudit(a), a.UpdatedAt)
	})
	if changeErr != nil {
		return auth.Admin{}, changeErr
	}
	return out, err
}

// DeleteAdmin deletes the admin with this ID and its keys at at, with an
// audit entry for each by the principal of ctx; the error wraps
// auth.ErrNotFound when there is no such admin.
func (s *Store) DeleteAdmin(ctx context.Context, id string, at time.Time) error {
	return s.authWrite(ctx, "delete admin", func(tx *sql.Tx, p auth.Principal) error {
		a, err := s.admin(ctx, tx, `id`, id)
		if err != nil {
			return err
		}
		keys, err := s.keysOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM api_keys WHERE admin_id = ?`), id); err != nil {
			return fmt.Errorf("delete keys: %w", err)
		}
		for _, k := range keys {
			if err := s.appendAudit(ctx, tx, p, audit.ActionDelete, kindKey, k.ID, newKeyAudit(k), nil, at); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM admins WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		if err := authAffected(res); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, p, audit.ActionDelete, kindAdmin, id, newAdminAudit(a), nil, at)
	})
}

// CreateKey stores a new key and its audit entry (without the hash), by
// the principal of ctx. The error wraps auth.ErrUnknownAdmin or
// auth.ErrUnknownPage when the key names an admin or page that does not
// exist.
func (s *Store) CreateKey(ctx context.Context, k auth.Key) error {
	return s.authWrite(ctx, "create key", func(tx *sql.Tx, p auth.Principal) error {
		if err := authRowExists(ctx, tx, s.d.rebind(`SELECT 1 FROM admins WHERE id = ?`), k.AdminID, auth.ErrUnknownAdmin); err != nil {
			return err
		}
		if k.PageID != "" {
			if err := authRowExists(ctx, tx, s.d.rebind(`SELECT 1 FROM pages WHERE id = ?`), k.PageID, auth.ErrUnknownPage); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO api_keys (`+keyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			k.ID, k.AdminID, k.Name, string(k.Scope), k.PageID, k.Hash, ms(k.CreatedAt), ms(k.LastUsedAt), ms(k.RevokedAt)); err != nil {
			return fmt.Errorf("insert key: %w", err)
		}
		return s.appendAudit(ctx, tx, p, audit.ActionCreate, kindKey, k.ID, nil, newKeyAudit(k), k.CreatedAt)
	})
}

// authRowExists returns missing when query with arg finds no row.
func authRowExists(ctx context.Context, q querier, query, arg string, missing error) error {
	var one int
	err := q.QueryRowContext(ctx, query, arg).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return missing
	case err != nil:
		return fmt.Errorf("look up: %w", err)
	}
	return nil
}

// Keys lists every key, revoked ones included, oldest first.
func (s *Store) Keys(ctx context.Context) ([]auth.Key, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	var out []auth.Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, closeRows(rows, fmt.Errorf("list keys: %w", err))
		}
		out = append(out, k)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return out, nil
}

// Key returns the key with this ID; the error wraps auth.ErrNotFound when
// there is none.
func (s *Store) Key(ctx context.Context, id string) (auth.Key, error) {
	k, err := scanKey(s.db.QueryRowContext(ctx, s.d.rebind(`SELECT `+keyColumns+` FROM api_keys WHERE id = ?`), id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return auth.Key{}, fmt.Errorf("get key %s: %w", id, auth.ErrNotFound)
	case err != nil:
		return auth.Key{}, fmt.Errorf("get key %s: %w", id, err)
	}
	return k, nil
}

// KeyWithAdmin returns the key with this ID and its admin, in one query;
// the error wraps auth.ErrNotFound when there is no such key.
func (s *Store) KeyWithAdmin(ctx context.Context, id string) (auth.Key, auth.Admin, error) {
	var (
		k                     auth.Key
		a                     auth.Admin
		scope                 string
		created, used, revoke int64
		aCreated, aUpdated    int64
	)
	err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT k.id, k.admin_id, k.name, k.scope, k.page_id, k.hash,
		k.created_at, k.last_used_at, k.revoked_at, a.id, a.email, a.name, a.disabled, a.created_at, a.updated_at
		FROM api_keys k JOIN admins a ON a.id = k.admin_id WHERE k.id = ?`), id).Scan(
		&k.ID, &k.AdminID, &k.Name, &scope, &k.PageID, &k.Hash, &created, &used, &revoke,
		&a.ID, &a.Email, &a.Name, &a.Disabled, &aCreated, &aUpdated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return auth.Key{}, auth.Admin{}, fmt.Errorf("get key %s: %w", id, auth.ErrNotFound)
	case err != nil:
		return auth.Key{}, auth.Admin{}, fmt.Errorf("get key %s: %w", id, err)
	}
	k.Scope, k.CreatedAt, k.LastUsedAt, k.RevokedAt = auth.Scope(scope), fromMS(created), fromMS(used), fromMS(revoke)
	a.CreatedAt, a.UpdatedAt = fromMS(aCreated), fromMS(aUpdated)
	return k, a, nil
}

// TouchKey records that the key was used at at; an earlier time than the
// one stored changes nothing.
func (s *Store) TouchKey(ctx context.Context, id string, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.d.rebind(`UPDATE api_keys SET last_used_at = ? WHERE id = ? AND last_used_at < ?`),
		ms(at), id, ms(at)); err != nil {
		return fmt.Errorf("touch key %s: %w", id, err)
	}
	return nil
}

// RevokeKey revokes the key with this ID at at and returns it, with an
// audit entry by the principal of ctx; a key revoked before keeps its
// first revocation time, and a second revoke records nothing. The error
// wraps auth.ErrNotFound when there is no such key.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) (auth.Key, error) {
	var out auth.Key
	err := s.authWrite(ctx, "revoke key "+cutID(id), func(tx *sql.Tx, p auth.Principal) error {
		prev, err := scanKey(tx.QueryRowContext(ctx, s.d.rebind(`SELECT `+keyColumns+` FROM api_keys WHERE id = ?`), id))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return auth.ErrNotFound
		case err != nil:
			return fmt.Errorf("read: %w", err)
		}
		out = prev
		if prev.Revoked() {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE api_keys SET revoked_at = ? WHERE id = ?`), ms(at), id); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		out.RevokedAt = fromMS(ms(at))
		return s.appendAudit(ctx, tx, p, audit.ActionRevoke, kindKey, id, newKeyAudit(prev), newKeyAudit(out), at)
	})
	return out, err
}

// authScanner is a *sql.Row or *sql.Rows.
type authScanner interface{ Scan(dest ...any) error }

func scanAdmin(r authScanner) (auth.Admin, error) {
	var (
		a                auth.Admin
		created, updated int64
	)
	if err := r.Scan(&a.ID, &a.Email, &a.Name, &a.Disabled, &created, &updated); err != nil {
		return auth.Admin{}, err
	}
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return a, nil
}

func scanKey(r authScanner) (auth.Key, error) {
	var (
		k                      auth.Key
		scope                  string
		created, used, revoked int64
	)
	if err := r.Scan(&k.ID, &k.AdminID, &k.Name, &scope, &k.PageID, &k.Hash, &created, &used, &revoked); err != nil {
		return auth.Key{}, err
	}
	k.Scope, k.CreatedAt, k.LastUsedAt, k.RevokedAt = auth.Scope(scope), fromMS(created), fromMS(used), fromMS(revoked)
	return k, nil
}

// authAffected returns auth.ErrNotFound when res changed no row.
func authAffected(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return nil
}
