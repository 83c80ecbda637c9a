package aggregator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/statusd/statusd/health"
)

// partition is what the aggregator tracks of one partition it owns.
type partition struct {
	// applied is the watermark as the next mark will find it: messages at
	// or below it are stored, or queued for the writer.
	applied int64
	// skipTo is the offset the stored check states are as of; messages in
	// (skipTo, replayTo] are replayed into the check states only.
	skipTo, replayTo int64
	// stored are offsets above applied that the time-series store holds
	// already: a batch whose insert landed but whose state commit did not.
	stored   map[int64]bool
	snapshot time.Time // when the check states were last stored
}

// owned is the state of one claim.
type owned struct {
	claim  Claim
	lock   Lock
	topic  string
	parts  map[int]*partition
	compOf map[string]int // component ID → its partition
	// freezeQueue are the components the pass freezing months has yet to
	// do.
	freezeQueue []string
}

// mine reports whether a component's partition is one of the claim's.
func (o *owned) mine(componentID string) bool {
	_, ok := o.compOf[componentID]
	return ok
}

// own processes a claim's partitions until it ends or ctx does. A failure
// to take the partitions or to store (a store down, a fenced watermark)
// drops what was loaded and takes them again, within the same claim: the
// consumer group would not hand the partitions out again by itself.
func (a *Aggregator) own(ctx context.Context, claim Claim) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(claim.Context(), cancel)
	defer stop()
	for attempt := 0; ; attempt++ {
		o, err := a.take(cctx, claim)
		if err == nil {
			a.opts.Logger.Info("own result partitions", "topic", o.topic, "partitions", claim.Partitions())
			err = a.loop(cctx, o)
			a.release(o)
			if err == nil {
				return // the claim or the run ended
			}
		}
		if cctx.Err() != nil {
			return
		}
		a.opts.Logger.Error("take the result partitions again", "partitions", claim.Partitions(), "attempt", attempt+1, "err", err)
		if !sleep(cctx, a.backoff(attempt)) {
			return
		}
	}
}

// take locks the claim's partitions (waiting for another owner to let
// go), loads their state and starts reading them.
func (a *Aggregator) take(ctx context.Context, claim Claim) (*owned, error) {
	o := &owned{claim: claim, topic: claim.Topic(), parts: map[int]*partition{}, compOf: map[string]int{}}
	for attempt := 0; ; attempt++ {
		lock, err := a.opts.Lock(ctx, o.topic, claim.Partitions())
		if err == nil {
			o.lock = lock
			break
		}
		if attempt%20 == 0 {
			a.opts.Logger.Info("wait for the lock of result partitions", "partitions", claim.Partitions(), "err", err)
		}
		if !sleep(ctx, 250*time.Millisecond) {
			return nil, ctx.Err()
		}
	}
	if err := a.refreshCatalog(ctx, true); err != nil {
		return nil, errors.Join(err, o.lock.Release())
	}
	from := map[int]int64{}
	for _, p := range claim.Partitions() {
		part, start, err := a.load(ctx, o, p)
		if err != nil {
			a.eval.Forget(o.mine)
			return nil, errors.Join(err, o.lock.Release())
		}
		o.parts[p], from[p] = part, start
	}
	if err := claim.Start(from); err != nil {
		a.eval.Forget(o.mine)
		return nil, errors.Join(fmt.Errorf("start reading: %w", err), o.lock.Release())
	}
	a.m.ownedPartitions.Set(float64(len(o.parts)))
	return o, nil
}

