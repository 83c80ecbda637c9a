package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/config"
	"github.com/statusd/statusd/internal/dirlock"
	"github.com/statusd/statusd/staticexport"
	"github.com/statusd/statusd/store/sqlstore"
)

// runExport writes the public pages as static files once: from the
// PostgreSQL store the configuration names, or from a standalone's data
// directory. Exit 0 done, 1 the export failed, 2 a bad flag or
// configuration.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("export", "", stderr)
	cfgPath := fs.String("config", "statusd.yaml", "configuration file naming the PostgreSQL server (with --data-dir: optional)")
	dataDir := fs.String("data-dir", "", "export from the standalone SQLite database in this directory instead (not while standalone runs)")
	out := fs.String("out", "", "directory to write the pages to, one directory per page (default: export.dir of the config)")
	page := fs.String("page", "", "export only the page with this ID")
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "statusd export: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	cfg, ok := exportConfig(fs, *cfgPath, *dataDir, stderr)
	if !ok {
		return exitUsage
	}
	if *out == "" {
		*out = cfg.Export.Dir
	}
	if *out == "" {
		fmt.Fprintln(stderr, "statusd export: --out is required (or export.dir in the configuration)")
		return exitUsage
	}
	logger := newLogger(cfg.Log, stderr)
	res, err := exportOnce(ctx, cfg, *dataDir, *out, *page, logger)
	var ne *staticexport.NotExportedError
	if errors.As(err, &ne) && *page != "" {
		fmt.Fprintf(stderr, "statusd export: --page: %v\n", ne)
		return exitUsage
	}
	for _, p := range res.Pages {
		fmt.Fprintf(stdout, "%s: %d files (%d written, %d removed) in %s\n", p.ID, p.Files, p.Written, p.Removed,
			filepath.Join(*out, p.ID))
	}
	if err != nil {
		fmt.Fprintf(stderr, "statusd export: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// exportConfig is the configuration of an export: the file, or with
// --data-dir the file only when --config is given, else the built-in
// standalone example.
func exportConfig(fs *flag.FlagSet, path, dataDir string, stderr io.Writer) (*config.Config, bool) {
	if dataDir == "" {
		return loadConfig(path, stderr)
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "config" })
	if !given {
		path = ""
	}
	return loadStandaloneConfig(path, stderr)
}

// exportOnce opens the store, builds the API over it and exports.
func exportOnce(ctx context.Context, cfg *config.Config, dataDir, out, page string, logger *slog.Logger) (_ staticexport.Result, err error) {
	var st *sqlstore.Store
	if dataDir != "" {
		lock, err := dirlock.Acquire(dirlock.Options{Dir: dataDir})
		if err != nil {
			return staticexport.Result{}, fmt.Errorf("lock data directory (a running standalone exports with export.on_change): %w", err)
		}
		defer func() { err = errors.Join(err, lock.Release()) }()
		st, err = sqlstore.Open(ctx, sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(dataDir, "statusd.db"), Logger: logger})
	} else {
		st, err = sqlstore.Open(ctx, sqlstore.Options{Driver: "postgres", DSN: cfg.Postgres.DSN, Logger: logger})
	}
	if err != nil {
		return staticexport.Result{}, fmt.Errorf("open store: %w", err)
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	a, err := api.New(api.Options{Store: st, Entities: st, Statuses: st, Incidents: st, Maintenances: st, Logger: logger,
		Registerer: prometheus.NewRegistry(), ImpactWeights: cfg.Aggregator.ImpactWeights.Weights(), Version: version})
	if err != nil {
		return staticexport.Result{}, err
	}
	e, err := newExporter(cfg, a.Handler(), st, logger)
	if err != nil {
		return staticexport.Result{}, err
	}
	return e.Export(ctx, out, page)
}

func newExporter(cfg *config.Config, h http.Handler, pages staticexport.PageLister, logger *slog.Logger) (*staticexport.Exporter, error) {
	return staticexport.New(staticexport.Options{Handler: h, Pages: pages, Domain: cfg.Export.Domain,
		Logger: logger.With("component", "export")})
}

// newExportRunner is the daemons' exporter on every change, nil unless
// export.on_change is set. Its failures are logged and counted, never
// fatal: the pages are served whatever it does.
func newExportRunner(cfg *config.Config, h http.Handler, pages staticexport.PageLister, reg prometheus.Registerer,
	logger *slog.Logger) (*staticexport.Runner, error) {
	if !cfg.Export.OnChange {
		return nil, nil
	}
	e, err := newExporter(cfg, h, pages, logger)
	if err != nil {
		return nil, err
	}
	return staticexport.NewRunner(staticexport.RunnerOptions{Exporter: e, Dir: cfg.Export.Dir,
		MinInterval: cfg.Export.MinInterval, Registerer: reg, Logger: logger.With("component", "export")})
}

// addExport adds the exporter on every change to the run group when the
// configuration asks for it.
func addExport(g *group, cfg *config.Config, h http.Handler, pages staticexport.PageLister, reg prometheus.Registerer,
	logger *slog.Logger) error {
	r, err := newExportRunner(cfg, h, pages, reg, logger)
	if err != nil || r == nil {
		return err
	}
	logger.Info("exporting the public pages on every change", "dir", cfg.Export.Dir, "min_interval", cfg.Export.MinInterval)
	g.add("export", r.Run)
	return nil
}
