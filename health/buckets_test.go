package health

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/uptime"
)

// tokyoCatalog is testCatalog on a page in Asia/Tokyo (UTC+9): the day
// changes at 15:00 UTC, tick 1800.
func tokyoCatalog() catalog.Catalog {
	cat := testCatalog(0, "")
	cat.Pages = []catalog.Page{{ID: "main", TimeZone: "Asia/Tokyo"}}
	return cat
}

// lastBuckets applies changes to a map of the last bucket written per day,
// as the store's upserts do.
func lastBuckets(into map[uptime.Day]uptime.Totals, ch Changes) {
	for _, b := range ch.Buckets {
		into[b.Day] = b.Totals
	}
}

// outageOverMidnight fails every region from tick 1795 to 1805, around
// Tokyo's midnight.
func outageOverMidnight() []result.Result {
	var rs []result.Result
	for n := 1790; n <= 1812; n++ {
		for _, region := range []string{"ap", "eu", "us"} {
			rs = append(rs, res{n, region, n < 1795 || n > 1805}.result())
		}
	}
	return rs
}

func TestBucketsFollowTheTicks(t *testing.T) {
	e := NewEvaluator(Options{Catalog: tokyoCatalog()})
	ch, _ := e.Evaluate(outageOverMidnight(), tick(1813), all)
	got := map[uptime.Day]uptime.Totals{}
	lastBuckets(got, ch)
	const s = 1000
	// tick 1790 has no verdict (2 successes needed): 10 s of no data; the
	// third failure (1797) starts the major outage, 30 s before midnight;
	// the second success (1807) ends it 70 s after. The ticks after it
	// change nothing: the bucket stays at 1807, and readers carry the
	// cursor on to their clock.
	want := map[uptime.Day]uptime.Totals{
		20261123: {Major: 30 * s, NoData: 10 * s, Observed: 100 * s, Impact: 30 * s, Outages: 1},
		20261124: {Major: 70 * s, Observed: 70 * s, Impact: 70 * s},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("buckets\n got %+v\nwant %+v", got, want)
	}
	e.Commit(ch)
	c, _ := e.Component("api")
	if c.Uptime.Day != 20261124 || c.Uptime.Class != uptime.Operational || !c.Uptime.At.Equal(tick(1807)) {
		t.Fatalf("cursor %+v; want operational on 2026-11-24 at tick 1807", c.Uptime)
	}
}

// TestBucketsDoNotDependOnBatching splits random outages into random
// batches, with a restore from the stored component state between some of
// them: the buckets stored in the end are the same.
func TestBucketsDoNotDependOnBatching(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for trial := range 100 {
		var rs []result.Result
		outage := map[string][2]int{}
		for _, region := range []string{"ap", "eu", "us"} {
			from := 1780 + rng.IntN(30)
			outage[region] = [2]int{from, from + rng.IntN(20)}
		}
		for n := 1770; n <= 1830; n++ {
			for _, region := range []string{"ap", "eu", "us"} {
				o := outage[region]
				rs = append(rs, res{n, region, n < o[0] || n > o[1]}.result())
			}
		}
		now := tick(1831)
		whole := NewEvaluator(Options{Catalog: tokyoCatalog()})
		want := map[uptime.Day]uptime.Totals{}
		ch, _ := whole.Evaluate(rs, now, all)
		lastBuckets(want, ch)
		got := map[uptime.Day]uptime.Totals{}
		e := NewEvaluator(Options{Catalog: tokyoCatalog()})
		for start := 0; start < len(rs); {
			end := min(len(rs), start+1+rng.IntN(12))
			ch, _ := e.Evaluate(rs[start:end], now, all)
			lastBuckets(got, ch)
			e.Commit(ch)
			if rng.IntN(4) == 0 { // a restart: restore the stored states
				checks := e.CheckStates(all)
				c, ok := e.Component("api")
				e = NewEvaluator(Options{Catalog: tokyoCatalog()})
				if ok {
					e.Restore(checks, []ComponentState{c}, 0)
				} else {
					e.Restore(checks, nil, 0)
				}
			}
			start = end
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d (outages %v):\n got %+v\nwant %+v", trial, outage, got, want)
		}
		if fmt.Sprint(want) == fmt.Sprint(map[uptime.Day]uptime.Totals{}) {
			t.Fatalf("trial %d wrote no bucket", trial)
		}
	}
}

