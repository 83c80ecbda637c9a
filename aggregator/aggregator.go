// Package aggregator owns the results pipeline of the aggregator. It takes
// the partitions of the results source that this process owns (a claim),
// loads their state, and for each batch stores the results in the
// time-series store, turns them into component states and incidents,
// persists those together with the partition watermarks, and only then
// acknowledges the batch. It also keeps the agents' check definitions in
// step with the store (see CheckSync).
//
// Exactly once, in brief (docs/architecture.md has the long form): each
// partition has a watermark in the state store, moved in the same
// transaction as the state; time-series rows carry their partition and
// offset. A claim locks its partitions in the state store, reads the
// watermark and, once, which offsets above it the time-series store holds
// already, then reads the source from its snapshot of check states: what
// is at or below the watermark is replayed into the check states only,
// what is above is processed, skipping rows already stored.
package aggregator

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/wire"
)

// Message is one message of the results source.
type Message struct {
	Partition int
	Offset    int64
	Value     []byte
}

// ErrClaimEnded is returned by Claim.Fetch once the claim is over: the
// partitions are being handed to another owner.
var ErrClaimEnded = errors.New("claim ended")

// Source hands this process the partitions it owns, one claim at a time.
type Source interface {
	// Claim waits for the next claim. The previous one must be Done.
	Claim(ctx context.Context) (Claim, error)
}

// Claim is the ownership of some partitions of a topic until a rebalance.
type Claim interface {
	Topic() string
	Partitions() []int
	// Context ends when the claim does.
	Context() context.Context
	// Start reads each partition from the given offset; a negative offset
	// means where the consumer group left it, or the beginning. Starting
	// again drops what the last start had read but not fetched.
	Start(from map[int]int64) error
	// Fetch waits up to wait for messages and returns at most max, in
	// offset order per partition; none when the wait passed; ErrClaimEnded
	// once the claim is over.
	Fetch(ctx context.Context, max int, wait time.Duration) ([]Message, error)
	// Commit records progress (the next offset per partition) for lag
	// monitoring; the state store's watermarks are what restarts use.
	Commit(ctx context.Context, next map[int]int64) error
	// Done gives the partitions back.
	Done()
}

// ResultWriter stores raw results as time series.
type ResultWriter interface {
	WriteResults(ctx context.Context, rs []result.Result) (written int, err error)
	// StoredOffsets lists the offsets in [from, to] of a partition that have
	// rows; a store that is idempotent by result ID may return none.
	StoredOffsets(ctx context.Context, partition int, from, to int64) ([]int64, error)
}

// StateStore persists component states, incidents and watermarks.
type StateStore interface {
	LoadPartition(ctx context.Context, topic string, partition int) (health.Checkpoint, []health.ComponentState, error)
	ApplyChanges(ctx context.Context, ch health.Changes, marks []health.Mark) error
}

// Lock is the exclusive right to write some partitions.
type Lock interface {
	// Check fails when the lock may be lost.
	Check(ctx context.Context) error
	Release() error
}

// Fleet is the live set of agents and regions.
type Fleet interface {
	LiveRegions(now time.Time) map[string]bool
	ObserveResults(region, agentID string, received time.Time)
}

