package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/statusd/statusd/audit"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
)

// putMode says whether put creates, updates, or does either (the sync).
type putMode int

const (
	modeCreate putMode = iota
	modeUpdate
	modeUpsert
)

// put stores v in tx and appends its audit entry; it reports whether v
// changed anything. A create of a taken ID, a change by anyone but the
// configuration sync to an entity the configuration manages, and a write
// with broken references fail with catalog's typed errors.
func put[T any](ctx context.Context, s *Store, tx *sql.Tx, k kind[T], p auth.Principal, mode putMode, v T, now time.Time) (bool, error) {
	id := k.id(v)
	if mode != modeUpsert {
		if err := catalog.Invalid(k.name, k.validate(v)); err != nil {
			return false, err
		}
	}
	prev, exists, err := k.get(ctx, tx, id)
	if err != nil {
		return false, err
	}
	return putOver(ctx, s, tx, k, p, mode, v, prev, exists, now)
}

// putOver is put with the stored entity already read in tx: prev when
// exists. It reports whether it wrote.
func putOver[T any](ctx context.Context, s *Store, tx *sql.Tx, k kind[T], p auth.Principal, mode putMode, v, prev T, exists bool,
	now time.Time) (bool, error) {
	id := k.id(v)
	switch {
	case mode == modeCreate && exists:
		return false, &catalog.ConflictError{Kind: k.name, ID: id, Message: "already exists"}
	case mode == modeUpdate && !exists:
		return false, &catalog.NotFoundError{Kind: k.name, ID: id}
	case mode != modeUpsert && exists && k.managed(prev) != "":
		return false, catalog.ManagedError(k.name, id, k.managed(prev))
	case exists && k.same(prev, v):
		return false, nil
	}
	if mode != modeUpsert { // the sync's references are checked by checkCatalog
		if err := k.refs(ctx, tx, v); err != nil {
			return false, err
		}
	}
	if err := k.save(ctx, tx, v, now); err != nil {
		return false, err
	}
	after, _, err := k.get(ctx, tx, id)
	if err != nil {
		return false, err
	}
	action, before := audit.ActionCreate, any(nil)
	if exists {
		action, before = audit.ActionUpdate, k.view(prev)
	}
	return true, s.appendAudit(ctx, tx, p, action, k.name, id, before, k.view(after), now)
}

// remove deletes entity id in tx and appends its audit entry.
func remove[T any](ctx context.Context, s *Store, tx *sql.Tx, k kind[T], p auth.Principal, id string, sync bool, now time.Time) error {
	prev, exists, err := k.get(ctx, tx, id)
	switch {
	case err != nil:
		return err
	case !exists:
		return &catalog.NotFoundError{Kind: k.name, ID: id}
	case !sync && k.managed(prev) != "":
		return catalog.ManagedError(k.name, id, k.managed(prev))
	}
	if err := k.del(ctx, tx, id); err != nil {
		return err
	}
	return s.appendAudit(ctx, tx, p, audit.ActionDelete, k.name, id, k.view(prev), nil, now)
}

