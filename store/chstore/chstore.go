// Package chstore owns the ClickHouse time series of statusd: raw probe
// results, one row per result, and a per-minute rollup for charts. Its
// schema works on ClickHouse 18.16 and on current releases: DateTime and
// Int64 epoch milliseconds (no DateTime64), no TTL, codecs or
// LowCardinality; retention is by dropping day partitions.
//
// # Exactly once
//
// The aggregator reads results from Kafka at least once, so a result may be
// handed to WriteResults twice: after a crash, or when two aggregators write
// the same partition during a rebalance. Every row carries the Kafka
// partition and offset it was read at, and the materialized view
// results_offsets_mv copies those two into results_offsets, ordered by them.
// The aggregator keeps per partition, in PostgreSQL and in the same
// transaction as the state, the offset up to which everything is stored;
// when it takes a partition it asks StoredOffsets, once, which offsets above
// that are in ClickHouse already (a batch whose insert landed but whose
// PostgreSQL commit did not), and skips them. Per-partition locks in
// PostgreSQL keep a second writer away. There is no ClickHouse read per
// batch, and the per-minute rollup, fed by a materialized view from the
// inserts, is exact because every row is inserted once. The table's
// ReplacingMergeTree engine, whose sorting key ends with the result ID, is
// only a backstop. Inserts must be synchronous (async_insert off, the
// default).
package chstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Options configures Open.
type Options struct {
	Addr               []string // host:port of the native protocol
	Database           string   // "statusd" by default; created by Migrate
	Username, Password string
	// RawRetention is how long raw results (and their offsets) are kept,
	// RollupRetention how long the minute and hour rollups are:
	// DropExpired drops the partitions wholly older. 30 and 400 days when
	// zero.
	RawRetention, RollupRetention time.Duration
	Logger                        *slog.Logger
}

// Store is the ClickHouse result store. It is safe for concurrent use.
type Store struct {
	conn        driver.Conn
	db          string // quoted database name
	log         *slog.Logger
	raw, rollup time.Duration
}

// databaseRule is the one rule for a database name, which config
// validation applies too: the name is quoted into statements, never
// escaped.
var databaseRule = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// CheckDatabase returns what is wrong with a database name, or "" when
// Open takes it.
func CheckDatabase(name string) string {
	if !databaseRule.MatchString(name) {
		return "must be 1 to 63 letters, digits and '_', not starting with a digit"
	}
	return ""
}

// Open connects to ClickHouse and pings it. It does not create the
// database: the connection uses the server's default database and every
// statement names its table in full.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Database == "" {
		opts.Database = "statusd"
	}
	if msg := CheckDatabase(opts.Database); msg != "" {
		return nil, fmt.Errorf("open clickhouse: database: %s, got %q", msg, opts.Database)
	}
	if len(opts.Addr) == 0 {
		return nil, errors.New("open clickhouse: addr: at least one host:port is required")
	}
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        opts.Addr,
		Auth:        clickhouse.Auth{Username: opts.Username, Password: opts.Password},
		DialTimeout: 5 * time.Second,
		ReadTimeout: 30 * time.Second,
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
	})
	if err != nil {
		return nil, fmt.Errorf("open clickhouse %v: %w", opts.Addr, err)
	}
	if err := conn.Ping(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("ping clickhouse %v: %w", opts.Addr, err), conn.Close())
	}
	return &Store{conn: conn, db: "`" + opts.Database + "`", log: opts.Logger.With("store", "clickhouse"),
		raw: cmp.Or(opts.RawRetention, DefaultRawRetention), rollup: cmp.Or(opts.RollupRetention, DefaultRollupRetention)}, nil
}

// Close closes the connections.
func (s *Store) Close() error {
	if err := s.conn.Close(); err != nil {
		return fmt.Errorf("close clickhouse: %w", err)
	}
	return nil
}

