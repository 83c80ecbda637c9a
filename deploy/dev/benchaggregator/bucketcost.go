package main

import (
	"context"
	"fmt"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/result"
)

// bucketRounds is how many passes over the results each of the two
// evaluators makes; bucketBatch is the aggregator's batch size.
const (
	bucketRounds = 3
	bucketBatch  = 20_000
)

// bucketLine is what the day-bucket accounting costs per result.
type bucketLine struct {
	Bench   string `json:"bench"`
	Method  string `json:"method"`
	Results int    `json:"results"`
	Rounds  int    `json:"rounds"`
	// WithNS and WithoutNS are the fastest pass of each evaluator, in ns
	// per result; CostNS their difference, Ratio with over without.
	WithNS    *float64 `json:"evaluate_ns_per_result_with_buckets"`
	WithoutNS *float64 `json:"evaluate_ns_per_result_without_buckets"`
	CostNS    *float64 `json:"bucket_cost_ns_per_result"`
	Ratio     *float64 `json:"bucket_cost_ratio"`
	// ShareOfCPU is CostNS over the aggregator's CPU per result in the
	// same run (cpu_s over results): the part of the whole pipeline.
	ShareOfCPU *float64 `json:"bucket_cost_share_of_aggregator_cpu,omitempty"`
	// BucketRows is how many day buckets the passes with buckets hand to
	// the store per result: the rows the batch's transaction upserts.
	BucketRows *float64 `json:"bucket_rows_per_result"`
}

// bucketMethod says how bucketCost measures, in the line itself.
const bucketMethod = "the run's results in 20,000-result batches through health.Evaluator with and without " +
	"day buckets (Options.NoBuckets), a new evaluator per pass, passes alternating; fastest pass of each"

// bucketCost measures the per-result cost the day buckets add to the
// pipeline where they are kept: health.Evaluator.Evaluate and Commit, which
// move each component's cursor and emit the buckets of the days it closed.
// The same results (this run's pre-load, in tick order, in the
// aggregator's batch size) go through an evaluator keeping buckets and one
// with Options.NoBuckets, which skips the accounting and nothing else;
// each pass starts from a new evaluator, the two alternate so that a
// slower spell of the machine hits both, and the fastest pass of each
// counts (noise only adds time). What the store does with the buckets is
// counted, not timed: bucket_rows_per_result is the rows the batches'
// transactions would upsert beside the component states. cpuPerResult is
// the aggregator's CPU per result in this run (0 when unknown) for the
// share of the whole pipeline.
func bucketCost(ctx context.Context, s scenario, cpuPerResult float64) (bucketLine, error) {
	cat := catalog.Catalog{Pages: []catalog.Page{{ID: "main", Name: "Main"}}}
	for c := range s.components {
		cat.Components = append(cat.Components, catalog.Component{ID: s.componentID(c), PageID: "main"})
		cat.Checks = append(cat.Checks, catalog.Check{ID: s.checkID(c), ComponentID: s.componentID(c),
			Interval: s.interval, FailureThreshold: failureThreshold, SuccessThreshold: successThreshold})
	}
	rs := make([]result.Result, s.total())
	for i := range rs {
		rs[i] = s.result(i)
	}
	now := s.end.Add(s.interval)
	live := func(string) bool { return true }
	pass := func(noBuckets bool) (time.Duration, int) {
		e := health.NewEvaluator(health.Options{Catalog: cat, NoBuckets: noBuckets})
		rows := 0
		t0 := time.Now()
		for i := 0; i < len(rs); i += bucketBatch {
			ch, _ := e.Evaluate(rs[i:min(len(rs), i+bucketBatch)], now, live)
			rows += len(ch.Buckets)
			e.Commit(ch)
		}
		return time.Since(t0), rows
	}
	with, without := time.Duration(1<<62), time.Duration(1<<62)
	rows := 0
	for range bucketRounds {
		if err := ctx.Err(); err != nil {
			return bucketLine{}, fmt.Errorf("measure the day buckets' cost: %w", err)
		}
		d, n := pass(false)
		with, rows = min(with, d), n
		d, _ = pass(true)
		without = min(without, d)
	}
	n := float64(len(rs))
	w, wo := float64(with.Nanoseconds())/n, float64(without.Nanoseconds())/n
	l := bucketLine{Bench: "bucket_accounting", Method: bucketMethod, Results: len(rs), Rounds: bucketRounds,
		WithNS: num(w, 1), WithoutNS: num(wo, 1), CostNS: num(w-wo, 1), Ratio: num(w/wo, 3),
		BucketRows: num(float64(rows)/n, 4)}
	if cpuPerResult > 0 {
		l.ShareOfCPU = num((w-wo)/cpuPerResult, 4)
	}
	return l, nil
}
