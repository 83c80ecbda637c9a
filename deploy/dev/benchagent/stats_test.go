package main

import (
	"testing"
	"time"

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/catalog"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	cases := []struct {
		name string
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{name: "empty", in: nil, q: 0.5, want: 0},
		{name: "one", in: ms(7), q: 0.99, want: 7 * time.Millisecond},
		{name: "median of unsorted", in: ms(5, 1, 4, 2, 3), q: 0.5, want: 3 * time.Millisecond},
		{name: "p99 of 100 is the 99th", in: ms(seq(100)...), q: 0.99, want: 99 * time.Millisecond},
		{name: "max", in: ms(3, 9, 1), q: 1, want: 9 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.in, tc.q); got != tc.want {
				t.Errorf("percentile(%v) = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func TestScheduledTicks(t *testing.T) {
	iv := 10 * time.Second
	c := catalog.Check{ID: "check-00001", Interval: iv}
	phase := agent.Phase(c.ID, region, iv)
	tick := time.Unix(1_800_000_000, 0).Truncate(iv).Add(phase) // a tick of the check
	cases := []struct {
		name     string
		from, to time.Time
		want     int
	}{
		{name: "one interval from a tick", from: tick, to: tick.Add(iv), want: 1},
		{name: "six intervals anywhere", from: tick.Add(-3 * time.Second), to: tick.Add(57 * time.Second), want: 6},
		{name: "end excluded", from: tick.Add(time.Nanosecond), to: tick.Add(iv), want: 0},
		{name: "start included", from: tick, to: tick.Add(time.Nanosecond), want: 1},
		{name: "empty window", from: tick, to: tick, want: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := scheduledTicks([]catalog.Check{c}, tc.from, tc.to); got != tc.want {
				t.Errorf("scheduledTicks = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestCollectorWindowCountsEachTickOnce(t *testing.T) {
	base := time.Unix(1_800_000_000, 0)
	col := newCollector()
	at := func(s int) int64 { return base.Add(time.Duration(s) * time.Second).UnixNano() }
	col.add("a", probeRun{scheduled: at(0), started: at(0) + int64(2*time.Millisecond), success: true})
	col.add("a", probeRun{scheduled: at(0), started: at(0) + int64(2*time.Millisecond), success: true}) // duplicate
	col.add("a", probeRun{scheduled: at(10), started: at(10) + int64(time.Millisecond), class: "timeout"})
	col.add("b", probeRun{scheduled: at(20), started: at(20)}) // after the window
	st := col.window(base, base.Add(20*time.Second))
	if st.ran != 2 || st.failed != 1 || len(st.jitter) != 2 {
		t.Errorf("window: ran %d, failed %d, %d jitters; want 2, 1, 2", st.ran, st.failed, len(st.jitter))
	}
	if st.failedBy["timeout"] != 1 {
		t.Errorf("failed by class %v, want timeout: 1", st.failedBy)
	}
	if col.online() != 2 {
		t.Errorf("online = %d, want 2", col.online())
	}
}
