// Package agent owns the running of one region's checks: it follows the
// check definitions, schedules every check of its region at a deterministic
// phase of its interval, runs the probes on a bounded worker pool per probe
// type, stamps each result with its identity and hands it to a publisher.
//
// Scheduling: a check runs at Unix epoch + Phase(id, region, interval) +
// k×interval on the wall clock. One scheduler goroutine keeps a min-heap of
// next ticks, so ten thousand checks cost ten thousand heap entries and no
// goroutines. A tick that comes while the previous run of the same check is
// still queued or running is skipped and counted: runs never stack.
//
// Updates and deletions: an update replaces the definition and reschedules
// the check from the next tick of its new interval; a deletion stops it. A
// run already in flight when its check is updated or deleted finishes and
// its result is published (the aggregator de-duplicates and orders by tick),
// but a deleted check's metric series are removed and not recreated.
//
// Heartbeats: when Run starts and then every HeartbeatInterval, the agent
// tells its HeartbeatSink who it is, how many checks it runs and what its
// publisher holds back; the aggregator counts a region as live from them.
package agent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/fleet"
	"github.com/statusd/statusd/result"
)

// Feed delivers check definitions. Follow blocks until ctx ends, calling
// apply for every definition in order; a nil Check in an Update means the
// check was deleted.
type Feed interface {
	Follow(ctx context.Context, apply func(Update)) error
}

// Update is one check definition from a Feed; a nil Check deletes the check.
type Update struct {
	ID    string
	Check *catalog.Check
}

// Publisher ships results; it may block briefly (bounded queue) and returns
// an error only when the result was dropped.
type Publisher interface {
	Publish(ctx context.Context, r result.Result) error
}

// Prober runs one check once. It honours the check's timeout and fills the
// observation fields of the result; the agent fills the identity fields.
type Prober interface {
	Probe(ctx context.Context, c catalog.Check) result.Result
}

// DefaultConcurrency is how many probes of one type run at once by default.
const DefaultConcurrency = 64

// Options configure an Agent.
type Options struct {
	ID     string // this agent's identity, stamped on every result; required
	Region string // the region it runs checks for; required, a valid catalog ID
	// Feed and Publisher connect the agent to the transport; required.
	Feed      Feed
	Publisher Publisher
	// Probers run the checks, one per check type; at least one is required.
	// Checks of a type without a prober are logged and not run.
	Probers map[catalog.Type]Prober
	// Concurrency bounds the probes of one type running at once; 0 means
	// DefaultConcurrency.
	Concurrency int
	// Heartbeats receives a heartbeat when Run starts and then every
	// HeartbeatInterval; nil sends none.
	Heartbeats HeartbeatSink
	// HeartbeatInterval is how often heartbeats are sent; 0 means
	// fleet.DefaultInterval. Otherwise between fleet.MinInterval and
	// fleet.MaxInterval.
	HeartbeatInterval time.Duration
	// Version is the agent's build version, told in heartbeats.
	Version string
	// Clock drives the schedule and the heartbeats; nil means the system clock.
	Clock Clock
	// Registerer receives the agent's metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	// Logger receives the agent's logs; nil discards them.
	Logger *slog.Logger
	// NewID returns a unique result ID; nil means a UUIDv7.
	NewID func() string
}

// Agent runs the checks of one region. Create it with New, start it with Run.
type Agent struct {
	id, region  string
	feed        Feed
	publisher   Publisher
	probers     map[catalog.Type]Prober
	concurrency int
	clock       Clock
	heartbeats  HeartbeatSink
	hbInterval  time.Duration
	version     string
	log         *slog.Logger
	newID       func() string
	metrics     *metrics

	wake    chan struct{} // pokes the scheduler after an update; capacity 1
	started atomic.Bool
	ready   atomic.Bool

	mu    sync.Mutex // guards sched and its entries
	sched *schedule
	pools map[catalog.Type]*pool // fixed by New
}

