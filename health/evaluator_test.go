package health

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/status"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

const interval = 10 * time.Second

func testCatalog(quorum int, incidentOn string) catalog.Catalog {
	return catalog.Catalog{
		Components: []catalog.Component{{ID: "api", PageID: "main", Name: "API", Quorum: quorum}},
		Checks: []catalog.Check{{ID: "api-http", ComponentID: "api", Type: catalog.TypeHTTP, Interval: interval,
			FailureThreshold: 3, SuccessThreshold: 2, DegradedLatency: time.Second, IncidentOn: incidentOn}},
	}
}

// tick is the time of tick n.
func tick(n int) time.Time { return t0.Add(time.Duration(n) * interval) }

// res is one probe result of check api-http: tick, region, outcome.
type res struct {
	tick   int
	region string
	ok     bool
}

// slow marks a successful result as slower than the degraded latency.
type slow struct{ res }

func (s slow) result() result.Result {
	out := s.res.result()
	out.Duration = 2 * time.Second
	return out
}

func (r res) result() result.Result {
	out := result.Result{
		ID: fmt.Sprintf("%s-%d", r.region, r.tick), CheckID: "api-http", ComponentID: "api", Region: r.region,
		AgentID: "agent-" + r.region, Scheduled: tick(r.tick), Success: r.ok, Duration: 100 * time.Millisecond,
	}
	if !r.ok {
		out.ErrorClass, out.Message = result.ErrRefused, "dial tcp 10.0.0.5:443: connect: connection refused"
	}
	return out
}

// batch is what the aggregator hands the evaluator at once: results
// received at the aggregator's clock reading now, with some regions silent
// (dead) by heartbeats. sweep asks for a sweep after the results.
type batch struct {
	now   time.Time
	rs    []result.Result
	dead  []string
	sweep bool
}

// at builds a batch received at tick n's time (plus lag) from the given
// results.
func at(n int, rs ...res) batch {
	b := batch{now: tick(n).Add(time.Second)}
	for _, r := range rs {
		b.rs = append(b.rs, r.result())
	}
	return b
}

// fails returns results failing (ok=false) or passing for ticks from..to in
// a region.
func run(region string, from, to int, ok bool) []res {
	var out []res
	for n := from; n <= to; n++ {
		out = append(out, res{n, region, ok})
	}
	return out
}

func join(parts ...[]res) []res { return slices.Concat(parts...) }

// played is what a scenario produced.
type played struct {
	e           *Evaluator
	transitions []string // "to@tick"
	actions     []string // "open@tick" ...
	bodies      []string
	outcomes    map[Outcome]int
}

func play(t *testing.T, cat catalog.Catalog, batches ...batch) played {
	t.Helper()
	p := played{e: NewEvaluator(Options{Catalog: cat}), outcomes: map[Outcome]int{}}
	for _, b := range batches {
		live := func(region string) bool { return !slices.Contains(b.dead, region) }
		ch, outs := p.e.Evaluate(b.rs, b.now, live)
		for _, o := range outs {
			p.outcomes[o]++
		}
		p.record(ch)
		p.e.Commit(ch)
		if b.sweep {
			ch := p.e.Sweep(b.now, live, 0)
			p.record(ch)
			p.e.Commit(ch)
		}
	}
	return p
}

func (p *played) record(ch Changes) {
	for _, tr := range ch.Transitions {
		p.transitions = append(p.transitions, fmt.Sprintf("%s@%d", tr.To, int(tr.At.Sub(t0)/interval)))
	}
	for _, a := range ch.Incidents {
		p.actions = append(p.actions, fmt.Sprintf("%s@%d", a.Kind, int(a.At.Sub(t0)/interval)))
		p.bodies = append(p.bodies, a.Name, a.Update.Body)
	}
}

func (p played) state() ComponentState {
	s, _ := p.e.Component("api")
	return s
}

