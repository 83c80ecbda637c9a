package uptime

import (
	"testing"
	"time"
)

func ptr(v int64) *int64 { return &v }

func eq(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func TestSumCarriesTheCursorToNow(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	days, cur := replay(t, loc, []step{{"2026-03-01 00:00", Operational}, {"2026-03-01 10:00", Major}})
	var buckets []Bucket
	for d, tot := range days {
		buckets = append(buckets, Bucket{ComponentID: "c1", Day: d, Totals: tot})
	}
	now := time.Date(2026, 3, 2, 6, 0, 0, 0, loc)
	cases := []struct {
		name      string
		from, to  Day
		total     int64
		major     int64
		untracked int64
	}{
		{"both days, up to now", 20260301, 20260302, 30 * h, 20 * h, 0},
		{"the first day alone", 20260301, 20260301, 24 * h, 14 * h, 0},
		{"today alone", 20260302, 20260302, 6 * h, 6 * h, 0},
		{"from before the component was tracked", 20260227, 20260302, 78 * h, 20 * h, 48 * h},
		{"in the future", 20260310, 20260311, 0, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Sum(buckets, cur, tc.from, tc.to, now, loc, DefaultWeights())
			if s.Total != tc.total || s.Major != tc.major || s.Untracked != tc.untracked {
				t.Fatalf("total %d major %d untracked %d; want %d %d %d", s.Total/h, s.Major/h, s.Untracked/h,
					tc.total/h, tc.major/h, tc.untracked/h)
			}
		})
	}
}

func TestCompute(t *testing.T) {
	day := 24 * h
	cases := []struct {
		name             string
		s                Summary
		up, mttr, mtbf   *int64
		available, nodat int64
	}{
		{"no outage", Summary{Total: 30 * day, Totals: Totals{Observed: 30 * day}}, ptr(100_000), nil, nil, 30 * day, 0},
		{"one millisecond of outage never shows 100 %",
			Summary{Total: 30 * day, Totals: Totals{Observed: 30 * day, Major: 1, Impact: 1, Outages: 1}},
			ptr(99_999), ptr(1), ptr(30*day - 1), 30 * day, 0},
		{"Sorry's example: 20 hours of 30 days, 10 outages",
			Summary{Total: 30 * day, Totals: Totals{Observed: 30 * day, Major: 20 * h, Impact: 20 * h, Outages: 10}},
			ptr(97_222), ptr(2 * h), ptr((30*day - 20*h) / 10), 30 * day, 0},
		{"maintenance and no data leave the denominator",
			Summary{Total: 10 * day, Untracked: 4 * day,
				Totals: Totals{Observed: 6 * day, Maintenance: day, NoData: day, Major: 2 * day, Impact: 2 * day, Outages: 2}},
			ptr(50_000), ptr(day), ptr(day), 4 * day, 5 * day},
		{"nothing but no data", Summary{Total: day, Untracked: day}, nil, nil, nil, 0, day},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := Compute(tc.s)
			if !eq(f.UptimeMilli, tc.up) || !eq(f.MTTR, tc.mttr) || !eq(f.MTBF, tc.mtbf) ||
				f.Available != tc.available || f.NoData != tc.nodat {
				t.Fatalf("got %+v (uptime %v mttr %v mtbf %v)", f, deref(f.UptimeMilli), deref(f.MTTR), deref(f.MTBF))
			}
		})
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestWindow(t *testing.T) {
	loc := time.UTC
	_, cur := replay(t, loc, []step{{"2026-03-01 00:00", Operational}, {"2026-03-01 09:00", Partial},
		{"2026-03-01 10:00", Major}, {"2026-03-01 10:30", Operational}})
	now := time.Date(2026, 3, 1, 11, 0, 0, 0, loc)
	cases := []struct {
		name              string
		d                 time.Duration
		impact, available int64
	}{
		{"last hour: 30 min major", time.Hour, h / 2, h},
		{"last 6 hours: partial hour and 30 min major", 6 * time.Hour, h/2 + h*3/10, 6 * h},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			impact, available := cur.Window(now, tc.d, DefaultWeights())
			if impact != tc.impact || available != tc.available {
				t.Fatalf("impact %d available %d; want %d %d", impact, available, tc.impact, tc.available)
			}
		})
	}
	// A young component: the window is only as long as it was tracked.
	_, young := replay(t, loc, []step{{"2026-03-01 10:00", Major}})
	if impact, available := young.Window(now, 6*time.Hour, DefaultWeights()); impact != h || available != h {
		t.Errorf("young component: impact %d available %d; want one hour each", impact, available)
	}
}
