package aggregator

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
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/wire"
)

var base = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

const (
	ticks      = 24
	interval   = 10 * time.Second
	partitions = 2
)

var regions = []string{"ap", "eu", "us"}

// testCatalog has three components of one check each, on one page.
func testCatalog() catalog.Catalog {
	cat := catalog.Catalog{Pages: []catalog.Page{{ID: "main", Name: "Main", TimeZone: "Etc/UTC"}}}
	for i := range 3 {
		id := fmt.Sprintf("c%d", i)
		cat.Components = append(cat.Components, catalog.Component{ID: id, PageID: "main", Name: "Component " + id, Position: i})
		cat.Checks = append(cat.Checks, catalog.Check{ID: "k-" + id, ComponentID: id, Type: catalog.TypeHTTP,
			Interval: interval, Timeout: time.Second, FailureThreshold: 3, SuccessThreshold: 2,
			HTTP: &catalog.HTTPSpec{URL: "http://127.0.0.1:1/", Method: "GET"}, IncidentOn: catalog.IncidentOnMajor})
	}
	return cat
}

// failing scripts the outages: c0 fails everywhere from tick 5 to 10 and
// again from 14 to 17 (a flap); c1 fails in eu only from tick 3 on.
func failing(comp, region string, tick int) bool {
	switch comp {
	case "c0":
		return (tick >= 5 && tick <= 10) || (tick >= 14 && tick <= 17)
	case "c1":
		return region == "eu" && tick >= 3
	}
	return false
}

// memLog is a results topic in memory: component ci lives on partition
// i mod partitions. It may hold malformed messages.
type memLog struct {
	parts [partitions][][]byte
}

func newLog(t *testing.T, junk bool) *memLog {
	t.Helper()
	l := &memLog{}
	for n := 1; n <= ticks; n++ {
		for i := range 3 {
			comp := fmt.Sprintf("c%d", i)
			for _, region := range regions {
				at := base.Add(time.Duration(n) * interval)
				r := result.Result{ID: fmt.Sprintf("%s-%s-%d", comp, region, n), CheckID: "k-" + comp, ComponentID: comp,
					AgentID: "agent-" + region, Region: region, Scheduled: at, Started: at.Add(time.Millisecond),
					Duration: 20 * time.Millisecond, Success: !failing(comp, region, n)}
				if !r.Success {
					r.ErrorClass, r.Message = result.ErrTimeout, "dial tcp 10.1.2.3:443: i/o timeout"
				}
				v, err := wire.EncodeResult(r)
				if err != nil {
					t.Fatal(err)
				}
				l.parts[i%partitions] = append(l.parts[i%partitions], v)
			}
		}
		if junk && n == 4 {
			l.parts[0] = append(l.parts[0], []byte("not json"), []byte(`{"v":9}`))
			unknown, _ := wire.EncodeResult(result.Result{ID: "ghost-1", CheckID: "ghost", ComponentID: "c0",
				Region: "eu", Scheduled: base.Add(4 * interval), Started: base.Add(4 * interval)})
			l.parts[0] = append(l.parts[0], unknown)
		}
	}
	return l
}

func (l *memLog) size() int { return len(l.parts[0]) + len(l.parts[1]) }

// logSource hands out claims of every partition of a memLog; idle is
// called when a claim has read everything.
type logSource struct {
	log  *memLog
	idle func()
	// settled, when set, must also hold before idle is called: the
	// aggregator has stored everything, not only read it.
	settled func() bool
	mu      sync.Mutex
	// commits are the offsets committed, per partition.
	commits map[int]int64
}

func (s *logSource) Claim(ctx context.Context) (Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &logClaim{src: s, ctx: ctx, pos: map[int]int64{}}, nil
}

type logClaim struct {
	src *logSource
	ctx context.Context
	pos map[int]int64
}

func (c *logClaim) Topic() string            { return "results" }
func (c *logClaim) Partitions() []int        { return []int{0, 1} }
func (c *logClaim) Context() context.Context { return c.ctx }
func (c *logClaim) Done()                    {}

func (c *logClaim) Start(from map[int]int64) error {
	for p := range partitions {
		c.pos[p] = max(from[p], 0)
	}
	return nil
}

// Fetch alternates partitions, a few messages of each, so batches mix them.
func (c *logClaim) Fetch(ctx context.Context, maxMessages int, _ time.Duration) ([]Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Message
	for len(out) < maxMessages {
		moved := false
		for p := range partitions {
			for k := 0; k < 4 && len(out) < maxMessages && c.pos[p] < int64(len(c.src.log.parts[p])); k++ {
				out = append(out, Message{Partition: p, Offset: c.pos[p], Value: c.src.log.parts[p][c.pos[p]]})
				c.pos[p]++
				moved = true
			}
		}
		if !moved {
			break
		}
	}
	if len(out) == 0 && c.src.idle != nil && (c.src.settled == nil || c.src.settled()) {
		c.src.idle()
	}
	return out, nil
}

