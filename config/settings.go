package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/fleet"
	"github.com/statusd/statusd/store/chstore"
	"github.com/statusd/statusd/uptime"
)

// HTTP configures the HTTP server of the aggregator and of standalone mode:
// status pages, APIs, /metrics, /healthz and /readyz.
type HTTP struct {
	Addr string `yaml:"addr"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn or error
	Format string `yaml:"format"` // text or json
}

// Kafka configures the brokers and topics between agents and aggregators.
type Kafka struct {
	Brokers           []string      `yaml:"brokers"`
	TopicPrefix       string        `yaml:"topic_prefix"`
	ResultsPartitions int           `yaml:"results_partitions"`
	Linger            time.Duration `yaml:"linger"` // how long a writer gathers messages before it writes them
}

// ClickHouse configures the time-series store of the aggregator.
type ClickHouse struct {
	Addr     []string `yaml:"addr"` // native protocol, host:port
	Database string   `yaml:"database"`
	Username string   `yaml:"username"`
	Password string   `yaml:"password"`
	// RawRetention is how long raw results are kept, RollupRetention how
	// long the minute and hour rollups are: whole day partitions older
	// are dropped.
	RawRetention    time.Duration `yaml:"raw_retention"`
	RollupRetention time.Duration `yaml:"rollup_retention"`
}

// Bounds of the ClickHouse retentions: a partition is a day.
const (
	DefaultRawRetention    = 30 * 24 * time.Hour
	DefaultRollupRetention = 400 * 24 * time.Hour
	minCHRetention         = 24 * time.Hour
	maxCHRetention         = 3660 * 24 * time.Hour
)

// Postgres configures the entity store of the aggregator.
type Postgres struct {
	DSN string `yaml:"dsn"` // a postgres:// URL or key=value pairs
}

// Agent configures `statusd agent` and the agent inside standalone mode.
type Agent struct {
	ID          string `yaml:"id"`
	Region      string `yaml:"region"`
	HTTPAddr    string `yaml:"http_addr"` // /metrics, /healthz, /readyz
	Concurrency int    `yaml:"concurrency"`
	// HeartbeatInterval is how often the agent tells the aggregators it is
	// alive; a region whose agents miss 3 stops voting.
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	Spool             Spool         `yaml:"spool"`
}

// Spool configures the agent's on-disk spool, where results wait while
// Kafka is unreachable or slow.
type Spool struct {
	// Dir holds the spool; one agent per directory. Empty means
	// <temp dir>/statusd-spool-<agent id>, which survives a restart but
	// maybe not a reboot: set a persistent directory in production.
	Dir      string        `yaml:"dir"`
	MaxBytes int64         `yaml:"max_bytes"` // the oldest results go first beyond it
	MaxAge   time.Duration `yaml:"max_age"`   // older results are dropped
}

// Spool bounds.
const (
	DefaultSpoolMaxBytes = 256 << 20
	DefaultSpoolMaxAge   = 24 * time.Hour
	minSpoolBytes        = 1 << 20
	maxSpoolBytes        = 1 << 40
)

// Aggregator configures `statusd aggregator` and the aggregator inside
// standalone mode.
type Aggregator struct {
	GroupID   string        `yaml:"group_id"` // Kafka consumer group
	BatchSize int           `yaml:"batch_size"`
	BatchWait time.Duration `yaml:"batch_wait"`
	// IncidentCooldown: an outage that starts again within it after
	// recovery reopens the same automatic incident.
	IncidentCooldown time.Duration `yaml:"incident_cooldown"`
	// MaxResultAge: results whose tick is older are dropped on arrival.
	MaxResultAge time.Duration `yaml:"max_result_age"`
	// ImpactWeights weigh outage time as impact in the day buckets.
	ImpactWeights ImpactWeights `yaml:"impact_weights"`
	// BucketRetention is how long day buckets are kept.
	BucketRetention time.Duration `yaml:"bucket_retention"`
	// MonthFreezeGrace is how long after a month's end (in its page's
	// time zone) its figures are frozen: late results within it still
	// count, later ones change nothing served.
	MonthFreezeGrace time.Duration `yaml:"month_freeze_grace"`
}

// Default and bounds of aggregator.month_freeze_grace: 48 h is twice an
// agent's default spool age, so results spooled through a day-long Kafka
// outage and a day of aggregator downtime still count; at most 30 days,
// the default max_result_age.
const (
	DefaultMonthFreezeGrace = 48 * time.Hour
	minMonthFreezeGrace     = time.Hour
	maxMonthFreezeGrace     = 30 * 24 * time.Hour
)

// ImpactWeights say how much a second of each status counts against
// uptime: major 1.0, partial 0.3 and degraded 0 by default.
type ImpactWeights struct {
	Major    float64 `yaml:"major"`
	Partial  float64 `yaml:"partial"`
	Degraded float64 `yaml:"degraded"`
}

// Weights returns the weights for the uptime package.
func (w ImpactWeights) Weights() uptime.Weights {
	return uptime.Weights{Major: w.Major, Partial: w.Partial, Degraded: w.Degraded}
}

// Bounds of aggregator.bucket_retention: at least the 12 months the
// metrics endpoint serves, and a leap day.
const (
	DefaultBucketRetention = 400 * 24 * time.Hour
	minBucketRetention     = 366 * 24 * time.Hour
	maxBucketRetention     = 3660 * 24 * time.Hour
)

// Defaults are the check settings used where a check leaves them out.
type Defaults struct {
	Interval         time.Duration `yaml:"interval"`
	Timeout          time.Duration `yaml:"timeout"`
	FailureThreshold int           `yaml:"failure_threshold"`
	SuccessThreshold int           `yaml:"success_threshold"`
}

// Default returns the configuration used for every key the file leaves
// out: loopback services on their usual ports and no pages.
func Default() *Config {
	return &Config{
		HTTP: HTTP{Addr: "127.0.0.1:8080"},
		API:  API{RateLimit: DefaultRateLimit, RateBurst: DefaultRateBurst},
		Log:  Log{Level: "info", Format: "text"},
		Kafka: Kafka{
			Brokers:           []string{"127.0.0.1:9092"},
			TopicPrefix:       "statusd.",
			ResultsPartitions: 12,
			Linger:            50 * time.Millisecond,
		},
		ClickHouse: ClickHouse{Addr: []string{"127.0.0.1:9000"}, Database: "statusd", Username: "default",
			RawRetention: DefaultRawRetention, RollupRetention: DefaultRollupRetention},
		Postgres: Postgres{DSN: "postgres://postgres@127.0.0.1:5432/statusd?sslmode=disable"},
		Agent: Agent{ID: hostname(), Region: "local", HTTPAddr: "127.0.0.1:9108", Concurrency: 64,
			HeartbeatInterval: fleet.DefaultInterval,
			Spool:             Spool{MaxBytes: DefaultSpoolMaxBytes, MaxAge: DefaultSpoolMaxAge}},
		Aggregator: Aggregator{GroupID: "statusd-aggregator", BatchSize: 20000, BatchWait: 100 * time.Millisecond,
			IncidentCooldown: 10 * time.Minute, MaxResultAge: 30 * 24 * time.Hour,
			ImpactWeights: ImpactWeights{Major: 1, Partial: 0.3, Degraded: 0}, BucketRetention: DefaultBucketRetention,
			MonthFreezeGrace: DefaultMonthFreezeGrace},
		Domains: Domains{Interval: DefaultDomainInterval, UnverifiedInterval: DefaultDomainUnverifiedInterval},
		Export:  Export{MinInterval: DefaultExportMinInterval},
		Defaults: Defaults{
			Interval:         catalog.DefaultInterval,
			Timeout:          catalog.DefaultTimeout,
			FailureThreshold: catalog.DefaultFailureThreshold,
			SuccessThreshold: catalog.DefaultSuccessThreshold,
		},
	}
}

// hostname is the default agent ID.
func hostname() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "statusd-agent"
}

// problems collects the field errors of one settings section.
type problems []catalog.FieldError

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, catalog.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// hostPort checks a host:port address; a listen address may leave the host
// empty and use port 0.
func (p *problems) hostPort(field, addr string, listen bool) {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n < 0 || n > 65535 || (!listen && (host == "" || n == 0)) {
		p.add(field, "must be host:port, got %q", addr)
	}
}

func (p *problems) between(field string, v, lo, hi int) {
	if v < lo || v > hi {
		p.add(field, "must be between %d and %d, got %d", lo, hi, v)
	}
}

func (p *problems) durationBetween(field string, d, lo, hi time.Duration, bounds string) {
	if d < lo || d > hi {
		p.add(field, "must be between %s, got %s", bounds, d)
	}
}

func (p *problems) required(field, v string) {
	if v == "" {
		p.add(field, "is required")
	}
}

func (h HTTP) validate() problems {
	var p problems
	p.hostPort("addr", h.Addr, true)
	return p
}

func (l Log) validate() problems {
	var p problems
	switch l.Level {
	case "debug", "info", "warn", "error":
	default:
		p.add("level", "must be one of debug, info, warn, error; got %q", l.Level)
	}
	if l.Format != "text" && l.Format != "json" {
		p.add("format", "must be one of text, json; got %q", l.Format)
	}
	return p
}

var topicPrefix = regexp.MustCompile(`^[a-zA-Z0-9._-]{0,200}$`)

func (k Kafka) validate() problems {
	var p problems
	if len(k.Brokers) == 0 {
		p.add("brokers", "must list at least one broker")
	}
	for i, b := range k.Brokers {
		p.hostPort(fmt.Sprintf("brokers[%d]", i), b, false)
	}
	if !topicPrefix.MatchString(k.TopicPrefix) {
		p.add("topic_prefix", "must be at most 200 letters, digits, '.', '_' or '-', got %q", k.TopicPrefix)
	}
	p.between("results_partitions", k.ResultsPartitions, 1, 10000)
	p.durationBetween("linger", k.Linger, time.Millisecond, time.Second, "1ms and 1s")
	return p
}

func (c ClickHouse) validate() problems {
	var p problems
	if len(c.Addr) == 0 {
		p.add("addr", "must list at least one server")
	}
	for i, a := range c.Addr {
		p.hostPort(fmt.Sprintf("addr[%d]", i), a, false)
	}
	if msg := chstore.CheckDatabase(c.Database); msg != "" { // the store's own rule
		p.add("database", "%s, got %q", msg, c.Database)
	}
	p.required("username", c.Username)
	p.durationBetween("raw_retention", c.RawRetention, minCHRetention, maxCHRetention, "24h and 87840h")
	p.durationBetween("rollup_retention", c.RollupRetention, minCHRetention, maxCHRetention, "24h and 87840h")
	if c.RollupRetention >= minCHRetention && c.RollupRetention < c.RawRetention {
		p.add("rollup_retention", "must be at least raw_retention (%s), got %s", c.RawRetention, c.RollupRetention)
	}
	return p
}

// validate never repeats the DSN in a message: it may hold a password.
func (pg Postgres) validate() problems {
	var p problems
	switch {
	case pg.DSN == "":
		p.add("dsn", "is required")
	case strings.Contains(pg.DSN, "://"):
		u, err := url.Parse(pg.DSN)
		if err != nil {
			p.add("dsn", "is not a valid URL")
		} else if u.Scheme != "postgres" && u.Scheme != "postgresql" {
			p.add("dsn", "must be a postgres:// or postgresql:// URL or key=value pairs, got scheme %q", u.Scheme)
		}
	case !strings.Contains(pg.DSN, "="):
		p.add("dsn", "must be a postgres:// or postgresql:// URL or key=value pairs")
	}
	return p
}

func (a Agent) validate() problems {
	var p problems
	switch {
	case a.ID == "":
		p.add("id", "is required")
	case !fleet.ValidAgentID(a.ID):
		p.add("id", "must be at most 255 printable characters without spaces, got %q", a.ID)
	}
	if !catalog.ValidID(a.Region) {
		p.add("region", "must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; got %q", a.Region)
	}
	p.hostPort("http_addr", a.HTTPAddr, true)
	p.between("concurrency", a.Concurrency, 1, 100000)
	p.durationBetween("heartbeat_interval", a.HeartbeatInterval, fleet.MinInterval, fleet.MaxInterval, "1s and 5m")
	if a.Spool.Dir != "" && !filepath.IsAbs(a.Spool.Dir) {
		p.add("spool.dir", "must be an absolute path, got %q", a.Spool.Dir)
	}
	if a.Spool.MaxBytes < minSpoolBytes || a.Spool.MaxBytes > maxSpoolBytes {
		p.add("spool.max_bytes", "must be between %d (1 MiB) and %d (1 TiB), got %d", minSpoolBytes, maxSpoolBytes, a.Spool.MaxBytes)
	}
	p.durationBetween("spool.max_age", a.Spool.MaxAge, time.Minute, 30*24*time.Hour, "1m and 720h")
	return p
}

func (a Aggregator) validate() problems {
	var p problems
	p.required("group_id", a.GroupID)
	p.between("batch_size", a.BatchSize, 1, 100000)
	p.durationBetween("batch_wait", a.BatchWait, time.Millisecond, time.Minute, "1ms and 1m")
	p.durationBetween("incident_cooldown", a.IncidentCooldown, 0, 24*time.Hour, "0s and 24h")
	p.durationBetween("max_result_age", a.MaxResultAge, time.Hour, 400*24*time.Hour, "1h and 9600h")
	if field, msg := a.ImpactWeights.Weights().Validate(); field != "" {
		p.add("impact_weights."+field, "%s", msg)
	}
	p.durationBetween("bucket_retention", a.BucketRetention, minBucketRetention, maxBucketRetention, "8784h and 87840h")
	p.durationBetween("month_freeze_grace", a.MonthFreezeGrace, minMonthFreezeGrace, maxMonthFreezeGrace, "1h and 720h")
	return p
}

func (d Defaults) validate() problems {
	var p problems
	if d.Interval < catalog.MinInterval {
		p.add("interval", "must be at least %s, got %s", catalog.MinInterval, d.Interval)
	}
	if d.Timeout <= 0 {
		p.add("timeout", "must be positive, got %s", d.Timeout)
	}
	p.between("failure_threshold", d.FailureThreshold, 1, 100)
	p.between("success_threshold", d.SuccessThreshold, 1, 100)
	return p
}

// settingsProblems validates every settings section; each field is the
// key path from the top of the file, for example "kafka.linger".
func (c *Config) settingsProblems() []catalog.FieldError {
	var all []catalog.FieldError
	add := func(section string, p problems) {
		for _, fe := range p {
			all = append(all, catalog.FieldError{Field: section + "." + fe.Field, Message: fe.Message})
		}
	}
	add("http", c.HTTP.validate())
	add("api", c.API.validate())
	add("log", c.Log.validate())
	add("kafka", c.Kafka.validate())
	add("clickhouse", c.ClickHouse.validate())
	add("postgres", c.Postgres.validate())
	add("agent", c.Agent.validate())
	add("aggregator", c.Aggregator.validate())
	add("defaults", c.Defaults.validate())
	add("domains", c.Domains.validate())
	add("export", c.Export.validate())
	return all
}
