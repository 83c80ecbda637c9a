package uptime

import (
	"testing"
	"time"
)

func TestMonth(t *testing.T) {
	cases := []struct {
		name        string
		m           Month
		first, last Day
		next        Month
		str         string
	}{
		{"March", 202603, 20260301, 20260331, 202604, "2026-03"},
		{"February of a leap year", 202402, 20240201, 20240229, 202403, "2024-02"},
		{"December", 202512, 20251201, 20251231, 202601, "2025-12"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.m.First() != tc.first || tc.m.Last() != tc.last || tc.m.Next() != tc.next || tc.m.String() != tc.str {
				t.Fatalf("first %s last %s next %d %s; want %s %s %d %s", tc.m.First(), tc.m.Last(), tc.m.Next(), tc.m,
					tc.first, tc.last, tc.next, tc.str)
			}
			if MonthOf(tc.last) != tc.m || MonthOf(tc.first) != tc.m {
				t.Fatalf("MonthOf(%s) = %d, want %d", tc.last, MonthOf(tc.last), tc.m)
			}
		})
	}
	loc := mustLoc(t, "Europe/Berlin")
	if got, want := Month(202603).End(loc), time.Date(2026, 4, 1, 0, 0, 0, 0, loc); !got.Equal(want) {
		t.Fatalf("end of March 2026 in Berlin %s, want %s", got, want)
	}
}

func TestSumFrozen(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	// Up from 1 March, a 10-hour outage on 31 March, up again.
	days, cur := replay(t, loc, []step{{"2026-03-01 00:00", Operational}, {"2026-03-31 08:00", Major},
		{"2026-03-31 18:00", Operational}, {"2026-04-02 00:00", Operational}})
	var buckets []Bucket
	for d, tot := range days {
		buckets = append(buckets, Bucket{ComponentID: "c1", Day: d, Totals: tot})
	}
	now := time.Date(2026, 4, 5, 0, 0, 0, 0, loc)
	frozenTotals, ok := Freeze(buckets, cur, 202603, now, loc, DefaultWeights())
	if !ok || frozenTotals.Major != 10*h || frozenTotals.Outages != 1 {
		t.Fatalf("freeze March: %+v %v, want 10 h of major outage in one outage", frozenTotals, ok)
	}
	if _, ok := Freeze(buckets, cur, 202604, now, loc, DefaultWeights()); ok {
		t.Fatal("froze April before it was over")
	}
	// A later change to a March bucket: 2 more hours of outage.
	changed := append([]Bucket(nil), buckets...)
	for i := range changed {
		if changed[i].Day == 20260315 {
			changed[i].Totals = Totals{Major: 2 * h, Observed: 24 * h, Impact: 2 * h, Outages: 1}
		}
	}
	frozen := []FrozenMonth{{ComponentID: "c1", Month: 202603, Totals: frozenTotals}}
	cases := []struct {
		name     string
		from, to Day
		major    int64
		frozen   []Month
	}{
		{"the whole month is served as frozen", 20260301, 20260331, 10 * h, []Month{202603}},
		{"a timeframe over the frozen month and beyond", 20260201, 20260404, 10 * h, []Month{202603}},
		{"part of the month: its buckets", 20260310, 20260331, 12 * h, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := SumFrozen(changed, frozen, cur, tc.from, tc.to, now, loc, DefaultWeights())
			if s.Major != tc.major || len(s.Frozen) != len(tc.frozen) {
				t.Fatalf("major %d h frozen %v; want %d h %v", s.Major/h, s.Frozen, tc.major/h, tc.frozen)
			}
			plain := Sum(changed, cur, tc.from, tc.to, now, loc, DefaultWeights())
			if s.Total != plain.Total || s.Untracked != plain.Untracked {
				t.Fatalf("total %d untracked %d; plain sum has %d %d", s.Total, s.Untracked, plain.Total, plain.Untracked)
			}
		})
	}
}