// schema creates the database, the results table, and the per-minute and
// per-hour rollups, each fed by a materialized view from the inserts into
// results (never from one another, so each counts every row once); each
// statement is idempotent. The rollups are SummingMergeTrees: read them
// with sum() and GROUP BY, since rows of one minute merge only eventually.
// results_1h sums only its counters; results_1m's duration_us_max is summed
// by merges too, so it is a maximum only until its rows merge. The hour
// rollup starts empty: it has the hours inserted since it was created.
var schema = []string{
	`CREATE DATABASE IF NOT EXISTS {db}`,
	`CREATE TABLE IF NOT EXISTS {db}.results (
		time          DateTime,
		scheduled_ms  Int64,
		started_ms    Int64,
		result_id     String,
		check_id      String,
		component_id  String,
		agent_id      String,
		region        String,
		check_version Int64,
		duration_us   Int64,
		dns_us        Int64,
		connect_us    Int64,
		tls_us        Int64,
		first_byte_us Int64,
		transfer_us   Int64,
		success       UInt8,
		status_code   Int32,
		error_class   String,
		message       String,
		kafka_partition Int32,
		kafka_offset  Int64,
		rcode         String,
		packet_loss   Float64,
		rtt_min_us    Int64,
		rtt_avg_us    Int64,
		rtt_max_us    Int64,
		cert_expiry_ms Int64,
		cert_days_left Int32,
		degraded      UInt8
	) ENGINE = ReplacingMergeTree()
	PARTITION BY toYYYYMMDD(time)
	ORDER BY (component_id, check_id, time, result_id)`,
	`CREATE TABLE IF NOT EXISTS {db}.results_1m (
		component_id    String,
		check_id        String,
		region          String,
		minute          DateTime,
		total           UInt64,
		successes       UInt64,
		duration_us_sum Int64,
		duration_us_max Int64
	) ENGINE = SummingMergeTree()
	PARTITION BY toYYYYMMDD(minute)
	ORDER BY (component_id, check_id, region, minute)`,
	`CREATE TABLE IF NOT EXISTS {db}.results_1h (
		component_id    String,
		check_id        String,
		region          String,
		hour            DateTime,
		total           UInt64,
		successes       UInt64,
		duration_us_sum Int64
	) ENGINE = SummingMergeTree((total, successes, duration_us_sum))
	PARTITION BY toYYYYMM(hour)
	ORDER BY (component_id, check_id, region, hour)`,
	`CREATE TABLE IF NOT EXISTS {db}.results_offsets (
		kafka_partition Int32,
		kafka_offset    Int64,
		time            DateTime
	) ENGINE = MergeTree()
	PARTITION BY toYYYYMMDD(time)
	ORDER BY (kafka_partition, kafka_offset)`,
	`CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.results_offsets_mv TO {db}.results_offsets AS
	SELECT kafka_partition, kafka_offset, time FROM {db}.results`,
	`CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.results_1m_mv TO {db}.results_1m AS
	SELECT component_id, check_id, region, toStartOfMinute(time) AS minute,
		count() AS total, sum(success) AS successes,
		sum(duration_us) AS duration_us_sum, max(duration_us) AS duration_us_max
	FROM {db}.results
	GROUP BY component_id, check_id, region, minute`,
	`CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.results_1h_mv TO {db}.results_1h AS
	SELECT component_id, check_id, region, toStartOfHour(time) AS hour,
		count() AS total, sum(success) AS successes, sum(duration_us) AS duration_us_sum
	FROM {db}.results
	GROUP BY component_id, check_id, region, hour`,
}

// addedColumns are the columns added to results after its first release,
// added to a table that lacks them. (18.16 has no ADD COLUMN IF NOT EXISTS.)
var addedColumns = []struct{ name, typ string }{
	{"kafka_partition", "Int32"},
	{"kafka_offset", "Int64"},
	{"rcode", "String"},
	{"packet_loss", "Float64"},
	{"rtt_min_us", "Int64"},
	{"rtt_avg_us", "Int64"},
	{"rtt_max_us", "Int64"},
	{"cert_expiry_ms", "Int64"},
	{"cert_days_left", "Int32"},
	{"degraded", "UInt8"},
}

// Migrate creates the database and tables if they do not exist, and adds
// the columns an older results table lacks.
func (s *Store) Migrate(ctx context.Context) error {
	for _, stmt := range schema[:2] {
		if err := s.conn.Exec(ctx, s.q(stmt)); err != nil {
			return fmt.Errorf("migrate clickhouse: %w", err)
		}
	}
	for _, c := range addedColumns {
		var n uint64
		if err := s.conn.QueryRow(ctx, `SELECT count() FROM system.columns WHERE database = ? AND table = 'results' AND name = ?`,
			strings.Trim(s.db, "`"), c.name).Scan(&n); err != nil {
			return fmt.Errorf("migrate clickhouse: find column %s: %w", c.name, err)
		}
		if n == 0 {
			if err := s.conn.Exec(ctx, s.q(`ALTER TABLE {db}.results ADD COLUMN `+c.name+` `+c.typ)); err != nil {
				return fmt.Errorf("migrate clickhouse: add column %s: %w", c.name, err)
			}
		}
	}
	for _, stmt := range schema[2:] {
		if err := s.conn.Exec(ctx, s.q(stmt)); err != nil {
			return fmt.Errorf("migrate clickhouse: %w", err)
		}
	}
	return nil
}

// q names the store's database in a statement.
func (s *Store) q(stmt string) string { return strings.ReplaceAll(stmt, "{db}", s.db) }
