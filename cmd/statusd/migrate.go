package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

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
		if err := migrateSQLite(ctx, filepath.Join(*dataDir, "statusd.db")); err != nil {
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

func migrateSQLite(ctx context.Context, path string) error {
	st, err := sqlstore.Open(ctx, sqlstore.Options{Driver: "sqlite", DSN: path})
	if err != nil {
		return err
	}
	return errors.Join(st.Migrate(ctx), st.Close())
}