// load restores one partition's state and says where to start reading it.
func (a *Aggregator) load(ctx context.Context, o *owned, p int) (*partition, int64, error) {
	cp, comps, err := a.opts.State.LoadPartition(ctx, o.topic, p)
	if err != nil {
		return nil, 0, err
	}
	for _, c := range comps {
		o.compOf[c.ComponentID] = p
	}
	for _, s := range cp.Checks {
		if c, ok := a.eval.Check(s.CheckID); ok {
			o.compOf[c.ComponentID] = p
		}
	}
	var away time.Duration
	if !cp.At.IsZero() {
		away = max(0, a.opts.Clock().Sub(cp.At))
	}
	a.eval.Restore(cp.Checks, comps, away)
	part := &partition{applied: cp.Applied, skipTo: cp.SnapshotOffset, replayTo: cp.Applied,
		stored: map[int64]bool{}, snapshot: a.opts.Clock().Add(-a.stagger(p))}
	// Rows above the watermark are those of a batch whose state commit
	// did not happen; with no watermark yet, any row is.
	stored, err := a.opts.Results.StoredOffsets(ctx, p, cp.Applied+1, math.MaxInt64)
	if err != nil {
		return nil, 0, err
	}
	for _, off := range stored {
		part.stored[off] = true
	}
	if len(stored) > 0 {
		a.opts.Logger.Info("results stored beyond the watermark will not be written again",
			"partition", p, "watermark", cp.Applied, "offsets", len(stored))
	}
	if cp.Applied < 0 {
		return part, -1, nil // nothing stored yet: read where the group left it
	}
	if cp.SnapshotOffset < 0 { // no check states stored: none to replay onto
		part.skipTo = cp.Applied
	}
	return part, part.skipTo + 1, nil
}

// stagger spreads the partitions' snapshots over the snapshot interval, so
// that they do not all fall into one batch.
func (a *Aggregator) stagger(p int) time.Duration {
	if a.opts.SnapshotInterval <= 0 {
		return 0
	}
	const spread = 12 // the default number of partitions
	return a.opts.SnapshotInterval * time.Duration(p%spread) / spread
}

// release forgets the claim's state and gives up its lock.
func (a *Aggregator) release(o *owned) {
	a.eval.Forget(o.mine)
	a.m.forget(o.compOf)
	a.m.ownedPartitions.Set(0)
	if err := o.lock.Release(); err != nil {
		a.opts.Logger.Warn("release partition lock", "err", err)
	}
	a.opts.Logger.Info("released result partitions", "partitions", o.claim.Partitions())
}

// loop fetches and prepares batches, sweeping between them, and hands
// them to the writer.
func (a *Aggregator) loop(ctx context.Context, o *owned) (err error) {
	w := a.startWriter(ctx, o)
	defer func() {
		if werr := w.close(); err == nil {
			err = werr
		}
	}()
	lastSweep := a.opts.Clock()
	for {
		msgs, err := o.claim.Fetch(ctx, a.opts.BatchSize, a.opts.BatchWait)
		if errors.Is(err, ErrClaimEnded) || ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("fetch results: %w", err)
		}
		if err := w.failed(); err != nil {
			return err
		}
		if a.stale.Swap(false) {
			if err := a.refreshCatalog(ctx, true); err != nil {
				a.opts.Logger.Warn("reload changed catalog", "err", err)
			}
		}
		if len(msgs) > 0 {
			if wk := a.prepare(ctx, o, msgs); wk != nil {
				if err := w.send(ctx, wk); err != nil {
					return err
				}
			}
		}
		if now := a.opts.Clock(); now.Sub(lastSweep) >= a.opts.SweepInterval {
			lastSweep = now
			if wk := a.sweep(o, now); wk != nil {
				if err := w.send(ctx, wk); err != nil {
					return err
				}
			}
			if err := a.refreshCatalog(ctx, false); err != nil {
				a.opts.Logger.Warn("reload catalog", "err", err)
			}
			a.prune(ctx, now)
			if ids := a.freezeDue(o, now); len(ids) > 0 {
				if err := a.freezeMonths(ctx, ids, now); err != nil {
					a.opts.Logger.Warn("freeze closed months", "err", err)
				}
			}
		}
	}
}

