package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/statusd/statusd/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden files of the valid-*.yaml cases")

func TestInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if _, ok := invalid[filepath.Base(path)]; !ok {
			t.Errorf("%s has no expected errors in the table", path)
		}
	}
	for name, want := range invalid {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			data = pad(data, padTo[name])
			if g, ok := grow[name]; ok {
				data = append(data, g()...)
			}
			cfg, err := Parse(name, data, nil)
			if cfg != nil {
				t.Errorf("Parse returned a configuration with its errors")
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse error = %v (%T), want Errors", err, err)
			}
			if got := strings.Split(errs.Error(), "\n"); !slices.Equal(got, want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if !slices.IsSortedFunc(errs, func(a, b Error) int { return a.Line - b.Line }) {
				t.Errorf("errors are not sorted by line: %v", errs)
			}
		})
	}
}

// pad returns data with comment lines appended up to size bytes, or data
// itself when it is that long already.
func pad(data []byte, size int) []byte {
	line := []byte("# " + strings.Repeat("padding ", 8) + "\n")
	for len(data) < size {
		data = append(data, line[:min(len(line), size-len(data))]...)
	}
	return data
}

// golden is what a valid-*.yaml case is compared against.
type golden struct {
	Settings Config          `yaml:"settings"`
	Catalog  catalog.Catalog `yaml:"catalog"`
}

func TestValid(t *testing.T) {
	files, err := filepath.Glob("testdata/valid-*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/valid-*.yaml files")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cfg, err := Load(path, nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			g := golden{Settings: *cfg, Catalog: cfg.Catalog()}
			g.Settings.Pages = nil
			if g.Settings.Agent.ID == hostname() {
				g.Settings.Agent.ID = "<hostname>"
			}
			got, err := yaml.Marshal(g)
			if err != nil {
				t.Fatal(err)
			}
			goldenPath := path + ".golden"
			if *update {
				if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run with -update after checking):\n%s", path, goldenPath, got)
			}
		})
	}
}

