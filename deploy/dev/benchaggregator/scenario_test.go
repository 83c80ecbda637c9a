package main

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/statusd/statusd/wire"
)

func TestScenarioResults(t *testing.T) {
	end := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name                        string
		components, ticks, nRegions int
		wantFailing                 int // failing results
	}{
		{"default shape, small", 300, 10, 3, 3 * failTicks},
		{"too few ticks for a full failure run", 200, 2, 3, 2 * 2},
		{"one region", 150, 5, 1, 2 * failTicks},
		{"components not a multiple of failEvery", 101, 4, 3, 2 * failTicks},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := newScenario(tc.components, tc.ticks, regionNames(tc.nRegions), 10*time.Second, end)
			if got, want := sc.total(), tc.components*tc.ticks*tc.nRegions; got != want {
				t.Fatalf("total() = %d, want %d", got, want)
			}
			ids := map[string]bool{}
			last := map[string]time.Time{} // check and region → previous tick
			failing := 0
			failingRegions := map[string]map[string]bool{}
			var prevTick time.Time
			for i := range sc.total() {
				r := sc.result(i)
				if r.Scheduled.Before(prevTick) {
					t.Fatalf("result(%d): tick %s before the previous result's %s; want publishing order", i, r.Scheduled, prevTick)
				}
				prevTick = r.Scheduled
				if again := sc.result(i); again != r {
					t.Fatalf("result(%d) differs between calls:\n%+v\n%+v", i, r, again)
				}
				if ids[r.ID] {
					t.Fatalf("result(%d): duplicate id %s", i, r.ID)
				}
				ids[r.ID] = true
				if u, err := uuid.Parse(r.ID); err != nil || u.Version() != 7 || u.Variant() != uuid.RFC4122 {
					t.Fatalf("result(%d): id %q is not an RFC 4122 UUIDv7 (err %v)", i, r.ID, err)
				}
				if r.Scheduled.After(end) || !r.Scheduled.After(end.Add(-time.Duration(tc.ticks)*sc.interval)) {
					t.Fatalf("result(%d): tick %s outside the %d ticks ending at %s", i, r.Scheduled, tc.ticks, end)
				}
				key := r.CheckID + "/" + r.Region
				if prev, ok := last[key]; ok && r.Scheduled.Sub(prev) != sc.interval {
					t.Fatalf("result(%d) %s: tick %s follows %s; want one interval later", i, key, r.Scheduled, prev)
				}
				last[key] = r.Scheduled
				value, err := wire.EncodeResult(r)
				if err != nil {
					t.Fatalf("encode result(%d): %v", i, err)
				}
				if _, err := wire.DecodeResult(value); err != nil {
					t.Fatalf("decode result(%d): %v", i, err)
				}
				if !r.Success {
					failing++
					if failingRegions[r.ComponentID] == nil {
						failingRegions[r.ComponentID] = map[string]bool{}
					}
					failingRegions[r.ComponentID][r.Region] = true
				}
			}
			if got, want := len(last), tc.components*tc.nRegions; got != want {
				t.Errorf("%d check and region pairs reported, want %d", got, want)
			}
			if failing != tc.wantFailing {
				t.Errorf("%d failing results, want %d", failing, tc.wantFailing)
			}
			if got, want := len(failingRegions), sc.failingComponents(); got != want {
				t.Errorf("%d components fail, want %d", got, want)
			}
			for comp, regions := range failingRegions {
				if len(regions) != 1 {
					t.Errorf("component %s fails in regions %v, want exactly one", comp, regions)
				}
			}
		})
	}
}

func TestScenarioSample(t *testing.T) {
	tests := []struct {
		name          string
		components, n int
		want          int
	}{
		{"default", 10_000, 200, 200},
		{"half at most", 100, 200, 50},
		{"none", 1000, 0, 0},
		{"every other", 10, 5, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := newScenario(tc.components, 1, regionNames(3), 10*time.Second, time.Now())
			got := sc.sample(tc.n)
			if len(got) != tc.want {
				t.Fatalf("sample(%d) has %d components, want %d", tc.n, len(got), tc.want)
			}
			seen := map[int]bool{}
			for _, c := range got {
				switch {
				case c < 0 || c >= tc.components:
					t.Errorf("sample has component %d, outside 0..%d", c, tc.components-1)
				case seen[c]:
					t.Errorf("sample has component %d twice", c)
				}
				for k := range sc.ticks {
					for r := range sc.regions {
						if sc.failing(c, r, k) {
							t.Errorf("sampled component %d is one the failure script touches", c)
						}
					}
				}
				seen[c] = true
			}
		})
	}
}
