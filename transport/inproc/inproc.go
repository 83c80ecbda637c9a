// Package inproc carries statusd's messages inside one process, for
// `statusd standalone`: the same feed, publisher, source and heartbeat
// contracts as the Kafka transport, over memory. Results in flight are lost when the process
// dies; everything stored before is not.
package inproc

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/wire"
)

// Checks holds the current check definitions and tells followers of every
// change. The zero value is not usable; use NewChecks.
type Checks struct {
	mu      sync.Mutex
	current map[string]catalog.Check
	changed chan struct{} // closed and replaced on every change
}

// NewChecks returns an empty set of definitions.
func NewChecks() *Checks {
	return &Checks{current: map[string]catalog.Check{}, changed: make(chan struct{})}
}

// SyncChecks replaces the definitions with checks.
func (c *Checks) SyncChecks(_ context.Context, checks []catalog.Check) error {
	next := make(map[string]catalog.Check, len(checks))
	for _, ch := range checks {
		next[ch.ID] = ch
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if reflect.DeepEqual(next, c.current) {
		return nil
	}
	c.current = next
	close(c.changed)
	c.changed = make(chan struct{})
	return nil
}

// Follow calls apply for every definition, then for every change, until ctx
// ends.
func (c *Checks) Follow(ctx context.Context, apply func(agent.Update)) error {
	seen := map[string]catalog.Check{}
	for {
		c.mu.Lock()
		current, changed := c.current, c.changed
		c.mu.Unlock()
		for _, id := range slices.Sorted(maps.Keys(current)) {
			if old, ok := seen[id]; !ok || !reflect.DeepEqual(old, current[id]) {
				check := current[id]
				apply(agent.Update{ID: id, Check: &check})
			}
		}
		for _, id := range slices.Sorted(maps.Keys(seen)) {
			if _, ok := current[id]; !ok {
				apply(agent.Update{ID: id})
			}
		}
		seen = current
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}

// ResultsOptions configures Results.
type ResultsOptions struct {
	QueueSize  int // results held before Publish drops; 10,000 by default
	Registerer prometheus.Registerer
}

// Results is a bounded queue of encoded results between the agent and the
// aggregator. Messages are encoded as on Kafka so both modes decode alike.
type Results struct {
	queue   chan []byte
	dropped prometheus.Counter
}

// NewResults returns an empty queue.
func NewResults(opts ResultsOptions) (*Results, error) {
	if opts.QueueSize <= 0 {
		opts.QueueSize = 10_000
	}
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	r := &Results{
		queue: make(chan []byte, opts.QueueSize),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "statusd_agent_results_dropped_total", Help: "Probe results dropped because the queue was full.",
			ConstLabels: prometheus.Labels{"reason": "queue_full"}}),
	}
	if err := opts.Registerer.Register(r.dropped); err != nil {
		return nil, fmt.Errorf("register in-process results metrics: %w", err)
	}
	return r, nil
}

// Publish queues a result without blocking; with the queue full it drops
// the result, counts it and says so.
func (r *Results) Publish(_ context.Context, res result.Result) error {
	value, err := wire.EncodeResult(res)
	if err != nil {
		return fmt.Errorf("encode result %s: %w", res.ID, err)
	}
	select {
	case r.queue <- value:
		return nil
	default:
		r.dropped.Inc()
		return fmt.Errorf("publish result %s: queue of %d is full", res.ID, cap(r.queue))
	}
}

// Fetch waits for a result, collects more for at most wait and returns up
// to maxMessages. Commit is a no-op: memory holds nothing to acknowledge.
func (r *Results) Fetch(ctx context.Context, maxMessages int, wait time.Duration) ([][]byte, func(context.Context) error, error) {
	var values [][]byte
	select {
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("fetch results: %w", ctx.Err())
	case v := <-r.queue:
		values = append(values, v)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for len(values) < maxMessages {
		select {
		case v := <-r.queue:
			values = append(values, v)
		case <-timer.C:
			return values, noCommit, nil
		case <-ctx.Done():
			return values, noCommit, nil
		}
	}
	return values, noCommit, nil
}

func noCommit(context.Context) error { return nil }
