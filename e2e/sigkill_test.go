package e2e

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/statusd/statusd/internal/testenv"
)

// The SIGKILL run: components × 3 regions stream for ticks while the
// aggregator is killed kills times.
const (
	killComponents = 12
	killTicks      = 40
	kills          = 3
)

// outagePlan is the scripted trouble of one component: every region fails
// for 6 ticks from majorFrom (a major outage), later one region fails for 6
// ticks from partialFrom (a partial outage). Components without a plan
// stay healthy.
type outagePlan struct {
	majorFrom, partialFrom int
	partialRegion          string
}

// killPlan returns the plan of component i, staggered so that transitions
// happen at many different ticks; false for the healthy third.
func killPlan(i int) (outagePlan, bool) {
	if i >= 8 {
		return outagePlan{}, false
	}
	p := outagePlan{majorFrom: 6 + 2*(i%4), partialRegion: "ap"}
	if i >= 4 {
		p.partialRegion = "eu"
	}
	p.partialFrom = p.majorFrom + 14
	return p, true
}

func killScript(i int, region string, k int) bool {
	p, ok := killPlan(i)
	switch {
	case !ok:
		return true
	case k >= p.majorFrom && k < p.majorFrom+6:
		return false
	case region == p.partialRegion && k >= p.partialFrom && k < p.partialFrom+6:
		return false
	}
	return true
}

