package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/statusd/statusd/internal/dirlock"
	"github.com/statusd/statusd/store/sqlstore"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("migrate", "", stderr)
	cfgPath := fs.String("config", "statusd.yaml", "configuration file naming the PostgreSQL and ClickHouse servers")
	dataDir := fs.String("data-dir", "", "migrate the standalone SQLite database in this directory instead")
	if code, done := parse(fs, args); done {
		return code
	}
	if *dataDir != "" {
		if err := migrateSQLite(ctx, *dataDir); err != nil {
			fmt.Fprintf(stderr, "statusd migrate: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "migrated %s\n", filepath.Join(*dataDir, "statusd.db"))
		return exitOK
	}
	cfg, ok := loadConfig(*cfgPath, stderr)
	if !ok {
		return exitUsage
	}
	logger := newLogger(cfg.Log, stderr)
	st, err := openStores(ctx, cfg, logger)
	if err != nil {
		fmt.Fprintf(stderr, "statusd migrate: %v\n", err)
		return exitFailed
	}
	err = errors.Join(st.migrate(ctx), st.Close())
	if err != nil {
		fmt.Fprintf(stderr, "statusd migrate: %v\n", err)
		return exitFailed
	}
	fmt.Fprintln(stdout, "migrated postgres and clickhouse")
	return exitOK
}

// migrateSQLite migrates the database of a standalone data directory,
// which it locks as standalone does: never under a running standalone.
func migrateSQLite(ctx context.Context, dataDir string) (err error) {
	lock, err := dirlock.Acquire(dirlock.Options{Dir: dataDir})
	if err != nil {
		return fmt.Errorf("lock data directory: %w", err)
	}
	defer func() { err = errors.Join(err, lock.Release()) }()
	st, err := sqlstore.Open(ctx, sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(dataDir, "statusd.db")})
	if err != nil {
		return err
	}
	return errors.Join(st.Migrate(ctx), st.Close())
}
