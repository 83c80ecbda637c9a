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
	"github.com/statusd/statusd/aggregator"
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

// Claim returns the queue as one partition, 0, of topic "inproc": the
// process owns it until ctx ends.
func (r *Results) Claim(ctx context.Context) (aggregator.Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("claim in-process results: %w", err)
	}
	return &claim{r: r, ctx: ctx}, nil
}

// claim numbers the queue's messages as they are fetched, from the offset
// the aggregator starts it at: memory cannot replay, so after a restart
// the numbering continues from the stored watermark.
type claim struct {
	r    *Results
	ctx  context.Context
	next int64
}

func (c *claim) Topic() string                               { return "inproc" }
func (c *claim) Partitions() []int                           { return []int{0} }
func (c *claim) Context() context.Context                    { return c.ctx }
func (c *claim) Commit(context.Context, map[int]int64) error { return nil }
func (c *claim) Done()                                       {}

// Start sets the offset of the next message.
func (c *claim) Start(from map[int]int64) error {
	c.next = max(from[0], 0)
	return nil
}

// Fetch waits up to wait for a result, then takes what is queued, up to
// maxMessages.
func (c *claim) Fetch(ctx context.Context, maxMessages int, wait time.Duration) ([]aggregator.Message, error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var out []aggregator.Message
	add := func(v []byte) {
		out = append(out, aggregator.Message{Partition: 0, Offset: c.next, Value: v})
		c.next++
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.ctx.Done():
		return nil, aggregator.ErrClaimEnded
	case <-timer.C:
		return nil, nil
	case v := <-c.r.queue:
		add(v)
	}
	for len(out) < maxMessages {
		select {
		case v := <-c.r.queue:
			add(v)
		default:
			return out, nil
		}
	}
	return out, nil
}
