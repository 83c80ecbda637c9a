package aggregator

import (
	"context"
	"errors"
	"time"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/wire"
)

// batch processes one fetch: it decodes, replays what is stored already,
// evaluates the rest, writes the new time series, persists the state with
// the watermarks, and acknowledges. It returns an error only when the
// claim must end.
func (a *Aggregator) batch(ctx context.Context, o *owned, msgs []Message) error {
	start := a.opts.Clock()
	now := start
	replay, live, last := a.decode(o, msgs)
	if len(replay) > 0 {
		a.eval.Replay(replay, now)
		a.m.replayed.Add(float64(len(replay)))
	}
	if len(last) == 0 {
		return nil // everything was replay
	}
	a.observeFleet(live, now)
	if a.unknownChecks(live) {
		if err := a.refreshCatalog(ctx, true); err != nil {
			a.opts.Logger.Warn("reload catalog for unknown checks", "err", err)
		}
	}
	ch, outcomes := a.eval.Evaluate(live, now, a.live(now))
	rows := make([]result.Result, 0, len(live))
	for i, r := range live {
		if outcomes[i] != health.Applied {
			a.m.dropped.WithLabelValues(outcomes[i].String()).Inc()
			a.warnOnce("result:"+outcomes[i].String(), "drop result", "result_id", r.ID, "check_id", r.CheckID,
				"component_id", r.ComponentID, "region", r.Region, "scheduled", r.Scheduled)
			continue
		}
		if o.parts[r.Partition].stored[r.Offset] {
			a.m.skipped.Inc()
			continue
		}
		rows = append(rows, r)
	}
	if err := a.writeRows(ctx, o, rows); err != nil {
		return err
	}
	a.stamp(o, &ch, last)
	marks := a.marks(o, ch, last, now)
	if err := a.persist(ctx, ch, marks); err != nil {
		return err
	}
	a.committed(ch)
	next := make(map[int]int64, len(last))
	for p, off := range last {
		part := o.parts[p]
		part.applied = off
		next[p] = off + 1
		for k := range part.stored {
			if k <= off {
				delete(part.stored, k)
			}
		}
	}
	for _, m := range marks {
		if m.Snapshot != nil {
			o.parts[m.Partition].snapshot = now
		}
	}
	if err := o.claim.Commit(ctx, next); err != nil && ctx.Err() == nil {
		a.opts.Logger.Warn("commit offsets (the stored watermarks are what counts)", "err", err)
	}
	a.m.batchSeconds.Observe(a.opts.Clock().Sub(start).Seconds())
	a.m.lastBatch.Set(float64(a.opts.Clock().UnixNano()) / 1e9)
	return nil
}

// decode turns messages into results: those at or below a partition's
// replay point to replay, the others live; last is the last live offset of
// each partition. Malformed messages are counted and skipped, but still
// move the watermark: a message that can never be read must not stall its
// partition.
func (a *Aggregator) decode(o *owned, msgs []Message) (replay, live []result.Result, last map[int]int64) {
	last = map[int]int64{}
	live = make([]result.Result, 0, len(msgs))
	for _, m := range msgs {
		p := o.parts[m.Partition]
		if p == nil {
			continue // not ours: the source handed out a partition it did not claim
		}
		replaying := m.Offset > p.skipTo && m.Offset <= p.replayTo
		if !replaying && m.Offset <= p.applied {
			continue // in the snapshot, or stored by this claim already
		}
		r, err := wire.DecodeResult(m.Value)
		if !replaying {
			last[m.Partition] = m.Offset
		}
		if err != nil {
			if !replaying {
				kind := wire.KindOf(err)
				a.m.malformed.WithLabelValues(string(kind)).Inc()
				a.warnOnce("malformed:"+string(kind), "skip malformed result message", "partition", m.Partition,
					"offset", m.Offset, "err", err)
			}
			continue
		}
		r.Partition, r.Offset = m.Partition, m.Offset
		if replaying {
			replay = append(replay, r)
			continue
		}
		o.compOf[r.ComponentID] = m.Partition
		live = append(live, r)
	}
	a.m.consumed.Add(float64(len(live)))
	return replay, live, last
}

// observeFleet tells the fleet which agents were heard: a result whose
// tick is recent is proof that its agent is alive now; one from a backlog
// is not.
func (a *Aggregator) observeFleet(rs []result.Result, now time.Time) {
	if a.opts.Fleet == nil {
		return
	}
	type agentKey struct{ region, agent string }
	seen := map[agentKey]bool{}
	for _, r := range rs {
		k := agentKey{r.Region, r.AgentID}
		if seen[k] || now.Sub(r.Scheduled) > heardWithin {
			continue
		}
		seen[k] = true
		a.opts.Fleet.ObserveResults(r.Region, r.AgentID, now)
	}
}

