package api_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/store/sqlstore"
	"github.com/statusd/statusd/uptime"
)

// BenchmarkMetrics12Months answers the metrics endpoint over the last 12
// months for one of 10,000 components (STATUSD_BENCH_COMPONENTS to change
// it) that each have a year of day buckets, on PostgreSQL as the
// aggregator serves it, and reports the p99 latency: first from day
// buckets alone, then with the closed months frozen, as an aggregator
// running for a year has them. Each prints a JSON line with
// "metrics_12m_p99_ms".
func BenchmarkMetrics12Months(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("STATUSD_BENCH_COMPONENTS")); err == nil && v > 0 {
		n = v
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	dsn := testenv.Postgres(b)
	s, err := sqlstore.Open(b.Context(), sqlstore.Options{Driver: "postgres", DSN: dsn})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := s.Close(); err != nil {
			b.Error(err)
		}
	})
	if err := s.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := db.Close(); err != nil {
			b.Error(err)
		}
	})
	t0 := time.Now()
	if err := seedYear(b.Context(), s, db, n, now); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d components with a year of buckets in %s", n, time.Since(t0).Round(time.Millisecond))
	a, err := api.New(api.Options{Store: s, Keys: testKeyAuth{}, RateLimit: 1e6, RateBurst: 1e9, Registerer: prometheus.NewRegistry(),
		Clock: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	h := a.Handler()
	b.Run("floor", func(b *testing.B) { benchFloor(b, db) })
	b.Run("buckets", func(b *testing.B) { benchMetrics(b, h, n, "buckets") })
	if err := freezeYear(b.Context(), db, now); err != nil {
		b.Fatal(err)
	}
	b.Run("frozen", func(b *testing.B) { benchMetrics(b, h, n, "frozen") })
}

// benchMetrics asks for the metrics of the components in turn and reports
// the p99 of the requests' times.
func benchMetrics(b *testing.B, h http.Handler, n int, name string) {
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		target := fmt.Sprintf("/api/v1/components/c%05d/metrics?timeframe_start=2025-11-24&timeframe_end=2026-11-23", i%n)
		t0 := time.Now()
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Authorization", "Bearer reader")
		h.ServeHTTP(rec, r)
		lat = append(lat, time.Since(t0))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	p99 := float64(lat[len(lat)*99/100].Microseconds()) / 1000
	b.ReportMetric(p99, "p99_ms")
	if b.N >= 1000 {
		line, err := json.Marshal(map[string]any{"bench": "metrics_12m", "seed": name, "components": n,
			"requests": b.N, "metrics_12m_p99_ms": p99})
		if err != nil {
			b.Fatal(err)
		}
		fmt.Println(string(line))
	}
}

// benchFloor reports the p99 of one round trip to PostgreSQL on this
// machine: the metrics endpoint makes three, one after the other.
func benchFloor(b *testing.B, db *sql.DB) {
	lat := make([]time.Duration, 0, b.N)
	for range b.N {
		t0 := time.Now()
		var one int
		if err := db.QueryRowContext(b.Context(), `SELECT 1`).Scan(&one); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}

// seedYear stores n components on one page, each with a cursor through
// the store and a year of day buckets up to now in one INSERT ... SELECT.
func seedYear(ctx context.Context, s *sqlstore.Store, db *sql.DB, n int, now time.Time) error {
	cat := catalog.Catalog{Pages: []catalog.Page{{ID: "main", Name: "Main", TimeZone: "Etc/UTC"}}}
	for i := range n {
		cat.Components = append(cat.Components, catalog.Component{ID: fmt.Sprintf("c%05d", i), PageID: "main",
			Name: fmt.Sprintf("Component %d", i), Position: i})
	}
	if err := s.SyncCatalog(ctx, cat, now.AddDate(-1, 0, -2)); err != nil {
		return err
	}
	var ch health.Changes
	for i := range n {
		id := fmt.Sprintf("c%05d", i)
		var cur uptime.Cursor
		cur.Move(id, now.AddDate(-1, 0, -1), uptime.Operational, time.UTC, uptime.DefaultWeights())
		cur.Move(id, now.Add(-time.Hour), uptime.Operational, time.UTC, uptime.DefaultWeights())
		ch.Components = append(ch.Components, health.ComponentState{ComponentID: id, Status: status.Operational, Uptime: cur, Seq: 1})
	}
	if err := s.ApplyChanges(ctx, ch, nil); err != nil {
		return err
	}
	today := uptime.DayOf(now, time.UTC)
	first, last := today.AddDays(-366).Start(time.UTC), today.AddDays(-1).Start(time.UTC)
	_, err := db.ExecContext(ctx, `
		INSERT INTO day_buckets (component_id, day, major_ms, partial_ms, degraded_ms, maintenance_ms, no_data_ms,
			observed_ms, impact_ms, outages, seq)
		SELECT 'c' || lpad(i::text, 5, '0'), to_char(d, 'YYYYMMDD')::int, i % 600000, 0, 0, 0, 0, 86400000,
			i % 600000, i % 3, 1
		FROM generate_series(0, $1::int - 1) AS i, generate_series($2::date, $3::date, '1 day') AS d`,
		n, first.Format(time.DateOnly), last.Format(time.DateOnly))
	if err != nil {
		return fmt.Errorf("seed day buckets: %w", err)
	}
	// Fresh statistics, as autovacuum would gather: without them the
	// planner reads a component's days through the day index.
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// freezeYear freezes the closed months before now's from their buckets,
// as the aggregator does once they are over.
func freezeYear(ctx context.Context, db *sql.DB, now time.Time) error {
	first := uptime.MonthOf(uptime.DayOf(now.AddDate(-1, 0, 0), time.UTC)).Next()
	last := uptime.MonthOf(uptime.DayOf(now, time.UTC).AddDays(-now.Day()))
	_, err := db.ExecContext(ctx, `
		INSERT INTO frozen_months (component_id, month, major_ms, partial_ms, degraded_ms, maintenance_ms,
			no_data_ms, observed_ms, impact_ms, outages, frozen_at)
		SELECT component_id, day / 100, sum(major_ms), sum(partial_ms), sum(degraded_ms), sum(maintenance_ms),
			sum(no_data_ms), sum(observed_ms), sum(impact_ms), sum(outages), $3
		FROM day_buckets WHERE day / 100 BETWEEN $1 AND $2 GROUP BY component_id, day / 100`,
		int64(first), int64(last), now.UnixMilli())
	if err != nil {
		return fmt.Errorf("freeze months: %w", err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE frozen_months`); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