// TestSweepClosesNoDay: a sweep past midnight (by the aggregator's clock)
// moves no bucket while the class of time stays; going stale does.
func TestSweepClosesNoDay(t *testing.T) {
	e := NewEvaluator(Options{Catalog: tokyoCatalog()})
	ch, _ := e.Evaluate(outageOverMidnight()[:30], tick(1799), all) // ticks 1790-1799
	e.Commit(ch)
	if ch = e.Sweep(tick(1801), all, 0); len(ch.Buckets) != 0 {
		t.Fatalf("a sweep after midnight wrote %+v", ch.Buckets)
	}
	ch = e.Sweep(tick(1801), func(string) bool { return false }, 0)
	got := map[uptime.Day]uptime.Totals{}
	lastBuckets(got, ch)
	want := map[uptime.Day]uptime.Totals{
		20261123: {Major: 30_000, NoData: 10_000, Observed: 100_000, Impact: 30_000, Outages: 1},
		20261124: {Major: 10_000, Observed: 10_000, Impact: 10_000},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("going stale wrote\n got %+v\nwant %+v", got, want)
	}
	if c := ch.Components[0]; c.Uptime.Class != uptime.NoData || !c.Uptime.At.Equal(tick(1801)) || !c.Uptime.InOutage {
		t.Fatalf("cursor %+v; want no data from the sweep on, still in the outage", c.Uptime)
	}
}

// TestNoBucketsChangesNothingElse: an evaluator without buckets (the
// baseline of BenchmarkEvaluateBuckets and make bench-aggregator) hands
// out no bucket and no cursor, and the same transitions, incident actions
// and statuses as one with buckets; so the difference between the two is
// the accounting alone.
func TestNoBucketsChangesNothingElse(t *testing.T) {
	rs := outageOverMidnight()
	with := NewEvaluator(Options{Catalog: tokyoCatalog()})
	without := NewEvaluator(Options{Catalog: tokyoCatalog(), NoBuckets: true})
	chWith, outsWith := with.Evaluate(rs, tick(1813), all)
	chWithout, outsWithout := without.Evaluate(rs, tick(1813), all)
	if len(chWith.Buckets) == 0 {
		t.Fatal("the evaluator with buckets wrote none")
	}
	if len(chWithout.Buckets) != 0 {
		t.Fatalf("the evaluator without buckets wrote %+v", chWithout.Buckets)
	}
	if !reflect.DeepEqual(outsWith, outsWithout) || !reflect.DeepEqual(chWith.Transitions, chWithout.Transitions) ||
		!reflect.DeepEqual(chWith.Incidents, chWithout.Incidents) {
		t.Fatalf("without buckets\n got %v %+v %+v\nwant %v %+v %+v", outsWithout, chWithout.Transitions, chWithout.Incidents,
			outsWith, chWith.Transitions, chWith.Incidents)
	}
	for i, s := range chWithout.Components {
		w := chWith.Components[i]
		if s.Uptime.Tracking() {
			t.Fatalf("component %s has a cursor without buckets: %+v", s.ComponentID, s.Uptime)
		}
		w.Uptime = uptime.Cursor{}
		if !reflect.DeepEqual(s, w) {
			t.Fatalf("component state without buckets\n got %+v\nwant %+v", s, w)
		}
	}
}

// BenchmarkEvaluateBuckets is BenchmarkEvaluate's workload with the day
// buckets kept and without (Options.NoBuckets): the difference of their
// ns/result is what the buckets cost the evaluator per result. Compare
// the two with benchstat over -count runs; make bench-aggregator reports
// the same difference on its own results as bucket_cost_ns_per_result.
func BenchmarkEvaluateBuckets(b *testing.B) {
	for _, tt := range []struct {
		name      string
		noBuckets bool
	}{{"buckets", false}, {"no_buckets", true}} {
		b.Run(tt.name, func(b *testing.B) { benchEvaluate(b, Options{NoBuckets: tt.noBuckets}) })
	}
}
