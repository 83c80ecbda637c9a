package chstore

import (
	"testing"
	"time"

	"github.com/statusd/statusd/series"
	"github.com/statusd/statusd/store/storetest"
)

// TestDropExpired writes results 500, 50 and 10 days old and drops what is
// past the default retentions: raw rows of 500 and 50 days, rollups of 500.
func TestDropExpired(t *testing.T) {
	s := open(t)
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	ages := []int{500, 50, 10}
	for _, age := range ages {
		rs := storetest.MakeResults("ret-"+time.Duration(age).String()+"-", 6, now.Add(-time.Duration(age)*24*time.Hour))
		if _, err := s.WriteResults(t.Context(), rs); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DropExpired(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	// results and results_offsets: 2 days each; results_1m: 1 day;
	// results_1h: 1 month.
	if n != 6 {
		t.Errorf("dropped %d partitions, want 6", n)
	}
	count := func(table string) uint64 {
		var c uint64
		if err := s.conn.QueryRow(t.Context(), s.q(`SELECT count() FROM {db}.`+table)).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	cases := []struct {
		table string
		want  uint64
	}{{"results", 6}, {"results_offsets", 6}, {"results_1m", 12}, {"results_1h", 12}}
	for _, tc := range cases {
		if got := count(tc.table); got != tc.want {
			t.Errorf("%s: %d rows left, want %d", tc.table, got, tc.want)
		}
	}
	q := series.Query{ComponentIDs: []string{"api", "web", "db"}, From: now.Add(-60 * 24 * time.Hour).Truncate(24 * time.Hour),
		To: now.Truncate(24 * time.Hour), Step: 24 * time.Hour}
	pts, err := s.Series(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, p := range pts {
		total += p.Total
	}
	if total != 12 {
		t.Errorf("the rollups of the last 60 days hold %d results, want 12: they outlive the raw rows", total)
	}
	if n, err := s.DropExpired(t.Context(), now); err != nil || n != 0 {
		t.Errorf("second run dropped %d (err %v), want 0", n, err)
	}
}
