package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/deploy/dev/benchproc"
	"github.com/statusd/statusd/probes/icmpprobe"
	"github.com/statusd/statusd/transport/kafkabus"
)

// region is the agent's region; every check runs there.
const region = "bench"

// line is one JSON line of output: one agent run of one N.
type line struct {
	Bench     string  `json:"bench"`
	Type      string  `json:"type"`
	Checks    int     `json:"checks"`
	IntervalS float64 `json:"interval_s"`
	SteadyS   float64 `json:"steady_s"`
	// Scheduled counts the ticks of the steady state; Ran those whose result
	// reached the results topic; Failed those of them that did not succeed.
	Scheduled int            `json:"scheduled"`
	Ran       int            `json:"ran"`
	RanRatio  float64        `json:"ran_ratio"`
	Failed    int            `json:"failed"`
	FailedBy  map[string]int `json:"failed_by_class,omitempty"`
	// OnlineS is the time from the agent's start until every check had run
	// once; FirstResultS until the first had, so OnlineS − FirstResultS is
	// the spread of the first runs, which the schedule keeps within one
	// interval.
	OnlineS      float64 `json:"online_s"`
	FirstResultS float64 `json:"first_result_s"`
	JitterP50Ms  float64 `json:"jitter_p50_ms"`
	JitterP99Ms  float64 `json:"jitter_p99_ms"`
	JitterMaxMs  float64 `json:"jitter_max_ms"`
	// CPUCores is the agent's CPU time over the steady state per second.
	CPUCores        float64 `json:"cpu_cores"`
	CPUSPer1kProbes float64 `json:"cpu_s_per_1k_probes"`
	// FloorCPUSPer1kProbes is the bare client's; FloorRequests how many it made.
	FloorCPUSPer1kProbes float64 `json:"floor_cpu_s_per_1k_probes"`
	FloorRequests        int     `json:"floor_requests"`
	FloorErrors          int     `json:"floor_errors"`
	CPUVsFloor           float64 `json:"cpu_vs_floor"`
	PeakRSSMB            float64 `json:"peak_rss_mb"`
	// From the agent's /metrics at the end of the steady state.
	SkippedTicks  float64 `json:"skipped_ticks"`
	DroppedTotal  float64 `json:"results_dropped"`
	PublishErrors float64 `json:"publish_errors"`
	Revision      string  `json:"revision,omitempty"`
}

// bench is one run of the benchmark.
type bench struct {
	opts     options
	log      *slog.Logger
	dir      string
	bin      string
	rev      string
	target   string // the HTTP server's base URL
	cleanups []func() error
}

// onCleanup registers a cleanup; cleanup runs them newest first.
func (b *bench) onCleanup(fn func() error) { b.cleanups = append(b.cleanups, fn) }

// cleanup runs the cleanups, newest first.
func (b *bench) cleanup() error {
	var errs []error
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		errs = append(errs, b.cleanups[i]())
	}
	b.cleanups = nil
	return errors.Join(errs...)
}

func (b *bench) run(ctx context.Context, emit func(line) error) error {
	dir, err := os.MkdirTemp("", "benchagent-")
	if err != nil {
		return fmt.Errorf("create work directory: %w", err)
	}
	b.dir = dir
	b.onCleanup(func() error { return os.RemoveAll(dir) })
	if err := b.prepareBinary(ctx); err != nil {
		return err
	}
	if err := b.serveTarget(); err != nil {
		return err
	}
	type run struct {
		kind catalog.Type
		n    int
	}
	var runs []run
	for _, n := range b.opts.checks {
		runs = append(runs, run{catalog.TypeHTTP, n})
	}
	if b.opts.icmpChecks > 0 {
		runs = append(runs, run{catalog.TypeICMP, b.opts.icmpChecks})
	}
	for _, r := range runs {
		l, err := b.runOne(ctx, r.kind, r.n)
		if err != nil {
			return fmt.Errorf("%d %s checks: %w", r.n, r.kind, err)
		}
		if err := emit(l); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) prepareBinary(ctx context.Context) error {
	b.bin = b.opts.statusd
	if b.bin == "" {
		b.bin = filepath.Join(b.dir, "statusd")
		b.log.Info("building statusd", "module", b.opts.module)
		if err := benchproc.BuildStatusd(ctx, b.opts.module, b.bin); err != nil {
			return err
		}
	}
	b.rev = benchproc.BinaryRevision(b.bin)
	return nil
}

// serveTarget starts the loopback HTTP server every probe and the floor hit.
func (b *bench) serveTarget() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for the target: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})}
	go func() { _ = srv.Serve(ln) }()
	b.target = "http://" + ln.Addr().String()
	b.onCleanup(func() error {
		if err := srv.Close(); err != nil {
			return fmt.Errorf("close target server: %w", err)
		}
		return nil
	})
	return nil
}

