package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// envOf returns an env lookup over vars.
func envOf(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// TestEnvVarNames pins the variables that the walk of the settings finds:
// every scalar and scalar-list setting, and nothing of the pages.
func TestEnvVarNames(t *testing.T) {
	var got []string
	for _, v := range envVars(Default()) {
		got = append(got, v.name)
	}
	want := []string{
		"STATUSD_HTTP_ADDR", "STATUSD_API_RATE_LIMIT", "STATUSD_API_RATE_BURST", "STATUSD_API_SESSION_KEY", "STATUSD_API_TRUSTED_PROXIES",
		"STATUSD_LOG_LEVEL", "STATUSD_LOG_FORMAT",
		"STATUSD_KAFKA_BROKERS", "STATUSD_KAFKA_TOPIC_PREFIX", "STATUSD_KAFKA_RESULTS_PARTITIONS", "STATUSD_KAFKA_LINGER",
		"STATUSD_CLICKHOUSE_ADDR", "STATUSD_CLICKHOUSE_DATABASE", "STATUSD_CLICKHOUSE_USERNAME", "STATUSD_CLICKHOUSE_PASSWORD",
		"STATUSD_CLICKHOUSE_RAW_RETENTION", "STATUSD_CLICKHOUSE_ROLLUP_RETENTION",
		"STATUSD_POSTGRES_DSN",
		"STATUSD_AGENT_ID", "STATUSD_AGENT_REGION", "STATUSD_AGENT_HTTP_ADDR", "STATUSD_AGENT_CONCURRENCY", "STATUSD_AGENT_HEARTBEAT_INTERVAL",
		"STATUSD_AGENT_SPOOL_DIR", "STATUSD_AGENT_SPOOL_MAX_BYTES", "STATUSD_AGENT_SPOOL_MAX_AGE",
		"STATUSD_AGGREGATOR_GROUP_ID", "STATUSD_AGGREGATOR_BATCH_SIZE", "STATUSD_AGGREGATOR_BATCH_WAIT",
		"STATUSD_AGGREGATOR_INCIDENT_COOLDOWN", "STATUSD_AGGREGATOR_MAX_RESULT_AGE",
		"STATUSD_AGGREGATOR_IMPACT_WEIGHTS_MAJOR", "STATUSD_AGGREGATOR_IMPACT_WEIGHTS_PARTIAL",
		"STATUSD_AGGREGATOR_IMPACT_WEIGHTS_DEGRADED", "STATUSD_AGGREGATOR_BUCKET_RETENTION",
		"STATUSD_AGGREGATOR_MONTH_FREEZE_GRACE",
		"STATUSD_DEFAULTS_INTERVAL", "STATUSD_DEFAULTS_TIMEOUT", "STATUSD_DEFAULTS_FAILURE_THRESHOLD", "STATUSD_DEFAULTS_SUCCESS_THRESHOLD",
		"STATUSD_DOMAINS_CNAME_TARGET", "STATUSD_DOMAINS_INTERVAL", "STATUSD_DOMAINS_UNVERIFIED_INTERVAL", "STATUSD_DOMAINS_ROOT_SERVERS",
		"STATUSD_EXPORT_DIR", "STATUSD_EXPORT_ON_CHANGE", "STATUSD_EXPORT_MIN_INTERVAL", "STATUSD_EXPORT_DOMAIN",
	}
	if !slices.Equal(got, want) {
		t.Errorf("env variables:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestEnvOverrides(t *testing.T) {
	file := []byte(`
http: {addr: "127.0.0.1:8080"}
kafka: {brokers: [file:9092], linger: 5ms}
agent: {region: file-region}
pages:
  - {id: main, name: Main}
`)
	tests := []struct {
		name  string
		env   map[string]string
		check func(c *Config) (got, want any)
	}{
		{"string", map[string]string{"STATUSD_HTTP_ADDR": "0.0.0.0:9000"},
			func(c *Config) (any, any) { return c.HTTP.Addr, "0.0.0.0:9000" }},
		{"string list, spaces and empty items dropped", map[string]string{"STATUSD_KAFKA_BROKERS": "a:9092, b:9092,,"},
			func(c *Config) (any, any) { return strings.Join(c.Kafka.Brokers, "|"), "a:9092|b:9092" }},
		{"integer", map[string]string{"STATUSD_KAFKA_RESULTS_PARTITIONS": "24"},
			func(c *Config) (any, any) { return c.Kafka.ResultsPartitions, 24 }},
		{"duration", map[string]string{"STATUSD_AGGREGATOR_BATCH_WAIT": "250ms"},
			func(c *Config) (any, any) { return c.Aggregator.BatchWait, 250 * time.Millisecond }},
		{"overrides the file", map[string]string{"STATUSD_AGENT_REGION": "eu-west"},
			func(c *Config) (any, any) { return c.Agent.Region, "eu-west" }},
		{"empty string is a value", map[string]string{"STATUSD_CLICKHOUSE_PASSWORD": ""},
			func(c *Config) (any, any) { return c.ClickHouse.Password, "" }},
		{"secret with separators kept whole", map[string]string{"STATUSD_POSTGRES_DSN": "postgres://u:a,b@db/statusd"},
			func(c *Config) (any, any) { return c.Postgres.DSN, "postgres://u:a,b@db/statusd" }},
		{"unset leaves the file", map[string]string{},
			func(c *Config) (any, any) { return c.Kafka.Brokers[0], "file:9092" }},
		{"pages are not settings", map[string]string{"STATUSD_PAGES": "x", "STATUSD_PAGES_ID": "x"},
			func(c *Config) (any, any) { return c.Pages[0].ID, "main" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("f.yaml", file, envOf(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := tt.check(cfg); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestEnvBeforeValidation: an override is validated like the file, and
// can fix what the file gets wrong.
func TestEnvBeforeValidation(t *testing.T) {
	file := []byte("log: {level: verbose}\n")
	cfg, err := Parse("f.yaml", file, envOf(map[string]string{"STATUSD_LOG_LEVEL": "debug"}))
	if err != nil {
		t.Fatalf("the override should replace the invalid level: %v", err)
	}
	if cfg.Log.Level != "debug" {
		t.Errorf("log.level = %q, want debug", cfg.Log.Level)
	}
}

func TestEnvErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"integer", map[string]string{"STATUSD_AGENT_CONCURRENCY": "many"},
			[]string{`f.yaml: env STATUSD_AGENT_CONCURRENCY: want an integer, got "many"`}},
		{"duration", map[string]string{"STATUSD_KAFKA_LINGER": "5"},
			[]string{`f.yaml: env STATUSD_KAFKA_LINGER: want a duration such as "10s" or "1m30s", got "5"`}},
		{"invalid value names the variable", map[string]string{"STATUSD_KAFKA_LINGER": "2s"},
			[]string{`f.yaml: env STATUSD_KAFKA_LINGER: kafka.linger: must be between 1ms and 1s, got 2s`}},
		{"invalid list item names the variable", map[string]string{"STATUSD_KAFKA_BROKERS": "a:9092,b"},
			[]string{`f.yaml: env STATUSD_KAFKA_BROKERS: kafka.brokers[1]: must be host:port, got "b"`}},
		{"empty list", map[string]string{"STATUSD_CLICKHOUSE_ADDR": " , "},
			[]string{`f.yaml: env STATUSD_CLICKHOUSE_ADDR: clickhouse.addr: must list at least one server`}},
		{"with file errors, env first", map[string]string{"STATUSD_AGENT_REGION": "EU"},
			[]string{
				`f.yaml: env STATUSD_AGENT_REGION: agent.region: must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; got "EU"`,
				`f.yaml:2: http.addr: must be host:port, got "nowhere"`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := []byte("log: {level: info}\n")
			if strings.HasPrefix(tt.name, "with file errors") {
				file = []byte("log: {level: info}\nhttp: {addr: nowhere}\n")
			}
			_, err := Parse("f.yaml", file, envOf(tt.env))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestSetFromString covers the kinds that overridable allows, including
// those no setting uses yet.
func TestSetFromString(t *testing.T) {
	var s struct {
		B  bool
		I  int
		D  time.Duration
		S  string
		SS []string
		IS []int
	}
	v := reflect.ValueOf(&s).Elem()
	tests := []struct {
		field   string
		in      string
		wantErr string
	}{
		{"B", "true", ""},
		{"B", "sure", `want true or false, got "sure"`},
		{"I", " 42 ", ""},
		{"I", "99999999999999999999", `want an integer, got "99999999999999999999"`},
		{"D", "1m30s", ""},
		{"S", " kept as is ", ""},
		{"SS", "a, b", ""},
		{"IS", "200,204", ""},
		{"IS", "200,ok", `item 2: want an integer, got "ok"`},
	}
	for _, tt := range tests {
		err := setFromString(v.FieldByName(tt.field), tt.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if gotErr != tt.wantErr {
			t.Errorf("%s = %q: error %q, want %q", tt.field, tt.in, gotErr, tt.wantErr)
		}
	}
	if !s.B || s.I != 42 || s.D != 90*time.Second || s.S != " kept as is " ||
		!slices.Equal(s.SS, []string{"a", "b"}) || !slices.Equal(s.IS, []int{200, 204}) {
		t.Errorf("fields = %+v", s)
	}
}