// refreshCatalog reloads the catalog when it is due, or now if forced.
func (a *Aggregator) refreshCatalog(ctx context.Context, force bool) error {
	now := a.opts.Clock()
	if !force && now.Sub(a.catalog) < a.opts.CatalogInterval {
		return nil
	}
	cat, err := a.opts.Catalog(ctx)
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	a.eval.SetCatalog(cat)
	a.catalog = now
	return nil
}

// sweepLimit is how many components one sweep may change: about 100 ms of
// the writer's time, so that a region going silent for thousands of
// components does not hold up the results behind it.
const sweepLimit = 1000

// sweep re-decides the owned components by the clock: regions gone
// silent, components gone stale. Its changes are stored like a batch's.
func (a *Aggregator) sweep(o *owned, now time.Time) *work {
	ch := a.eval.Sweep(now, a.live(now), sweepLimit)
	if ch.Empty() {
		return nil
	}
	a.stamp(o, &ch, nil)
	a.eval.Commit(ch)
	return &work{changes: ch, started: now}
}

// stamp sets the partition and seq of each changed component: the offset
// of the last message of its partition in the batch, or the partition's
// watermark.
func (a *Aggregator) stamp(o *owned, ch *health.Changes, last map[int]int64) {
	for i := range ch.Components {
		c := &ch.Components[i]
		p := o.compOf[c.ComponentID]
		c.Partition = p
		if off, ok := last[p]; ok {
			c.Seq = off
		} else {
			c.Seq = o.parts[p].applied
		}
	}
	for i := range ch.Buckets {
		b := &ch.Buckets[i]
		p := o.compOf[b.ComponentID]
		b.Partition = p
		if off, ok := last[p]; ok {
			b.Seq = off
		} else {
			b.Seq = o.parts[p].applied
		}
	}
}

// persist writes changes and marks to the state store, retrying transient
// failures; a fenced watermark ends the claim.
func (a *Aggregator) persist(ctx context.Context, ch health.Changes, marks []health.Mark) error {
	for attempt := 0; ; attempt++ {
		err := a.opts.State.ApplyChanges(ctx, ch, marks)
		if err == nil {
			return nil
		}
		if errors.Is(err, health.ErrFenced) {
			a.m.storeErrors.WithLabelValues("state", "fenced").Inc()
			return fmt.Errorf("persist state: %w", err)
		}
		a.m.storeErrors.WithLabelValues("state", "transient").Inc()
		a.opts.Logger.Error("persist state", "attempt", attempt+1, "err", err)
		if !sleep(ctx, a.backoff(attempt)) {
			return ctx.Err()
		}
	}
}

// committed reports stored changes in the metrics and the log: one line
// per status change, and one line for all the components that turned
// stale together (a region going silent can make thousands stale at once).
func (a *Aggregator) committed(ch health.Changes) {
	for _, t := range ch.Transitions {
		a.m.transitions.WithLabelValues(string(t.To)).Inc()
		a.opts.Logger.Info("component status", "component_id", t.ComponentID, "from", t.From, "to", t.To, "at", t.At)
	}
	var stale []string
	for _, c := range ch.Components {
		if c.Stale && !a.m.staleIDs[c.ComponentID] {
			stale = append(stale, c.ComponentID)
		}
		a.m.observe(c)
	}
	if len(stale) > 0 {
		a.opts.Logger.Warn("no live region reports on these components: their statuses are stale",
			"components", len(stale), "first", stale[:min(len(stale), 5)])
	}
}

// snapshotDue reports whether a partition's check states are due to be
// stored with this batch.
func (a *Aggregator) snapshotDue(p *partition, now time.Time) bool {
	return p.applied < 0 || a.opts.SnapshotInterval <= 0 || now.Sub(p.snapshot) >= a.opts.SnapshotInterval
}

// sortedParts lists the partitions of a map's keys, sorted.
func sortedParts[V any](m map[int]V) []int {
	ps := make([]int, 0, len(m))
	for p := range m {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}