func TestCatalog(t *testing.T) {
	data := []byte(`
defaults: {interval: 20s, timeout: 15s, failure_threshold: 4}
pages:
  - id: p
    name: P
    components:
      - id: g
        name: G
        components:
          - id: a
            name: A
            checks:
              - {id: fast, interval: 5s, http: {url: "http://a/", follow_redirects: false}}
              - {id: own, type: http, timeout: 3s, success_threshold: 1, http: {url: "http://a/"}}
      - id: b
        name: B
`)
	cfg, err := Parse("t.yaml", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	cat := cfg.Catalog()
	wantPages := []catalog.Page{{ID: "p", Name: "P", TimeZone: "Etc/UTC"}}
	if !reflect.DeepEqual(cat.Pages, wantPages) {
		t.Errorf("pages = %+v, want %+v", cat.Pages, wantPages)
	}
	wantComps := []catalog.Component{
		{ID: "g", PageID: "p", IsGroup: true, Name: "G", Position: 1},
		{ID: "a", PageID: "p", GroupID: "g", Name: "A", Position: 2},
		{ID: "b", PageID: "p", Name: "B", Position: 3},
	}
	if !reflect.DeepEqual(cat.Components, wantComps) {
		t.Errorf("components = %+v, want %+v", cat.Components, wantComps)
	}
	if len(cat.Checks) != 2 {
		t.Fatalf("checks = %+v, want 2", cat.Checks)
	}
	fast, own := cat.Checks[0], cat.Checks[1]
	tests := []struct {
		name      string
		got, want any
	}{
		{"fast component", fast.ComponentID, "a"},
		{"fast type inferred from its http block", fast.Type, catalog.TypeHTTP},
		{"fast interval", fast.Interval, 5 * time.Second},
		{"fast timeout capped by its interval", fast.Timeout, 5 * time.Second},
		{"fast failure threshold from defaults", fast.FailureThreshold, 4},
		{"fast success threshold from catalog", fast.SuccessThreshold, catalog.DefaultSuccessThreshold},
		{"fast method from catalog", fast.HTTP.Method, "GET"},
		{"fast follow_redirects false", fast.HTTP.NoFollowRedirects, true},
		{"own interval from defaults", own.Interval, 20 * time.Second},
		{"own timeout", own.Timeout, 3 * time.Second},
		{"own success threshold", own.SuccessThreshold, 1},
		{"own follows redirects", own.HTTP.NoFollowRedirects, false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	for _, ch := range cat.Checks {
		if errs := ch.Validate(); len(errs) > 0 {
			t.Errorf("catalog check %s does not validate: %v", ch.ID, errs)
		}
	}
}

func TestExamples(t *testing.T) {
	for _, path := range []string{"../deploy/examples/standalone.yaml", "../deploy/examples/statusd.yaml"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cfg, err := Load(path, nil)
			if err != nil {
				t.Fatalf("Load:\n%v", err)
			}
			cat := cfg.Catalog()
			if len(cat.Pages) != 1 || len(cat.Checks) == 0 {
				t.Errorf("catalog has %d pages and %d checks, want one page with checks", len(cat.Pages), len(cat.Checks))
			}
			var groups int
			for _, c := range cat.Components {
				if c.IsGroup {
					groups++
				}
			}
			if groups == 0 {
				t.Errorf("no group among %+v", cat.Components)
			}
		})
	}
}

// TestStandaloneExample pins what `make run` shows: statusd probing itself
// on loopback, and one component that is down on purpose.
func TestStandaloneExample(t *testing.T) {
	cfg, err := Load("../deploy/examples/standalone.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:8080" {
		t.Errorf("http.addr = %q, want 127.0.0.1:8080", cfg.HTTP.Addr)
	}
	cat := cfg.Catalog()
	if cat.Pages[0].Name != "statusd example" {
		t.Errorf("page name = %q, want statusd example", cat.Pages[0].Name)
	}
	var names []string
	for _, c := range cat.Components {
		names = append(names, c.Name)
	}
	wantNames := []string{"Status page", "API", "Backend", "Metrics", "Readiness", "Legacy billing"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("components = %q, want %q", names, wantNames)
	}
	urls := map[string]string{}
	for _, ch := range cat.Checks {
		urls[ch.ComponentID] = ch.HTTP.URL
		if ch.Interval < 5*time.Second || ch.Interval > 10*time.Second {
			t.Errorf("check %s interval %s, want 5s to 10s so that the demo converges quickly", ch.ID, ch.Interval)
		}
		if !strings.HasPrefix(ch.HTTP.URL, "http://127.0.0.1:") {
			t.Errorf("check %s probes %s, want loopback only", ch.ID, ch.HTTP.URL)
		}
	}
	wantURLs := map[string]string{
		"status-page":    "http://127.0.0.1:8080/healthz",
		"api":            "http://127.0.0.1:8080/api/v2/status.json",
		"metrics":        "http://127.0.0.1:8080/metrics",
		"readiness":      "http://127.0.0.1:8080/readyz",
		"legacy-billing": "http://127.0.0.1:9/",
	}
	for comp, want := range wantURLs {
		if urls[comp] != want {
			t.Errorf("component %s probes %q, want %q", comp, urls[comp], want)
		}
	}
	for _, c := range cat.Components {
		if (c.ID == "metrics" || c.ID == "readiness") && c.GroupID != "backend" {
			t.Errorf("component %s has group %q, want backend", c.ID, c.GroupID)
		}
	}
}

func TestDefault(t *testing.T) {
	cfg, err := Parse("empty.yaml", nil, nil)
	if err != nil {
		t.Fatalf("an empty file: %v", err)
	}
	d := Default()
	tests := []struct {
		name      string
		got, want any
	}{
		{"http.addr", d.HTTP.Addr, "127.0.0.1:8080"},
		{"log.level", d.Log.Level, "info"},
		{"log.format", d.Log.Format, "text"},
		{"kafka.brokers", strings.Join(d.Kafka.Brokers, ","), "127.0.0.1:9092"},
		{"kafka.topic_prefix", d.Kafka.TopicPrefix, "statusd."},
		{"kafka.results_partitions", d.Kafka.ResultsPartitions, 12},
		{"kafka.linger", d.Kafka.Linger, 50 * time.Millisecond},
		{"clickhouse.addr", strings.Join(d.ClickHouse.Addr, ","), "127.0.0.1:9000"},
		{"clickhouse.database", d.ClickHouse.Database, "statusd"},
		{"clickhouse.username", d.ClickHouse.Username, "default"},
		{"clickhouse.password", d.ClickHouse.Password, ""},
		{"postgres.dsn", d.Postgres.DSN, "postgres://postgres@127.0.0.1:5432/statusd?sslmode=disable"},
		{"agent.id", d.Agent.ID, hostname()},
		{"agent.region", d.Agent.Region, "local"},
		{"agent.http_addr", d.Agent.HTTPAddr, "127.0.0.1:9108"},
		{"agent.concurrency", d.Agent.Concurrency, 64},
		{"aggregator.group_id", d.Aggregator.GroupID, "statusd-aggregator"},
		{"aggregator.batch_size", d.Aggregator.BatchSize, 20000},
		{"aggregator.batch_wait", d.Aggregator.BatchWait, 100 * time.Millisecond},
		{"aggregator.incident_cooldown", d.Aggregator.IncidentCooldown, 10 * time.Minute},
		{"aggregator.max_result_age", d.Aggregator.MaxResultAge, 30 * 24 * time.Hour},
		{"defaults.interval", d.Defaults.Interval, 30 * time.Second},
		{"defaults.timeout", d.Defaults.Timeout, 10 * time.Second},
		{"defaults.failure_threshold", d.Defaults.FailureThreshold, 3},
		{"defaults.success_threshold", d.Defaults.SuccessThreshold, 2},
		{"pages", len(d.Pages), 0},
		{"empty file is the default", cfg.Kafka.Linger == d.Kafka.Linger && cfg.HTTP == d.HTTP && cfg.Agent == d.Agent, true},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if cat := d.Catalog(); len(cat.Pages)+len(cat.Components)+len(cat.Checks) != 0 {
		t.Errorf("Default().Catalog() = %+v, want empty", cat)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path, nil)
	want := path + ": read: no such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("Load error = %v, want %s", err, want)
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Errorf("Load error is %T, want Errors", err)
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"with line", Error{File: "a.yaml", Line: 3, Message: "m"}, "a.yaml:3: m"},
		{"without line", Error{File: "a.yaml", Message: "m"}, "a.yaml: m"},
		{"without file", Error{Message: "m"}, "m"},
		{"several", Errors{{File: "a.yaml", Line: 1, Message: "x"}, {File: "a.yaml", Line: 2, Message: "y"}}, "a.yaml:1: x\na.yaml:2: y"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s: Error() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
