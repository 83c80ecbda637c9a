package main

import (
	"math"
	"runtime"
	"time"
)

// mainLine is the "aggregator" result line. Rates are per second; times
// in seconds unless the name says ms; null means not measured (or beyond a
// timeout).
type mainLine struct {
	Bench      string `json:"bench"`
	Completed  bool   `json:"completed"`
	Error      string `json:"error,omitempty"`
	Components int    `json:"components"`
	Regions    int    `json:"regions"`
	Ticks      int    `json:"ticks"`
	Results    int64  `json:"results"`
	// ResultsPerS counts the results committed after the first commit seen,
	// over the time from that commit to the last: the sustained rate.
	ResultsPerS          *float64 `json:"results_per_s"`
	ResultsPerSWindow    string   `json:"results_per_s_window"`
	ResultsPerSFromStart *float64 `json:"results_per_s_from_start"`
	// ResultsPerSFromFirstConsumed is results over the time from the first
	// /metrics poll that showed a consumed result to the last commit.
	ResultsPerSFromFirstConsumed *float64 `json:"results_per_s_from_first_consumed"`
	StateVisibleP50              *float64 `json:"state_visible_p50_ms"`
	StateVisibleP99              *float64 `json:"state_visible_p99_ms"`
	StateVisibleMax              *float64 `json:"state_visible_max_ms"`
	// Metrics12mP99 is the p99 of GET /api/v1/components/{id}/metrics over
	// the last 12 months with a year of day buckets, on the running
	// aggregator.
	Metrics12mP99 *float64 `json:"metrics_12m_p99_ms"`
	// Metrics12mP50 and Metrics12mMax are the same requests' median and
	// slowest (the first, which reads every component's days, among them).
	Metrics12mP50 *float64 `json:"metrics_12m_p50_ms"`
	Metrics12mMax *float64 `json:"metrics_12m_max_ms"`
	// MetricsDayReads counts the components whose day buckets those
	// requests took from memory or read from the store.
	MetricsDayReads map[string]float64 `json:"metrics_day_reads,omitempty"`
	// BucketCostNS is what the day buckets add per result to the
	// evaluator, BucketCostRatio the evaluator's time with them over
	// without (bucketCost; the bucket_accounting line has the details).
	BucketCostNS     *float64 `json:"bucket_cost_ns_per_result"`
	BucketCostRatio  *float64 `json:"bucket_cost_ratio"`
	KafkaConsumeOnly *float64 `json:"kafka_consume_only_per_s"`
	CHInsertOnly     *float64 `json:"clickhouse_insert_only_per_s"`
	CHInsertOnly20k  *float64 `json:"clickhouse_insert_only_20000_per_s"`
	// ElapsedS runs from the aggregator's process start to the last commit.
	ElapsedS       *float64 `json:"elapsed_s"`
	DrainS         *float64 `json:"drain_s"`
	ReadyS         *float64 `json:"ready_s"`
	FirstConsumedS *float64 `json:"first_consumed_s"`
	FirstCommitS   *float64 `json:"first_commit_s"`
	// CPUS is the aggregator's user+system CPU from process start to the
	// last commit; CPUSDrain the part within the results_per_s window.
	CPUS      *float64 `json:"cpu_s"`
	CPUSDrain *float64 `json:"cpu_s_drain"`
	CPUSTotal *float64 `json:"cpu_s_total"`
	// PostgresCPUSDrain is the CPU of the PostgreSQL backends connected to
	// the run's database at the last commit, within the window.
	PostgresCPUSDrain *float64           `json:"postgres_backend_cpu_s_drain"`
	PreloadS          *float64           `json:"preload_s"`
	FailingComponents int                `json:"scripted_failing_components"`
	Cores             int                `json:"cores"`
	GoVersion         string             `json:"go_version"`
	StatusdRevision   string             `json:"statusd_revision"`
	EnvOverrides      map[string]string  `json:"env_overrides"`
	Metrics           map[string]float64 `json:"metrics"`
}

// refLine is the line of a reference measurement.
type refLine struct {
	Bench     string   `json:"bench"`
	Mode      string   `json:"mode"`
	BatchRows int      `json:"batch_rows,omitempty"`
	Rows      int64    `json:"rows"`
	Seconds   *float64 `json:"seconds"`
	PerS      *float64 `json:"per_s"`
}

