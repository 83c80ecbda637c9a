package uptime

import (
	"reflect"
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// step is one Move: at the local wall time, switch to class.
type step struct {
	at    string // "2006-01-02 15:04" in the test's zone
	class Class
}

const h = int64(time.Hour / time.Millisecond)

// replay runs the steps on a fresh cursor and returns the last value
// written for each day, as a store holding the upserts would.
func replay(t *testing.T, loc *time.Location, steps []step) (map[Day]Totals, Cursor) {
	t.Helper()
	var c Cursor
	days := map[Day]Totals{}
	for _, s := range steps {
		at, err := time.ParseInLocation("2006-01-02 15:04", s.at, loc)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range c.Move("c1", at, s.class, loc, DefaultWeights()) {
			if b.ComponentID != "c1" {
				t.Fatalf("bucket of %q", b.ComponentID)
			}
			days[b.Day] = b.Totals
		}
	}
	return days, c
}

func TestMoveSplitsAndCounts(t *testing.T) {
	cases := []struct {
		name  string
		zone  string
		steps []step
		want  map[Day]Totals
	}{
		{
			name: "one outage within a day",
			zone: "Etc/UTC",
			steps: []step{{"2026-03-01 10:00", Operational}, {"2026-03-01 12:00", Major},
				{"2026-03-01 13:00", Operational}, {"2026-03-01 14:00", Operational}},
			want: map[Day]Totals{20260301: {Major: h, Observed: 4 * h, Impact: h, Outages: 1}},
		},
		{
			name: "an outage over midnight is counted once, on the day it started",
			zone: "Etc/UTC",
			steps: []step{{"2026-03-01 22:00", Operational}, {"2026-03-01 23:00", Major},
				{"2026-03-02 02:00", Operational}},
			want: map[Day]Totals{
				20260301: {Major: h, Observed: 2 * h, Impact: h, Outages: 1},
				20260302: {Major: 2 * h, Observed: 2 * h, Impact: 2 * h},
			},
		},
		{
			name: "partial then major is one outage, weighted 0.3 then 1",
			zone: "Etc/UTC",
			steps: []step{{"2026-03-01 00:00", Operational}, {"2026-03-01 01:00", Partial},
				{"2026-03-01 02:00", Major}, {"2026-03-01 03:00", Partial}, {"2026-03-01 04:00", Operational}},
			want: map[Day]Totals{20260301: {Major: h, Partial: 2 * h, Observed: 4 * h,
				Impact: h + 2*h*3/10, Outages: 1}},
		},
		{
			name: "no data inside an outage does not end it; after recovery a new one counts",
			zone: "Etc/UTC",
			steps: []step{{"2026-03-01 00:00", Major}, {"2026-03-01 01:00", NoData},
				{"2026-03-01 02:00", Major}, {"2026-03-01 03:00", Operational}, {"2026-03-01 04:00", Partial},
				{"2026-03-01 05:00", Degraded}, {"2026-03-01 06:00", Operational}},
			want: map[Day]Totals{20260301: {Major: 2 * h, Partial: h, Degraded: h, NoData: h, Observed: 6 * h,
				Impact: 2*h + h*3/10, Outages: 2}},
		},
		{
			name:  "a three-day outage fills the day between",
			zone:  "Etc/UTC",
			steps: []step{{"2026-03-01 12:00", Major}, {"2026-03-03 06:00", Operational}},
			want: map[Day]Totals{
				20260301: {Major: 12 * h, Observed: 12 * h, Impact: 12 * h, Outages: 1},
				20260302: {Major: 24 * h, Observed: 24 * h, Impact: 24 * h},
				20260303: {Major: 6 * h, Observed: 6 * h, Impact: 6 * h},
			},
		},
		{
			name:  "a day of 23 hours when Berlin springs forward",
			zone:  "Europe/Berlin",
			steps: []step{{"2026-03-28 12:00", Operational}, {"2026-03-30 00:00", Operational}},
			want: map[Day]Totals{
				20260328: {Observed: 12 * h},
				20260329: {Observed: 23 * h},
				20260330: {},
			},
		},
		{
			name: "a day of 25 hours when Berlin falls back, an outage across the change",
			zone: "Europe/Berlin",
			steps: []step{{"2026-10-25 00:00", Operational}, {"2026-10-25 01:00", Major},
				{"2026-10-25 04:00", Operational}, {"2026-10-26 00:00", Operational}},
			// 01:00 to 04:00 local is 4 hours: 02:00-03:00 happens twice.
			want: map[Day]Totals{
				20261025: {Major: 4 * h, Observed: 25 * h, Impact: 4 * h, Outages: 1},
				20261026: {},
			},
		},
		{
			name:  "Santiago skips midnight on its spring-forward day",
			zone:  "America/Santiago",
			steps: []step{{"2026-09-05 12:00", Operational}, {"2026-09-07 00:00", Operational}},
			want: map[Day]Totals{
				20260905: {Observed: 12 * h},
				20260906: {Observed: 23 * h},
				20260907: {},
			},
		},
		{
			name: "a decision older than the cursor counts at the cursor",
			zone: "Etc/UTC",
			steps: []step{{"2026-03-01 10:00", Operational}, {"2026-03-01 12:00", Major},
				{"2026-03-01 11:00", Operational}, {"2026-03-01 13:00", Operational}},
			want: map[Day]Totals{20260301: {Major: 0, Observed: 3 * h, Outages: 1}},
		},
		{
			name:  "degraded time weighs nothing by default",
			zone:  "Etc/UTC",
			steps: []step{{"2026-03-01 10:00", Degraded}, {"2026-03-01 12:00", Operational}},
			want:  map[Day]Totals{20260301: {Degraded: 2 * h, Observed: 2 * h}},
		},
		{
			name:  "maintenance is kept apart and is no outage",
			zone:  "Etc/UTC",
			steps: []step{{"2026-03-01 10:00", Maintenance}, {"2026-03-01 12:00", Operational}},
			want:  map[Day]Totals{20260301: {Maintenance: 2 * h, Observed: 2 * h}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := replay(t, mustLoc(t, tc.zone), tc.steps)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("buckets\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestMoveTwiceWritesTheSameBuckets(t *testing.T) {
	loc := time.UTC
	var a Cursor
	a.Move("c", time.Date(2026, 3, 1, 10, 0, 0, 0, loc), Major, loc, DefaultWeights())
	b := a
	to := time.Date(2026, 3, 3, 1, 0, 0, 0, loc)
	first := a.Move("c", to, Operational, loc, DefaultWeights())
	second := b.Move("c", to, Operational, loc, DefaultWeights())
	if !reflect.DeepEqual(first, second) || len(first) != 3 {
		t.Fatalf("the same move from the same cursor wrote\n%+v\nthen\n%+v", first, second)
	}
	if b.Recent[0].Class != Major || len(a.Recent) != 2 {
		t.Fatalf("a move changed the segments of a copy: %+v / %+v", b.Recent, a.Recent)
	}
}

func TestDays(t *testing.T) {
	cases := []struct {
		name string
		in   string
		ok   bool
		want Day
	}{
		{"a date", "2026-03-01", true, 20260301},
		{"leap day", "2028-02-29", true, 20280229},
		{"no such day", "2026-02-29", false, 0},
		{"time attached", "2026-03-01T00:00:00Z", false, 0},
		{"short", "2026-3-1", false, 0},
		{"empty", "", false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDay(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("ParseDay(%q) = %v, %v", tc.in, got, err)
			}
			if tc.ok && got.String() != tc.in {
				t.Fatalf("String() = %q", got.String())
			}
		})
	}
	if d := Day(20261231).Next(); d != 20270101 {
		t.Errorf("Next of 2026-12-31 = %v", d)
	}
	if n := DaysBetween(20260101, 20270101); n != 365 {
		t.Errorf("DaysBetween a year = %d", n)
	}
	if l := Day(20260329).Length(mustLoc(t, "Europe/Berlin")); l != 23*time.Hour {
		t.Errorf("Berlin 2026-03-29 lasts %s", l)
	}
}
