package health

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/status"
)

func all(string) bool { return true }

func TestEvaluateChangesNothingUntilCommit(t *testing.T) {
	e := NewEvaluator(Options{Catalog: testCatalog(0, "")})
	b := at(3, run("eu", 1, 3, false)...)
	first, _ := e.Evaluate(b.rs, b.now, all)
	again, _ := e.Evaluate(b.rs, b.now, all)
	if len(first.Incidents) != 1 || !reflect.DeepEqual(first, again) {
		t.Fatalf("an uncommitted evaluation changed the evaluator:\nfirst %+v\nagain %+v", first, again)
	}
	e.Commit(first)
	ch, outs := e.Evaluate(b.rs, b.now, all)
	if !ch.Empty() {
		t.Fatalf("after commit the same batch changed %+v", ch)
	}
	for i, o := range outs {
		if o != Duplicate {
			t.Errorf("result %d: %s, want duplicate", i, o)
		}
	}
}

// TestRestoreFromSnapshot checks that an evaluator restored from a
// snapshot of check states and the stored component states, plus a replay
// of what came after the snapshot, decides the rest as the original does.
func TestRestoreFromSnapshot(t *testing.T) {
	cat := testCatalog(0, "")
	batches := []batch{
		at(2, join(run("eu", 1, 2, true), run("us", 1, 2, true))...),
		at(4, join(run("eu", 3, 4, false), run("us", 3, 4, true))...),
		at(6, join(run("eu", 5, 6, false), run("us", 5, 6, false))...),
		at(9, join(run("eu", 7, 9, true), run("us", 7, 9, true))...),
	}
	orig := NewEvaluator(Options{Catalog: cat})
	var snapshot []CheckState
	var comps []ComponentState
	var wantAfter []Changes
	for i, b := range batches {
		ch, _ := orig.Evaluate(b.rs, b.now, all)
		if i >= 2 {
			wantAfter = append(wantAfter, ch)
		}
		orig.Commit(ch)
		switch i {
		case 0:
			snapshot = orig.CheckStates(all)
		case 1:
			c, _ := orig.Component("api")
			comps = []ComponentState{c}
		}
	}
	restored := NewEvaluator(Options{Catalog: cat})
	restored.Restore(snapshot, comps, 0)
	restored.Replay(batches[1].rs, batches[1].now)
	for i, b := range batches[2:] {
		ch, _ := restored.Evaluate(b.rs, b.now, all)
		if !reflect.DeepEqual(ch, wantAfter[i]) {
			t.Errorf("batch %d after the restore:\n got %+v\nwant %+v", i+2, ch, wantAfter[i])
		}
		restored.Commit(ch)
	}
	if !reflect.DeepEqual(restored.CheckStates(all), orig.CheckStates(all)) {
		t.Errorf("check states differ after the restore")
	}
	restored.Forget(func(id string) bool { return id == "api" })
	if s := restored.CheckStates(all); len(s) != 0 {
		t.Errorf("after Forget, %d check states remain", len(s))
	}
	if _, ok := restored.Component("api"); ok {
		t.Errorf("after Forget, the component state remains")
	}
}

func TestIncidentTitleFollowsTheWorstState(t *testing.T) {
	cat := testCatalog(0, catalog.IncidentOnPartial)
	three := func(n int, eu, us, ap bool) []res { return []res{{n, "eu", eu}, {n, "us", us}, {n, "ap", ap}} }
	e := NewEvaluator(Options{Catalog: cat})
	var acts []IncidentAction
	for _, b := range []batch{
		at(3, join(three(1, false, true, true), three(2, false, true, true), three(3, false, true, true))...),    // partial
		at(6, join(three(4, false, false, true), three(5, false, false, true), three(6, false, false, true))...), // major
		at(8, join(three(7, false, true, true), three(8, false, true, true))...),                                 // partial again
	} {
		ch, _ := e.Evaluate(b.rs, b.now, all)
		acts = append(acts, ch.Incidents...)
		e.Commit(ch)
	}
	want := []struct {
		kind   ActionKind
		name   string
		impact incident.Impact
	}{
		{ActionOpen, "API: partial outage", incident.ImpactMajor},
		{ActionUpdate, "API: major outage", incident.ImpactCritical},
		{ActionUpdate, "API: major outage", incident.ImpactCritical},
	}
	if len(acts) != len(want) {
		t.Fatalf("incident actions %+v, want %d", acts, len(want))
	}
	for i, w := range want {
		if acts[i].Kind != w.kind || acts[i].Name != w.name || acts[i].Impact != w.impact {
			t.Errorf("action %d = %s %q %s, want %s %q %s", i, acts[i].Kind, acts[i].Name, acts[i].Impact, w.kind, w.name, w.impact)
		}
	}
}