// Options configures an Aggregator.
type Options struct {
	Source  Source
	Results ResultWriter
	State   StateStore
	// Lock takes the partitions of a claim, or fails (for example because
	// another process holds one); the aggregator then retries.
	Lock func(ctx context.Context, topic string, partitions []int) (Lock, error)
	// Catalog loads the checks and components; the aggregator reloads it
	// every CatalogInterval and when results name a check it does not know.
	Catalog         func(ctx context.Context) (catalog.Catalog, error)
	CatalogInterval time.Duration // 10 s by default
	// Fleet tells which regions are live; nil means every region is.
	Fleet Fleet
	// Health configures the evaluator (its Catalog is ignored).
	Health    health.Options
	BatchSize int           // results per batch at most; 20,000 by default
	BatchWait time.Duration // how long Fetch waits for results; 100 ms by default
	// SnapshotInterval is how often a partition's check states are stored
	// with its watermark; 0 stores them with every batch (standalone, whose
	// source cannot replay). 5 s by default via DefaultSnapshotInterval.
	SnapshotInterval time.Duration
	SweepInterval    time.Duration // how often silent regions are swept; 1 s by default
	// Buckets, when set, has the day buckets past BucketRetention
	// (DefaultBucketRetention when zero) deleted every hour.
	Buckets         BucketPruner
	BucketRetention time.Duration
	// Months and MonthInputs, when both set, have the closed months of
	// the owned components frozen MonthFreezeGrace after their end
	// (DefaultMonthFreezeGrace when zero), and the frozen months late
	// results could reach recomputed and compared.
	// SeriesRetention, when set, has the time series past their
	// retention dropped every hour.
	SeriesRetention  SeriesRetention
	Months           MonthStore
	MonthInputs      MonthInputs
	MonthFreezeGrace time.Duration
	Clock            func() time.Time
	Registerer       prometheus.Registerer
	Logger           *slog.Logger
}

// DefaultSnapshotInterval is the usual Options.SnapshotInterval.
const DefaultSnapshotInterval = 5 * time.Second

// Aggregator runs the results pipeline.
type Aggregator struct {
	opts    Options
	m       *metrics
	eval    *health.Evaluator
	dec     *wire.ResultDecoder // used by the claim's loop only
	warnMu  sync.Mutex
	warned  map[string]bool // kinds of bad input already logged
	backoff func(attempt int) time.Duration
	flush   time.Duration // how long queued work is still stored after the run ends
	catalog time.Time     // when the catalog was last loaded
	pruned  time.Time     // when the day buckets were last pruned
	frozeAt time.Time     // when the last pass freezing months began
	// stale is set by CatalogChanged: the catalog is reloaded at once.
	stale atomic.Bool
}

// CatalogChanged makes the aggregator reload the catalog before its next
// batch, rather than within CatalogInterval: checks or components changed.
// It never blocks.
func (a *Aggregator) CatalogChanged() { a.stale.Store(true) }

// New returns an aggregator; Run drives it.
func New(opts Options) (*Aggregator, error) {
	if opts.Source == nil || opts.Results == nil || opts.State == nil || opts.Lock == nil || opts.Catalog == nil {
		return nil, errors.New("aggregator: source, results, state, lock and catalog are required")
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 20_000
	}
	if opts.BatchWait <= 0 {
		opts.BatchWait = 100 * time.Millisecond
	}
	if opts.SweepInterval <= 0 {
		opts.SweepInterval = time.Second
	}
	if opts.BucketRetention <= 0 {
		opts.BucketRetention = DefaultBucketRetention
	}
	if opts.MonthFreezeGrace <= 0 {
		opts.MonthFreezeGrace = DefaultMonthFreezeGrace
	}
	if opts.CatalogInterval <= 0 {
		opts.CatalogInterval = 10 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
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
	return &Aggregator{opts: opts, m: m, eval: health.NewEvaluator(opts.Health), dec: wire.NewResultDecoder(),
		warned: map[string]bool{}, backoff: backoff, flush: flushTimeout}, nil
}

func backoff(attempt int) time.Duration {
	return min(100*time.Millisecond<<min(attempt, 10), 10*time.Second)
}

// Run takes claims and processes their partitions until ctx ends.
func (a *Aggregator) Run(ctx context.Context) error {
	for attempt := 0; ; {
		claim, err := a.opts.Source.Claim(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			a.opts.Logger.Error("claim result partitions", "err", err)
			if !sleep(ctx, a.backoff(attempt)) {
				return nil
			}
			attempt++
			continue
		}
		attempt = 0
		a.own(ctx, claim)
		claim.Done()
	}
}

// warnOnce logs a kind of bad input the first time it is seen.
func (a *Aggregator) warnOnce(kind, msg string, args ...any) {
	a.warnMu.Lock()
	defer a.warnMu.Unlock()
	if a.warned[kind] {
		return
	}
	a.warned[kind] = true
	a.opts.Logger.Warn(msg+" (logged once per kind)", append([]any{"kind", kind}, args...)...)
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
