package aggregator

import (
	"context"
	"errors"
	"time"

	"github.com/statusd/statusd/result"
)

// writer stores prepared work in order, one batch at a time, while the
// claim's loop prepares the next: the time-series insert and the state
// commit run beside the decoding and evaluation of what follows.
type writer struct {
	a     *Aggregator
	o     *owned
	queue chan *work
	done  chan error // the writer's end: nil, or why the claim must end
}

// flushTimeout bounds how long the writer goes on storing queued work
// once the claim's context has ended (shutdown, rebalance).
const flushTimeout = 10 * time.Second

func (a *Aggregator) startWriter(ctx context.Context, o *owned) *writer {
	w := &writer{a: a, o: o, queue: make(chan *work, 1), done: make(chan error, 1)}
	// What is queued is stored even after ctx ends, within flushTimeout:
	// a shutdown flushes instead of leaving a batch to be read again.
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(a.flush, cancel) })
	go func() {
		defer cancel()
		defer stop()
		var err error
		for wk := range w.queue {
			if err = a.store(wctx, o, wk); err != nil {
				break
			}
		}
		w.done <- err       // at once: the loop must learn of a failure now, not at close
		for range w.queue { // drain, so the loop never blocks on a dead writer
		}
	}()
	return w
}

// send queues work; it fails when the writer has stopped.
func (w *writer) send(ctx context.Context, wk *work) error {
	select {
	case w.queue <- wk:
		return nil
	case err := <-w.done:
		w.done <- err // keep it for close
		if err == nil {
			err = errors.New("writer stopped")
		}
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// failed returns the writer's error once it has stopped on one.
func (w *writer) failed() error {
	select {
	case err := <-w.done:
		w.done <- err // keep it for close
		return err
	default:
		return nil
	}
}

// close lets the writer store what is queued and returns its error.
func (w *writer) close() error {
	close(w.queue)
	return <-w.done
}

// store writes one batch: rows, then changes with watermarks, then the
// acknowledgement.
func (a *Aggregator) store(ctx context.Context, o *owned, wk *work) error {
	if err := a.writeRows(ctx, o, wk.rows); err != nil {
		return err
	}
	if err := a.persist(ctx, wk.changes, wk.marks); err != nil {
		return err
	}
	a.committed(wk.changes)
	if len(wk.next) > 0 {
		if err := o.claim.Commit(ctx, wk.next); err != nil && ctx.Err() == nil {
			a.opts.Logger.Warn("commit offsets (the stored watermarks are what counts)", "err", err)
		}
		a.m.batchSeconds.Observe(a.opts.Clock().Sub(wk.started).Seconds())
		a.m.lastBatch.Set(float64(a.opts.Clock().UnixNano()) / 1e9)
	}
	return nil
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
