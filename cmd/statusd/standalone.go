package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/aggregator"
	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/config"
	"github.com/statusd/statusd/deploy/examples"
	"github.com/statusd/statusd/fleet"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/internal/dirlock"
	"github.com/statusd/statusd/maintenance/scheduler"
	"github.com/statusd/statusd/store/sqlstore"
	"github.com/statusd/statusd/transport/inproc"
)

func runStandalone(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("standalone", "", stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the built-in deploy/examples/standalone.yaml)")
	dataDir := fs.String("data-dir", "./data", "directory for the SQLite database")
	httpAddr := fs.String("http-addr", "", "address of the status page and API (default: http.addr of the config, 127.0.0.1:8080)")
	if code, done := parse(fs, args); done {
		return code
	}
	cfg, ok := loadStandaloneConfig(*cfgPath, stderr)
	if !ok {
		return exitUsage
	}
	if *httpAddr != "" {
		cfg.HTTP.Addr = *httpAddr
	}
	logger := newLogger(cfg.Log, stderr)
	if err := standalone(ctx, cfg, *dataDir, logger); err != nil {
		logger.Error("standalone stopped", "err", err)
		return exitFailed
	}
	return exitOK
}

// loadStandaloneConfig loads the file, or the built-in example without one.
func loadStandaloneConfig(path string, stderr io.Writer) (*config.Config, bool) {
	if path != "" {
		return loadConfig(path, stderr)
	}
	cfg, err := config.Parse("deploy/examples/standalone.yaml (built in)", examples.Standalone, os.LookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, false
	}
	return cfg, true
}

func standalone(ctx context.Context, cfg *config.Config, dataDir string, logger *slog.Logger) (err error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	// One process per data directory: two on one SQLite file overwrite
	// each other's checks and open false incidents.
	lock, err := dirlock.Acquire(dirlock.Options{Dir: dataDir})
	if err != nil {
		return fmt.Errorf("lock data directory: %w", err)
	}
	defer func() { err = errors.Join(err, lock.Release()) }()
	// Bound before the store is opened, so that a busy port fails fast
	// and changes nothing.
	ln, err := listen(cfg.HTTP.Addr)
	if err != nil {
		return err
	}
	served := false
	defer func() {
		if !served {
			err = errors.Join(err, ln.Close())
		}
	}()
	// The catalog's URLs of statusd itself ("/healthz") name the port
	// really bound, a port 0 included.
	cfg.HTTP.Addr = ln.Addr().String()
	store, err := sqlstore.Open(ctx, sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(dataDir, "statusd.db"), Logger: logger})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := store.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if err := prepareStore(ctx, store, cfg); err != nil {
		return err
	}
	reg := newRegistry()
	checks := inproc.NewChecks()
	results, err := inproc.NewResults(inproc.ResultsOptions{Registerer: reg})
	if err != nil {
		return err
	}
	sync, err := aggregator.NewCheckSync(aggregator.CheckSyncOptions{Store: store, Sink: checks, Logger: logger})
	if err != nil {
		return err
	}
	// liveSet is the live set of agents and regions, fed by the agent's
	// heartbeats in process (and by results, once the aggregator reports
	// them); the API shows it.
	liveSet, err := fleet.NewRegistry(fleet.Options{})
	if err != nil {
		return err
	}
	beats, err := inproc.NewHeartbeats(inproc.HeartbeatsOptions{Observer: liveSet, Registerer: reg,
		Logger: logger.With("component", "heartbeats")})
	if err != nil {
		return err
	}
	ag, closeProbers, err := newAgent(cfg, checks, results, beats, reg, logger)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeProbers()) }()
	// The in-process queue cannot replay: store check states with every batch.
	windows, maint, err := newMaintenance(store, cfg, reg, logger)
	if err != nil {
		return err
	}
	agg, err := newAggregator(cfg, aggregatorParts{source: results, results: store, state: store, fleet: liveSet,
		maintenance: windows}, reg, logger)
	if err != nil {
		return err
	}
	keys, err := auth.NewAuthenticator(auth.AuthenticatorOptions{Keys: store, Logger: logger,
		Changes: store.CatalogVersion}) // a key revoked here is refused at once, by the CLI within auth.DefaultCacheTTL
	if err != nil {
		return err
	}
	domainChecks, err := newDomainRecheck(cfg, store, reg, logger)
	if err != nil {
		return err
	}
	handler, err := api.New(api.Options{Store: store, Logger: logger, Registerer: reg, Gatherer: reg,
		ImpactWeights: cfg.Aggregator.ImpactWeights.Weights(), Series: store,
		Ready: func() bool { return sync.Synced() && ag.Ready() }, Version: version, Fleet: liveSet,
		Keys: keys, KeyStore: store, AdminStore: store, RateLimit: cfg.API.RateLimit, RateBurst: cfg.API.RateBurst,
		SessionKey: sessionKey(cfg.API), TrustedProxies: cfg.API.TrustedProxies,
		Entities: store, Statuses: store, Incidents: store, Maintenances: store, Domains: domainChecks, OnCatalogChange: func() { sync.Poke(); agg.CatalogChanged() }})
	if err != nil {
		return err
	}
	logger.Info("statusd standalone", "version", version, "page", "http://"+ln.Addr().String()+"/", "data_dir", dataDir)
	g := &group{logger: logger}
	g.add("check sync", sync.Run)
	g.add("agent", ag.Run)
	g.add("aggregator", agg.Run)
	g.add("maintenance", maint.Run)
	g.add("domains", domainChecks.Run)
	if err := addExport(g, cfg, handler.Handler(), store, reg, logger); err != nil {
		return err
	}
	g.add("http", func(ctx context.Context) error { return serveHTTP(ctx, ln, handler.Handler()) })
	served = true // serveHTTP closes ln
	return g.run(ctx)
}

