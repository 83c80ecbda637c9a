package main

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/statusd/statusd/config"
)

func TestGeneratedConfigLoads(t *testing.T) {
	sc := newScenario(25, 10, regionNames(3), 10*time.Second, time.Now())
	bc := benchConfig{httpAddr: "127.0.0.1:18080", kafka: "127.0.0.1:19092", topicPrefix: "benchx.statusd.", partitions: 12,
		chAddr: "127.0.0.1:19000", chDatabase: "statusd_bench_x", postgresDSN: "postgres://postgres@127.0.0.1:5432/statusd_bench_x?sslmode=disable",
		groupID: "benchx-aggregator", interval: 10 * time.Second, scenario: sc}
	path := filepath.Join(t.TempDir(), "statusd.yaml")
	if err := bc.writeConfigFile(path); err != nil {
		t.Fatal(err)
	}
	if err := validateConfigFile(path, nil, sc.components); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, lookupIn(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Kafka.TopicPrefix != bc.topicPrefix || cfg.Aggregator.GroupID != bc.groupID || cfg.HTTP.Addr != bc.httpAddr ||
		cfg.ClickHouse.Database != bc.chDatabase || cfg.Postgres.DSN != bc.postgresDSN {
		t.Errorf("settings not as generated: %+v", cfg)
	}
	checks := cfg.Catalog().Checks
	for _, c := range checks {
		if c.Interval != bc.interval || c.FailureThreshold != failureThreshold || c.SuccessThreshold != successThreshold {
			t.Errorf("check %s: interval %s, thresholds %d/%d; want %s, %d/%d", c.ID, c.Interval,
				c.FailureThreshold, c.SuccessThreshold, bc.interval, failureThreshold, successThreshold)
		}
	}
	if got, want := checks[len(checks)-1].ComponentID, sc.componentID(sc.components-1); got != want {
		t.Errorf("last check belongs to %s, want %s", got, want)
	}
	// An override the file owns must not reach the aggregator; the
	// validation sees the aggregator's environment.
	env, _ := aggregatorEnv([]string{"STATUSD_KAFKA_TOPIC_PREFIX=elsewhere.", "STATUSD_AGGREGATOR_BATCH_SIZE=0"})
	if err := validateConfigFile(path, env, sc.components); err == nil {
		t.Error("validateConfigFile accepted batch_size 0 from the environment")
	}
}

func TestAggregatorEnv(t *testing.T) {
	tests := []struct {
		name          string
		environ       []string
		wantEnv       []string
		wantOverrides map[string]string
	}{
		{"owned settings dropped",
			[]string{"STATUSD_POSTGRES_DSN=postgres://prod", "STATUSD_KAFKA_BROKERS=prod:9092", "PATH=/bin"},
			[]string{"PATH=/bin"}, map[string]string{}},
		{"tuning passes through and is reported",
			[]string{"STATUSD_AGGREGATOR_BATCH_SIZE=20000", "HOME=/root"},
			[]string{"HOME=/root", "STATUSD_AGGREGATOR_BATCH_SIZE=20000"}, map[string]string{"STATUSD_AGGREGATOR_BATCH_SIZE": "20000"}},
		{"secrets redacted, test services not overrides",
			[]string{"STATUSD_CLICKHOUSE_PASSWORD=hunter2", "STATUSD_TEST_KAFKA=127.0.0.1:19092"},
			[]string{"STATUSD_CLICKHOUSE_PASSWORD=hunter2", "STATUSD_TEST_KAFKA=127.0.0.1:19092"},
			map[string]string{"STATUSD_CLICKHOUSE_PASSWORD": "(redacted)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, overrides := aggregatorEnv(tc.environ)
			if !slices.Equal(env, tc.wantEnv) {
				t.Errorf("env = %q, want %q", env, tc.wantEnv)
			}
			if !maps.Equal(overrides, tc.wantOverrides) {
				t.Errorf("overrides = %v, want %v", overrides, tc.wantOverrides)
			}
		})
	}
}
