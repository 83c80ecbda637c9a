package aggregator

import (
	"context"
	"time"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/wire"
)

// work is a prepared batch for the writer: the rows to store, the changes
// and watermark moves to persist, the offsets to acknowledge.
type work struct {
	rows    []result.Result
	changes health.Changes
	marks   []health.Mark
	next    map[int]int64 // offsets to commit to the source
	started time.Time
}

// prepare turns one fetch into work: it decodes, replays what is stored
// already, evaluates the rest and commits the changes to the evaluator at
// once, so the next batch is evaluated while this one is written. If the
// writer fails for good the claim ends and the state is reloaded from the
// store, so the early commit can never outlive a failed write. nil means
// nothing is left to store (everything was replay).
func (a *Aggregator) prepare(ctx context.Context, o *owned, msgs []Message) *work {
	now := a.opts.Clock()
	replay, live, last := a.decode(o, msgs)
	a.observeFleet(replay, now)
	a.observeFleet(live, now)
	if len(replay) > 0 {
		a.eval.Replay(replay, now)
		a.m.replayed.Add(float64(len(replay)))
	}
	if len(last) == 0 {
		return nil
	}
	if a.unknownChecks(live) {
		if err := a.refreshCatalog(ctx, true); err != nil {
			a.opts.Logger.Warn("reload catalog for unknown checks", "err", err)
		}
	}
	ch, outcomes := a.eval.Evaluate(live, now, a.live(now))
	w := &work{changes: ch, rows: make([]result.Result, 0, len(live)), next: make(map[int]int64, len(last)), started: now}
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
		w.rows = append(w.rows, r)
	}
	a.stamp(o, &w.changes, last)
	a.eval.Commit(w.changes)
	w.marks = a.marks(o, last, now)
	for p, off := range last {
		part := o.parts[p]
		part.applied = off
		w.next[p] = off + 1
		for k := range part.stored {
			if k <= off {
				delete(part.stored, k)
			}
		}
	}
	return w
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
		r, err := a.dec.Decode(m.Value)
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

// observeFleet tells the fleet which agents were heard, and when: a
// result proves its agent was alive at its tick (at most now), so a recent
// one counts, replayed or not, and one from an old backlog does not. Timing
// by the tick, not by arrival, keeps a region's liveness after a restart
// independent of which results the first batches happen to hold.
func (a *Aggregator) observeFleet(rs []result.Result, now time.Time) {
	if a.opts.Fleet == nil || len(rs) == 0 {
		return
	}
	type agentKey struct{ region, agent string }
	newest := map[agentKey]time.Time{}
	for _, r := range rs {
		k := agentKey{r.Region, r.AgentID}
		if r.Scheduled.After(newest[k]) {
			newest[k] = r.Scheduled
		}
	}
	for k, tick := range newest {
		if now.Sub(tick) > heardWithin {
			continue
		}
		if tick.After(now) {
			tick = now // an agent whose clock runs ahead was heard now at the latest
		}
		a.opts.Fleet.ObserveResults(k.region, k.agent, tick)
	}
}

// heardWithin is how recent a result's tick must be to count as a sign of
// life of its agent.
const heardWithin = 30 * time.Second

// live returns the evaluator's view of live regions now. A region the
// fleet does not know (none of its agents heard since this aggregator
// started) is not declared dead: its check states' own silence decides,
// so a restart does not silence every region until the fleet hears them.
func (a *Aggregator) live(now time.Time) health.Live {
	if a.opts.Fleet == nil {
		return func(string) bool { return true }
	}
	set := a.opts.Fleet.LiveRegions(now)
	return func(region string) bool {
		live, known := set[region]
		return live || !known
	}
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
// states (committed to the evaluator already) of each partition whose
// snapshot is due.
func (a *Aggregator) marks(o *owned, last map[int]int64, now time.Time) []health.Mark {
	marks := make([]health.Mark, 0, len(last))
	due := map[int]bool{}
	for _, p := range sortedParts(last) {
		part := o.parts[p]
		m := health.Mark{Topic: o.topic, Partition: p, Prev: part.applied, Applied: last[p], At: now}
		if a.snapshotDue(part, now) {
			part.snapshot, due[p] = now, true
			m.Snapshot = []health.CheckState{}
		}
		marks = append(marks, m)
	}
	if len(due) == 0 {
		return marks
	}
	// One pass over the states for every partition due.
	byPart := map[int][]health.CheckState{}
	for _, s := range a.eval.CheckStates(func(id string) bool { q, ok := o.compOf[id]; return ok && due[q] }) {
		c, _ := a.eval.Check(s.CheckID)
		p := o.compOf[c.ComponentID]
		byPart[p] = append(byPart[p], s)
	}
	for i := range marks {
		if m := &marks[i]; due[m.Partition] && len(byPart[m.Partition]) > 0 {
			m.Snapshot = byPart[m.Partition]
		}
	}
	return marks
}