// catalogStore is what start-up needs of the entity store.
type catalogStore interface {
	Migrate(ctx context.Context) error
	SyncCatalog(ctx context.Context, c catalog.Catalog, now time.Time) error
}

// prepareStore migrates the store and syncs the configured catalog into
// it, managed by the configuration file and recorded as its change.
func prepareStore(ctx context.Context, store catalogStore, cfg *config.Config) error {
	if err := store.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	cat := cfg.Catalog()
	cat.SetManaged(cfg.Path)
	ctx = auth.WithPrincipal(ctx, auth.Principal{Kind: auth.KindConfig, ID: cfg.Path})
	if err := store.SyncCatalog(ctx, cat, time.Now()); err != nil {
		return fmt.Errorf("sync configured pages, components and checks: %w", err)
	}
	return nil
}

func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// newAgent returns the agent with a prober for every check type, and a
// function to call once it has stopped, which releases the probers.
func newAgent(cfg *config.Config, feed agent.Feed, pub agent.Publisher, beats agent.HeartbeatSink,
	reg prometheus.Registerer, logger *slog.Logger) (*agent.Agent, func() error, error) {
	probers, closeProbers, err := newProbers(logger)
	if err != nil {
		return nil, nil, err
	}
	ag, err := agent.New(agent.Options{
		ID: cfg.Agent.ID, Region: cfg.Agent.Region, Feed: feed, Publisher: pub,
		Heartbeats: beats, HeartbeatInterval: cfg.Agent.HeartbeatInterval, Version: version,
		Probers: probers, Concurrency: cfg.Agent.Concurrency, Registerer: reg, Logger: logger.With("component", "agent"),
	})
	if err != nil {
		return nil, nil, errors.Join(err, closeProbers())
	}
	return ag, closeProbers, nil
}

// entityStore is what the aggregator needs of the entity store.
type entityStore interface {
	aggregator.StateStore
	LockPartitions(ctx context.Context, topic string, partitions []int) (*sqlstore.PartitionLock, error)
	Checks(ctx context.Context) ([]catalog.Check, error)
	Components(ctx context.Context, pageID string) ([]catalog.Component, error)
	Pages(ctx context.Context) ([]catalog.Page, error)
	aggregator.BucketPruner
	aggregator.MonthStore
	aggregator.MonthInputs
}

// aggregatorParts are what differs between the aggregator of `statusd
// aggregator` and that of standalone.
type aggregatorParts struct {
	source           aggregator.Source
	results          aggregator.ResultWriter
	state            entityStore
	fleet            aggregator.Fleet
	snapshotInterval time.Duration
	retention        aggregator.SeriesRetention // nil: none
	maintenance      *scheduler.Set             // which components are in a maintenance window
}

func newAggregator(cfg *config.Config, parts aggregatorParts, reg prometheus.Registerer, logger *slog.Logger) (*aggregator.Aggregator, error) {
	state := parts.state
	return aggregator.New(aggregator.Options{
		Source: parts.source, Results: parts.results, State: state, Fleet: parts.fleet,
		Lock: func(ctx context.Context, topic string, partitions []int) (aggregator.Lock, error) {
			return state.LockPartitions(ctx, topic, partitions)
		},
		Catalog: func(ctx context.Context) (catalog.Catalog, error) {
			checks, err := state.Checks(ctx)
			if err != nil {
				return catalog.Catalog{}, fmt.Errorf("load checks: %w", err)
			}
			comps, err := state.Components(ctx, "")
			if err != nil {
				return catalog.Catalog{}, fmt.Errorf("load components: %w", err)
			}
			pages, err := state.Pages(ctx)
			if err != nil {
				return catalog.Catalog{}, fmt.Errorf("load pages: %w", err)
			}
			return catalog.Catalog{Pages: pages, Components: comps, Checks: checks}, nil
		},
		Health: health.Options{Cooldown: cfg.Aggregator.IncidentCooldown, MaxAge: cfg.Aggregator.MaxResultAge,
			Weights: cfg.Aggregator.ImpactWeights.Weights(), Maintenance: parts.maintenance},
		Buckets: state, BucketRetention: cfg.Aggregator.BucketRetention,
		Months: state, MonthInputs: state, MonthFreezeGrace: cfg.Aggregator.MonthFreezeGrace,
		SeriesRetention: parts.retention,
		BatchSize:       cfg.Aggregator.BatchSize, BatchWait: cfg.Aggregator.BatchWait,
		SnapshotInterval: parts.snapshotInterval,
		Registerer:       reg, Logger: logger.With("component", "aggregator"),
	})
}
