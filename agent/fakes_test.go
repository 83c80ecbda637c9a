package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
)

// fakeClock is a Clock whose time moves only when the test sets it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

func newFakeClock(now time.Time) *fakeClock { return &fakeClock{now: now} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer() Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, ch: make(chan time.Time, 1)}
	c.timers = append(c.timers, t)
	return t
}

// Set moves the clock to now and fires the timers that are due.
func (c *fakeClock) Set(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
	for _, t := range c.timers {
		t.fireIfDue()
	}
}

type fakeTimer struct {
	clock *fakeClock
	ch    chan time.Time
	at    time.Time
	armed bool
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Reset(at time.Time) {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	t.drain()
	t.at, t.armed = at, true
	t.fireIfDue()
}

func (t *fakeTimer) Stop() {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	t.drain()
	t.armed = false
}

func (t *fakeTimer) drain() {
	select {
	case <-t.ch:
	default:
	}
}

// fireIfDue sends on the channel if the timer is due; the clock's mutex is held.
func (t *fakeTimer) fireIfDue() {
	if t.armed && !t.at.After(t.clock.now) {
		t.armed = false
		t.ch <- t.clock.now // never blocks: drained on every Reset
	}
}

// fakeFeed delivers updates the test sends, one at a time.
type fakeFeed struct {
	updates chan Update
	applied chan struct{}
	err     error // returned by Follow at once when set
}

func newFakeFeed() *fakeFeed {
	return &fakeFeed{updates: make(chan Update), applied: make(chan struct{})}
}

func (f *fakeFeed) Follow(ctx context.Context, apply func(Update)) error {
	if f.err != nil {
		return f.err
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case u := <-f.updates:
			apply(u)
			f.applied <- struct{}{}
		}
	}
}

// send delivers updates and returns once the agent has applied them.
func (f *fakeFeed) send(t *testing.T, checks ...catalog.Check) {
	t.Helper()
	for _, c := range checks {
		f.deliver(t, Update{ID: c.ID, Check: &c})
	}
}

func (f *fakeFeed) delete(t *testing.T, id string) {
	t.Helper()
	f.deliver(t, Update{ID: id})
}

func (f *fakeFeed) deliver(t *testing.T, u Update) {
	t.Helper()
	select {
	case f.updates <- u:
	case <-time.After(10 * time.Second):
		t.Fatal("the agent did not take an update")
	}
	<-f.applied
}

// readyFeed is a fakeFeed that also reports whether its snapshot is in.
type readyFeed struct {
	*fakeFeed
	snapshot atomic.Bool
}

func (f *readyFeed) Ready() bool { return f.snapshot.Load() }

// fakeProber records each probe it starts and, when gated, waits for the
// test to let it finish.
type fakeProber struct {
	started chan catalog.Check
	gate    chan struct{} // nil: finish at once
	panics  bool
}

func newFakeProber(gated bool) *fakeProber {
	p := &fakeProber{started: make(chan catalog.Check, 100_000)}
	if gated {
		p.gate = make(chan struct{})
	}
	return p
}

func (p *fakeProber) Probe(ctx context.Context, c catalog.Check) result.Result {
	p.started <- c
	if p.panics {
		panic("prober bug")
	}
	if p.gate != nil {
		select {
		case <-p.gate:
		case <-ctx.Done():
			return result.Result{ErrorClass: result.ErrTimeout, Message: "gate never opened"}
		}
	}
	return result.Result{Started: time.Unix(1, 0), Duration: 20 * time.Millisecond, Success: true, StatusCode: 200,
		Phases: result.Phases{Connect: time.Millisecond, FirstByte: 15 * time.Millisecond}}
}

// fakePublisher collects results.
type fakePublisher struct {
	results chan published
	err     error
	// runDone, when set, tells whether Run had returned at publish time.
	runDone *atomic.Bool
}

type published struct {
	r        result.Result
	ctxErr   error // of the context Publish got
	afterRun bool  // Run had returned before Publish
}

func newFakePublisher() *fakePublisher {
	return &fakePublisher{results: make(chan published, 100_000)}
}

func (p *fakePublisher) Publish(ctx context.Context, r result.Result) error {
	pub := published{r: r, ctxErr: ctx.Err()}
	if p.runDone != nil {
		pub.afterRun = p.runDone.Load()
	}
	p.results <- pub
	return p.err
}

// harness runs an agent against the fakes.
type harness struct {
	clock   *fakeClock
	feed    *fakeFeed
	prober  *fakeProber
	pub     *fakePublisher
	reg     *prometheus.Registry
	agent   *Agent
	cancel  context.CancelFunc
	done    chan error
	runDone atomic.Bool
}

const testRegion = "eu-west"

// epoch is the fake clock's start, a multiple of every interval the tests use.
var epoch = time.Unix(1_700_000_000, 0).UTC()

func start(t *testing.T, gated bool, mod func(*Options)) *harness {
	t.Helper()
	h := &harness{
		clock: newFakeClock(epoch), feed: newFakeFeed(), prober: newFakeProber(gated),
		pub: newFakePublisher(), reg: prometheus.NewRegistry(), done: make(chan error, 1),
	}
	h.pub.runDone = &h.runDone
	var seq atomic.Int64
	opts := Options{
		ID: "agent-1", Region: testRegion, Feed: h.feed, Publisher: h.pub,
		Probers: map[catalog.Type]Prober{catalog.TypeHTTP: h.prober}, Concurrency: 1, Clock: h.clock,
		Registerer: h.reg, NewID: func() string { return fmt.Sprintf("r-%d", seq.Add(1)) },
	}
	if mod != nil {
		mod(&opts)
	}
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.agent = a
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() {
		err := a.Run(ctx)
		h.runDone.Store(true)
		h.done <- err
	}()
	t.Cleanup(func() {
		cancel()
		if h.prober.gate != nil {
			close(h.prober.gate)
		}
		if err := h.wait(t); err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return h
}

// wait returns Run's error once it has returned.
func (h *harness) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-h.done:
		h.done <- err // for the next caller
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}

// nextStarted returns the next probe started.
func (h *harness) nextStarted(t *testing.T) catalog.Check {
	t.Helper()
	select {
	case c := <-h.prober.started:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no probe started")
		return catalog.Check{}
	}
}

// nextResult returns the next result published, once its run has released
// the check for its next tick (which happens just after Publish returns).
func (h *harness) nextResult(t *testing.T) published {
	t.Helper()
	var p published
	select {
	case p = <-h.pub.results:
	case <-time.After(10 * time.Second):
		t.Fatal("no result published")
	}
	eventually(t, "the run of "+p.r.CheckID+" to finish", func() bool {
		h.agent.mu.Lock()
		defer h.agent.mu.Unlock()
		e, ok := h.agent.sched.entries[p.r.CheckID]
		return !ok || !e.busy
	})
	return p
}

// eventually waits for cond, failing the test after 10 s. It waits for the
// agent's goroutines to catch up; it asserts nothing about timing.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// tick returns the k-th tick of a check at or after the epoch.
func tick(id string, interval time.Duration, k int) time.Time {
	return epoch.Add(Phase(id, testRegion, interval) + time.Duration(k)*interval)
}

var errFeed = errors.New("broker gone")