// New checks opts and returns an Agent ready to Run.
func New(opts Options) (*Agent, error) {
	switch {
	case opts.ID == "":
		return nil, errors.New("new agent: Options.ID is required")
	case !fleet.ValidAgentID(opts.ID):
		return nil, fmt.Errorf("new agent: Options.ID %q is not a valid agent ID: 1-255 printable characters without spaces", opts.ID)
	case !catalog.ValidID(opts.Region):
		return nil, fmt.Errorf("new agent: Options.Region %q is not a valid region ID", opts.Region)
	case opts.Feed == nil:
		return nil, errors.New("new agent: Options.Feed is required")
	case opts.Publisher == nil:
		return nil, errors.New("new agent: Options.Publisher is required")
	case len(opts.Probers) == 0:
		return nil, errors.New("new agent: Options.Probers needs at least one prober")
	case opts.Concurrency < 0:
		return nil, fmt.Errorf("new agent: Options.Concurrency must not be negative, got %d", opts.Concurrency)
	case opts.HeartbeatInterval != 0 && (opts.HeartbeatInterval < fleet.MinInterval || opts.HeartbeatInterval > fleet.MaxInterval):
		return nil, fmt.Errorf("new agent: Options.HeartbeatInterval must be between %s and %s, got %s",
			fleet.MinInterval, fleet.MaxInterval, opts.HeartbeatInterval)
	}
	for t, p := range opts.Probers {
		if p == nil {
			return nil, fmt.Errorf("new agent: Options.Probers[%q] is nil", t)
		}
	}
	a := &Agent{
		id: opts.ID, region: opts.Region, feed: opts.Feed, publisher: opts.Publisher,
		probers: opts.Probers, concurrency: opts.Concurrency, clock: opts.Clock,
		heartbeats: opts.Heartbeats, hbInterval: cmp.Or(opts.HeartbeatInterval, fleet.DefaultInterval), version: opts.Version,
		log: opts.Logger, newID: opts.NewID,
		wake: make(chan struct{}, 1), sched: newSchedule(opts.Region), pools: make(map[catalog.Type]*pool),
	}
	m, err := newMetrics(opts.Registerer, newCheckCollector(a.observations), newQueueCollector(a.queueDepths))
	if err != nil {
		return nil, fmt.Errorf("new agent: %w", err)
	}
	a.metrics = m
	if a.concurrency == 0 {
		a.concurrency = DefaultConcurrency
	}
	if a.clock == nil {
		a.clock = realClock{}
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.newID == nil {
		a.newID = uuidV7
	}
	for t := range opts.Probers {
		a.pools[t] = newPool()
		// Make the per-type series visible at zero from the start.
		a.metrics.checks.WithLabelValues(string(t))
		a.metrics.skipped.WithLabelValues(string(t))
		a.metrics.inflight.WithLabelValues(string(t))
		a.metrics.probes.WithLabelValues(string(t), "success")
		a.metrics.probes.WithLabelValues(string(t), "failure")
	}
	return a, nil
}

func uuidV7() string {
	id, err := uuid.NewV7()
	if err != nil { // crypto/rand does not fail since Go 1.24; a v4 ID de-duplicates as well
		return uuid.NewString()
	}
	return id.String()
}

// Run follows the feed and runs the region's checks until ctx ends, then
// stops dispatching, drops runs still queued, waits for the probes in flight
// and publishes their results. It returns nil after ctx ends and an error if
// the feed fails before that. Run may be called once.
func (a *Agent) Run(ctx context.Context) error {
	if !a.started.CompareAndSwap(false, true) {
		return errors.New("run agent: already started")
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Probes and publishing outlive ctx so that shutdown lets the runs in
	// flight finish; each is bounded by its own timeout.
	waitWorkers := a.startWorkers(context.WithoutCancel(ctx))
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		a.loop(runCtx)
	}()
	beatsDone := make(chan struct{})
	go func() {
		defer close(beatsDone)
		a.beat(runCtx)
	}()

	a.ready.Store(true)
	err := a.feed.Follow(runCtx, a.apply)
	switch {
	case err != nil && ctx.Err() == nil:
		err = fmt.Errorf("follow checks: %w", err)
	case ctx.Err() == nil:
		a.log.Info("check feed ended; running the checks it delivered")
		<-ctx.Done()
	default:
		err = nil
	}
	a.ready.Store(false)
	cancel()
	<-schedDone
	<-beatsDone
	waitWorkers()
	return err
}

// Readier is implemented by a Feed that knows when it has delivered its
// initial snapshot, such as one that has read the checks topic up to its
// high-water mark.
type Readier interface {
	Ready() bool
}

// Ready reports whether the agent is running its schedule and following the
// feed. The feed does not say when its initial snapshot is complete unless it
// implements Readier, in which case Ready also requires the feed's Ready.
// Ready turns false as soon as shutdown begins.
func (a *Agent) Ready() bool {
	if !a.ready.Load() {
		return false
	}
	if r, ok := a.feed.(Readier); ok {
		return r.Ready()
	}
	return true
}

// apply takes one update from the feed.
func (a *Agent) apply(u Update) {
	if u.Check == nil {
		a.unschedule(u.ID)
		return
	}
	c := *u.Check
	switch {
	case c.ID != u.ID:
		a.log.Warn("check ignored: its id differs from the update's", "update_id", u.ID, "check_id", c.ID)
		a.unschedule(u.ID)
		return
	case len(c.Regions) > 0 && !slices.Contains(c.Regions, a.region):
		a.unschedule(u.ID)
		return
	}
	if errs := c.Validate(); len(errs) > 0 {
		a.log.Warn("check ignored: invalid definition", "check_id", c.ID, "error", errors.Join(fieldErrors(errs)...))
		a.unschedule(u.ID)
		return
	}
	if _, ok := a.probers[c.Type]; !ok {
		a.log.Warn("check ignored: no prober for its type", "check_id", c.ID, "type", c.Type)
		a.unschedule(u.ID)
		return
	}
	a.mu.Lock()
	old, existed := a.sched.upsert(c, a.clock.Now())
	switch {
	case !existed:
		a.metrics.checks.WithLabelValues(string(c.Type)).Inc()
	case old.Type != c.Type:
		a.metrics.checks.WithLabelValues(string(old.Type)).Dec()
		a.metrics.checks.WithLabelValues(string(c.Type)).Inc()
	}
	if existed && old.ComponentID != c.ComponentID {
		a.sched.entries[c.ID].observed = false // its last run belongs to the old component
	}
	a.mu.Unlock()
	a.poke()
}

func fieldErrors(errs []catalog.FieldError) []error {
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return out
}

// unschedule stops the check with the given ID if it is scheduled.
func (a *Agent) unschedule(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e := a.sched.remove(id)
	if e == nil {
		return
	}
	a.metrics.checks.WithLabelValues(string(e.check.Type)).Dec()
}

// observations returns the last run of every scheduled check that has run,
// for the per-check metrics.
func (a *Agent) observations() []observation {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]observation, 0, len(a.sched.entries))
	for _, e := range a.sched.entries {
		if e.observed {
			out = append(out, e.obs)
		}
	}
	return out
}