func TestRemovedCheckForgetsItsState(t *testing.T) {
	e := NewEvaluator(Options{Catalog: testCatalog(0, "")})
	b := at(3, run("eu", 1, 3, false)...)
	ch, _ := e.Evaluate(b.rs, b.now, all)
	e.Commit(ch)
	e.SetCatalog(catalog.Catalog{Components: testCatalog(0, "").Components})
	if s := e.CheckStates(all); len(s) != 0 {
		t.Fatalf("check states of a removed check remain: %+v", s)
	}
	if _, outs := e.Evaluate(at(4, res{4, "eu", false}).rs, tick(4), all); outs[0] != UnknownCheck {
		t.Fatalf("result of a removed check: %s, want unknown_check", outs[0])
	}
}

func BenchmarkEvaluate(b *testing.B) { benchEvaluate(b, Options{}) }

// benchEvaluate evaluates 10,000 components with one check each, reported
// from 3 regions: a batch holds one tick of every check in every region,
// and every 50th result fails. opts.Catalog is set here.
func benchEvaluate(b *testing.B, opts Options) {
	var cat catalog.Catalog
	for c := range 10_000 {
		id := fmt.Sprintf("c%d", c)
		cat.Components = append(cat.Components, catalog.Component{ID: id})
		cat.Checks = append(cat.Checks, catalog.Check{ID: id + "-k", ComponentID: id,
			Interval: 10 * time.Second, FailureThreshold: 3, SuccessThreshold: 2})
	}
	opts.Catalog = cat
	e := NewEvaluator(opts)
	batch := func(n int) []result.Result {
		rs := make([]result.Result, 0, 3*len(cat.Checks))
		for i, c := range cat.Checks {
			for _, region := range []string{"eu", "us", "ap"} {
				rs = append(rs, result.Result{CheckID: c.ID, ComponentID: c.ComponentID, Region: region,
					Scheduled: tick(n), Success: (i+n)%50 != 0})
			}
		}
		return rs
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n++
		rs := batch(n)
		ch, _ := e.Evaluate(rs, tick(n), all)
		e.Commit(ch)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*3*len(cat.Checks)), "ns/result")
}

// TestBatchingDoesNotMatter splits the same results into batches at random
// points, with the regions' results for one tick in any order, as they
// arrive from agents: the transitions and incident actions must be those
// of one batch holding everything.
func TestBatchingDoesNotMatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := range 300 {
		var rs []result.Result
		outage := map[string][2]int{} // region → failing ticks [from, to]
		for _, region := range []string{"ap", "eu", "us"} {
			from := 1 + rng.IntN(12)
			outage[region] = [2]int{from, from + rng.IntN(8)}
		}
		for n := 1; n <= 24; n++ {
			regions := []string{"ap", "eu", "us"}
			rng.Shuffle(len(regions), func(i, j int) { regions[i], regions[j] = regions[j], regions[i] })
			for _, region := range regions {
				o := outage[region]
				rs = append(rs, res{n, region, n < o[0] || n > o[1]}.result())
			}
		}
		now := tick(25)
		whole := play(t, testCatalog(0, ""), batch{now: now, rs: rs})
		var batches []batch
		for start := 0; start < len(rs); {
			end := min(len(rs), start+1+rng.IntN(7))
			batches = append(batches, batch{now: now, rs: rs[start:end]})
			start = end
		}
		split := play(t, testCatalog(0, ""), batches...)
		if fmt.Sprint(split.transitions) != fmt.Sprint(whole.transitions) || fmt.Sprint(split.actions) != fmt.Sprint(whole.actions) {
			t.Fatalf("trial %d (outages %v): split into %d batches\n got %v %v\nwant %v %v", trial, outage, len(batches),
				split.transitions, split.actions, whole.transitions, whole.actions)
		}
	}
}