// e2eSeed returns STATUSD_E2E_SEED, or a new seed.
func e2eSeed(t *testing.T) uint64 {
	t.Helper()
	if s := os.Getenv("STATUSD_E2E_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("STATUSD_E2E_SEED=%q: want an unsigned integer", s)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}

// killSchedule draws n offsets in [from, to], sorted, at least gap apart.
func killSchedule(rng *rand.Rand, n int, from, to, gap time.Duration) []time.Duration {
	for {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = from + time.Duration(rng.Int64N(int64(to-from)))
		}
		slices.Sort(out)
		spread := true
		for i := 1; i < n; i++ {
			spread = spread && out[i]-out[i-1] >= gap
		}
		if spread {
			return out
		}
	}
}

// TestAggregatorSIGKILLMatchesUninterruptedRun streams results of three
// simulated agents (regions eu, us, ap) with scripted major and partial
// outages while the aggregator is SIGKILLed at seeded random points and
// restarted each time. A fresh aggregator with fresh databases and group
// then runs uninterrupted over the same topic. Rows, rollup, component
// states and incidents of both runs must be equal, and match the script.
// STATUSD_E2E_SEED=<seed> replays the kill points of a failed run.
func TestAggregatorSIGKILLMatchesUninterruptedRun(t *testing.T) {
	seed := e2eSeed(t)
	at := killSchedule(rand.New(rand.NewPCG(seed, seed)), kills, 3*time.Second, (killTicks-4)*interval, 6*time.Second)
	t.Logf("seed %d (STATUSD_E2E_SEED=%d reproduces it): SIGKILL at %v after the first tick", seed, seed, at)

	st := newStack(t)
	comps := numberedComponents("sk", killComponents, "http://127.0.0.1:9/unused", simRegionNames())
	createTopic(t, st.kafka, st.resultsTopic(), resultsPartitions)
	agg := startAggregator(t, "aggregator", st.writeConfig(t, comps), testenv.Name("sk-"))
	s := newStream(comps, killTicks, killScript)
	stream := s.start(t, newResultWriter(t, st.kafka, st.resultsTopic()))
	for i, d := range at {
		time.Sleep(time.Until(s.first.Add(d)))
		ready := agg.ready()
		agg.stop(syscall.SIGKILL)
		t.Logf("SIGKILL %d at tick %.2f (the process was ready: %v)", i+1, time.Since(s.first).Seconds(), ready)
		agg.restart(t)
	}
	if err := stream.wait(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	n, _ := s.log.totals()
	killed := collectRun(t, "killed run", st, n)
	agg.stop(syscall.SIGTERM)

	ref := st.freshStores(t)
	start := time.Now()
	refAgg := startAggregator(t, "reference", ref.writeConfig(t, comps), testenv.Name("sk-ref-"))
	uninterrupted := collectRun(t, "uninterrupted run", ref, n)
	refAgg.stop(syscall.SIGTERM)
	t.Logf("MEASURED the uninterrupted run took %s over %d results", time.Since(start).Round(time.Millisecond), n)

	for _, r := range []*runResult{killed, uninterrupted} {
		checkSeriesMatchLog(t, r.label, r.series, s.log)
	}
	if d := diffRuns(killed, uninterrupted); d != "" {
		t.Errorf("the killed run differs from the uninterrupted one over the same results:\n%s", d)
	}
	checkKillScript(t, uninterrupted, s, comps)
}

// runResult is what one run left in the stores once it settled.
type runResult struct {
	label     string
	series    *series
	states    map[string]componentRow
	incidents []incidentRow
}

// collectRun waits until the run stored all n results and its state
// stopped changing, and returns it.
func collectRun(t *testing.T, label string, st *stack, n int) *runResult {
	t.Helper()
	r := &runResult{label: label, series: openSeries(t, st)}
	start := time.Now()
	r.series.waitComplete(t, 90*time.Second, n)
	t.Logf("MEASURED %s: all %d results in ClickHouse %s after the stream ended", label, n, time.Since(start).Round(time.Millisecond))
	e := openEntities(t, st)
	var last string
	stable := 0
	waitFor(t, 30*time.Second, label+" state to settle", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		var err error
		if r.states, err = e.componentStates(ctx); err != nil {
			t.Fatal(err)
		}
		if r.incidents, err = e.incidents(ctx); err != nil {
			t.Fatal(err)
		}
		snap := r.stateText() + r.incidentText()
		if snap == last {
			stable++
		} else {
			last, stable = snap, 0
		}
		return stable >= 40 // unchanged for 2 s at 50 ms a poll
	})
	return r
}

// stateText renders the compared part of the component states: status and
// since, not updated_at (a sweep may refresh it).
func (r *runResult) stateText() string {
	var b strings.Builder
	for _, id := range slices.Sorted(maps.Keys(r.states)) {
		s := r.states[id]
		fmt.Fprintf(&b, "  %s %s since %s\n", id, s.status, msTime(s.since))
	}
	return b.String()
}

func (r *runResult) incidentText() string {
	var b strings.Builder
	for _, i := range r.incidents {
		fmt.Fprintf(&b, "  %s\n", i)
	}
	return b.String()
}

// diffRuns describes how two runs' states and incidents differ; "" if not.
func diffRuns(a, b *runResult) string {
	var out strings.Builder
	if as, bs := a.stateText(), b.stateText(); as != bs {
		fmt.Fprintf(&out, "component states, %s:\n%s%s:\n%s", a.label, as, b.label, bs)
	}
	if ai, bi := a.incidentText(), b.incidentText(); ai != bi {
		fmt.Fprintf(&out, "automatic incidents, %s:\n%s%s:\n%s", a.label, ai, b.label, bi)
	}
	return out.String()
}

// checkSeriesMatchLog fails unless the run stored each result written
// exactly once and the rollup sums to what was written.
func checkSeriesMatchLog(t *testing.T, label string, ch *series, log *resultLog) {
	t.Helper()
	n, successes := log.totals()
	checkRowsPerResult(t, ch, log.ids())
	total, rolled := ch.rollup(t)
	if total != uint64(n) {
		t.Errorf("%s: results_1m sum(total) = %d, want the %d results written", label, total, n)
	}
	if d := diffCounts(rolled, successes); d != "" {
		t.Errorf("%s: results_1m successes per component differ from those written:\n%s", label, d)
	}
}

// checkKillScript fails unless a run shows what the script implies: one
// automatic incident per major outage, opened within the tick its quorum
// was reached and resolved within the tick every region recovered; none
// for a partial outage (incident_on defaults to major); every component
// operational at the end.
func checkKillScript(t *testing.T, r *runResult, s *stream, comps []componentSpec) {
	t.Helper()
	byComp := map[string][]incidentRow{}
	for _, in := range r.incidents {
		byComp[in.component] = append(byComp[in.component], in)
	}
	within := func(ms int64, k int) bool {
		tm := time.UnixMilli(ms)
		return !tm.Before(s.tickTime(k)) && tm.Before(s.tickTime(k+1))
	}
	for i, c := range comps {
		if st := r.states[c.id]; st.status != "operational" {
			t.Errorf("%s: %s ends %q, want operational", r.label, c.id, st.status)
		}
		plan, troubled := killPlan(i)
		got := byComp[c.id]
		if !troubled {
			if len(got) != 0 {
				t.Errorf("%s: healthy %s has incidents %v", r.label, c.id, got)
			}
			continue
		}
		opened, resolved := plan.majorFrom+failureThreshold-1, plan.majorFrom+6+successThreshold-1
		if len(got) != 1 {
			t.Errorf("%s: %s has %d automatic incidents %v, want 1 for its major outage (ticks %d-%d) and none for its partial one (ticks %d-%d in %s)",
				r.label, c.id, len(got), got, plan.majorFrom, plan.majorFrom+5, plan.partialFrom, plan.partialFrom+5, plan.partialRegion)
			continue
		}
		in := got[0]
		if !within(in.createdAt, opened) || !in.resolvedAt.Valid || !within(in.resolvedAt.Int64, resolved) {
			t.Errorf("%s: %s incident %v, want it created in tick %d (%s) and resolved in tick %d (%s)", r.label, c.id, in,
				opened, msTime(s.tickTime(opened).UnixMilli()), resolved, msTime(s.tickTime(resolved).UnixMilli()))
		}
	}
}
