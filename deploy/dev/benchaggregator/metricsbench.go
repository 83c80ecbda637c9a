package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// metricsRequests is how many metrics requests the p99 is taken over.
const metricsRequests = 2000

// measureMetrics seeds a year of day buckets for every component of the
// run (and freezes the closed months, as a year-old aggregator has them),
// then times GET /api/v1/components/{id}/metrics over the last 12 months
// on the running aggregator with a read key, one request at a time, and
// returns the p99 in ms.
func (b *bench) measureMetrics(ctx context.Context, client *http.Client, key string) (lat []float64, err error) {
	dsn, err := databaseURL(b.opts.postgres, b.names.database)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open the run's database: %w", err)
	}
	defer func() {
		if cerr := db.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close the run's database: %w", cerr))
		}
	}()
	// The page keeps UTC days; yesterday is the timeframe's end, so no
	// bucket of the live day is written over.
	end := time.Now().UTC().AddDate(0, 0, -1)
	start := end.AddDate(-1, 0, 1)
	t0 := time.Now()
	if _, err := db.ExecContext(ctx, `
		INSERT INTO day_buckets (component_id, day, major_ms, partial_ms, degraded_ms, maintenance_ms, no_data_ms,
			observed_ms, impact_ms, outages, seq)
		SELECT c.id, to_char(d, 'YYYYMMDD')::int, c.n % 600000, 0, 0, 0, 0, 86400000, c.n % 600000, c.n % 3, 0
		FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM components WHERE NOT is_group) AS c,
			generate_series($1::date, $2::date, '1 day') AS d
		ON CONFLICT (component_id, day) DO NOTHING`, start.AddDate(0, 0, -1).Format(time.DateOnly), end.Format(time.DateOnly)); err != nil {
		return nil, fmt.Errorf("seed a year of day buckets: %w", err)
	}
	first := start.Year()*100 + int(start.Month()) + 1
	if start.Month() == time.December {
		first = (start.Year()+1)*100 + 1
	}
	lastMonth := time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	last := lastMonth.Year()*100 + int(lastMonth.Month())
	if _, err := db.ExecContext(ctx, `
		INSERT INTO frozen_months (component_id, month, major_ms, partial_ms, degraded_ms, maintenance_ms,
			no_data_ms, observed_ms, impact_ms, outages, frozen_at)
		SELECT component_id, day / 100, sum(major_ms), sum(partial_ms), sum(degraded_ms), sum(maintenance_ms),
			sum(no_data_ms), sum(observed_ms), sum(impact_ms), sum(outages), $3
		FROM day_buckets WHERE day / 100 BETWEEN $1 AND $2 GROUP BY component_id, day / 100
		ON CONFLICT (component_id, month) DO NOTHING`, first, last, time.Now().UnixMilli()); err != nil {
		return nil, fmt.Errorf("freeze the closed months: %w", err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE day_buckets, frozen_months`); err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	b.log.Info("seeded a year of day buckets", "took", time.Since(t0).Round(time.Millisecond),
		"timeframe_start", start.Format(time.DateOnly), "timeframe_end", end.Format(time.DateOnly))
	n := b.scenario.components
	lat = make([]float64, 0, metricsRequests)
	for i := range metricsRequests {
		url := fmt.Sprintf("http://%s/api/v1/components/%s/metrics?timeframe_start=%s&timeframe_end=%s", b.httpAddr,
			b.scenario.componentID(i*7919%n), start.Format(time.DateOnly), end.Format(time.DateOnly))
		t := time.Now()
		if _, err := httpGet(ctx, client, url, key); err != nil {
			return nil, err
		}
		lat = append(lat, float64(time.Since(t).Microseconds())/1000)
	}
	return lat, err
}