// visibilityLine details the state visibility measurement.
type visibilityLine struct {
	Bench       string `json:"bench"`
	Samples     int    `json:"samples"`
	Concurrency int    `json:"concurrency"`
	TickGapMS   int64  `json:"tick_gap_ms"`
	PollMS      int64  `json:"poll_ms"`
	TimeoutMS   int64  `json:"timeout_ms"`
	Timeouts    int    `json:"timeouts"`
	Polls       int64  `json:"polls"`
	PollErrors  int64  `json:"poll_errors"`
	// PollP50 and PollP99 are how long the polls took; IdleGet* how long a
	// read of one component took before the live traffic, one at a time.
	PollP50    *float64 `json:"poll_p50_ms"`
	PollP99    *float64 `json:"poll_p99_ms"`
	IdleGetP50 *float64 `json:"idle_get_p50_ms"`
	IdleGetMax *float64 `json:"idle_get_max_ms"`
	P50        *float64 `json:"p50_ms"`
	P90        *float64 `json:"p90_ms"`
	P99        *float64 `json:"p99_ms"`
	Max        *float64 `json:"max_ms"`
}

func (b *bench) newLine() *mainLine {
	return &mainLine{Bench: "aggregator", Components: b.scenario.components, Regions: len(b.scenario.regions),
		Ticks: b.scenario.ticks, ResultsPerSWindow: "from the first offset commit seen to all committed",
		FailingComponents: b.scenario.failingComponents(), Cores: runtime.NumCPU(), GoVersion: runtime.Version(),
		StatusdRevision: b.revision, EnvOverrides: b.overrides}
}

// fillDrain records what the drain watch saw; unseen moments stay null.
func (l *mainLine) fillDrain(started time.Time, s drainStats) {
	since := func(t time.Time) float64 {
		if t.IsZero() {
			return math.NaN()
		}
		return t.Sub(started).Seconds()
	}
	l.ReadyS, l.FirstConsumedS, l.FirstCommitS = num(since(s.ready), 3), num(since(s.firstConsumed), 3), num(since(s.firstCommit), 3)
	l.Metrics = s.metrics
	if s.done.IsZero() {
		return
	}
	elapsed, window := since(s.done), s.done.Sub(s.firstCommit).Seconds()
	l.ElapsedS, l.DrainS = num(elapsed, 3), num(window, 3)
	l.ResultsPerS = num(rate(l.Results-s.committedAtFirst, window), 0)
	l.ResultsPerSFromStart = num(rate(l.Results, elapsed), 0)
	if !s.firstConsumed.IsZero() {
		l.ResultsPerSFromFirstConsumed = num(rate(l.Results, s.done.Sub(s.firstConsumed).Seconds()), 0)
	}
	l.CPUS, l.CPUSDrain = num(s.cpuDone, 2), num(s.cpuDone-s.cpuFirstCommit, 2)
	if s.pgCPU >= 0 {
		l.PostgresCPUSDrain = num(s.pgCPU, 2)
	}
}

// fillVisibility records the latencies and returns the detail line.
func (l *mainLine) fillVisibility(lat, idle []float64, v *visibility) visibilityLine {
	l.StateVisibleP50, l.StateVisibleP99 = num(percentile(lat, 50), 1), num(percentile(lat, 99), 1)
	l.StateVisibleMax = num(percentile(lat, 100), 1)
	return visibilityLine{Bench: "aggregator_state_visible", Samples: len(lat), Concurrency: v.concurrency,
		TickGapMS: v.tickGap.Milliseconds(), PollMS: v.poll.Milliseconds(), TimeoutMS: v.timeout.Milliseconds(),
		Timeouts: countInf(lat), Polls: v.polls.Load(), PollErrors: v.pollErrors.Load(), P50: l.StateVisibleP50, P90: num(percentile(lat, 90), 1), P99: l.StateVisibleP99,
		Max: l.StateVisibleMax, PollP50: num(percentile(v.pollMS, 50), 1), PollP99: num(percentile(v.pollMS, 99), 1),
		IdleGetP50: num(percentile(idle, 50), 1), IdleGetMax: num(percentile(idle, 100), 1)}
}
