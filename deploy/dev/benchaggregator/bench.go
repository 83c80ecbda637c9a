package main

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/statusd/statusd/deploy/dev/benchproc"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/transport/kafkabus"
)

// checkInterval is the interval of every generated check.
const checkInterval = 10 * time.Second

// bench is one run of the benchmark.
type bench struct {
	opts     options
	log      *slog.Logger
	stderr   io.Writer
	cleanups cleanups

	names     names
	dir       string // temporary: binary, config, aggregator log
	bin       string
	revision  string
	scenario  scenario
	topics    kafkabus.Topics
	httpAddr  string
	cfgPath   string
	env       []string
	overrides map[string]string
	pg        *sql.DB // the server's admin database
	ch        driver.Conn
	offsets   *offsets
	details   []any // result lines after the main one
}

// run runs every phase and returns the result lines.
func (b *bench) run(ctx context.Context) ([]any, error) {
	if err := b.setup(ctx); err != nil {
		return nil, err
	}
	line := b.newLine()
	b.log.Info("pre-loading results", "results", b.scenario.total(), "topic", b.topics.Results)
	start := time.Now()
	if err := preload(ctx, b.opts.kafka, b.topics.Results, b.scenario, b.log); err != nil {
		return nil, err
	}
	line.PreloadS = num(time.Since(start).Seconds(), 3)
	marks, err := b.offsets.high(ctx)
	if err != nil {
		return nil, err
	}
	if n := sum(marks); n != int64(b.scenario.total()) {
		return nil, fmt.Errorf("the results topic holds %d messages after pre-loading %d; is it fresh?", n, b.scenario.total())
	}
	line.Results = sum(marks)
	b.log.Info("pre-loaded", "results", line.Results, "took", time.Since(start).Round(time.Millisecond))

	runErr := b.measureAggregator(ctx, line, marks)
	if ctx.Err() != nil {
		return nil, runErr
	}
	refs, refErr := b.references(ctx, line, marks)
	line.Completed = runErr == nil && refErr == nil
	if err := errors.Join(runErr, refErr); err != nil {
		line.Error = err.Error()
	}
	return append(append([]any{line}, b.details...), refs...), errors.Join(runErr, refErr)
}

// setup builds the binary, creates the databases and topics and writes the
// configuration; each step registers its clean-up.
func (b *bench) setup(ctx context.Context) error {
	var err error
	if b.dir, err = os.MkdirTemp("", "statusd-bench-"); err != nil {
		return fmt.Errorf("create temporary directory: %w", err)
	}
	b.cleanups.add("temporary directory "+b.dir, func(context.Context) error { return os.RemoveAll(b.dir) })
	if err := b.binary(ctx); err != nil {
		return err
	}
	b.names = newNames()
	b.topics = kafkabus.TopicsWithPrefix(b.names.topicPrefix)
	b.scenario = newScenario(b.opts.components, b.opts.ticks, regionNames(b.opts.regions), checkInterval, time.Now())
	b.env, b.overrides = aggregatorEnv(os.Environ())
	if err := b.services(ctx); err != nil {
		return err
	}
	if b.httpAddr, err = benchproc.FreeAddr(); err != nil {
		return err
	}
	return b.writeConfig()
}

// binary builds statusd unless -statusd names one.
func (b *bench) binary(ctx context.Context) error {
	b.bin = b.opts.statusd
	if b.bin == "" {
		if _, err := os.Stat(filepath.Join(b.opts.module, "go.mod")); err != nil {
			return fmt.Errorf("-module %s: no go.mod there; run from the module root or pass -statusd", b.opts.module)
		}
		b.bin = filepath.Join(b.dir, "statusd")
		b.log.Info("building statusd", "module", b.opts.module)
		if err := benchproc.BuildStatusd(ctx, b.opts.module, b.bin); err != nil {
			return err
		}
	}
	if b.revision = benchproc.BinaryRevision(b.bin); b.revision == "" && b.opts.statusd == "" {
		b.revision = treeRevision(ctx, b.opts.module)
	}
	return nil
}

