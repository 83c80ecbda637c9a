package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/statusd/statusd/deploy/dev/benchproc"
)

// metricPrefix selects the aggregator's own metrics on /metrics.
const metricPrefix = "statusd_aggregator_"

// drainPoll is how often the drain watcher reads the committed offsets.
const drainPoll = 50 * time.Millisecond

// drainWatch follows the aggregator through the pre-load from outside: its
// readiness, its first consumed result (/metrics), its offset commits, its
// CPU time and that of its PostgreSQL backends.
type drainWatch struct {
	offsets *offsets
	marks   map[int]int64 // high watermarks after the pre-load
	proc    *benchproc.Process
	baseURL string
	http    *http.Client
	pg      *pgBackends
	timeout time.Duration // from process start to all committed
	stall   time.Duration // longest time without a new commit once ready
	log     *slog.Logger
}

// drainStats is what the watch saw.
type drainStats struct {
	ready, firstConsumed, firstCommit, done time.Time
	committedAtFirst                        int64 // results covered by the first commit seen
	cpuFirstCommit, cpuDone                 float64
	pgCPU                                   float64 // PostgreSQL backend CPU from first commit to done; -1 unknown
	metrics                                 map[string]float64
}

// watchState is the loop state of one watch.
type watchState struct {
	stats        drainStats
	total, last  int64
	lastProgress time.Time
	lastLog      time.Time
	pgStart      map[int]float64
}

// run waits until the group's commits reach the marks. It fails with a
// message saying how far the aggregator got when the process exits, when
// no commit comes for w.stall, or when w.timeout passes.
func (w *drainWatch) run(ctx context.Context) (drainStats, error) {
	s := &watchState{total: sum(w.marks), lastProgress: w.proc.Started(), lastLog: time.Now()}
	s.stats.pgCPU = -1
	deadline := w.proc.Started().Add(w.timeout)
	tick := time.NewTicker(drainPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return s.stats, fmt.Errorf("drain: %w", ctx.Err())
		case <-tick.C:
		}
		if gone, err := w.proc.Exited(); gone {
			return s.stats, fmt.Errorf("drain: %w after committing %d of %d results%s", err, s.last, s.total, w.errorsNote(ctx, s))
		}
		done, err := w.step(ctx, s)
		if err != nil || done {
			return s.stats, err
		}
		now := time.Now()
		switch {
		case now.After(deadline):
			return s.stats, fmt.Errorf("drain: timed out %s after the aggregator started: committed %d of %d results (%.1f %%)%s; raise -timeout if it is only slow",
				w.timeout, s.last, s.total, 100*float64(s.last)/float64(s.total), w.errorsNote(ctx, s))
		case !s.stats.ready.IsZero() && now.Sub(s.lastProgress) > w.stall:
			return s.stats, fmt.Errorf("drain: the aggregator is stuck: no offset commit for %s, committed %d of %d results%s",
				w.stall, s.last, s.total, w.errorsNote(ctx, s))
		case now.Sub(s.lastLog) >= 5*time.Second:
			s.lastLog = now
			w.log.Info("draining", "committed", s.last, "of", s.total, "elapsed", now.Sub(w.proc.Started()).Round(time.Millisecond))
		}
	}
}

// step polls once; done reports that everything is committed.
func (w *drainWatch) step(ctx context.Context, s *watchState) (done bool, err error) {
	now := time.Now()
	if s.stats.ready.IsZero() {
		if _, err := httpGet(ctx, w.http, w.baseURL+"/readyz", ""); err == nil {
			s.stats.ready, s.lastProgress = now, now
			w.log.Info("aggregator ready", "after", now.Sub(w.proc.Started()).Round(time.Millisecond))
		}
	}
	if s.stats.firstConsumed.IsZero() {
		if m, err := w.metrics(ctx); err == nil && m[metricPrefix+"results_consumed_total"] > 0 {
			s.stats.firstConsumed = now
		}
	}
	committed, err := w.offsets.committed(ctx)
	if err != nil {
		w.log.Warn("read committed offsets", "err", err)
		return false, nil // a stall or the timeout ends a lasting failure
	}
	n, all := progress(w.marks, committed)
	if n > s.last {
		s.last, s.lastProgress = n, now
	}
	if s.stats.firstCommit.IsZero() && n > 0 {
		s.stats.firstCommit, s.stats.committedAtFirst = now, n
		s.stats.cpuFirstCommit, _ = w.proc.CPUSeconds()
		s.pgStart = w.pg.cpu(ctx)
		w.log.Info("first offset commit", "after", now.Sub(w.proc.Started()).Round(time.Millisecond), "results", n)
	}
	if !all {
		return false, nil
	}
	s.stats.done = now
	if s.stats.cpuDone, err = w.proc.CPUSeconds(); err != nil {
		return true, fmt.Errorf("drain: %w", err)
	}
	if s.pgStart != nil {
		if end := w.pg.cpu(ctx); end != nil {
			s.stats.pgCPU = cpuDelta(s.pgStart, end)
		}
	}
	if s.stats.metrics, err = w.metrics(ctx); err != nil {
		return true, fmt.Errorf("drain: read aggregator metrics: %w", err)
	}
	return true, nil
}

func (w *drainWatch) metrics(ctx context.Context) (map[string]float64, error) {
	body, err := httpGet(ctx, w.http, w.baseURL+"/metrics", "")
	if err != nil {
		return nil, err
	}
	return parseMetrics(string(body), metricPrefix), nil
}

// errorsNote keeps the aggregator's metrics in s and names its error
// counters and its last logged error for a failure message.
func (w *drainWatch) errorsNote(ctx context.Context, s *watchState) string {
	var note string
	if m, err := w.metrics(ctx); err == nil {
		s.stats.metrics = m
		note = fmt.Sprintf(" (metrics: results_consumed_total %.0f, store_errors_total %.0f)",
			m[metricPrefix+"results_consumed_total"], m[metricPrefix+"store_errors_total"])
	}
	if e := lastError(w.proc.LogPath()); e != "" {
		note += "; last aggregator error: " + e
	}
	return note
}

// pgBackends reads the CPU time of the PostgreSQL backends connected to one
// database, when PostgreSQL runs on this machine (its /proc is readable).
type pgBackends struct {
	db       *sql.DB // any database of the server
	database string
}

// cpu returns backend pid → CPU seconds; nil when it cannot tell.
func (b *pgBackends) cpu(ctx context.Context) map[int]float64 {
	rows, err := b.db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, b.database)
	if err != nil {
		return nil
	}
	out := map[int]float64{}
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) != nil {
			continue
		}
		if s, err := benchproc.ProcCPUSeconds(pid); err == nil {
			out[pid] = s
		}
	}
	if rows.Close() != nil || rows.Err() != nil || len(out) == 0 {
		return nil
	}
	return out
}

// cpuDelta is the CPU the processes of end used since start; a process
// absent from start counts whole (it connected in between).
func cpuDelta(start, end map[int]float64) float64 {
	var d float64
	for pid, s := range end {
		d += s - start[pid]
	}
	return d
}
