package storetest

import (
	"testing"

	"github.com/statusd/statusd/result"
)

// RunResultSuite runs the result-store cases, each against a fresh, empty,
// migrated store from open. byID says whether the store itself skips a
// result ID stored by an earlier batch (the SQL stores do); ClickHouse
// leaves exactly once across batches to the aggregator's offsets.
func RunResultSuite(t *testing.T, open func(t *testing.T) ResultStore, byID bool) {
	type resultCase struct {
		name    string
		batches [][]int // indices into a pool of results with distinct IDs
		written []int   // newly written per batch
		rows    int64   // stored afterwards
	}
	cases := []resultCase{
		{name: "write then count", batches: [][]int{seq(0, 50)}, written: []int{50}, rows: 50},
		{name: "in-batch duplicates", batches: [][]int{append(seq(0, 30), 3, 3, 17, 29, 0)}, written: []int{30}, rows: 30},
		{name: "empty batch", batches: [][]int{{}}, written: []int{0}, rows: 0},
		{name: "disjoint batches", batches: [][]int{seq(0, 40), seq(40, 2500)}, written: []int{40, 2460}, rows: 2500},
	}
	if byID {
		cases = append(cases,
			resultCase{name: "same batch twice", batches: [][]int{seq(0, 50), seq(0, 50)}, written: []int{50, 0}, rows: 50},
			resultCase{name: "overlapping batches", batches: [][]int{seq(0, 40), seq(20, 60)}, written: []int{40, 20}, rows: 60},
			resultCase{name: "large batch twice", batches: [][]int{seq(0, 2500), seq(0, 2500)}, written: []int{2500, 0}, rows: 2500})
	}
	pool := MakeResults("r-", 2500, T0)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			for i, idx := range tc.batches {
				batch := make([]result.Result, len(idx))
				for j, k := range idx {
					batch[j] = pool[k]
				}
				n, err := s.WriteResults(t.Context(), batch)
				must(t, "write results", err)
				if n != tc.written[i] {
					t.Errorf("batch %d: wrote %d results, want %d", i, n, tc.written[i])
				}
			}
			rows, distinct, err := s.CountResults(t.Context())
			must(t, "count results", err)
			if rows != tc.rows || distinct != tc.rows {
				t.Errorf("count = %d rows, %d distinct IDs; want %d and %d", rows, distinct, tc.rows, tc.rows)
			}
		})
	}
	t.Run("duplicate id with other content is skipped", func(t *testing.T) {
		if !byID {
			return // not this store's promise: see byID
		}
		s := open(t)
		first := pool[:1]
		changed := append([]result.Result(nil), pool[0])
		changed[0].Message, changed[0].Success = "changed", !changed[0].Success
		for i, b := range [][]result.Result{first, changed} {
			_, err := s.WriteResults(t.Context(), b)
			must(t, "write results", err)
			if rows, _, err := s.CountResults(t.Context()); err != nil || rows != 1 {
				t.Errorf("after batch %d: %d rows (err %v), want 1", i, rows, err)
			}
		}
	})
	t.Run("result without id is an error", func(t *testing.T) {
		s := open(t)
		bad := append([]result.Result(nil), pool[:3]...)
		bad[1].ID = ""
		if _, err := s.WriteResults(t.Context(), bad); err == nil {
			t.Errorf("write results with an empty ID: no error")
		}
		if rows, _, err := s.CountResults(t.Context()); err != nil || rows != 0 {
			t.Errorf("after a rejected batch: %d rows (err %v), want 0", rows, err)
		}
	})
}

// seq returns the integers in [from, to).
func seq(from, to int) []int {
	s := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}