func (c *logClaim) Commit(_ context.Context, next map[int]int64) error {
	c.src.mu.Lock()
	defer c.src.mu.Unlock()
	if c.src.commits == nil {
		c.src.commits = map[int]int64{}
	}
	for p, off := range next {
		c.src.commits[p] = off
	}
	return nil
}

// faultyState fails ApplyChanges on request: failNext transient failures,
// or a crash (the error, and the run's context cancelled) at the crashAt-th
// call.
type faultyState struct {
	StateStore
	calls, failNext, crashAt, fenceAt atomic.Int64
	loadFails                         atomic.Int64
	crash                             func()
}

func (f *faultyState) LoadPartition(ctx context.Context, topic string, p int) (health.Checkpoint, []health.ComponentState, error) {
	if f.loadFails.Load() > 0 {
		f.loadFails.Add(-1)
		return health.Checkpoint{}, nil, errors.New("connection refused")
	}
	return f.StateStore.LoadPartition(ctx, topic, p)
}

func (f *faultyState) ApplyChanges(ctx context.Context, ch health.Changes, marks []health.Mark) error {
	n := f.calls.Add(1)
	if at := f.crashAt.Load(); at > 0 && n >= at {
		f.crash() // a dead process writes nothing more
		return errors.New("process killed")
	}
	if f.failNext.Load() > 0 {
		f.failNext.Add(-1)
		return errors.New("connection reset by peer")
	}
	if n == f.fenceAt.Load() {
		return fmt.Errorf("move watermark: %w", health.ErrFenced)
	}
	return f.StateStore.ApplyChanges(ctx, ch, marks)
}

// newTestAggregator returns an aggregator over the stores and source, with
// a clock just after the log's last tick.
func newTestAggregator(t *testing.T, st stores, state StateStore, src Source, batch int) *Aggregator {
	t.Helper()
	a, err := New(Options{
		Source: src, Results: st.series, State: state,
		Lock: func(ctx context.Context, topic string, ps []int) (Lock, error) {
			return st.entities.LockPartitions(ctx, topic, ps)
		},
		Catalog:   func(context.Context) (catalog.Catalog, error) { return testCatalog(), nil },
		BatchSize: batch, SnapshotInterval: DefaultSnapshotInterval,
		Clock:      func() time.Time { return base.Add((ticks + 1) * interval) },
		Registerer: prometheus.NewRegistry(),
	})
	if err != nil {
		t.Fatal(err)
	}
	a.backoff = func(int) time.Duration { return time.Millisecond }
	return a
}

// run runs an aggregator until its source is idle or the state store
// crashes it.
func run(t *testing.T, st stores, l *memLog, batch int, wrap func(StateStore, func()) StateStore) *Aggregator {
	return runWith(t, st, l, batch, wrap, flushTimeout)
}

// runWith is run with the time the writer may flush after the run ends: 0
// for a crash, which flushes nothing.
func runWith(t *testing.T, st stores, l *memLog, batch int, wrap func(StateStore, func()) StateStore, flush time.Duration) *Aggregator {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var state StateStore = st.entities
	if wrap != nil {
		state = wrap(state, cancel)
	}
	settled := func() bool { // every partition's watermark at its last message
		for p := range partitions {
			cp, _, err := st.entities.LoadPartition(context.Background(), "results", p)
			if err != nil || cp.Applied != int64(len(l.parts[p])-1) {
				return false
			}
		}
		return true
	}
	a := newTestAggregator(t, st, state, &logSource{log: l, idle: cancel, settled: settled}, batch)
	a.flush = flush
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("the aggregator did not finish the log within 60 s")
	}
	return a
}

// regionsFleet is a Fleet that knows a fixed set of regions.
type regionsFleet map[string]bool

func (f regionsFleet) ObserveResults(string, string, time.Time) {}
func (f regionsFleet) LiveRegions(time.Time) map[string]bool    { return f }

func TestLiveLeavesUnknownRegionsToTheirChecks(t *testing.T) {
	a := &Aggregator{opts: Options{Fleet: regionsFleet{"eu": false, "us": true}}}
	live := a.live(time.Now())
	for _, tt := range []struct {
		region string
		want   bool
	}{{"eu", false}, {"us", true}, {"ap", true}} {
		if got := live(tt.region); got != tt.want {
			t.Errorf("live(%q) = %v, want %v", tt.region, got, tt.want)
		}
	}
}