func (b *bench) services(ctx context.Context) error {
	var err error
	if b.pg, err = sql.Open("pgx", b.opts.postgres); err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	b.cleanups.add("postgres connection", func(context.Context) error { return b.pg.Close() })
	if err := createPostgres(ctx, b.pg, b.names.database, &b.cleanups); err != nil {
		return err
	}
	if b.ch, err = openClickHouse(ctx, b.opts.clickhouse); err != nil {
		return err
	}
	b.cleanups.add("clickhouse connection", func(context.Context) error { return b.ch.Close() })
	if err := createClickHouse(ctx, b.ch, b.names.database, &b.cleanups); err != nil {
		return err
	}
	if err := createTopics(ctx, b.opts.kafka, b.names, b.opts.partitions, &b.cleanups); err != nil {
		return err
	}
	b.offsets, err = newOffsets(ctx, b.opts.kafka, b.topics.Results, b.names.groupID)
	return err
}

func (b *bench) writeConfig() error {
	dsn, err := databaseURL(b.opts.postgres, b.names.database)
	if err != nil {
		return err
	}
	c := benchConfig{httpAddr: b.httpAddr, kafka: b.opts.kafka, topicPrefix: b.names.topicPrefix,
		partitions: b.opts.partitions, chAddr: b.opts.clickhouse, chDatabase: b.names.database,
		postgresDSN: dsn, groupID: b.names.groupID, interval: checkInterval, scenario: b.scenario}
	b.cfgPath = filepath.Join(b.dir, "statusd.yaml")
	if err := c.writeConfigFile(b.cfgPath); err != nil {
		return err
	}
	return validateConfigFile(b.cfgPath, b.env, b.scenario.components)
}

// measureAggregator starts the aggregator, waits for the pre-load to be
// committed, measures state visibility, and stops it.
func (b *bench) measureAggregator(ctx context.Context, line *mainLine, marks map[int]int64) error {
	logPath := cmp.Or(b.opts.aggregatorLog, filepath.Join(b.dir, "aggregator.log"))
	proc, err := benchproc.Start(benchproc.Options{Bin: b.bin, Subcommand: "aggregator", Config: b.cfgPath, LogPath: logPath, Env: b.env})
	if err != nil {
		return err
	}
	b.cleanups.add("aggregator process", func(context.Context) error { _, err := proc.Stop(); return err })
	b.log.Info("aggregator started", "pid", proc.Pid(), "http", b.httpAddr, "log", proc.LogPath())
	client := &http.Client{Timeout: 10 * time.Second}
	watch := &drainWatch{offsets: b.offsets, marks: marks, proc: proc, baseURL: "http://" + b.httpAddr, http: client,
		pg: &pgBackends{db: b.pg, database: b.names.database}, timeout: b.opts.timeout, stall: b.opts.stall, log: b.log}
	stats, drainErr := watch.run(ctx)
	line.fillDrain(proc.Started(), stats)
	var liveErr error
	if drainErr == nil && b.opts.samples > 0 {
		liveErr = b.measureVisibility(ctx, line, client)
	}
	cpuTotal, stopErr := proc.Stop()
	line.CPUSTotal = num(cpuTotal, 2)
	if (drainErr != nil || liveErr != nil || stopErr != nil) && ctx.Err() == nil {
		fmt.Fprintf(b.stderr, "--- aggregator output, last 40 lines (%s) ---\n%s\n--- end of aggregator output ---\n",
			proc.LogPath(), proc.Tail(40))
	}
	return errors.Join(drainErr, liveErr, stopErr)
}

