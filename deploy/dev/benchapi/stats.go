package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// sample is what one endpoint's load run measured.
type sample struct {
	requests  int
	errors    int // answers other than 200, and failed requests
	elapsed   time.Duration
	latencies []time.Duration // of every answered request
	firstErr  string
}

// merge adds o's measurements to s; elapsed is the longest.
func (s *sample) merge(o sample) {
	s.requests += o.requests
	s.errors += o.errors
	s.elapsed = max(s.elapsed, o.elapsed)
	s.latencies = append(s.latencies, o.latencies...)
	if s.firstErr == "" {
		s.firstErr = o.firstErr
	}
}

// percentile is the nearest-rank p-th percentile (0 < p <= 100) of sorted
// durations, in milliseconds; 0 for none.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return ms(sorted[rank-1])
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }

// line is one result: the JSON object printed per endpoint and store.
type line struct {
	Bench       string  `json:"bench"`
	Endpoint    string  `json:"endpoint"`
	Path        string  `json:"path"`
	Store       string  `json:"store"`
	Concurrency int     `json:"concurrency"`
	DurationS   float64 `json:"duration_s"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	RPS         float64 `json:"rps"`
	P50MS       float64 `json:"p50_ms"`
	P90MS       float64 `json:"p90_ms"`
	P99MS       float64 `json:"p99_ms"`
	MaxMS       float64 `json:"max_ms"`
	Components  int     `json:"components"`
	AuditTotal  int     `json:"audit_entries"`
	// StatusdCPU is the CPU time statusd spent during this endpoint's run.
	StatusdCPU float64 `json:"statusd_cpu_s"`
	Revision   string  `json:"revision,omitempty"`
	FirstError string  `json:"first_error,omitempty"`
}

// newLine summarises s.
func newLine(ep endpoint, store string, concurrency int, s sample) line {
	sorted := slices.Clone(s.latencies)
	slices.Sort(sorted)
	l := line{Bench: "api", Endpoint: ep.name, Path: ep.path, Store: store, Concurrency: concurrency,
		DurationS: math.Round(s.elapsed.Seconds()*100) / 100, Requests: s.requests, Errors: s.errors,
		P50MS: percentile(sorted, 50), P90MS: percentile(sorted, 90), P99MS: percentile(sorted, 99), FirstError: s.firstErr}
	if len(sorted) > 0 {
		l.MaxMS = ms(sorted[len(sorted)-1])
	}
	if s.elapsed > 0 {
		l.RPS = math.Round(float64(s.requests)/s.elapsed.Seconds()*10) / 10
	}
	return l
}

// write prints l as one line of JSON.
func (l line) write(w io.Writer) error {
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	if _, err := fmt.Fprintf(w, "%s\n", b); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}
