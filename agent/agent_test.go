package agent

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
)

const iv = 10 * time.Second

func gauge(t *testing.T, c prometheus.Collector) float64 {
	t.Helper()
	return testutil.ToFloat64(c)
}

// series returns the value of the series of the named family whose labels
// include the given name/value pairs.
func series(t *testing.T, g prometheus.Gatherer, name string, labels ...string) (float64, bool) {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue metrics
				}
			}
			switch {
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue(), true
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue(), true
			}
		}
	}
	return 0, false
}

func TestAgentRunsRegionChecksAndStampsResults(t *testing.T) {
	h := start(t, false, nil)
	mine := httpCheck("a", iv)
	mine.Version = 7
	alsoMine := httpCheck("c", iv)
	alsoMine.Regions = []string{"us-east", testRegion}
	other := httpCheck("b", iv)
	other.Regions = []string{"us-east"}
	invalid := httpCheck("bad", iv)
	invalid.Timeout = 0
	h.feed.send(t, mine, alsoMine, other, invalid)

	if n := gauge(t, h.agent.metrics.checks.WithLabelValues("http")); n != 2 {
		t.Errorf("statusd_agent_checks{type=http} = %v, want 2", n)
	}
	h.agent.mu.Lock()
	_, hasB := h.agent.sched.entries["b"]
	_, hasBad := h.agent.sched.entries["bad"]
	h.agent.mu.Unlock()
	if hasB || hasBad {
		t.Errorf("scheduled another region's check (%v) or an invalid one (%v)", hasB, hasBad)
	}

	ticks := map[string]time.Time{"a": tick("a", iv, 0), "c": tick("c", iv, 0)}
	h.clock.Set(epoch.Add(iv - 1)) // past both first ticks
	seen := map[string]bool{}
	for range 2 {
		p := h.nextResult(t)
		r := p.r
		want := mine
		if r.CheckID == "c" {
			want = alsoMine
		}
		if seen[r.ID] || !strings.HasPrefix(r.ID, "r-") {
			t.Errorf("result id %q reused or not from NewID", r.ID)
		}
		seen[r.ID] = true
		if r.CheckID != want.ID || r.ComponentID != want.ComponentID || r.AgentID != "agent-1" ||
			r.Region != testRegion || r.CheckVersion != want.Version || !r.Scheduled.Equal(ticks[want.ID]) {
			t.Errorf("result not stamped right: %+v; want check %s scheduled %v", r, want.ID, ticks[want.ID])
		}
		if !r.Success || r.StatusCode != 200 || r.Duration != 20*time.Millisecond {
			t.Errorf("prober's observation lost: %+v", r)
		}
	}

	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"probe_success", []string{"check_id", "a", "component_id", "comp-a"}, 1},
		{"probe_duration_seconds", []string{"check_id", "a", "component_id", "comp-a"}, 0.02},
		{"probe_http_status_code", []string{"check_id", "c", "component_id", "comp-c"}, 200},
		{"probe_http_duration_seconds", []string{"check_id", "a", "phase", "processing"}, 0.015},
		{"probe_http_duration_seconds", []string{"check_id", "a", "phase", "connect"}, 0.001},
		{"probe_http_duration_seconds", []string{"check_id", "a", "phase", "tls"}, 0},
		{"statusd_agent_probes_total", []string{"type", "http", "result", "success"}, 2},
		{"statusd_agent_probes_total", []string{"type", "http", "result", "failure"}, 0},
		{"statusd_agent_checks", []string{"type", "http"}, 2},
	} {
		if got, ok := series(t, h.reg, tc.name, tc.labels...); !ok || got != tc.want {
			t.Errorf("%s%v = %v (found %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	if n := testutil.CollectAndCount(h.reg, "probe_http_duration_seconds"); n != 10 {
		t.Errorf("%d probe_http_duration_seconds series, want 5 phases x 2 checks", n)
	}
}

func TestAgentSkipsTicksWhileARunIsUnfinished(t *testing.T) {
	h := start(t, true, nil)
	h.feed.send(t, httpCheck("a", iv))
	skipped := h.agent.metrics.skipped.WithLabelValues("http")

	h.clock.Set(tick("a", iv, 0))
	h.nextStarted(t)
	if n := gauge(t, h.agent.metrics.inflight.WithLabelValues("http")); n != 1 {
		t.Errorf("statusd_agent_inflight_probes = %v, want 1", n)
	}
	for k := 1; k <= 2; k++ {
		h.clock.Set(tick("a", iv, k))
		eventually(t, "a skipped tick", func() bool { return gauge(t, skipped) == float64(k) })
	}
	select {
	case c := <-h.prober.started:
		t.Fatalf("a second run of %s stacked on the first", c.ID)
	default:
	}

	h.prober.gate <- struct{}{}
	if p := h.nextResult(t); !p.r.Scheduled.Equal(tick("a", iv, 0)) {
		t.Errorf("first result scheduled %v, want %v", p.r.Scheduled, tick("a", iv, 0))
	}
	h.clock.Set(tick("a", iv, 3))
	h.nextStarted(t)
	h.prober.gate <- struct{}{}
	if p := h.nextResult(t); !p.r.Scheduled.Equal(tick("a", iv, 3)) {
		t.Errorf("second result scheduled %v, want %v", p.r.Scheduled, tick("a", iv, 3))
	}
	if n := gauge(t, skipped); n != 2 {
		t.Errorf("statusd_agent_skipped_runs_total = %v, want 2", n)
	}
}

func TestAgentDeleteStopsRunsAndSeries(t *testing.T) {
	h := start(t, false, nil)
	h.feed.send(t, httpCheck("a", iv), httpCheck("z", iv))
	round := func(k int) time.Time { return epoch.Add(time.Duration(k)*iv + iv - 1) }

	h.clock.Set(round(0))
	h.nextResult(t)
	h.nextResult(t)
	if n := testutil.CollectAndCount(h.reg, "probe_success"); n != 2 {
		t.Fatalf("%d probe_success series, want 2", n)
	}

	h.feed.delete(t, "a")
	for _, name := range []string{"probe_success", "probe_duration_seconds", "probe_http_status_code"} {
		if n := testutil.CollectAndCount(h.reg, name); n != 1 {
			t.Errorf("%d %s series after delete, want 1", n, name)
		}
	}
	if n := testutil.CollectAndCount(h.reg, "probe_http_duration_seconds"); n != 5 {
		t.Errorf("%d probe_http_duration_seconds series after delete, want 5", n)
	}
	if n := gauge(t, h.agent.metrics.checks.WithLabelValues("http")); n != 1 {
		t.Errorf("statusd_agent_checks = %v after delete, want 1", n)
	}

	// One worker runs jobs in dispatch order, so every run dispatched in
	// rounds 1-3 is published before z's run of round 3.
	for k := 1; k <= 3; k++ {
		h.clock.Set(round(k))
		if p := h.nextResult(t); p.r.CheckID != "z" || !p.r.Scheduled.Equal(tick("z", iv, k)) {
			t.Fatalf("round %d: result of %s at %v, want z at %v", k, p.r.CheckID, p.r.Scheduled, tick("z", iv, k))
		}
	}
}

func TestAgentDeleteWhileInFlight(t *testing.T) {
	h := start(t, true, nil)
	h.feed.send(t, httpCheck("a", iv))
	h.clock.Set(tick("a", iv, 0))
	h.nextStarted(t)
	h.feed.delete(t, "a")
	h.prober.gate <- struct{}{}

	if p := h.nextResult(t); p.r.CheckID != "a" {
		t.Errorf("in-flight run published %q, want a", p.r.CheckID)
	}
	eventually(t, "the run to finish", func() bool {
		return gauge(t, h.agent.metrics.probes.WithLabelValues("http", "success")) == 1
	})
	if n := testutil.CollectAndCount(h.reg, "probe_success"); n != 0 {
		t.Errorf("a deleted check's run recreated %d probe_success series", n)
	}
}

func TestAgentUpdateReschedules(t *testing.T) {
	h := start(t, false, nil)
	c := httpCheck("a", iv)
	c.Version = 1
	h.feed.send(t, c)
	first := tick("a", iv, 0)
	h.clock.Set(first)
	if p := h.nextResult(t); p.r.CheckVersion != 1 {
		t.Fatalf("first run version %d", p.r.CheckVersion)
	}

	c.Version, c.Interval, c.ComponentID = 2, 25*time.Second, "comp-moved"
	h.feed.send(t, c)
	if _, ok := series(t, h.reg, "probe_success", "component_id", "comp-a"); ok {
		t.Error("series of the old component kept")
	}
	want := nextTick(first.Add(1), Phase("a", testRegion, c.Interval), c.Interval)
	h.clock.Set(want)
	p := h.nextResult(t)
	if !p.r.Scheduled.Equal(want) || p.r.CheckVersion != 2 || p.r.ComponentID != "comp-moved" {
		t.Errorf("after update: scheduled %v version %d component %s; want %v, 2, comp-moved",
			p.r.Scheduled, p.r.CheckVersion, p.r.ComponentID, want)
	}
	if v, ok := series(t, h.reg, "probe_success", "check_id", "a", "component_id", "comp-moved"); !ok || v != 1 {
		t.Errorf("probe_success of the new component = %v (found %v), want 1", v, ok)
	}
	h.clock.Set(want.Add(c.Interval))
	if p := h.nextResult(t); !p.r.Scheduled.Equal(want.Add(c.Interval)) {
		t.Errorf("next run scheduled %v, want %v", p.r.Scheduled, want.Add(c.Interval))
	}
}

func TestAgentReschedulesWhenTheClockStepsBack(t *testing.T) {
	h := start(t, false, nil)
	h.feed.send(t, httpCheck("a", iv))
	h.clock.Set(tick("a", iv, 360)) // an hour on
	h.nextResult(t)

	h.clock.Set(epoch) // stepped back an hour; the wake-up below lets the scheduler notice
	h.feed.send(t, httpCheck("b", iv))
	eventually(t, "the scheduler to notice the step", func() bool {
		h.agent.mu.Lock()
		defer h.agent.mu.Unlock()
		return h.agent.sched.entries["a"].next.Equal(tick("a", iv, 0))
	})
	h.clock.Set(epoch.Add(iv - 1))
	got := map[string]time.Time{}
	for range 2 {
		p := h.nextResult(t)
		got[p.r.CheckID] = p.r.Scheduled
	}
	if !got["a"].Equal(tick("a", iv, 0)) || !got["b"].Equal(tick("b", iv, 0)) {
		t.Errorf("after the step back got runs %v, want a at %v and b at %v", got, tick("a", iv, 0), tick("b", iv, 0))
	}
}

func TestAgentShutdownWaitsForInflightProbes(t *testing.T) {
	h := start(t, true, nil)
	h.feed.send(t, httpCheck("a", iv))
	h.clock.Set(tick("a", iv, 0))
	h.nextStarted(t)

	h.cancel()
	eventually(t, "shutdown to begin", func() bool { return !h.agent.Ready() })
	select {
	case err := <-h.done:
		t.Fatalf("Run returned (%v) with a probe in flight", err)
	default:
	}
	h.prober.gate <- struct{}{}
	if err := h.wait(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	select {
	case p := <-h.pub.results:
		if p.afterRun || p.ctxErr != nil || !p.r.Scheduled.Equal(tick("a", iv, 0)) {
			t.Errorf("in-flight result published after Run returned (%v) or with a dead context (%v): %+v",
				p.afterRun, p.ctxErr, p.r)
		}
	default:
		t.Fatal("the in-flight result was not published before Run returned")
	}
	if n := gauge(t, h.agent.metrics.inflight.WithLabelValues("http")); n != 0 {
		t.Errorf("statusd_agent_inflight_probes = %v after shutdown", n)
	}
}

func TestAgentCountsPublishErrors(t *testing.T) {
	h := start(t, false, nil)
	h.pub.err = errors.New("queue full")
	h.feed.send(t, httpCheck("a", iv))
	h.clock.Set(tick("a", iv, 0))
	h.nextResult(t)
	eventually(t, "the publish error to be counted", func() bool {
		return gauge(t, h.agent.metrics.publishErrors) == 1
	})
}

func TestAgentSurvivesPanickingProber(t *testing.T) {
	h := start(t, false, nil)
	h.prober.panics = true
	h.feed.send(t, httpCheck("a", iv))
	h.clock.Set(tick("a", iv, 0))
	p := h.nextResult(t)
	if p.r.Success || p.r.ErrorClass != result.ErrInternal || !strings.Contains(p.r.Message, "prober bug") ||
		p.r.CheckID != "a" {
		t.Errorf("panic not turned into an internal failure: %+v", p.r)
	}
	h.clock.Set(tick("a", iv, 1))
	if p := h.nextResult(t); !p.r.Scheduled.Equal(tick("a", iv, 1)) {
		t.Errorf("agent stopped after a panic: next result %+v", p.r)
	}
	if n := gauge(t, h.agent.metrics.probes.WithLabelValues("http", "failure")); n != 2 {
		t.Errorf("statusd_agent_probes_total{failure} = %v, want 2", n)
	}
}

func TestAgentReady(t *testing.T) {
	rf := &readyFeed{fakeFeed: newFakeFeed()}
	h := start(t, false, func(o *Options) { o.Feed = rf })
	h.feed = rf.fakeFeed
	h.feed.send(t, httpCheck("a", iv)) // Follow is running once this returns
	if h.agent.Ready() {
		t.Error("ready before the feed has its snapshot")
	}
	rf.snapshot.Store(true)
	if !h.agent.Ready() {
		t.Error("not ready with the feed's snapshot in")
	}
	h.cancel()
	if err := h.wait(t); err != nil {
		t.Fatal(err)
	}
	if h.agent.Ready() {
		t.Error("ready after Run returned")
	}
}

func TestRunReturnsFeedError(t *testing.T) {
	feed := newFakeFeed()
	feed.err = errFeed
	a, err := New(Options{ID: "a", Region: testRegion, Feed: feed, Publisher: newFakePublisher(),
		Probers: map[catalog.Type]Prober{catalog.TypeHTTP: newFakeProber(false)}})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(context.Background())
	if !errors.Is(err, errFeed) || !strings.HasPrefix(err.Error(), "follow checks: ") {
		t.Errorf("Run = %v, want the wrapped feed error", err)
	}
	if err := a.Run(context.Background()); err == nil {
		t.Error("a second Run succeeded")
	}
}

func TestNewValidatesOptions(t *testing.T) {
	good := func() Options {
		return Options{ID: "a", Region: testRegion, Feed: newFakeFeed(), Publisher: newFakePublisher(),
			Probers: map[catalog.Type]Prober{catalog.TypeHTTP: newFakeProber(false)}}
	}
	tests := []struct {
		name  string
		mod   func(*Options)
		field string // named in the error; empty when New must succeed
	}{
		{name: "valid", mod: func(*Options) {}},
		{name: "no id", mod: func(o *Options) { o.ID = "" }, field: "Options.ID"},
		{name: "id with a space", mod: func(o *Options) { o.ID = "agent one" }, field: "Options.ID"},
		{name: "heartbeat interval too short", mod: func(o *Options) { o.HeartbeatInterval = time.Millisecond }, field: "Options.HeartbeatInterval"},
		{name: "heartbeat interval too long", mod: func(o *Options) { o.HeartbeatInterval = time.Hour }, field: "Options.HeartbeatInterval"},
		{name: "bad region", mod: func(o *Options) { o.Region = "EU West" }, field: "Options.Region"},
		{name: "no feed", mod: func(o *Options) { o.Feed = nil }, field: "Options.Feed"},
		{name: "no publisher", mod: func(o *Options) { o.Publisher = nil }, field: "Options.Publisher"},
		{name: "no probers", mod: func(o *Options) { o.Probers = nil }, field: "Options.Probers"},
		{name: "nil prober", mod: func(o *Options) { o.Probers[catalog.TypeHTTP] = nil }, field: "Options.Probers"},
		{name: "negative concurrency", mod: func(o *Options) { o.Concurrency = -1 }, field: "Options.Concurrency"},
		{name: "metrics registered twice", mod: func(o *Options) {
			reg := prometheus.NewRegistry()
			first := good()
			first.Registerer = reg
			if _, err := New(first); err != nil {
				t.Fatal(err)
			}
			o.Registerer = reg
		}, field: "register agent metrics"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := good()
			tc.mod(&o)
			a, err := New(o)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.field == "" && a.concurrency != DefaultConcurrency:
				t.Errorf("concurrency %d, want the default %d", a.concurrency, DefaultConcurrency)
			case tc.field != "" && (err == nil || !strings.Contains(err.Error(), tc.field)):
				t.Errorf("New error %v, want one naming %s", err, tc.field)
			}
		})
	}
}