// TestSweepLimit: a sweep that may change only a few components leaves the
// rest to the next sweeps, which go on where it stopped, until all are done.
func TestSweepLimit(t *testing.T) {
	var cat catalog.Catalog
	var rs []result.Result
	for i := range 25 {
		id := fmt.Sprintf("c%02d", i)
		cat.Components = append(cat.Components, catalog.Component{ID: id})
		cat.Checks = append(cat.Checks, catalog.Check{ID: id + "-k", ComponentID: id, Interval: interval,
			FailureThreshold: 1, SuccessThreshold: 1})
		rs = append(rs, result.Result{CheckID: id + "-k", ComponentID: id, Region: "eu", Scheduled: tick(1), Success: true})
	}
	e := NewEvaluator(Options{Catalog: cat})
	ch, _ := e.Evaluate(rs, tick(1), all)
	e.Commit(ch)
	stale := map[string]bool{}
	for sweep := 1; sweep <= 3; sweep++ {
		ch := e.Sweep(tick(10), all, 10) // everything is silent by now
		e.Commit(ch)
		for _, c := range ch.Components {
			if !c.Stale || stale[c.ComponentID] {
				t.Fatalf("sweep %d changed %s (stale %v) again", sweep, c.ComponentID, c.Stale)
			}
			stale[c.ComponentID] = true
		}
		if want := min(25, 10*sweep); len(stale) != want {
			t.Fatalf("after sweep %d, %d components are stale, want %d", sweep, len(stale), want)
		}
	}
	if ch := e.Sweep(tick(11), all, 10); !ch.Empty() {
		t.Fatalf("a fourth sweep changed %d components, want none", len(ch.Components))
	}
}

// TestRestoreAfterTimeAwayKeepsRegionsVoting restores an evaluator a while
// after its last stored batch, as a restart after a crash does, and feeds
// it the backlog one region at a time. The time no aggregator was reading
// must not count as the regions' silence: the partial outage of one region
// stays partial, as it was when the states were stored.
func TestRestoreAfterTimeAwayKeepsRegionsVoting(t *testing.T) {
	cat := testCatalog(0, "")
	three := func(n int, ap bool) []res { return []res{{n, "eu", true}, {n, "us", true}, {n, "ap", ap}} }
	orig := NewEvaluator(Options{Catalog: cat})
	for _, b := range []batch{
		at(3, join(three(1, true), three(2, true), three(3, true))...),
		at(6, join(three(4, false), three(5, false), three(6, false))...),
	} {
		ch, _ := orig.Evaluate(b.rs, b.now, all)
		orig.Commit(ch)
	}
	stored := tick(6).Add(time.Second) // the last stored batch, by the aggregator's clock
	comp, _ := orig.Component("api")
	if comp.Status != status.PartialOutage {
		t.Fatalf("before the restart the component is %s, want %s", comp.Status, status.PartialOutage)
	}
	tests := []struct {
		name string
		away time.Duration
		want status.Status
	}{
		// No time away: eu and us said nothing for 6 intervals while an
		// aggregator was reading, so they are silent and ap decides alone.
		{"eu and us silent while read", 0, status.MajorOutage},
		// 6 intervals away: nobody was reading, so nobody went silent.
		{"nobody read for 6 intervals", 6 * interval, status.PartialOutage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEvaluator(Options{Catalog: cat})
			e.Restore(orig.CheckStates(all), []ComponentState{comp}, tt.away)
			now := stored.Add(6 * interval) // the restart: well over the silence of 3 intervals later
			ch, _ := e.Evaluate([]result.Result{res{7, "ap", false}.result()}, now, all)
			e.Commit(ch)
			if got, _ := e.Component("api"); got.Status != tt.want {
				t.Errorf("after ap's result of the next tick the component is %s, want %s", got.Status, tt.want)
			}
		})
	}
}