// icmpTarget is what the ICMP checks and their floor ping.
const icmpTarget = "127.0.0.1"

// checks returns n checks of the kind: HTTP aimed at the target server,
// or ICMP to icmpTarget with the probe's default count and interval.
func (b *bench) checks(kind catalog.Type, n int) ([]catalog.Check, error) {
	out := make([]catalog.Check, n)
	for i := range out {
		id := fmt.Sprintf("check-%05d", i)
		out[i] = catalog.Check{ID: id, ComponentID: fmt.Sprintf("comp-%05d", i), Type: kind,
			Interval: b.opts.interval, Timeout: min(b.opts.interval, 5*time.Second), FailureThreshold: 3, SuccessThreshold: 2,
			Version: 1}
		if kind == catalog.TypeICMP {
			out[i].ICMP = &icmpprobe.Spec{Host: icmpTarget}
		} else {
			out[i].HTTP = &catalog.HTTPSpec{URL: b.target + "/" + id, Method: http.MethodGet}
		}
		out[i].ApplyDefaults()
		if errs := out[i].Validate(); len(errs) > 0 {
			return nil, fmt.Errorf("generated check %s is invalid: %v", id, errs)
		}
	}
	return out, nil
}

func (b *bench) runOne(ctx context.Context, kind catalog.Type, n int) (line, error) {
	l := line{Bench: "agent", Type: string(kind), Checks: n, IntervalS: b.opts.interval.Seconds(),
		SteadyS: b.opts.steady.Seconds(), Revision: b.rev}
	brokers := []string{b.opts.kafka}
	prefix := fmt.Sprintf("benchagent.%d.%s.%d.", time.Now().UnixNano(), kind, n)
	topics := kafkabus.TopicsWithPrefix(prefix)
	if err := kafkabus.EnsureTopics(ctx, brokers, topics, b.opts.partitions); err != nil {
		return l, err
	}
	b.onCleanup(func() error { return deleteTopics(b.opts.kafka, topics) })
	checks, err := b.checks(kind, n)
	if err != nil {
		return l, err
	}
	if err := publishChecks(ctx, brokers, topics.Checks, checks); err != nil {
		return l, err
	}
	col := newCollector()
	readCtx, stopReading := context.WithCancel(ctx)
	readDone := readResults(readCtx, b.opts.kafka, topics.Results, b.opts.partitions, col)
	defer func() { stopReading(); <-readDone }()

	proc, err := b.startAgent(fmt.Sprintf("%s-%d", kind, n), prefix)
	if err != nil {
		return l, err
	}
	b.onCleanup(func() error { _, err := proc.Stop(); return err })
	b.log.Info("agent started; waiting for every check to run once", "checks", n, "pid", proc.Pid())

	if err := b.waitOnline(ctx, proc, col, n); err != nil {
		return l, err
	}
	l.OnlineS = col.lastFirstStart().Sub(proc.Started()).Seconds()
	l.FirstResultS = round(col.firstStart().Sub(proc.Started()).Seconds(), 3)
	// Results carry times to the millisecond: a window on whole
	// milliseconds holds a tick exactly when it holds its truncated time.
	w0 := time.Now().Truncate(time.Millisecond)
	cpu0, err := benchproc.ProcCPUSeconds(proc.Pid())
	if err != nil {
		return l, err
	}
	b.log.Info("every check online; measuring the steady state", "online_s", l.OnlineS, "steady", b.opts.steady)
	if err := sleep(ctx, time.Until(w0.Add(b.opts.steady))); err != nil {
		return l, err
	}
	w1 := w0.Add(b.opts.steady)
	cpu1, err := benchproc.ProcCPUSeconds(proc.Pid())
	if err != nil {
		return l, err
	}
	if l.PeakRSSMB, err = benchproc.ProcPeakRSSMB(proc.Pid()); err != nil {
		return l, err
	}
	if m, err := proc.metrics(ctx); err != nil {
		b.log.Warn("agent metrics unreadable", "err", err)
	} else {
		l.SkippedTicks = sumSeries(m, "statusd_agent_skipped_runs_total")
		l.DroppedTotal = sumSeries(m, "statusd_agent_results_dropped_total")
		l.PublishErrors = sumSeries(m, "statusd_agent_publish_errors_total")
	}
	// Give the runs of the window's last ticks time to reach the topic.
	if err := sleep(ctx, 3*time.Second); err != nil {
		return l, err
	}
	if _, err := proc.Stop(); err != nil {
		return l, err
	}
	// And what the agent flushed as it stopped.
	if err := sleep(ctx, time.Second); err != nil {
		return l, err
	}
	stopReading()
	<-readDone

	l.Scheduled = scheduledTicks(checks, w0, w1)
	st := col.window(w0, w1)
	l.Ran, l.Failed, l.FailedBy = st.ran, st.failed, st.failedBy
	l.RanRatio = round(float64(l.Ran)/float64(max(1, l.Scheduled)), 4)
	l.JitterP50Ms, l.JitterP99Ms, l.JitterMaxMs = ms(percentile(st.jitter, 0.50)), ms(percentile(st.jitter, 0.99)), ms(percentile(st.jitter, 1))
	cpu := cpu1 - cpu0
	l.CPUCores = round(cpu/w1.Sub(w0).Seconds(), 3)
	l.CPUSPer1kProbes = round(cpu/float64(max(1, l.Ran))*1000, 3)

	b.log.Info("agent stopped; running the floor client", "kind", kind, "probes", l.Scheduled)
	floor, err := b.runFloor(ctx, kind, l.Scheduled, float64(n)/b.opts.interval.Seconds())
	if err != nil {
		return l, err
	}
	l.FloorRequests, l.FloorErrors = floor.Requests, floor.Errors
	l.FloorCPUSPer1kProbes = round(floor.cpu/float64(max(1, floor.Requests))*1000, 3)
	if l.FloorCPUSPer1kProbes > 0 {
		l.CPUVsFloor = round(l.CPUSPer1kProbes/l.FloorCPUSPer1kProbes, 3)
	}
	l.OnlineS = round(l.OnlineS, 3)
	l.PeakRSSMB = round(l.PeakRSSMB, 1)
	return l, nil
}

