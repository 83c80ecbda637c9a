// Package aggregator owns the results pipeline of the aggregator: it takes
// batches of probe results from a source, stores them in the time-series
// store, turns them into component states and incidents, persists those, and
// only then acknowledges the batch. It also keeps the agents' check
// definitions in step with the store (see CheckSync).
package aggregator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/wire"
)

// Source delivers encoded results in batches. commit acknowledges the whole
// batch; until then the source may deliver it again.
type Source interface {
	Fetch(ctx context.Context, maxMessages int, wait time.Duration) (values [][]byte, commit func(context.Context) error, err error)
}

// ResultWriter stores raw results, idempotently by result ID.
type ResultWriter interface {
	WriteResults(ctx context.Context, rs []result.Result) (written int, err error)
}

// StateStore persists what a batch changed, atomically.
type StateStore interface {
	ApplyChanges(ctx context.Context, ch health.Changes) error
}

// Options configures an Aggregator.
type Options struct {
	Source     Source
	Results    ResultWriter
	State      StateStore
	Evaluator  *health.Evaluator
	BatchSize  int           // results per batch at most; 5,000 by default
	BatchWait  time.Duration // how long a batch collects after its first result; 1 s by default
	Registerer prometheus.Registerer
	Logger     *slog.Logger
}

// Aggregator runs the results pipeline.
type Aggregator struct {
	opts    Options
	m       *metrics
	warned  map[wire.Kind]bool // malformed kinds already logged
	backoff func(attempt int) time.Duration
}

// New returns an aggregator; Run drives it.
func New(opts Options) (*Aggregator, error) {
	if opts.Source == nil || opts.Results == nil || opts.State == nil || opts.Evaluator == nil {
		return nil, errors.New("aggregator: source, results, state and evaluator are required")
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	if opts.BatchWait <= 0 {
		opts.BatchWait = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	return &Aggregator{opts: opts, m: m, warned: map[wire.Kind]bool{}, backoff: backoff}, nil
}

func backoff(attempt int) time.Duration {
	return min(100*time.Millisecond<<min(attempt, 10), 10*time.Second)
}

// Run processes batches until ctx ends. A batch is acknowledged only after
// its results and the state it changed are stored; a store failure is
// retried with backoff, so nothing is acknowledged that was not kept.
func (a *Aggregator) Run(ctx context.Context) error {
	for attempt := 0; ; {
		values, commit, err := a.opts.Source.Fetch(ctx, a.opts.BatchSize, a.opts.BatchWait)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			a.opts.Logger.Error("fetch results", "err", err)
			if !sleep(ctx, a.backoff(attempt)) {
				return nil
			}
			attempt++
			continue
		}
		attempt = 0
		if !a.process(ctx, a.decode(values)) {
			return nil // stopped before the batch was stored: it stays unacknowledged
		}
		if err := commit(ctx); err != nil {
			// Harmless: the batch will come again and change nothing.
			a.opts.Logger.Warn("acknowledge results", "err", err)
		}
	}
}

// decode turns message values into results, counting and skipping the
// malformed ones; each kind of malformation is logged once.
func (a *Aggregator) decode(values [][]byte) []result.Result {
	rs := make([]result.Result, 0, len(values))
	for _, v := range values {
		r, err := wire.DecodeResult(v)
		if err != nil {
			kind := wire.KindOf(err)
			a.m.malformed.WithLabelValues(string(kind)).Inc()
			if !a.warned[kind] {
				a.warned[kind] = true
				a.opts.Logger.Warn("skip malformed result message (logged once per kind)", "kind", kind, "err", err)
			}
			continue
		}
		rs = append(rs, r)
	}
	a.m.consumed.Add(float64(len(rs)))
	return rs
}

// process stores a batch, retrying until it succeeds; false means ctx ended
// first.
func (a *Aggregator) process(ctx context.Context, rs []result.Result) bool {
	for attempt := 0; ; attempt++ {
		start := time.Now()
		err := a.store(ctx, rs)
		if err == nil {
			a.m.batchSeconds.Observe(time.Since(start).Seconds())
			a.m.lastBatch.SetToCurrentTime()
			return true
		}
		a.m.storeErrors.Inc()
		a.opts.Logger.Error("store results batch", "results", len(rs), "attempt", attempt+1, "err", err)
		if !sleep(ctx, a.backoff(attempt)) {
			return false
		}
	}
}

func (a *Aggregator) store(ctx context.Context, rs []result.Result) error {
	if len(rs) == 0 {
		return nil
	}
	written, err := a.opts.Results.WriteResults(ctx, rs)
	if err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	a.m.written.Add(float64(written))
	a.m.duplicates.Add(float64(len(rs) - written))
	ch, ignored := a.opts.Evaluator.Evaluate(rs)
	a.m.ignored.Add(float64(ignored))
	if ch.Empty() {
		return nil
	}
	if err := a.opts.State.ApplyChanges(ctx, ch); err != nil {
		return fmt.Errorf("persist state: %w", err)
	}
	a.opts.Evaluator.Commit(ch)
	for _, c := range ch.Components {
		a.m.transitions.WithLabelValues(string(c.Status)).Inc()
		a.opts.Logger.Info("component status", "component_id", c.ComponentID, "status", c.Status, "failing_regions", c.FailingRegions)
	}
	return nil
}

// sleep waits d or until ctx ends; it reports whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