// queueDepths returns the runs queued and not started, by check type.
func (a *Agent) queueDepths() map[catalog.Type]int {
	out := make(map[catalog.Type]int, len(a.pools))
	for t, p := range a.pools {
		out[t] = p.len()
	}
	return out
}

// poke wakes the scheduler to look at the heap again.
func (a *Agent) poke() {
	select {
	case a.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// maxClockStepBack is how far the wall clock may step back before the
// schedule is rebuilt; smaller steps only delay the next ticks by the step.
const maxClockStepBack = time.Second

// loop dispatches due checks until ctx ends.
func (a *Agent) loop(ctx context.Context) {
	timer := a.clock.NewTimer()
	defer timer.Stop()
	var prev time.Time
	for {
		a.mu.Lock()
		now := a.clock.Now()
		// Compare wall clocks: Sub would use the monotonic readings.
		if back := prev.Round(0).Sub(now.Round(0)); !prev.IsZero() && back > maxClockStepBack {
			a.log.Warn("wall clock stepped back; rescheduling every check", "by", back)
			a.sched.rewind(now)
		}
		prev = now
		a.sched.due(now, a.dispatch)
		next, ok := a.sched.nextDue()
		a.mu.Unlock()
		if ok {
			timer.Reset(next)
		} else {
			timer.Stop()
		}
		select {
		case <-ctx.Done():
			return
		case <-timer.C():
		case <-a.wake:
		}
	}
}

// dispatch queues a run of e at tick unless its previous run is unfinished;
// the passed ticks the schedule collapsed into tick count as skipped. The
// caller holds a.mu.
func (a *Agent) dispatch(e *entry, tick time.Time, passed int) {
	t := e.check.Type
	if passed > 0 {
		a.metrics.skipped.WithLabelValues(string(t)).Add(float64(passed))
		a.log.Debug("ticks skipped: the agent was stalled", "check_id", e.check.ID, "ticks", passed, "tick", tick)
	}
	if e.busy {
		a.metrics.skipped.WithLabelValues(string(t)).Inc()
		a.log.Debug("tick skipped: previous run unfinished", "check_id", e.check.ID, "tick", tick)
		return
	}
	e.busy = true
	a.pools[t].push(job{e: e, check: e.check, tick: tick})
}
