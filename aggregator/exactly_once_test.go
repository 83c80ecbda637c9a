package aggregator

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/store/chstore"
	"github.com/statusd/statusd/store/sqlstore"
	"github.com/statusd/statusd/wire"
)

// stores are the production stores on fresh databases.
type stores struct {
	entities *sqlstore.Store
	series   *chstore.Store
	chAddr   string // the ClickHouse server and database of series
	chDB     string
}

func newStores(t testing.TB) stores {
	t.Helper()
	entities, err := sqlstore.Open(t.Context(), sqlstore.Options{Driver: "postgres", DSN: testenv.Postgres(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := entities.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := entities.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := entities.SyncCatalog(t.Context(), testCatalog(), base); err != nil {
		t.Fatal(err)
	}
	addr, db := testenv.ClickHouse(t)
	series, err := chstore.Open(t.Context(), chstore.Options{Addr: []string{addr}, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := series.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := series.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return stores{entities: entities, series: series, chAddr: addr, chDB: db}
}

// outcome is everything a run leaves in the stores that must not depend on
// crashes and restarts.
type outcome struct {
	Rows, Distinct, Rollup int64
	States                 []string
	Incidents              []string
	Buckets                []string
}

func (st stores) outcome(t *testing.T) outcome {
	t.Helper()
	var o outcome
	var err error
	if o.Rows, o.Distinct, err = st.series.CountResults(t.Context()); err != nil {
		t.Fatal(err)
	}
	if o.Rollup, err = st.series.RollupTotal(t.Context()); err != nil {
		t.Fatal(err)
	}
	states, err := st.entities.ComponentStates(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		o.States = append(o.States, fmt.Sprintf("%s %s since %s regions %v", s.ComponentID, s.Status,
			s.Since.Format(time.TimeOnly), s.FailingRegions))
	}
	incs, err := st.entities.Incidents(t.Context(), "", false, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, inc := range incs {
		var updates []string
		for _, u := range inc.Updates {
			updates = append(updates, fmt.Sprintf("%s@%s", u.Status, u.CreatedAt.Format(time.TimeOnly)))
		}
		o.Incidents = append(o.Incidents, fmt.Sprintf("%q %s %s..%s %v", inc.Name, inc.Status,
			inc.CreatedAt.Format(time.TimeOnly), inc.ResolvedAt.Format(time.TimeOnly), updates))
	}
	slices.Sort(o.Incidents)
	bs, err := st.entities.DayBuckets(t.Context(), []string{"c0", "c1", "c2"}, 20000101, 20991231)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		o.Buckets = append(o.Buckets, fmt.Sprintf("%s %s %+v", b.ComponentID, b.Day, b.Totals))
	}
	return o
}

// TestCrashAnywhereMatchesUninterrupted kills the pipeline (the state
// commit fails and the process stops, after the batch's rows reached
// ClickHouse) at several points, restarts it with a fresh evaluator on the
// same stores, and compares everything stored with an uninterrupted run
// over the same log: no duplicate row, no double-counted rollup, the same
// states and incidents.
func TestCrashAnywhereMatchesUninterrupted(t *testing.T) {
	l := newLog(t, false)
	want := func() outcome {
		st := newStores(t)
		run(t, st, l, 25, nil)
		return st.outcome(t)
	}()
	if want.Rows != int64(l.size()) || want.Distinct != want.Rows || want.Rollup != want.Rows {
		t.Fatalf("uninterrupted run: %+v; want %d rows, distinct, in the rollup", want, l.size())
	}
	if len(want.Incidents) != 1 {
		t.Fatalf("uninterrupted run opened %v; want one incident (c0's, reopened after its flap)", want.Incidents)
	}
	if len(want.Buckets) != 3 || !strings.Contains(want.Buckets[0], "Outages:2") {
		t.Fatalf("uninterrupted run stored buckets %v; want one per component, c0's with its two outages", want.Buckets)
	}
	for _, crashAt := range []int64{1, 2, 4, 7} {
		t.Run(fmt.Sprintf("crash at commit %d", crashAt), func(t *testing.T) {
			st := newStores(t)
			runWith(t, st, l, 25, func(s StateStore, crash func()) StateStore {
				f := &faultyState{StateStore: s, crash: crash}
				f.crashAt.Store(crashAt)
				return f
			}, 0)
			if got := st.outcome(t); got.Rows == want.Rows {
				t.Fatalf("the crash at commit %d came after the whole log was stored: the test tests nothing", crashAt)
			}
			a := run(t, st, l, 25, nil)
			if got := st.outcome(t); !reflect.DeepEqual(got, want) {
				t.Errorf("after a crash at commit %d and a restart:\n got %+v\nwant %+v", crashAt, got, want)
			}
			if testutil.ToFloat64(a.m.skipped) == 0 && crashAt > 1 {
				t.Errorf("the restart skipped no stored rows: the crash did not leave rows beyond the watermark")
			}
		})
	}
}

// TestStateFailureAfterStoredRows fails the state commit twice after the
// batch's rows were stored: the retry commits the state without writing
// the rows again, and each row is counted once.
func TestStateFailureAfterStoredRows(t *testing.T) {
	l := newLog(t, false)
	st := newStores(t)
	a := run(t, st, l, 40, func(s StateStore, _ func()) StateStore {
		f := &faultyState{StateStore: s}
		f.failNext.Store(2)
		return f
	})
	got := st.outcome(t)
	if got.Rows != int64(l.size()) || got.Distinct != got.Rows || got.Rollup != got.Rows {
		t.Errorf("stored %+v; want %d rows, all distinct, all in the rollup once", got, l.size())
	}
	if w := testutil.ToFloat64(a.m.written); w != float64(l.size()) {
		t.Errorf("results_written_total = %v, want %d", w, l.size())
	}
	if e := testutil.ToFloat64(a.m.storeErrors.WithLabelValues("state", "transient")); e != 2 {
		t.Errorf("state store errors = %v, want 2", e)
	}
}

// TestBadInputIsCountedAndPassed feeds garbage, a message of another schema
// version and a result of an unknown check: each is counted by reason, the
// partition's watermark moves past them, and the states are those of the
// same log without them.
func TestBadInputIsCountedAndPassed(t *testing.T) {
	want := func() outcome {
		st := newStores(t)
		run(t, st, newLog(t, false), 25, nil)
		return st.outcome(t)
	}()
	st := newStores(t)
	l := newLog(t, true)
	a := run(t, st, l, 25, nil)
	if got := st.outcome(t); !reflect.DeepEqual(got, want) {
		t.Errorf("with bad input:\n got %+v\nwant %+v", got, want)
	}
	for _, c := range []struct {
		name string
		got  float64
	}{
		{"malformed{syntax}", testutil.ToFloat64(a.m.malformed.WithLabelValues("syntax"))},
		{"malformed{version}", testutil.ToFloat64(a.m.malformed.WithLabelValues("version"))},
		{"dropped{unknown_check}", testutil.ToFloat64(a.m.dropped.WithLabelValues("unknown_check"))},
	} {
		if c.got != 1 {
			t.Errorf("%s = %v, want 1", c.name, c.got)
		}
	}
	cp, _, err := st.entities.LoadPartition(t.Context(), "results", 0)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Applied != int64(len(l.parts[0])-1) {
		t.Errorf("watermark of partition 0 = %d, want the last offset %d", cp.Applied, len(l.parts[0])-1)
	}
}

// TestNewCheckWithoutRestart adds a check to the catalog while the
// aggregator runs: its results are applied once the catalog is reloaded,
// which a result of an unknown check triggers.
func TestNewCheckWithoutRestart(t *testing.T) {
	st := newStores(t)
	cat := testCatalog()
	extra := catalog.Check{ID: "k-new", ComponentID: "c2", Type: catalog.TypeHTTP, Interval: interval, Timeout: time.Second,
		FailureThreshold: 1, SuccessThreshold: 1, HTTP: &catalog.HTTPSpec{URL: "http://127.0.0.1:1/", Method: "GET"}}
	loads := 0
	l := &memLog{}
	for n := 1; n <= 3; n++ {
		at := base.Add(time.Duration(n) * interval)
		v, err := wire.EncodeResult(result.Result{ID: fmt.Sprintf("new-%d", n), CheckID: "k-new", ComponentID: "c2",
			Region: "eu", Scheduled: at, Started: at, ErrorClass: result.ErrRefused})
		if err != nil {
			t.Fatal(err)
		}
		l.parts[0] = append(l.parts[0], v)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var mu sync.Mutex
	clock := base.Add(4 * interval)
	tick := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(2 * time.Second)
		return clock
	}
	a, err := New(Options{
		Source: &logSource{log: l, idle: cancel}, Results: st.series, State: st.entities,
		Lock: func(ctx context.Context, topic string, ps []int) (Lock, error) {
			return st.entities.LockPartitions(ctx, topic, ps)
		},
		Catalog: func(context.Context) (catalog.Catalog, error) {
			loads++
			if loads == 1 {
				return cat, nil // at start the check does not exist yet
			}
			c := cat
			c.Checks = append(slices.Clone(cat.Checks), extra)
			return c, nil
		},
		BatchSize: 1, Clock: tick,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if loads < 2 {
		t.Fatalf("the catalog was loaded %d times; a result of an unknown check must reload it", loads)
	}
	if got := testutil.ToFloat64(a.m.written); got < 2 {
		t.Fatalf("%v results of the new check were stored, want at least 2 once the catalog had it", got)
	}
	all, err := st.entities.ComponentStates(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var states []health.ComponentState
	for _, s := range all {
		if s.Partition >= 0 { // not a catalog sync's no-data placeholder
			states = append(states, s)
		}
	}
	if len(states) != 1 || states[0].ComponentID != "c2" || states[0].Status != "major_outage" {
		t.Fatalf("states %+v; want c2 in major outage from its new check", states)
	}
}

// poisoned refuses, for good, any batch that holds one of its result IDs,
// as ClickHouse refuses data it cannot take.
type poisoned struct {
	ResultWriter
	ids map[string]bool
}

func (p poisoned) WriteResults(ctx context.Context, rs []result.Result) (int, error) {
	for _, r := range rs {
		if p.ids[r.ID] {
			return 0, fmt.Errorf("send: %w: code: 53, message: type mismatch", result.ErrRejected)
		}
	}
	return p.ResultWriter.WriteResults(ctx, rs)
}

// TestRejectedRowsDoNotStall: rows the time-series store rejects for good
// are found by halving the batch, dropped and counted; the rest is stored
// and the partition moves on.
func TestRejectedRowsDoNotStall(t *testing.T) {
	st := newStores(t)
	l := newLog(t, false)
	bad := map[string]bool{"c1-eu-7": true, "c2-ap-12": true, "c0-us-20": true}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	a := newTestAggregator(t, st, st.entities, &logSource{log: l, idle: cancel}, 40)
	a.opts.Results = poisoned{ResultWriter: st.series, ids: bad}
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := st.outcome(t)
	if want := int64(l.size() - len(bad)); got.Rows != want || got.Distinct != want || got.Rollup != want {
		t.Errorf("stored %d rows (%d distinct, rollup %d), want the %d not rejected", got.Rows, got.Distinct, got.Rollup, want)
	}
	if n := testutil.ToFloat64(a.m.dropped.WithLabelValues("rejected")); n != float64(len(bad)) {
		t.Errorf("dropped{rejected} = %v, want %d", n, len(bad))
	}
	for p := range partitions {
		cp, _, err := st.entities.LoadPartition(t.Context(), "results", p)
		if err != nil {
			t.Fatal(err)
		}
		if cp.Applied != int64(len(l.parts[p])-1) {
			t.Errorf("watermark of partition %d = %d, want %d: a rejected row stalled it", p, cp.Applied, len(l.parts[p])-1)
		}
	}
}

// TestRetakeWithinTheClaim: a partition that cannot be loaded, or whose
// watermark was found moved (fenced), is taken again from the store within
// the same claim, and what is stored in the end is what an uninterrupted
// run stores.
func TestRetakeWithinTheClaim(t *testing.T) {
	l := newLog(t, false)
	want := func() outcome {
		st := newStores(t)
		run(t, st, l, 25, nil)
		return st.outcome(t)
	}()
	st := newStores(t)
	var f *faultyState
	run(t, st, l, 25, func(s StateStore, _ func()) StateStore {
		f = &faultyState{StateStore: s}
		f.loadFails.Store(1)
		f.fenceAt.Store(3)
		return f
	})
	if got := st.outcome(t); !reflect.DeepEqual(got, want) {
		t.Errorf("after a failed load and a fenced commit:\n got %+v\nwant %+v", got, want)
	}
	if f.loadFails.Load() != 0 || f.calls.Load() < 3 {
		t.Fatalf("the faults were not reached (load faults left %d, commits %d)", f.loadFails.Load(), f.calls.Load())
	}
}
