package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/series"
)

// SeriesReader sums probe results per step for charts: from ClickHouse's
// minute and hour rollups in the aggregator, from SQLite's results table
// in standalone.
type SeriesReader interface {
	Series(ctx context.Context, q series.Query) ([]series.Point, error)
}

// defaultSeriesRange is the time range of a timeseries request without
// from.
const defaultSeriesRange = 24 * time.Hour

// parseSeriesQuery reads from and to (RFC 3339; the last 24 hours up to
// now by default) and step (a duration of whole minutes; by default the
// shortest of 1m, 1h and 24h that gives at most series.MaxPoints points).
// from is aligned down and to up to the step, on the Unix epoch; fields
// names each invalid parameter.
func parseSeriesQuery(q url.Values, now time.Time) (series.Query, map[string]string) {
	fields := map[string]string{}
	var sq series.Query
	sq.To = now
	if s := q.Get("to"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			fields["to"] = fmt.Sprintf("must be a time written as RFC 3339, such as 2026-03-01T12:00:00Z; got %q", s)
		} else {
			sq.To = t
		}
	}
	sq.From = sq.To.Add(-defaultSeriesRange)
	if s := q.Get("from"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			fields["from"] = fmt.Sprintf("must be a time written as RFC 3339, such as 2026-03-01T12:00:00Z; got %q", s)
		} else {
			sq.From = t
		}
	}
	if len(fields) > 0 {
		return sq, fields
	}
	if !sq.To.After(sq.From) {
		fields["from"] = "must be before to"
		return sq, fields
	}
	if sq.To.Sub(sq.From) > series.MaxRange {
		fields["from"] = fmt.Sprintf("must be at most %d days before to", int(series.MaxRange/(24*time.Hour)))
		return sq, fields
	}
	if s := q.Get("step"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			fields["step"] = fmt.Sprintf("must be a duration such as 1m, 5m or 1h; got %q", s)
			return sq, fields
		}
		sq.Step = d
	} else {
		// The shortest step whose aligned range keeps within the limit: a
		// range of exactly 24 h not on whole minutes spans 1441 minutes.
		for _, d := range []time.Duration{series.Minute, series.Hour, series.MaxStep} {
			if sq.Step = d; aligned(sq).Points() <= series.MaxPoints {
				break
			}
		}
	}
	if sq.Step < series.Minute || sq.Step > series.MaxStep || sq.Step%series.Minute != 0 {
		fields["step"] = fmt.Sprintf("must be whole minutes from 1m to 24h, got %s", sq.Step)
		return sq, fields
	}
	sq = aligned(sq)
	if field, msg := sq.Check(); field != "" {
		fields[field] = msg
	}
	return sq, fields
}

// aligned returns q with From aligned down and To up to its step, on the
// Unix epoch.
func aligned(q series.Query) series.Query {
	q.From = q.From.UTC().Truncate(q.Step)
	if to := q.To.UTC().Truncate(q.Step); to.Before(q.To) {
		q.To = to.Add(q.Step)
	} else {
		q.To = to
	}
	return q
}

// timeseriesBody is GET /api/v1/components/{id}/timeseries.
type timeseriesBody struct {
	Component   metricsComponent `json:"component"`
	From        string           `json:"from"`
	To          string           `json:"to"`
	StepSeconds int64            `json:"step_seconds"`
	Rollup      string           `json:"rollup"`
	Components  []string         `json:"components"`
	Points      []seriesPoint    `json:"points"`
}

// seriesPoint is one step: results counted, the share that succeeded and
// their mean duration; null without results.
type seriesPoint struct {
	Time           string   `json:"time"`
	Total          int64    `json:"total"`
	Successes      int64    `json:"successes"`
	SuccessPercent *float64 `json:"success_percent"`
	LatencyMeanMS  *float64 `json:"latency_mean_ms"`
}

func (a *API) v1ComponentTimeseries(c *gin.Context) {
	if a.series == nil {
		abortError(c, http.StatusNotFound, codeNotFound, "this process keeps no time series")
		return
	}
	ctx := c.Request.Context()
	id := c.Param("id")
	sc, ok, err := a.scopeOf(ctx, id)
	if err != nil {
		a.storeFailed(c, err)
		return
	}
	if !ok {
		abortError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("component %q not found", cutID(id)))
		return
	}
	if !maySee(c, sc.comp) {
		return
	}
	q, fields := parseSeriesQuery(c.Request.URL.Query(), a.clock())
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	q.ComponentIDs = sc.leaves
	pts, err := a.series.Series(ctx, q)
	if err != nil {
		a.storeFailed(c, fmt.Errorf("read time series: %w", err))
		return
	}
	body := timeseriesBody{
		Component: metricsComponent{ID: sc.comp.ID, Name: sc.comp.Name, IsGroup: sc.comp.IsGroup},
		From:      q.From.Format(v1TimeLayout), To: q.To.Format(v1TimeLayout),
		StepSeconds: int64(q.Step / time.Second), Rollup: "minute", Components: sc.leaves,
	}
	if q.Rollup() == series.Hour {
		body.Rollup = "hour"
	}
	if body.Components == nil {
		body.Components = []string{}
	}
	for _, p := range series.Dense(q, pts) {
		sp := seriesPoint{Time: p.Time.Format(v1TimeLayout), Total: p.Total, Successes: p.Successes}
		if p.Total > 0 {
			pct := math.Floor(float64(p.Successes)/float64(p.Total)*100_000) / 1000
			lat := math.Round(float64(p.DurationSumUS)/float64(p.Total)) / 1000
			sp.SuccessPercent, sp.LatencyMeanMS = &pct, &lat
		}
		body.Points = append(body.Points, sp)
	}
	c.JSON(http.StatusOK, body)
}
