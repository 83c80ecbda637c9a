package agent

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
)

const scaleChecks = 10_000

// nopProber succeeds at once.
type nopProber struct{}

func (nopProber) Probe(context.Context, catalog.Check) result.Result {
	return result.Result{Success: true, StatusCode: 200, Duration: time.Millisecond}
}

// countingPublisher counts results.
type countingPublisher struct{ n atomic.Int64 }

func (p *countingPublisher) Publish(context.Context, result.Result) error {
	p.n.Add(1)
	return nil
}

func scaleCheck(i int) catalog.Check {
	c := httpCheck(fmt.Sprintf("check-%05d", i), 30*time.Second)
	c.ComponentID = fmt.Sprintf("component-%04d", i/4)
	c.HTTP = &catalog.HTTPSpec{URL: fmt.Sprintf("https://service-%d.example.com/health", i), Method: "GET",
		Headers: map[string]string{"Accept": "application/json"}, BodyRegex: `"status":\s*"ok"`}
	return c
}

// TestTenThousandChecksMemory schedules 10,000 checks, runs each once and
// reports the heap the agent holds for them (schedule, metric series, check
// definitions) and its goroutines. The bounds are generous; the numbers are
// in the log (go test -run TenThousand -v).
func TestTenThousandChecksMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	goroutinesBefore := runtime.NumGoroutine()

	clock := newFakeClock(epoch)
	feed := newFakeFeed()
	pub := &countingPublisher{}
	a, err := New(Options{ID: "agent-1", Region: testRegion, Feed: feed, Publisher: pub,
		Probers: map[catalog.Type]Prober{catalog.TypeHTTP: nopProber{}}, Clock: clock,
		Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	for i := range scaleChecks {
		feed.send(t, scaleCheck(i))
	}
	clock.Set(epoch.Add(30*time.Second - 1)) // one full interval: every check runs once
	eventually(t, "every check to run once", func() bool { return pub.n.Load() == scaleChecks })
	eventually(t, "every run to finish", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, e := range a.sched.entries {
			if e.busy {
				return false
			}
		}
		return true
	})

	runtime.GC()
	runtime.ReadMemStats(&after)
	goroutines := runtime.NumGoroutine() - goroutinesBefore
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("10,000 checks scheduled and run once: heap %.1f MiB (%.0f B/check), %d goroutines",
		float64(heap)/(1<<20), float64(heap)/scaleChecks, goroutines)
	if heap > 64<<20 {
		t.Errorf("heap grew %.1f MiB for %d checks; the design budget is tens of MB", float64(heap)/(1<<20), scaleChecks)
	}
	if limit := DefaultConcurrency + 10; goroutines > limit {
		t.Errorf("%d goroutines for %d checks, want at most %d (workers, scheduler, feed)", goroutines, scaleChecks, limit)
	}
	if n := a.metrics.skipped.WithLabelValues("http"); testutil.ToFloat64(n) != 0 {
		t.Errorf("%v runs skipped", testutil.ToFloat64(n))
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(a)
}

// BenchmarkScheduler measures the agent's cost per dispatched run with
// 10,000 checks scheduled: "heap" is the schedule alone (pop, reschedule);
// "dispatch" adds the busy check, the hand-off to the worker pool, stamping,
// metrics and publishing, with a prober and publisher that do nothing.
func BenchmarkScheduler(b *testing.B) {
	b.Run("heap", func(b *testing.B) {
		s := newSchedule(testRegion)
		for i := range scaleChecks {
			s.upsert(scaleCheck(i), epoch)
		}
		runs := 0
		b.ReportAllocs()
		for b.Loop() {
			next, _ := s.nextDue()
			s.due(next, func(*entry, time.Time, int) { runs++ })
		}
		b.ReportMetric(float64(runs)/float64(b.N), "runs/op")
	})
	b.Run("dispatch", func(b *testing.B) {
		pub := &countingPublisher{}
		a, err := New(Options{ID: "agent-1", Region: testRegion, Feed: newFakeFeed(), Publisher: pub,
			Probers: map[catalog.Type]Prober{catalog.TypeHTTP: nopProber{}}, Clock: newFakeClock(epoch),
			Registerer: prometheus.NewRegistry()})
		if err != nil {
			b.Fatal(err)
		}
		for i := range scaleChecks {
			c := scaleCheck(i)
			a.apply(Update{ID: c.ID, Check: &c})
		}
		skipped := a.metrics.skipped.WithLabelValues("http")
		stop := a.startWorkers(context.Background())
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			a.mu.Lock()
			next, _ := a.sched.nextDue()
			a.sched.due(next, a.dispatch)
			a.mu.Unlock()
		}
		// Count the work the dispatches queued, not just the queueing.
		for pub.n.Load()+int64(testutil.ToFloat64(skipped)) < int64(b.N) {
			runtime.Gosched()
		}
		b.StopTimer()
		stop()
		b.ReportMetric(testutil.ToFloat64(skipped)/float64(b.N), "skipped/op")
	})
}

// BenchmarkScrape measures one scrape of the agent's registry with 10,000
// HTTP checks that have run (80,000 per-check series).
func BenchmarkScrape(b *testing.B) {
	reg := prometheus.NewRegistry()
	a, err := New(Options{ID: "agent-1", Region: testRegion, Feed: newFakeFeed(), Publisher: &countingPublisher{},
		Probers: map[catalog.Type]Prober{catalog.TypeHTTP: nopProber{}}, Clock: newFakeClock(epoch), Registerer: reg})
	if err != nil {
		b.Fatal(err)
	}
	for i := range scaleChecks {
		c := scaleCheck(i)
		a.apply(Update{ID: c.ID, Check: &c})
		a.sched.entries[c.ID].obs, a.sched.entries[c.ID].observed = observe(c, nopProber{}.Probe(context.Background(), c)), true
	}
	b.ReportAllocs()
	for b.Loop() {
		families, err := reg.Gather()
		if err != nil || len(families) == 0 {
			b.Fatalf("gather: %v", err)
		}
	}
}