// waitOnline waits until every one of n checks has a result on the topic.
func (b *bench) waitOnline(ctx context.Context, proc *process, col *collector, n int) error {
	deadline := time.Now().Add(b.opts.onlineTimeout)
	for col.online() < n {
		if exited, err := proc.Exited(); exited {
			return fmt.Errorf("%w; last log lines:\n%s", err, proc.Tail(20))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d checks ran within %s of the agent's start; last log lines:\n%s",
				col.online(), n, b.opts.onlineTimeout, proc.Tail(20))
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// scheduledTicks counts the ticks of checks in [from, to): the agent runs a
// check at the Unix epoch + agent.Phase + k × interval.
func scheduledTicks(checks []catalog.Check, from, to time.Time) int {
	total := 0
	for _, c := range checks {
		phase := agent.Phase(c.ID, region, c.Interval)
		first := ticksBefore(from, phase, c.Interval)
		total += int(ticksBefore(to, phase, c.Interval) - first)
	}
	return total
}

// ticksBefore is how many ticks phase + k×interval (k ≥ 0) lie before t.
func ticksBefore(t time.Time, phase, interval time.Duration) int64 {
	d := t.UnixNano() - int64(phase)
	if d <= 0 {
		return 0
	}
	return (d + int64(interval) - 1) / int64(interval)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// sumSeries adds up every sample of the named family in the exposition.
func sumSeries(samples map[string]float64, name string) float64 {
	total := 0.0
	for key, v := range samples {
		if n, _, _ := strings.Cut(key, "{"); n == name {
			total += v
		}
	}
	return total
}
