// Package sqlstore owns the relational store of statusd: the catalog (pages,
// components, checks with their versions), the current check and component
// states, incidents with their updates, and — for the embedded mode — the raw
// probe results. One implementation over database/sql serves PostgreSQL
// (driver "pgx") and SQLite (driver "sqlite", modernc.org/sqlite, pure Go);
// a small dialect value holds their differences.
//
// Encoding, the same on both backends:
//   - every point in time is a BIGINT of Unix milliseconds (UTC); the zero
//     time.Time is stored as 0, and incidents.resolved_at is NULL while open;
//   - check definitions are stored as catalog/checkdef's versioned JSON
//     ({"v":1,...}, older rows without "v" still decode), with the SHA-256
//     of that encoding, from which the version is bumped;
//   - every change to a page, component or check, by the API or the
//     configuration sync, appends an audit_log row in the same transaction;
//   - result durations are BIGINT microseconds;
//   - a component's failing regions are a sorted, comma-separated list.
//
// The schema is created by versioned, embedded migrations recorded in
// schema_migrations; Open does not migrate, Migrate does. On SQLite the store
// uses one connection, which serializes writes in the process, with WAL,
// busy_timeout and foreign keys on.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// Options configures Open.
type Options struct {
	// Driver is "postgres" or "sqlite".
	Driver string
	// DSN is a PostgreSQL URL, or the path of the SQLite database file.
	DSN    string
	Logger *slog.Logger
}

// Store is the relational store. It is safe for concurrent use.
type Store struct {
	db  *sql.DB
	d   dialect
	log *slog.Logger
	// version counts the committed writes of the catalog and of admins
	// and keys (see CatalogVersion).
	version atomic.Uint64
}

// Times are when a component was created and last updated.
type Times struct {
	Created time.Time
	// Updated is the later of the component's last catalog change and its
	// last state change.
	Updated time.Time
}

// Open opens the database and pings it. It does not migrate.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.DSN == "" {
		return nil, errors.New("open store: dsn is required")
	}
	var (
		d   dialect
		dsn = opts.DSN
	)
	switch opts.Driver {
	case "postgres":
		d = postgres
	case "sqlite":
		if strings.ContainsAny(dsn, "?#") {
			return nil, fmt.Errorf("open store: dsn: a SQLite DSN is a file path, without '?' or '#': %q", dsn)
		}
		d, dsn = sqlite, sqliteDSN(dsn)
	default:
		return nil, fmt.Errorf("open store: driver: must be postgres or sqlite, got %q", opts.Driver)
	}
	db, err := sql.Open(d.driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s store: %w", d.name, err)
	}
	if d.name == "sqlite" {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	} else {
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(4)
		db.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("ping %s store: %w", d.name, err), db.Close())
	}
	return &Store{db: db, d: d, log: opts.Logger.With("store", d.name)}, nil
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close %s store: %w", s.d.name, err)
	}
	return nil
}

// inTx runs fn in a transaction, serialized against other processes by the
// advisory lock key on PostgreSQL when key is non-zero.
func (s *Store) inTx(ctx context.Context, action string, key int64, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", action, err)
	}
	if key != 0 && s.d.lock != "" {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(s.d.lock, key)); err != nil {
			return errors.Join(fmt.Errorf("%s: lock: %w", action, err), rollback(tx))
		}
	}
	if err := fn(tx); err != nil {
		return errors.Join(fmt.Errorf("%s: %w", action, err), rollback(tx))
	}
	if key == lockCatalog {
		if err := bumpCatalogVersion(ctx, tx); err != nil {
			return errors.Join(fmt.Errorf("%s: %w", action, err), rollback(tx))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", action, err)
	}
	if key == lockCatalog || key == lockAuth {
		s.version.Add(1)
	}
	return nil
}

// CatalogVersion counts the writes of pages, components, checks, admins
// and keys (each with its audit entries) that this Store committed; it
// moves after the commit, before the write returns. Writes by another
// process, and of states, incidents and results, do not move it: it lets
// a cache in this process see its own writes at once.
func (s *Store) CatalogVersion() uint64 { return s.version.Load() }

// StoredVersion reads the counter that every committed change of the
// catalog, component states, day buckets or incidents moves, by any
// process: a snapshot read at one value holds everything committed before
// it. One primary-key read.
func (s *Store) StoredVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.QueryRowContext(ctx, `SELECT v FROM stored_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read stored version: %w", err)
	}
	return v, nil
}

// StoredVersions reads the stored version (StoredVersion) and beside it
// the catalog's, which only the writes of pages, components and checks
// move, and the frozen months', which only freezes move. One primary-key
// read.
func (s *Store) StoredVersions(ctx context.Context) (all, catalog, frozen int64, err error) {
	if err := s.db.QueryRowContext(ctx, `SELECT v, catalog, frozen FROM stored_version WHERE id = 1`).Scan(&all, &catalog, &frozen); err != nil {
		return 0, 0, 0, fmt.Errorf("read stored versions: %w", err)
	}
	return all, catalog, frozen, nil
}

// bumpCatalogVersion moves the stored version and the catalog's in tx,
// last.
func bumpCatalogVersion(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE stored_version SET v = v + 1, catalog = catalog + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("move stored version: %w", err)
	}
	return nil
}

// bumpStoredVersion moves the stored version in tx, last, so that the row
// lock is held only until the commit.
func bumpStoredVersion(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE stored_version SET v = v + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("move stored version: %w", err)
	}
	return nil
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ms encodes a time as Unix milliseconds, the zero time as 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS decodes ms.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// closeRows closes rows and joins a close error with err.
func closeRows(rows *sql.Rows, err error) error {
	if cerr := rows.Close(); cerr != nil {
		return errors.Join(err, fmt.Errorf("close rows: %w", cerr))
	}
	if err == nil {
		err = rows.Err()
	}
	return err
}
