package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/series"
	"github.com/statusd/statusd/store/chstore"
	"github.com/statusd/statusd/store/sqlstore"
	"github.com/statusd/statusd/store/storetest"
)

// seriesCatalog has the components of storetest.MakeResults, api and db
// in a group.
func seriesCatalog() catalog.Catalog {
	return catalog.Catalog{Pages: []catalog.Page{{ID: "main", Name: "Main", TimeZone: "Etc/UTC"}},
		Components: []catalog.Component{{ID: "core", PageID: "main", Name: "Core", IsGroup: true},
			{ID: "api", PageID: "main", GroupID: "core", Name: "API"}, {ID: "db", PageID: "main", GroupID: "core", Name: "DB"},
			{ID: "web", PageID: "main", Name: "Web"}}}
}

type seriesBody struct {
	StepSeconds int64    `json:"step_seconds"`
	Rollup      string   `json:"rollup"`
	From        string   `json:"from"`
	To          string   `json:"to"`
	Components  []string `json:"components"`
	Points      []struct {
		Time           string   `json:"time"`
		Total          int64    `json:"total"`
		Successes      int64    `json:"successes"`
		SuccessPercent *float64 `json:"success_percent"`
		LatencyMeanMS  *float64 `json:"latency_mean_ms"`
	} `json:"points"`
	Error struct {
		Fields map[string]string `json:"fields"`
	} `json:"error"`
}

// TestTimeseries serves charts from the real stores: SQLite's results
// table in standalone, ClickHouse's rollups in the aggregator; both must
// give the same points for the same results.
func TestTimeseries(t *testing.T) {
	entities, err := sqlstore.Open(t.Context(), sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := entities.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := entities.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := entities.SyncCatalog(t.Context(), seriesCatalog(), storetest.T0); err != nil {
		t.Fatal(err)
	}
	addr, db := testenv.ClickHouse(t)
	ch, err := chstore.Open(t.Context(), chstore.Options{Addr: []string{addr}, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ch.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := ch.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	rs := storetest.MakeResults("ts-", 600, storetest.T0)
	if _, err := entities.WriteResults(t.Context(), rs); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.WriteResults(t.Context(), rs); err != nil {
		t.Fatal(err)
	}
	backends := []struct {
		name   string
		series api.SeriesReader
	}{{"sqlite", entities}, {"clickhouse", ch}}
	cases := []struct {
		name, target string
		status       int
		rollup       string
		points       int
		field        string
	}{
		{"a day by minutes", "/api/v1/components/api/timeseries?from=2025-03-01T12:00:00Z&to=2025-03-02T12:00:00Z&step=1m",
			http.StatusOK, "minute", 1440, ""},
		{"a group by hours, to aligned up", "/api/v1/components/core/timeseries?from=2025-03-01T12:30:00Z&to=2025-03-03T11:10:00Z&step=1h",
			http.StatusOK, "hour", 48, ""},
		{"the default step for a week", "/api/v1/components/web/timeseries?from=2025-03-01T00:00:00Z&to=2025-03-08T00:00:00Z",
			http.StatusOK, "hour", 168, ""},
		{"the default step for a day off the minute", "/api/v1/components/web/timeseries?from=2025-03-01T00:00:30Z&to=2025-03-02T00:00:30Z",
			http.StatusOK, "hour", 25, ""},
		{"too many points", "/api/v1/components/api/timeseries?from=2025-03-01T00:00:00Z&to=2025-03-08T00:00:00Z&step=1m",
			http.StatusUnprocessableEntity, "", 0, "step"},
		{"a step of seconds", "/api/v1/components/api/timeseries?step=30s", http.StatusUnprocessableEntity, "", 0, "step"},
		{"a bad time", "/api/v1/components/api/timeseries?from=yesterday", http.StatusUnprocessableEntity, "", 0, "from"},
		{"reversed", "/api/v1/components/api/timeseries?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z",
			http.StatusUnprocessableEntity, "", 0, "from"},
		{"unknown component", "/api/v1/components/nope/timeseries", http.StatusNotFound, "", 0, ""},
	}
	got := map[string]string{}
	for _, b := range backends {
		s := newServerWith(t, api.Options{Store: entities, Series: b.series})
		for _, tc := range cases {
			t.Run(b.name+"/"+tc.name, func(t *testing.T) {
				resp, raw := s.do(t, http.MethodGet, tc.target)
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, raw)
				}
				body := decode[seriesBody](t, raw)
				if tc.field != "" && body.Error.Fields[tc.field] == "" {
					t.Fatalf("no error for field %s: %s", tc.field, raw)
				}
				if tc.status != http.StatusOK {
					return
				}
				if body.Rollup != tc.rollup || len(body.Points) != tc.points {
					t.Fatalf("rollup %s with %d points, want %s with %d", body.Rollup, len(body.Points), tc.rollup, tc.points)
				}
				var total int64
				for _, p := range body.Points {
					total += p.Total
					if (p.Total > 0) != (p.SuccessPercent != nil) {
						t.Fatalf("point %s: total %d, success %v", p.Time, p.Total, p.SuccessPercent)
					}
				}
				if total == 0 {
					t.Fatal("no results in the points")
				}
				if prev, ok := got[tc.name]; ok && prev != string(raw) {
					t.Errorf("the backends disagree:\n%s\n%s", prev, raw)
				}
				got[tc.name] = string(raw)
			})
		}
	}
}

// FuzzTimeseriesQuery sends arbitrary query strings to the timeseries
// endpoint: every answer is a 200 or a 422 naming a field, never a 500.
// Corpus in testdata/fuzz/FuzzTimeseriesQuery.
func FuzzTimeseriesQuery(f *testing.F) {
	for _, seed := range []string{"", "from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z&step=1m", "step=1h",
		"from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&step=24h", "step=-5m", "from=2026-11-23T10:00:00%2B05:30"} {
		f.Add(seed)
	}
	s := newServerWith(f, api.Options{Store: fixture(), Series: emptySeries{}})
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/components/api/timeseries", nil)
		req.URL.RawQuery = query
		req.Header.Set("Authorization", "Bearer "+readKey)
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		raw := rec.Body.Bytes()
		if rec.Code != http.StatusOK && rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("query %q: status %d: %s", query, rec.Code, raw)
		}
		body := decode[seriesBody](t, raw)
		if rec.Code == http.StatusUnprocessableEntity && len(body.Error.Fields) == 0 {
			t.Fatalf("query %q: 422 without field errors: %s", query, raw)
		}
		if rec.Code == http.StatusOK && (len(body.Points) == 0 || len(body.Points) > 1440) {
			t.Fatalf("query %q: %d points", query, len(body.Points))
		}
	})
}

type emptySeries struct{}

func (emptySeries) Series(context.Context, series.Query) ([]series.Point, error) { return nil, nil }
