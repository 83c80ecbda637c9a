package series

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func TestCheck(t *testing.T) {
	cases := []struct {
		name  string
		q     Query
		field string
	}{
		{"a day by minutes", Query{From: t0, To: t0.Add(24 * time.Hour), Step: Minute}, ""},
		{"a year by days", Query{From: t0, To: t0.Add(365 * 24 * time.Hour), Step: 24 * time.Hour}, ""},
		{"too many points", Query{From: t0, To: t0.Add(25 * time.Hour), Step: Minute}, "step"},
		{"a step of seconds", Query{From: t0, To: t0.Add(time.Hour), Step: 30 * time.Second}, "step"},
		{"a step over a day", Query{From: t0, To: t0.Add(96 * time.Hour), Step: 48 * time.Hour}, "step"},
		{"reversed", Query{From: t0, To: t0.Add(-time.Hour), Step: Minute}, "from"},
		{"too long", Query{From: t0, To: t0.Add(401 * 24 * time.Hour), Step: 24 * time.Hour}, "from"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if field, msg := tc.q.Check(); field != tc.field {
				t.Fatalf("field %q (%s), want %q", field, msg, tc.field)
			}
		})
	}
}

func TestRollupAndDense(t *testing.T) {
	q := Query{From: t0, To: t0.Add(3 * time.Hour), Step: Hour}
	if q.Rollup() != Hour || (Query{Step: 90 * time.Minute}).Rollup() != Minute {
		t.Fatal("rollup: want hours for whole hours, minutes otherwise")
	}
	got := Dense(q, []Point{{Time: t0.Add(time.Hour), Total: 2, Successes: 1, DurationSumUS: 30},
		{Time: t0.Add(90 * time.Minute), Total: 1, Successes: 1, DurationSumUS: 10},
		{Time: t0.Add(5 * time.Hour), Total: 9}})
	want := []Point{{Time: t0}, {Time: t0.Add(time.Hour), Total: 3, Successes: 2, DurationSumUS: 40}, {Time: t0.Add(2 * time.Hour)}}
	if len(got) != len(want) {
		t.Fatalf("%d points, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].Time.Equal(want[i].Time) || got[i].Total != want[i].Total || got[i].Successes != want[i].Successes ||
			got[i].DurationSumUS != want[i].DurationSumUS {
			t.Errorf("point %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