// heardWithin is how recent a result's tick must be to count as a sign of
// life of its agent.
const heardWithin = 30 * time.Second

// live returns the evaluator's view of live regions now.
func (a *Aggregator) live(now time.Time) health.Live {
	if a.opts.Fleet == nil {
		return func(string) bool { return true }
	}
	set := a.opts.Fleet.LiveRegions(now)
	return func(region string) bool { return set[region] }
}

func (a *Aggregator) unknownChecks(rs []result.Result) bool {
	for _, r := range rs {
		if !a.eval.Known(r.CheckID) {
			return a.opts.Clock().Sub(a.catalog) >= time.Second
		}
	}
	return false
}

// marks are the watermark moves of a batch, with a snapshot of the check
// states of each partition whose snapshot is due.
func (a *Aggregator) marks(o *owned, ch health.Changes, last map[int]int64, now time.Time) []health.Mark {
	marks := make([]health.Mark, 0, len(last))
	for _, p := range sortedParts(last) {
		part := o.parts[p]
		m := health.Mark{Topic: o.topic, Partition: p, Prev: part.applied, Applied: last[p], At: now}
		if a.snapshotDue(part, now) {
			m.Snapshot = a.eval.CheckStatesAfter(ch, func(id string) bool {
				q, ok := o.compOf[id]
				return ok && q == p
			})
			if m.Snapshot == nil {
				m.Snapshot = []health.CheckState{}
			}
		}
		marks = append(marks, m)
	}
	return marks
}

// writeRows stores the batch's new time series. Transient failures are
// retried; after a failure the store is asked which rows landed, so a
// retry writes none twice. A batch the store rejects for good is split to
// find the rows it rejects, which are dropped and counted. An error means
// the claim must end.
func (a *Aggregator) writeRows(ctx context.Context, o *owned, rows []result.Result) error {
	for attempt := 0; len(rows) > 0; attempt++ {
		if err := o.lock.Check(ctx); err != nil {
			return err
		}
		written, rejected, err := a.write(ctx, rows)
		a.m.written.Add(float64(written))
		if err == nil {
			if rejected > 0 {
				a.m.dropped.WithLabelValues("rejected").Add(float64(rejected))
			}
			return nil
		}
		a.m.storeErrors.WithLabelValues("timeseries", "transient").Inc()
		a.opts.Logger.Error("write results", "results", len(rows), "attempt", attempt+1, "err", err)
		if !sleep(ctx, a.backoff(attempt)) {
			return ctx.Err()
		}
		if rows, err = a.unstored(ctx, rows); err != nil {
			return err
		}
	}
	return nil
}

// write writes rows; a permanent rejection splits the rows in halves until
// the rejected ones are alone, and those are dropped.
func (a *Aggregator) write(ctx context.Context, rows []result.Result) (written, rejected int, err error) {
	n, err := a.opts.Results.WriteResults(ctx, rows)
	switch {
	case err == nil:
		return n, 0, nil
	case !errors.Is(err, result.ErrRejected):
		return 0, 0, err
	case len(rows) == 1:
		a.warnOnce("rejected", "the time-series store rejects a result; dropped", "result_id", rows[0].ID, "err", err)
		return 0, 1, nil
	}
	half := len(rows) / 2
	w1, r1, err := a.write(ctx, rows[:half])
	if err != nil {
		return w1, r1, err
	}
	w2, r2, err := a.write(ctx, rows[half:])
	return w1 + w2, r1 + r2, err
}

// unstored drops the rows the time-series store holds already, asking it
// for the offsets of each partition's range in the rows.
func (a *Aggregator) unstored(ctx context.Context, rows []result.Result) ([]result.Result, error) {
	lo, hi := map[int]int64{}, map[int]int64{}
	for _, r := range rows {
		if v, ok := lo[r.Partition]; !ok || r.Offset < v {
			lo[r.Partition] = r.Offset
		}
		hi[r.Partition] = max(hi[r.Partition], r.Offset)
	}
	stored := map[[2]int64]bool{}
	for p, from := range lo {
		offs, err := a.opts.Results.StoredOffsets(ctx, p, from, hi[p])
		if err != nil {
			return rows, nil // still failing; the next attempt asks again
		}
		for _, off := range offs {
			stored[[2]int64{int64(p), off}] = true
		}
	}
	kept := rows[:0:0]
	for _, r := range rows {
		if !stored[[2]int64{int64(r.Partition), r.Offset}] {
			kept = append(kept, r)
		}
	}
	if len(kept) < len(rows) {
		a.opts.Logger.Info("results of a failed write landed; not writing them again", "results", len(rows)-len(kept))
	}
	return kept, nil
}