func TestEvaluatorScenarios(t *testing.T) {
	three := func(n int, eu, us, ap bool) []res {
		return []res{{n, "eu", eu}, {n, "us", us}, {n, "ap", ap}}
	}
	var lagging []batch // eu and us fail from tick 5; ap is healthy and 4 ticks (40 s) late
	for n := 1; n <= 14; n++ {
		rs := []res{{n, "eu", n < 5}, {n, "us", n < 5}}
		if n > 4 {
			rs = append(rs, res{n - 4, "ap", true})
		}
		lagging = append(lagging, at(n, rs...))
	}
	var skewed []batch // eu fails from tick 1; us healthy; ap's clock runs 40 s ahead from tick 6
	for n := 1; n <= 10; n++ {
		apTick := n
		if n >= 6 {
			apTick = n + 4
		}
		skewed = append(skewed, at(n, res{n, "eu", false}, res{n, "us", true}, res{apTick, "ap", true}))
	}
	tests := []struct {
		name        string
		quorum      int
		incidentOn  string
		batches     []batch
		want        status.Status
		stale       bool
		noData      bool
		transitions string
		actions     string
		outcomes    map[Outcome]int
	}{
		{name: "two failures stay operational",
			batches: []batch{at(4, run("eu", 1, 4, true)...), at(6, run("eu", 5, 6, false)...)},
			want:    status.Operational, transitions: "operational@2"},
		{name: "three failures open a major outage",
			batches: []batch{at(5, join(run("eu", 1, 2, true), run("eu", 3, 5, false))...)},
			want:    status.MajorOutage, transitions: "operational@2 major_outage@5", actions: "open@5"},
		{name: "an outage inside one batch opens and resolves",
			batches: []batch{at(12, join(run("eu", 1, 2, true), run("eu", 3, 6, false), run("eu", 7, 12, true))...)},
			want:    status.Operational, transitions: "operational@2 major_outage@5 operational@8", actions: "open@5 resolve@8"},
		{name: "one success does not recover",
			batches: []batch{at(6, join(run("eu", 1, 2, true), run("eu", 3, 5, false), run("eu", 6, 6, true))...)},
			want:    status.MajorOutage, transitions: "operational@2 major_outage@5", actions: "open@5"},
		{name: "re-delivered ticks and a second agent change nothing",
			batches: []batch{at(3, run("eu", 1, 3, false)...), at(3, run("eu", 1, 3, false)...), at(4, res{2, "eu", true}, res{4, "eu", true})},
			want:    status.MajorOutage, transitions: "major_outage@3", actions: "open@3",
			outcomes: map[Outcome]int{Applied: 4, Duplicate: 4}},
		{name: "one of three regions failing is partial and opens no incident",
			batches: []batch{at(5, join(run("eu", 1, 5, false), run("us", 1, 5, true), run("ap", 1, 5, true))...)},
			want:    status.PartialOutage, transitions: "operational@2 partial_outage@3"},
		{name: "a partial outage opens an incident when the check asks", incidentOn: catalog.IncidentOnPartial,
			batches: []batch{at(5, join(run("eu", 1, 5, false), run("us", 1, 5, true), run("ap", 1, 5, true))...)},
			want:    status.PartialOutage, transitions: "operational@2 partial_outage@3", actions: "open@3"},
		{name: "quorum one makes one region major", quorum: 1,
			batches: []batch{at(5, join(run("eu", 1, 5, false), run("us", 1, 5, true), run("ap", 1, 5, true))...)},
			want:    status.MajorOutage, transitions: "operational@2 major_outage@3", actions: "open@3"},
		{name: "partial to major and back updates one incident",
			batches: []batch{at(3, join(three(1, true, true, true), three(2, true, true, true), three(3, false, false, true))...),
				at(6, join(three(4, false, false, true), three(5, false, false, true), three(6, false, true, true))...),
				at(9, join(three(7, false, true, true), three(8, true, true, true), three(9, true, true, true))...)},
			want:        status.Operational,
			transitions: "operational@2 major_outage@5 partial_outage@7 operational@9",
			actions:     "open@5 update@7 resolve@9"},
		{name: "a lagging region never flaps the status", batches: lagging,
			want: status.MajorOutage, transitions: "operational@2 major_outage@7", actions: "open@7"},
		{name: "a region whose clock runs ahead neither hides nor creates an outage", batches: skewed,
			want: status.PartialOutage, transitions: "operational@2 partial_outage@3",
			outcomes: map[Outcome]int{Applied: 25, Future: 5}},
		{name: "a silent region stops voting",
			batches: []batch{at(5, join(run("eu", 1, 5, false), run("us", 1, 5, true))...),
				{now: tick(7), dead: []string{"us"}, sweep: true}},
			want: status.MajorOutage, transitions: "operational@2 partial_outage@3 major_outage@7", actions: "open@7"},
		{name: "no live region keeps the status, stale, and resolves nothing",
			batches: []batch{at(5, join(run("eu", 1, 5, false))...), {now: tick(9), dead: []string{"eu"}, sweep: true}},
			want:    status.MajorOutage, stale: true, transitions: "major_outage@3", actions: "open@3"},
		{name: "no vote on data older than three intervals by the aggregator's clock",
			batches: []batch{at(5, join(run("eu", 1, 5, false))...), {now: tick(9), sweep: true}},
			want:    status.MajorOutage, stale: true, transitions: "major_outage@3", actions: "open@3"},
		{name: "counters restart after a gap",
			batches: []batch{at(4, join(run("eu", 1, 2, true), run("eu", 3, 4, false))...), at(9, run("eu", 9, 9, false)...)},
			want:    status.Operational, stale: true, transitions: "operational@2"},
		{name: "a region back from silence votes only on a fresh verdict",
			batches: []batch{
				at(4, join(run("eu", 1, 4, true), run("us", 1, 4, true), run("ap", 1, 4, false))...),
				at(9, join(run("eu", 5, 9, true), run("us", 5, 9, true))...),
				at(10, res{10, "eu", true}, res{10, "us", true}, res{10, "ap", true})},
			want: status.Operational, transitions: "operational@2 partial_outage@3 operational@5"},
		{name: "a flapping target reopens its incident",
			batches:     []batch{at(12, join(run("eu", 1, 3, false), run("eu", 4, 5, true), run("eu", 6, 8, false), run("eu", 9, 10, true))...)},
			want:        status.Operational,
			transitions: "major_outage@3 operational@5 major_outage@8 operational@10",
			actions:     "open@3 resolve@5 reopen@8 resolve@10"},
		{name: "one tick's results across batches count together",
			batches: []batch{
				at(5, join(run("eu", 1, 6, false), run("us", 1, 6, false), run("ap", 1, 6, false))...),
				at(7, res{7, "eu", true}, res{7, "us", true}, res{8, "eu", true}, res{8, "us", true}),
				at(8, res{7, "ap", true}, res{8, "ap", true})},
			want: status.Operational, transitions: "major_outage@3 operational@8", actions: "open@3 resolve@8"},
		{name: "a region later than its timeout is decided without",
			batches: []batch{
				at(5, join(run("eu", 1, 5, false), run("us", 1, 5, false), run("ap", 1, 5, false))...),
				at(7, join(run("eu", 6, 7, true), run("us", 6, 7, true))...),
				{now: tick(7).Add(time.Second), sweep: true}, // still within the grace: nothing yet
				{now: tick(7).Add(5 * time.Second), sweep: true}},
			want: status.PartialOutage, transitions: "major_outage@3 partial_outage@7", actions: "open@3 update@7"},
		{name: "a backlog's tick waits the grace from when it was read",
			batches: []batch{
				at(5, join(run("eu", 1, 4, false), run("us", 1, 4, false), run("ap", 1, 4, false),
					[]res{{5, "eu", true}, {5, "us", true}, {5, "ap", true}})...),
				// Read 4 s after tick 6, past the grace of the tick itself:
				// ap's result of tick 6 is only a fetch behind.
				{now: tick(6).Add(4 * time.Second), rs: []result.Result{res{6, "eu", true}.result(), res{6, "us", true}.result()}, sweep: true},
				{now: tick(6).Add(5 * time.Second), rs: []result.Result{res{6, "ap", true}.result()}}},
			want: status.Operational, transitions: "major_outage@3 operational@6", actions: "open@3 resolve@6"},
		{name: "slow successes are degraded without incident",
			batches: []batch{{now: tick(3), rs: func() []result.Result {
				r1, r2 := slow{res{1, "eu", true}}.result(), slow{res{2, "eu", true}}.result()
				return []result.Result{r1, r2}
			}()}},
			want: status.DegradedPerformance, transitions: "degraded_performance@2"},
		{name: "successes the probe marks degraded are degraded without incident",
			batches: []batch{{now: tick(3), rs: func() []result.Result {
				r1, r2 := res{1, "eu", true}.result(), res{2, "eu", true}.result()
				r1.Degraded, r2.Degraded = true, true // e.g. a certificate about to expire
				return []result.Result{r1, r2}
			}()}},
			want: status.DegradedPerformance, transitions: "degraded_performance@2"},
		{name: "one success is no data yet",
			batches: []batch{at(1, res{1, "eu", true})}, noData: true},
		{name: "results from the future and the distant past are dropped",
			batches: []batch{{now: tick(1), rs: []result.Result{res{4, "eu", false}.result(), res{-400000, "eu", false}.result(), res{1, "eu", true}.result()}}},
			noData:  true, outcomes: map[Outcome]int{Applied: 1, Future: 1, TooOld: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := play(t, testCatalog(tt.quorum, tt.incidentOn), tt.batches...)
			got := p.state()
			if !tt.noData && got.Status != tt.want {
				t.Errorf("status = %q, want %q", got.Status, tt.want)
			}
			if got.Stale != tt.stale || (got.NoData || got.ComponentID == "") != tt.noData {
				t.Errorf("stale = %v, no data = %v; want %v, %v", got.Stale, got.NoData, tt.stale, tt.noData)
			}
			if s := strings.Join(p.transitions, " "); s != tt.transitions {
				t.Errorf("transitions = %q, want %q", s, tt.transitions)
			}
			if s := strings.Join(p.actions, " "); s != tt.actions {
				t.Errorf("incident actions = %q, want %q", s, tt.actions)
			}
			for o, n := range tt.outcomes {
				if p.outcomes[o] != n {
					t.Errorf("%d results %s, want %d (all: %v)", p.outcomes[o], o, n, p.outcomes)
				}
			}
			for _, text := range p.bodies {
				if strings.Contains(text, "10.0.0.5") || strings.Contains(text, "dial tcp") {
					t.Errorf("public incident text %q contains the raw probe error", text)
				}
			}
		})
	}
}
