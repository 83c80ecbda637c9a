package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/config"
	"github.com/statusd/statusd/spool"
	"github.com/statusd/statusd/transport/kafkabus"
)

func runAgent(ctx context.Context, args []string, _, stderr io.Writer) int {
	var local *checksFile
	flags := func(fs *flag.FlagSet) func(io.Writer) bool {
		path := fs.String("checks", "", "run the checks of this YAML file (pages, components and checks, "+
			"validated as by validate) instead of those of the checks topic")
		return func(stderr io.Writer) bool {
			if *path == "" {
				return true
			}
			var ok bool
			local, ok = loadChecksFile(*path, stderr)
			return ok
		}
	}
	return runDaemonFlags(ctx, "agent", args, stderr, flags, func(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
		return runAgentDaemon(ctx, cfg, local, logger.With("agent_id", cfg.Agent.ID, "region", cfg.Agent.Region))
	})
}

// runAgentDaemon runs the agent on the checks of local, or of the checks
// topic when local is nil.
func runAgentDaemon(ctx context.Context, cfg *config.Config, local *checksFile, logger *slog.Logger) (err error) {
	topics := kafkabus.TopicsWithPrefix(cfg.Kafka.TopicPrefix)
	if err := kafkabus.EnsureTopics(ctx, cfg.Kafka.Brokers, topics, cfg.Kafka.ResultsPartitions); err != nil {
		return err
	}
	reg := newRegistry()
	var feed agent.Feed = local
	if local == nil {
		feed, err = kafkabus.NewCheckFeed(kafkabus.CheckFeedOptions{Brokers: cfg.Kafka.Brokers, Topic: topics.Checks,
			Logger: logger, Registerer: reg})
		if err != nil {
			return err
		}
	} else {
		logger.Info("checks from a local file, not the checks topic", "file", local.path, "checks", len(local.checks))
	}
	spoolDir := cfg.Agent.Spool.Dir
	if spoolDir == "" {
		spoolDir = filepath.Join(os.TempDir(), "statusd-spool-"+url.PathEscape(cfg.Agent.ID))
	}
	logger.Info("result spool", "dir", spoolDir, "max_bytes", cfg.Agent.Spool.MaxBytes, "max_age", cfg.Agent.Spool.MaxAge)
	pub, err := kafkabus.NewResultPublisher(kafkabus.ResultPublisherOptions{Brokers: cfg.Kafka.Brokers, Topic: topics.Results,
		Linger: cfg.Kafka.Linger, Registerer: reg, Logger: logger,
		Spool: spool.Options{Dir: spoolDir, MaxBytes: cfg.Agent.Spool.MaxBytes, MaxAge: cfg.Agent.Spool.MaxAge}})
	if err != nil {
		return err
	}
	beats, err := kafkabus.NewHeartbeatPublisher(kafkabus.HeartbeatPublisherOptions{Brokers: cfg.Kafka.Brokers,
		Topic: topics.Heartbeats, Linger: cfg.Kafka.Linger})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, beats.Close()) }()
	ag, closeProbers, err := newAgent(cfg, feed, pub, beats, reg, logger)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeProbers()) }()
	ln, err := net.Listen("tcp", cfg.Agent.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Agent.HTTPAddr, err)
	}
	logger.Info("statusd agent", "version", version, "http", ln.Addr().String())
	g := &group{logger: logger}
	g.add("agent", pipeline(ag.Run, pub.Run))
	ready := func() bool { return ag.Ready() && pub.Writable() } // checks loaded, Kafka or spool writable
	g.add("http", func(ctx context.Context) error { return serveHTTP(ctx, ln, opsHandler(reg, ready)) })
	return g.run(ctx)
}

// opsHandler serves the agent's /metrics, /healthz and /readyz.
func opsHandler(g prometheus.Gatherer, ready func() bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if !ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"status":"not ready"}`)
			return
		}
		_, _ = io.WriteString(w, `{"status":"ready"}`)
	})
	return mux
}
