package main

import (
	"math"
	"testing"
)

func TestPercentile(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name   string
		values []float64
		p      float64
		want   float64
	}{
		{"median of odd count", []float64{5, 1, 3}, 50, 3},
		{"p99 of 200 is the second largest", ramp(200), 99, 198},
		{"max", []float64{2, 9, 4}, 100, 9},
		{"tiny p is the smallest", []float64{7, 3}, 0.1, 3},
		{"timeouts sort last", []float64{1, inf, 2}, 50, 2},
		{"p99 reaching a timeout", append(ramp(99), inf), 100, inf},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.values, tc.p); got != tc.want {
				t.Errorf("percentile(p%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
	if got := percentile(nil, 50); !math.IsNaN(got) {
		t.Errorf("percentile of nothing = %v, want NaN", got)
	}
}

func ramp(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i + 1)
	}
	return out
}

func TestNum(t *testing.T) {
	tests := []struct {
		name   string
		v      float64
		digits int
		want   *float64
	}{
		{"rounded", 1234.5678, 1, ptr(1234.6)},
		{"integer", 99.5, 0, ptr(100)},
		{"timeout is null", math.Inf(1), 1, nil},
		{"unmeasured is null", math.NaN(), 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := num(tc.v, tc.digits)
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Errorf("num(%v, %d) = %v, want %v", tc.v, tc.digits, deref(got), deref(tc.want))
			}
		})
	}
}

func ptr(v float64) *float64 { return &v }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestProgress(t *testing.T) {
	marks := map[int]int64{0: 10, 1: 5, 2: 0}
	tests := []struct {
		name      string
		committed map[int]int64
		wantDone  int64
		wantAll   bool
	}{
		{"nothing committed", map[int]int64{}, 0, false},
		{"part way", map[int]int64{0: 4, 1: 5}, 9, false},
		{"all, empty partition without a commit", map[int]int64{0: 10, 1: 5}, 15, true},
		{"commits past the marks (live traffic) count to the mark", map[int]int64{0: 12, 1: 9, 2: 3}, 15, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			done, all := progress(marks, tc.committed)
			if done != tc.wantDone || all != tc.wantAll {
				t.Errorf("progress = %d, %v; want %d, %v", done, all, tc.wantDone, tc.wantAll)
			}
		})
	}
}
