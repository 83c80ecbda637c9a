package main

import (
	"testing"
	"time"
)

// TestBucketCost runs the day-bucket measurement on a small scenario: it
// times both evaluators, the scripted partial outages hand buckets to the
// store, and the figures agree with each other.
func TestBucketCost(t *testing.T) {
	sc := newScenario(300, 10, regionNames(3), 10*time.Second, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	tests := []struct {
		name         string
		cpuPerResult float64
		wantShare    bool
	}{
		{"with the aggregator's CPU per result", 20_000, true},
		{"without", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := bucketCost(t.Context(), sc, tt.cpuPerResult)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case l.Results != sc.total() || l.Rounds != bucketRounds:
				t.Fatalf("line %+v: want %d results, %d rounds", l, sc.total(), bucketRounds)
			case l.WithNS == nil || l.WithoutNS == nil || *l.WithNS <= 0 || *l.WithoutNS <= 0:
				t.Fatalf("times %v %v: want both measured", l.WithNS, l.WithoutNS)
			case l.CostNS == nil || l.Ratio == nil || *l.CostNS-(*l.WithNS-*l.WithoutNS) > 0.11 ||
				*l.CostNS-(*l.WithNS-*l.WithoutNS) < -0.11:
				t.Fatalf("cost %v, ratio %v: want with − without", l.CostNS, l.Ratio)
			case l.BucketRows == nil || *l.BucketRows <= 0:
				t.Fatalf("bucket rows per result %v: the scripted outages move cursors, want some", l.BucketRows)
			case (l.ShareOfCPU != nil) != tt.wantShare:
				t.Fatalf("share of CPU %v; want one: %v", l.ShareOfCPU, tt.wantShare)
			}
		})
	}
}