// write runs one API write in a transaction serialized with every other
// catalog write, with the principal of ctx.
func (s *Store) write(ctx context.Context, action string, fn func(tx *sql.Tx, p auth.Principal) error) error {
	p, err := principal(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return s.inTx(ctx, action, lockCatalog, func(tx *sql.Tx) error { return fn(tx, p) })
}

// CreatePage stores a new page and returns it as stored.
func (s *Store) CreatePage(ctx context.Context, pg catalog.Page, now time.Time) (catalog.Page, error) {
	return writeOne(ctx, s, s.pageKind(), "create page", modeCreate, pg, now)
}

// UpdatePage replaces a page and returns it as stored.
func (s *Store) UpdatePage(ctx context.Context, pg catalog.Page, now time.Time) (catalog.Page, error) {
	return writeOne(ctx, s, s.pageKind(), "update page", modeUpdate, pg, now)
}

// DeletePage deletes a page with the components whose primary page it is.
func (s *Store) DeletePage(ctx context.Context, id string, now time.Time) error {
	return s.write(ctx, "delete page", func(tx *sql.Tx, p auth.Principal) error {
		return remove(ctx, s, tx, s.pageKind(), p, id, false, now)
	})
}

// CreateComponent stores a new component and returns it as stored.
func (s *Store) CreateComponent(ctx context.Context, c catalog.Component, now time.Time) (catalog.Component, error) {
	c.Normalize()
	return writeOne(ctx, s, s.componentKind(), "create component", modeCreate, c, now)
}

// UpdateComponent replaces a component and returns it as stored.
func (s *Store) UpdateComponent(ctx context.Context, c catalog.Component, now time.Time) (catalog.Component, error) {
	c.Normalize()
	return writeOne(ctx, s, s.componentKind(), "update component", modeUpdate, c, now)
}

// DeleteComponent deletes a component with its checks; a group that still
// has components is not deleted.
func (s *Store) DeleteComponent(ctx context.Context, id string, now time.Time) error {
	return s.write(ctx, "delete component", func(tx *sql.Tx, p auth.Principal) error {
		var members int
		if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM components WHERE group_id = ?`), id).Scan(&members); err != nil {
			return fmt.Errorf("count members of %s: %w", id, err)
		}
		if members > 0 {
			return &catalog.ConflictError{Kind: kindComponent, ID: id,
				Message: fmt.Sprintf("the group has %d components; delete them or move them out first", members)}
		}
		return remove(ctx, s, tx, s.componentKind(), p, id, false, now)
	})
}

// CreateCheck stores a new check and returns it as stored, with version 1.
func (s *Store) CreateCheck(ctx context.Context, c catalog.Check, now time.Time) (catalog.Check, error) {
	return writeOne(ctx, s, s.checkKind(), "create check", modeCreate, c, now)
}

// UpdateCheck replaces a check and returns it as stored; its version grows
// when its definition changed.
func (s *Store) UpdateCheck(ctx context.Context, c catalog.Check, now time.Time) (catalog.Check, error) {
	return writeOne(ctx, s, s.checkKind(), "update check", modeUpdate, c, now)
}

// DeleteCheck deletes a check.
func (s *Store) DeleteCheck(ctx context.Context, id string, now time.Time) error {
	return s.write(ctx, "delete check", func(tx *sql.Tx, p auth.Principal) error {
		return remove(ctx, s, tx, s.checkKind(), p, id, false, now)
	})
}

// writeOne creates or updates one entity through the API's write path and
// returns it as stored. The principal's changes are never to managed
// entities, and Managed of v is ignored: the API owns what it writes.
func writeOne[T any](ctx context.Context, s *Store, k kind[T], action string, mode putMode, v T, now time.Time) (T, error) {
	var out T
	err := s.write(ctx, action, func(tx *sql.Tx, p auth.Principal) error {
		if _, err := put(ctx, s, tx, k, p, mode, v, now); err != nil {
			return err
		}
		got, _, err := k.get(ctx, tx, k.id(v))
		out = got
		if err == nil && k.name == kindCheck {
			err = s.markNoData(ctx, tx, now)
		}
		return err
	})
	return out, err
}

// SetPageEnabled enables or disables a page. It is allowed on a page the
// configuration manages: the file does not declare it.
func (s *Store) SetPageEnabled(ctx context.Context, id string, enabled bool, now time.Time) (catalog.Page, error) {
	action := audit.ActionDisable
	if enabled {
		action = audit.ActionEnable
	}
	return s.changePage(ctx, action, id, now, func(p *catalog.Page) { p.Disabled = !enabled })
}

// SetPlatformAlert sets (or, with the zero alert, clears) the alert banner
// of a page. It is allowed on a page the configuration manages: the file
// does not declare it.
func (s *Store) SetPlatformAlert(ctx context.Context, id string, a catalog.PlatformAlert, now time.Time) (catalog.Page, error) {
	action := audit.ActionSetAlert
	if a == (catalog.PlatformAlert{}) {
		action = audit.ActionClearAlert
	}
	return s.changePage(ctx, action, id, now, func(p *catalog.Page) { p.Alert = a })
}

func (s *Store) changePage(ctx context.Context, action, id string, now time.Time, change func(*catalog.Page)) (catalog.Page, error) {
	var out catalog.Page
	err := s.write(ctx, action+" of page", func(tx *sql.Tx, p auth.Principal) error {
		prev, ok, err := s.page(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return &catalog.NotFoundError{Kind: kindPage, ID: id}
		}
		out = prev
		change(&out)
		if err := catalog.Invalid(kindPage, out.Validate()); err != nil {
			return err
		}
		if err := s.savePage(ctx, tx, out, now); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, p, action, kindPage, id, newPageAudit(prev), newPageAudit(out), now)
	})
	return out, err
}
