package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/series"
)

// SeriesStore is what RunSeriesSuite exercises: a result store that sums
// results per step for charts.
type SeriesStore interface {
	ResultStore
	Series(ctx context.Context, q series.Query) ([]series.Point, error)
}

// RunSeriesSuite writes results once to a fresh store from open, then
// checks each query against a sum of the results written.
func RunSeriesSuite(t *testing.T, open func(t *testing.T) SeriesStore) {
	s := open(t)
	rs := MakeResults("series-", 900, T0) // one every 7 minutes: 105 hours
	if _, err := s.WriteResults(t.Context(), rs); err != nil {
		t.Fatalf("write results: %v", err)
	}
	day := 24 * time.Hour
	cases := []struct {
		name string
		q    series.Query
	}{
		{"a day by minutes", series.Query{ComponentIDs: []string{"api"}, From: T0, To: T0.Add(day), Step: time.Minute}},
		{"by 5 minutes, two components", series.Query{ComponentIDs: []string{"api", "db"}, From: T0.Add(-time.Hour),
			To: T0.Add(4 * day), Step: 5 * time.Minute}},
		{"by hours", series.Query{ComponentIDs: []string{"web"}, From: T0, To: T0.Add(5 * day), Step: time.Hour}},
		{"by days", series.Query{ComponentIDs: []string{"api", "web", "db"}, From: T0.Truncate(day).Add(-day),
			To: T0.Truncate(day).Add(6 * day), Step: day}},
		{"a component without results", series.Query{ComponentIDs: []string{"ghost"}, From: T0, To: T0.Add(day), Step: time.Hour}},
	}
	for _, tc := range cases {
		t.Run("series/"+tc.name, func(t *testing.T) {
			got, err := s.Series(t.Context(), tc.q)
			must(t, "series", err)
			want := bruteSeries(rs, tc.q)
			equal(t, "points", series.Dense(tc.q, got), series.Dense(tc.q, want))
			if len(want) == 0 {
				equal(t, "no points", len(got), 0)
			}
		})
	}
}

// bruteSeries sums the results of q's components per step, by start time
// truncated to the second (as every store keeps it at least).
func bruteSeries(rs []result.Result, q series.Query) []series.Point {
	var out []series.Point
	for _, r := range rs {
		at := r.Started.Truncate(time.Second)
		if !slices.Contains(q.ComponentIDs, r.ComponentID) || at.Before(q.From) || !at.Before(q.To) {
			continue
		}
		slot := time.Unix(0, 0).UTC().Add(at.Sub(time.Unix(0, 0)) / q.Step * q.Step)
		i := slices.IndexFunc(out, func(p series.Point) bool { return p.Time.Equal(slot) })
		if i < 0 {
			out = append(out, series.Point{Time: slot})
			i = len(out) - 1
		}
		out[i].Total++
		if r.Success {
			out[i].Successes++
		}
		out[i].DurationSumUS += r.Duration.Microseconds()
	}
	return out
}