func (b *bench) measureVisibility(ctx context.Context, line *mainLine, client *http.Client) (err error) {
	w := newWriter(b.opts.kafka, b.topics.Results, time.Millisecond)
	defer func() {
		if cerr := w.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close live writer: %w", cerr))
		}
	}()
	key, err := b.readKey(ctx)
	if err != nil {
		return err
	}
	v := &visibility{writer: w, scenario: b.scenario, baseURL: "http://" + b.httpAddr, key: key, http: client,
		concurrency: b.opts.liveConcurrency, tickGap: 100 * time.Millisecond, poll: 20 * time.Millisecond,
		timeout: b.opts.liveTimeout, log: b.log}
	comps := b.scenario.sample(b.opts.samples)
	idle, err := v.idleGets(ctx, comps[0], 20)
	if err != nil {
		return err
	}
	b.log.Info("measuring state visibility", "components", len(comps), "concurrency", v.concurrency,
		"idle_get_p50_ms", percentile(idle, 50))
	lat, err := v.run(ctx, comps)
	if err != nil {
		return err
	}
	b.details = append(b.details, line.fillVisibility(lat, idle, v))
	if n := countInf(lat); n > 0 {
		return fmt.Errorf("state visibility: %d of %d components never showed %s within %s", n, len(lat), majorOutage, v.timeout)
	}
	mlat, err := b.measureMetrics(ctx, client, key)
	if err != nil {
		return fmt.Errorf("metrics over 12 months: %w", err)
	}
	if body, err := httpGet(ctx, client, "http://"+b.httpAddr+"/metrics", ""); err == nil {
		m := parseMetrics(string(body), "statusd_api_day_bucket_reads_total")
		line.MetricsDayReads = map[string]float64{
			"memory": m[`statusd_api_day_bucket_reads_total{from="memory"}`],
			"store":  m[`statusd_api_day_bucket_reads_total{from="store"}`]}
	}
	p50, p99, top := percentile(mlat, 50), percentile(mlat, 99), percentile(mlat, 100)
	line.Metrics12mP50, line.Metrics12mP99, line.Metrics12mMax = num(p50, 3), num(p99, 3), num(top, 3)
	b.log.Info("metrics endpoint over 12 months", "requests", metricsRequests, "p50_ms", p50, "p99_ms", p99, "max_ms", top)
	return nil
}

// references measures the bare Kafka reads and ClickHouse inserts of the
// same messages and rows, and returns their lines.
func (b *bench) references(ctx context.Context, line *mainLine, marks map[int]int64) ([]any, error) {
	b.log.Info("reference: bare kafka-go readers, one per partition")
	n, d, err := consumeOnly(ctx, b.opts.kafka, b.topics.Results, marks)
	if err != nil {
		return nil, fmt.Errorf("kafka reference: %w", err)
	}
	kafkaLine := refLine{Bench: "kafka_consume_only", Mode: fmt.Sprintf("%d per-partition readers, no group, no decoding", len(marks)),
		Rows: n, Seconds: num(d.Seconds(), 3), PerS: num(rate(n, d.Seconds()), 0)}
	line.KafkaConsumeOnly = kafkaLine.PerS
	lines := []any{kafkaLine}
	rows := make([]result.Result, b.scenario.total())
	for i := range rows {
		rows[i] = b.scenario.result(i)
	}
	for _, size := range []int{5_000, 20_000} {
		b.log.Info("reference: bare clickhouse batch inserts", "batch_rows", size)
		d, err := insertOnly(ctx, b.ch, b.names.database, rows, size)
		if err != nil {
			return lines, fmt.Errorf("clickhouse reference (%d-row batches): %w", size, err)
		}
		l := refLine{Bench: "clickhouse_insert_only", Mode: "PrepareBatch, explicit columns, one connection",
			BatchRows: size, Rows: int64(len(rows)), Seconds: num(d.Seconds(), 3), PerS: num(rate(int64(len(rows)), d.Seconds()), 0)}
		if size == 5_000 {
			line.CHInsertOnly = l.PerS
		} else {
			line.CHInsertOnly20k = l.PerS
		}
		lines = append(lines, l)
	}
	b.log.Info("reference: the day buckets' cost per result, in process")
	var cpuPerResult float64
	if line.CPUS != nil && line.Results > 0 {
		cpuPerResult = *line.CPUS * 1e9 / float64(line.Results)
	}
	bl, err := bucketCost(ctx, b.scenario, cpuPerResult)
	if err != nil {
		return lines, err
	}
	line.BucketCostNS, line.BucketCostRatio = bl.CostNS, bl.Ratio
	lines = append(lines, bl)
	return lines, nil
}

// readKey makes an admin and a read key in the run's PostgreSQL with the
// host's command line (statusd admin create, statusd key create), as an
// operator does: GET /api/v1/components/{id} needs a key.
func (b *bench) readKey(ctx context.Context) (string, error) {
	const email = "bench@example.com"
	cli := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, b.bin, append(args, "--config", b.cfgPath)...)
		cmd.Env = b.env
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("statusd %s %s: %w: %s", args[0], args[1], err, strings.TrimSpace(stderr.String()))
		}
		return strings.TrimSpace(stdout.String()), nil
	}
	if _, err := cli("admin", "create", "--email", email, "--name", "Bench"); err != nil {
		return "", err
	}
	key, err := cli("key", "create", "--admin", email, "--scope", "read", "--name", "bench")
	if err == nil && key == "" {
		err = errors.New("statusd key create printed no key")
	}
	return key, err
}
