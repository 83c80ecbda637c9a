package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/catalog/checkdef"
)

// Checks lists every check with its version, sorted by ID.
func (s *Store) Checks(ctx context.Context) ([]catalog.Check, error) {
	return s.checks(ctx, s.db, "")
}

// ChecksOf lists the checks of one component, sorted by ID.
func (s *Store) ChecksOf(ctx context.Context, componentID string) ([]catalog.Check, error) {
	return s.checks(ctx, s.db, componentID)
}

func (s *Store) checks(ctx context.Context, q querier, componentID string) ([]catalog.Check, error) {
	query, args := `SELECT id, definition, version, managed FROM checks ORDER BY id`, []any(nil)
	if componentID != "" {
		query = `SELECT id, definition, version, managed FROM checks WHERE component_id = ? ORDER BY id`
		args = append(args, componentID)
	}
	rows, err := q.QueryContext(ctx, s.d.rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list checks: %w", err)
	}
	var out []catalog.Check
	for rows.Next() {
		c, err := scanCheck(rows)
		if err != nil {
			return nil, closeRows(rows, err)
		}
		out = append(out, c)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list checks: %w", err)
	}
	return out, nil
}

func scanCheck(r scanner) (catalog.Check, error) {
	var (
		id, def, managed string
		version          int64
	)
	if err := r.Scan(&id, &def, &version, &managed); err != nil {
		return catalog.Check{}, fmt.Errorf("scan check: %w", err)
	}
	c, err := checkdef.Decode([]byte(def))
	if err != nil {
		return catalog.Check{}, fmt.Errorf("check %s: %w", id, err)
	}
	c.Version, c.Managed = version, managed
	return c, nil
}

// Check returns one check, or a *catalog.NotFoundError.
func (s *Store) Check(ctx context.Context, id string) (catalog.Check, error) {
	c, ok, err := s.check(ctx, s.db, id)
	if err == nil && !ok {
		err = &catalog.NotFoundError{Kind: kindCheck, ID: id}
	}
	return c, err
}

func (s *Store) check(ctx context.Context, q querier, id string) (catalog.Check, bool, error) {
	c, err := scanCheck(q.QueryRowContext(ctx, s.d.rebind(`SELECT id, definition, version, managed FROM checks WHERE id = ?`), id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return catalog.Check{}, false, nil
	case err != nil:
		return catalog.Check{}, false, fmt.Errorf("read check %s: %w", id, err)
	}
	return c, true, nil
}

// saveCheck inserts or updates c. Its version starts at 1 and grows by one
// whenever its definition (compared by digest) changes; a change of
// Managed alone keeps the version.
func (s *Store) saveCheck(ctx context.Context, tx *sql.Tx, c catalog.Check, now time.Time) (int64, error) {
	def, err := checkdef.Encode(c)
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256(def)
	digest := hex.EncodeToString(sum[:])
	var (
		oldDigest string
		version   int64
	)
	err = tx.QueryRowContext(ctx, s.d.rebind(`SELECT digest, version FROM checks WHERE id = ?`), c.ID).Scan(&oldDigest, &version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read version of check %s: %w", c.ID, err)
	}
	if oldDigest != digest {
		version++
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(`
		INSERT INTO checks (id, component_id, type, definition, digest, version, managed, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET component_id = excluded.component_id, type = excluded.type,
			definition = excluded.definition, digest = excluded.digest, version = excluded.version,
			managed = excluded.managed, updated_at = excluded.updated_at`),
		c.ID, c.ComponentID, string(c.Type), string(def), digest, version, c.Managed, ms(now), ms(now)); err != nil {
		return 0, fmt.Errorf("save check %s: %w", c.ID, err)
	}
	return version, nil
}

func (s *Store) deleteCheck(ctx context.Context, tx *sql.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM checks WHERE id = ?`), id); err != nil {
		return fmt.Errorf("delete check %s: %w", id, err)
	}
	return nil
}

// checkRefs checks that c's component exists and is not a group.
func (s *Store) checkRefs(ctx context.Context, tx *sql.Tx, c catalog.Check) error {
	comp, ok, err := s.component(ctx, tx, c.ComponentID)
	if err != nil {
		return err
	}
	switch {
	case !ok:
		return catalog.Invalid(kindCheck, []catalog.FieldError{{Field: "component_id",
			Message: fmt.Sprintf("no component %q", catalog.Truncate(c.ComponentID))}})
	case comp.IsGroup:
		return catalog.Invalid(kindCheck, []catalog.FieldError{{Field: "component_id",
			Message: fmt.Sprintf("component %q is a group, and a group may not have checks", c.ComponentID)}})
	}
	return nil
}
