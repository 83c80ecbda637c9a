package api_test

import (
	"context"
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
// aggregator serves it, and reports the p99 latency.
func BenchmarkMetrics12Months(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("STATUSD_BENCH_COMPONENTS")); err == nil && v > 0 {
		n = v
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s, err := sqlstore.Open(b.Context(), sqlstore.Options{Driver: "postgres", DSN: testenv.Postgres(b)})
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
	if err := seedYear(b.Context(), s, n, now); err != nil {
		b.Fatal(err)
	}
	a, err := api.New(api.Options{Store: s, Registerer: prometheus.NewRegistry(), Clock: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	h := a.Handler()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		target := fmt.Sprintf("/api/v1/components/c%05d/metrics?timeframe_start=2025-11-24&timeframe_end=2026-11-23", i%n)
		t0 := time.Now()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		lat = append(lat, time.Since(t0))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}

// seedYear stores n components on one page, each with a year of day
// buckets up to now and a cursor.
func seedYear(ctx context.Context, s *sqlstore.Store, n int, now time.Time) error {
	cat := catalog.Catalog{Pages: []catalog.Page{{ID: "main", Name: "Main", TimeZone: "Etc/UTC"}}}
	for i := range n {
		cat.Components = append(cat.Components, catalog.Component{ID: fmt.Sprintf("c%05d", i), PageID: "main",
			Name: fmt.Sprintf("Component %d", i), Position: i})
	}
	if err := s.SyncCatalog(ctx, cat, now.AddDate(-1, 0, -2)); err != nil {
		return err
	}
	today := uptime.DayOf(now, time.UTC)
	var ch health.Changes
	flush := func() error {
		err := s.ApplyChanges(ctx, ch, nil)
		ch = health.Changes{}
		return err
	}
	for i := range n {
		id := fmt.Sprintf("c%05d", i)
		var cur uptime.Cursor
		cur.Move(id, now.AddDate(-1, 0, -1), uptime.Operational, time.UTC, uptime.DefaultWeights())
		cur.Move(id, now.Add(-time.Hour), uptime.Operational, time.UTC, uptime.DefaultWeights())
		ch.Components = append(ch.Components, health.ComponentState{ComponentID: id, Status: status.Operational, Uptime: cur, Seq: 1})
		for d := today.AddDays(-366); d < today; d = d.Next() {
			ch.Buckets = append(ch.Buckets, health.DayBucket{Seq: 1, Bucket: uptime.Bucket{ComponentID: id, Day: d,
				Totals: uptime.Totals{Major: int64(i % 600_000), Observed: 86_400_000, Impact: int64(i % 600_000), Outages: i % 3}}})
		}
		if len(ch.Buckets) >= 50_000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
