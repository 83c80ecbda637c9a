package agent

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
)

const (
	// probeGrace is how long past its own timeout a probe's context lasts,
	// a backstop for a prober that overruns its timeout.
	probeGrace = 5 * time.Second
	// publishTimeout bounds one Publish, also during shutdown.
	publishTimeout = 10 * time.Second
)

// startWorkers starts the workers of every probe type; the returned function
// closes the pools, dropping queued runs, and waits for the runs in flight.
func (a *Agent) startWorkers(ctx context.Context) (stop func()) {
	var wg sync.WaitGroup
	for t, p := range a.pools {
		prober := a.probers[t]
		for range a.concurrency {
			wg.Go(func() {
				for {
					j, ok := p.pop()
					if !ok {
						return
					}
					a.execute(ctx, prober, j)
				}
			})
		}
	}
	return func() {
		for t, p := range a.pools {
			if n := p.close(); n > 0 {
				a.log.Info("queued runs dropped at shutdown", "type", t, "runs", n)
			}
		}
		wg.Wait()
	}
}

// execute runs one job, stamps and publishes its result.
func (a *Agent) execute(ctx context.Context, p Prober, j job) {
	c := j.check
	typ := string(c.Type)
	a.metrics.inflight.WithLabelValues(typ).Inc()
	r := a.probe(ctx, p, c)
	a.metrics.inflight.WithLabelValues(typ).Dec()

	r.ID = a.newID()
	r.CheckID = c.ID
	r.ComponentID = c.ComponentID
	r.AgentID = a.id
	r.Region = a.region
	r.CheckVersion = c.Version
	r.Scheduled = j.tick

	a.metrics.probes.WithLabelValues(typ, outcome(r)).Inc()
	a.mu.Lock()
	if !j.e.removed {
		j.e.obs, j.e.observed = observe(c, r), true
	}
	a.mu.Unlock()

	pctx, cancel := context.WithTimeout(ctx, publishTimeout)
	err := a.publisher.Publish(pctx, r)
	cancel()
	if err != nil {
		a.metrics.publishErrors.Inc()
		a.log.Warn("result dropped", "check_id", c.ID, "tick", j.tick, "error", err)
	}

	// Free the check for its next tick only now, so that its results reach
	// the publisher in tick order.
	a.mu.Lock()
	j.e.busy = false
	a.mu.Unlock()
}

// probe runs p on c, turning a panic into an internal failure so that one
// faulty prober cannot take the agent down.
func (a *Agent) probe(ctx context.Context, p Prober, c catalog.Check) (r result.Result) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, c.Timeout+probeGrace)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			a.log.Error("probe panicked", "check_id", c.ID, "panic", v)
			r = result.Result{Started: start, Duration: time.Since(start),
				ErrorClass: result.ErrInternal, Message: fmt.Sprintf("probe panicked: %v", v)}
		}
	}()
	r = p.Probe(ctx, c)
	if r.Started.IsZero() {
		r.Started = start
	}
	return r
}
