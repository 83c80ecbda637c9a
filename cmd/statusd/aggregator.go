package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/aggregator"
	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/config"
	"github.com/statusd/statusd/fleet"
	"github.com/statusd/statusd/store/chstore"
	"github.com/statusd/statusd/store/sqlstore"
	"github.com/statusd/statusd/transport/kafkabus"
)

func runAggregator(ctx context.Context, args []string, _, stderr io.Writer) int {
	return runDaemon(ctx, "aggregator", args, stderr, runAggregatorDaemon)
}

// stores are the production stores of the aggregator.
type stores struct {
	entities *sqlstore.Store
	series   *chstore.Store
}

func openStores(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*stores, error) {
	entities, err := sqlstore.Open(ctx, sqlstore.Options{Driver: "postgres", DSN: cfg.Postgres.DSN, Logger: logger})
	if err != nil {
		return nil, err
	}
	series, err := chstore.Open(ctx, chstore.Options{Addr: cfg.ClickHouse.Addr, Database: cfg.ClickHouse.Database,
		Username: cfg.ClickHouse.Username, Password: cfg.ClickHouse.Password, Logger: logger,
		RawRetention: cfg.ClickHouse.RawRetention, RollupRetention: cfg.ClickHouse.RollupRetention})
	if err != nil {
		return nil, errors.Join(err, entities.Close())
	}
	return &stores{entities: entities, series: series}, nil
}

func (s *stores) migrate(ctx context.Context) error {
	if err := s.series.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate clickhouse: %w", err)
	}
	if err := s.entities.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate postgres: %w", err)
	}
	return nil
}

func (s *stores) Close() error { return errors.Join(s.series.Close(), s.entities.Close()) }

func runAggregatorDaemon(ctx context.Context, cfg *config.Config, logger *slog.Logger) (err error) {
	// Bound before the stores are migrated, so that a busy port fails
	// fast and changes nothing.
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
	st, err := openStores(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	if err := st.migrate(ctx); err != nil {
		return err
	}
	if err := prepareStore(ctx, st.entities, cfg); err != nil {
		return err
	}
	topics := kafkabus.TopicsWithPrefix(cfg.Kafka.TopicPrefix)
	if err := kafkabus.EnsureTopics(ctx, cfg.Kafka.Brokers, topics, cfg.Kafka.ResultsPartitions); err != nil {
		return err
	}
	reg := newRegistry()
	pub, err := kafkabus.NewCheckPublisher(kafkabus.CheckPublisherOptions{Brokers: cfg.Kafka.Brokers, Topic: topics.Checks,
		Linger: cfg.Kafka.Linger, Logger: logger})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, pub.Close()) }()
	sync, err := aggregator.NewCheckSync(aggregator.CheckSyncOptions{Store: st.entities, Sink: pub, Logger: logger})
	if err != nil {
		return err
	}
	src, err := kafkabus.NewResultSource(kafkabus.ResultSourceOptions{Brokers: cfg.Kafka.Brokers, Topic: topics.Results,
		GroupID: cfg.Aggregator.GroupID, Logger: logger})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, src.Close()) }()
	// liveSet is the live set of agents and regions, fed by every
	// heartbeat (each aggregator reads them all) and by results; the
	// evaluator asks it who votes, and the API shows it.
	liveSet, beats, err := newHeartbeatSource(cfg, topics, reg, logger)
	if err != nil {
		return err
	}
	// Every aggregator runs a maintenance scheduler; the store lets one
	// of them carry out each transition.
	windows, maint, err := newMaintenance(st.entities, cfg, reg, logger)
	if err != nil {
		return err
	}
	agg, err := newAggregator(cfg, aggregatorParts{source: src, results: st.series, state: st.entities,
		fleet: liveSet, snapshotInterval: aggregator.DefaultSnapshotInterval, retention: st.series,
		maintenance: windows}, reg, logger)
	if err != nil {
		return err
	}
	keys, err := auth.NewAuthenticator(auth.AuthenticatorOptions{Keys: st.entities, Logger: logger,
		Changes: st.entities.CatalogVersion}) // a key revoked here is refused at once, elsewhere within auth.DefaultCacheTTL
	if err != nil {
		return err
	}
	domainChecks, err := newDomainRecheck(cfg, st.entities, reg, logger)
	if err != nil {
		return err
	}
	handler, err := api.New(api.Options{Store: st.entities, Logger: logger, Registerer: reg, Gatherer: reg,
		ImpactWeights: cfg.Aggregator.ImpactWeights.Weights(), Series: st.series,
		Ready: sync.Synced, Version: version, Fleet: liveSet,
		Keys: keys, KeyStore: st.entities, AdminStore: st.entities, RateLimit: cfg.API.RateLimit, RateBurst: cfg.API.RateBurst,
		SessionKey: sessionKey(cfg.API), TrustedProxies: cfg.API.TrustedProxies,
		// A write through this process reaches the agents and its evaluator
		// at once, other aggregators' evaluators within their catalog interval.
		Entities: st.entities, Statuses: st.entities, Incidents: st.entities, Maintenances: st.entities, Domains: domainChecks, OnCatalogChange: func() { sync.Poke(); agg.CatalogChanged() }})
	if err != nil {
		return err
	}
	logger.Info("statusd aggregator", "version", version, "http", ln.Addr().String(), "group", cfg.Aggregator.GroupID)
	g := &group{logger: logger}
	g.add("check sync", sync.Run)
	g.add("aggregator", agg.Run)
	g.add("maintenance", maint.Run)
	g.add("domains", domainChecks.Run)
	if err := addExport(g, cfg, handler.Handler(), st.entities, reg, logger); err != nil {
		return err
	}
	g.add("heartbeats", beats.Run)
	g.add("http", func(ctx context.Context) error { return serveHTTP(ctx, ln, handler.Handler()) })
	served = true // serveHTTP closes ln
	return g.run(ctx)
}

// newHeartbeatSource returns the live set and the source that feeds it
// from the heartbeats topic.
func newHeartbeatSource(cfg *config.Config, topics kafkabus.Topics, reg prometheus.Registerer,
	logger *slog.Logger) (*fleet.Registry, *kafkabus.HeartbeatSource, error) {
	liveSet, err := fleet.NewRegistry(fleet.Options{})
	if err != nil {
		return nil, nil, err
	}
	beats, err := kafkabus.NewHeartbeatSource(kafkabus.HeartbeatSourceOptions{Brokers: cfg.Kafka.Brokers,
		Topic: topics.Heartbeats, Observer: liveSet, Registerer: reg, Logger: logger.With("component", "heartbeats")})
	if err != nil {
		return nil, nil, err
	}
	return liveSet, beats, nil
}

// sessionKey is the configured key of private pages' session cookies, or
// nil for a random one per process (sessions then end with it).
func sessionKey(c config.API) []byte {
	if c.SessionKey == "" {
		return nil
	}
	return []byte(c.SessionKey)
}
