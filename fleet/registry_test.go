package fleet

import (
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

const s = time.Second

// beat is a valid heartbeat of agent in region, sent at the given agent
// clock time.
func beat(agent, region string, sent time.Time) Heartbeat {
	return Heartbeat{AgentID: agent, Region: region, Version: "1.2.3", ChecksRunning: 4, Sent: sent}
}

func newRegistry(t *testing.T, opts Options) *Registry {
	t.Helper()
	r, err := NewRegistry(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// event is something the registry receives at a time since t0: a
// heartbeat, or (when hb is nil) results from agent in region.
type event struct {
	at            time.Duration
	hb            *Heartbeat
	region, agent string
}

func hbAt(d time.Duration, agent, region string) event {
	hb := beat(agent, region, at(d))
	return event{at: d, hb: &hb}
}

func hbEvery(from, to, every time.Duration, agent, region string) []event {
	var out []event
	for d := from; d <= to; d += every {
		out = append(out, hbAt(d, agent, region))
	}
	return out
}

func resultsAt(d time.Duration, agent, region string) event {
	return event{at: d, region: region, agent: agent}
}

func cat(lists ...[]event) []event {
	var out []event
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestLiveRegions(t *testing.T) {
	slow := beat("slow-1", "ap-south", at(0))
	slow.Interval = time.Minute
	tests := []struct {
		name   string
		events []event
		now    time.Duration
		want   map[string]bool
	}{
		{name: "nothing heard", now: 0, want: map[string]bool{}},
		{name: "heard just now", events: []event{hbAt(0, "a1", "eu")}, now: 0, want: map[string]bool{"eu": true}},
		{name: "silent for just under 3 intervals", events: []event{hbAt(0, "a1", "eu")}, now: 30*s - time.Millisecond,
			want: map[string]bool{"eu": true}},
		{name: "silent for 3 intervals stops voting", events: []event{hbAt(0, "a1", "eu")}, now: 30 * s,
			want: map[string]bool{"eu": false}},
		{name: "steady heartbeats keep it live", events: hbEvery(0, 600*s, 10*s, "a1", "eu"), now: 629 * s,
			want: map[string]bool{"eu": true}},
		{name: "stopped after 10 minutes", events: hbEvery(0, 600*s, 10*s, "a1", "eu"), now: 630 * s,
			want: map[string]bool{"eu": false}},
		{name: "two missed heartbeats are tolerated", events: []event{hbAt(0, "a1", "eu"), hbAt(30*s, "a1", "eu")}, now: 29 * s,
			want: map[string]bool{"eu": true}},
		{name: "two agents in one region, one dies: the region stays live",
			events: cat(hbEvery(0, 100*s, 10*s, "a1", "eu"), hbEvery(0, 20*s, 10*s, "a2", "eu")), now: 120 * s,
			want: map[string]bool{"eu": true}},
		{name: "two agents in one region, both die", events: cat(hbEvery(0, 50*s, 10*s, "a1", "eu"), hbEvery(0, 20*s, 10*s, "a2", "eu")),
			now: 80 * s, want: map[string]bool{"eu": false}},
		{name: "regions are independent", events: cat(hbEvery(0, 100*s, 10*s, "a1", "eu"), hbEvery(0, 20*s, 10*s, "u1", "us")),
			now: 100 * s, want: map[string]bool{"eu": true, "us": false}},
		{name: "results alone prove life", events: []event{resultsAt(5*s, "a1", "eu")}, now: 34 * s,
			want: map[string]bool{"eu": true}},
		{name: "results alone time out after 3 default intervals", events: []event{resultsAt(5*s, "a1", "eu")}, now: 35 * s,
			want: map[string]bool{"eu": false}},
		{name: "results keep an agent live whose heartbeats stopped",
			events: []event{hbAt(0, "a1", "eu"), resultsAt(25*s, "a1", "eu"), resultsAt(50*s, "a1", "eu")}, now: 79 * s,
			want: map[string]bool{"eu": true}},
		{name: "the announced interval counts", events: []event{{at: 0, hb: &slow}}, now: 179 * s,
			want: map[string]bool{"ap-south": true}},
		{name: "the announced interval counts, to the end", events: []event{{at: 0, hb: &slow}}, now: 180 * s,
			want: map[string]bool{"ap-south": false}},
		{name: "the agent's clock does not matter", events: []event{{at: 0, hb: ptr(beat("a1", "eu", at(-time.Hour)))}}, now: 29 * s,
			want: map[string]bool{"eu": true}},
		{name: "results with an invalid region are ignored", events: []event{resultsAt(0, "a1", "EU West")}, now: 0,
			want: map[string]bool{}},
		{name: "results without an agent are ignored", events: []event{resultsAt(0, "", "eu")}, now: 0,
			want: map[string]bool{}},
		{name: "an agent moved to another region leaves the old one silent",
			events: []event{hbAt(0, "a1", "eu"), hbAt(10*s, "a1", "us"), hbAt(20*s, "a1", "us"), hbAt(30*s, "a1", "us")}, now: 30 * s,
			want: map[string]bool{"eu": false, "us": true}},
		{name: "forgotten after a day", events: []event{hbAt(0, "a1", "eu"), hbAt(23*time.Hour, "a2", "us")}, now: 24*time.Hour + s,
			want: map[string]bool{"us": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRegistry(t, Options{})
			for _, e := range tt.events {
				if e.hb == nil {
					r.ObserveResults(e.region, e.agent, at(e.at))
					continue
				}
				if err := r.Observe(*e.hb, at(e.at)); err != nil {
					t.Fatalf("observe %+v: %v", *e.hb, err)
				}
			}
			now := at(tt.now)
			got := r.LiveRegions(now)
			if !maps.Equal(got, tt.want) {
				t.Errorf("LiveRegions = %v, want %v", got, tt.want)
			}
			for region, live := range tt.want {
				if r.RegionLive(region, now) != live {
					t.Errorf("RegionLive(%s) = %v, want %v", region, !live, live)
				}
			}
			if r.RegionLive("never-heard", now) {
				t.Error("a region never heard is live")
			}
			regions := r.Regions(now)
			if len(regions) != len(tt.want) {
				t.Fatalf("Regions lists %d regions, want %d: %+v", len(regions), len(tt.want), regions)
			}
			for _, rs := range regions {
				if rs.Live != tt.want[rs.Region] {
					t.Errorf("Regions says %s live=%v, want %v", rs.Region, rs.Live, tt.want[rs.Region])
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestClockOffset(t *testing.T) {
	tests := []struct {
		name       string
		sent       time.Time // by the agent's clock
		received   time.Time // by the aggregator's
		wantOffset time.Duration
	}{
		{name: "agent ahead is positive", sent: at(65 * s), received: at(60 * s), wantOffset: 5 * s},
		{name: "agent behind is negative", sent: at(20 * s), received: at(60*s + 250*time.Millisecond), wantOffset: -40*s - 250*time.Millisecond},
		{name: "in step", sent: at(60 * s), received: at(60 * s), wantOffset: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRegistry(t, Options{})
			if err := r.Observe(beat("a1", "eu", tt.sent), tt.received); err != nil {
				t.Fatal(err)
			}
			agents := r.Agents(tt.received)
			if len(agents) != 1 {
				t.Fatalf("%d agents, want 1", len(agents))
			}
			a := agents[0]
			if !a.ClockOffsetKnown || a.ClockOffset != tt.wantOffset {
				t.Errorf("offset %s (known %v), want %s", a.ClockOffset, a.ClockOffsetKnown, tt.wantOffset)
			}
			if !a.LastSeen.Equal(tt.received) {
				t.Errorf("last seen %s, want the receive time %s, not the agent's", a.LastSeen, tt.received)
			}
		})
	}
}

func TestObserveRejectsNonsense(t *testing.T) {
	ok := beat("a1", "eu", at(0))
	mod := func(f func(*Heartbeat)) Heartbeat { hb := ok; f(&hb); return hb }
	tests := []struct {
		name       string
		hb         Heartbeat
		wantReason string
		wantMsg    string
	}{
		{"no agent id", mod(func(h *Heartbeat) { h.AgentID = "" }), ReasonAgentID, `heartbeat: agent_id: must be 1-255 printable characters without spaces, got ""`},
		{"agent id with a space", mod(func(h *Heartbeat) { h.AgentID = "agent one" }), ReasonAgentID, "agent_id: must be"},
		{"agent id with a control character", mod(func(h *Heartbeat) { h.AgentID = "a\x00" }), ReasonAgentID, "agent_id"},
		{"agent id too long", mod(func(h *Heartbeat) { h.AgentID = strings.Repeat("a", 256) }), ReasonAgentID, `…"`},
		{"agent id not UTF-8", mod(func(h *Heartbeat) { h.AgentID = "a\xff" }), ReasonAgentID, "agent_id"},
		{"no region", mod(func(h *Heartbeat) { h.Region = "" }), ReasonRegion, `heartbeat of agent a1: region: must be 1-63`},
		{"upper-case region", mod(func(h *Heartbeat) { h.Region = "EU" }), ReasonRegion, `got "EU"`},
		{"version with a newline", mod(func(h *Heartbeat) { h.Version = "1\n2" }), ReasonVersion, "version: must be at most 128 printable characters"},
		{"version too long", mod(func(h *Heartbeat) { h.Version = strings.Repeat("v", 129) }), ReasonVersion, "version"},
		{"negative checks", mod(func(h *Heartbeat) { h.ChecksRunning = -1 }), ReasonChecksRunning, "checks_running: must not be negative, got -1"},
		{"negative queue", mod(func(h *Heartbeat) { h.QueueDepth = -2 }), ReasonQueueDepth, "queue_depth: must not be negative, got -2"},
		{"negative spool", mod(func(h *Heartbeat) { h.SpoolDepth = -3 }), ReasonSpoolDepth, "spool_depth"},
		{"negative spool bytes", mod(func(h *Heartbeat) { h.SpoolBytes = -4 }), ReasonSpoolBytes, "spool_bytes"},
		{"no sent time", mod(func(h *Heartbeat) { h.Sent = time.Time{} }), ReasonSent, "sent: must be after the Unix epoch"},
		{"sent at the epoch", mod(func(h *Heartbeat) { h.Sent = time.UnixMilli(0) }), ReasonSent, "sent"},
		{"interval too short", mod(func(h *Heartbeat) { h.Interval = time.Millisecond }), ReasonInterval, "interval: must be between 1s and 5m0s (or 0 for 10s), got 1ms"},
		{"interval too long", mod(func(h *Heartbeat) { h.Interval = time.Hour }), ReasonInterval, "got 1h0m0s"},
		{"negative interval", mod(func(h *Heartbeat) { h.Interval = -s }), ReasonInterval, "interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRegistry(t, Options{})
			err := r.Observe(tt.hb, at(0))
			if got := ReasonOf(err); got != tt.wantReason {
				t.Fatalf("reason %q (err %v), want %q", got, err, tt.wantReason)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
			if err := r.Recall(tt.hb, at(0)); ReasonOf(err) != tt.wantReason {
				t.Errorf("Recall took it: %v", err)
			}
			if n := len(r.Agents(at(0))); n != 0 {
				t.Errorf("a rejected heartbeat left %d agents", n)
			}
		})
	}
	t.Run("valid edge values", func(t *testing.T) {
		r := newRegistry(t, Options{})
		for _, hb := range []Heartbeat{
			mod(func(h *Heartbeat) { h.AgentID = strings.Repeat("a", 255); h.Version = "" }),
			mod(func(h *Heartbeat) { h.AgentID = "Host-Name.example.COM"; h.Interval = MinInterval }),
			mod(func(h *Heartbeat) { h.AgentID = "a2"; h.Interval = MaxInterval; h.Sent = time.UnixMilli(1) }),
		} {
			if err := r.Observe(hb, at(0)); err != nil {
				t.Errorf("rejected %+v: %v", hb, err)
			}
		}
	})
	if ReasonOf(fmt.Errorf("other: %w", fmt.Errorf("x"))) != "" {
		t.Error("ReasonOf gave a reason for an unrelated error")
	}
}

func TestAgentsAndRegions(t *testing.T) {
	r := newRegistry(t, Options{})
	a1 := beat("a1", "eu", at(2*s))
	a1.QueueDepth, a1.SpoolDepth, a1.SpoolBytes, a1.ChecksRunning = 7, 3, 4096, 10
	a2 := beat("a2", "eu", at(0))
	a2.ChecksRunning, a2.Interval = 12, 20*s
	u1 := beat("u1", "us", at(0))
	for _, o := range []struct {
		hb Heartbeat
		at time.Time
	}{{a1, at(0)}, {a2, at(0)}, {u1, at(0)}} {
		if err := r.Observe(o.hb, o.at); err != nil {
			t.Fatal(err)
		}
	}
	r.ObserveResults("eu", "a1", at(15*s))
	r.ObserveResults("us", "r9", at(5*s)) // results only, no heartbeat

	now := at(44 * s) // a1 heard at 15 s (live), a2 at 0 with 20 s interval (live), u1 and r9 silent
	agents := r.Agents(now)
	want := []AgentStatus{
		{ID: "a1", Region: "eu", Version: "1.2.3", ChecksRunning: 10, QueueDepth: 7, SpoolDepth: 3, SpoolBytes: 4096,
			Interval: 10 * s, LastSeen: at(15 * s), LastHeartbeat: at(0), Live: true, ClockOffset: 2 * s, ClockOffsetKnown: true},
		{ID: "a2", Region: "eu", Version: "1.2.3", ChecksRunning: 12, Interval: 20 * s, LastSeen: at(0), LastHeartbeat: at(0),
			Live: true, ClockOffsetKnown: true},
		{ID: "r9", Region: "us", Interval: 10 * s, LastSeen: at(5 * s)},
		{ID: "u1", Region: "us", Version: "1.2.3", ChecksRunning: 4, Interval: 10 * s, LastSeen: at(0), LastHeartbeat: at(0),
			ClockOffsetKnown: true},
	}
	if len(agents) != len(want) {
		t.Fatalf("agents %+v, want %+v", agents, want)
	}
	for i := range want {
		if agents[i] != want[i] {
			t.Errorf("agent %d:\n got %+v\nwant %+v", i, agents[i], want[i])
		}
	}
	regions := r.Regions(now)
	wantRegions := []RegionStatus{
		{Region: "eu", Agents: 2, LiveAgents: 2, Live: true, LastSeen: at(15 * s), ChecksRunning: 22},
		{Region: "us", Agents: 2, LiveAgents: 0, Live: false, LastSeen: at(5 * s), ChecksRunning: 0},
	}
	if len(regions) != 2 || regions[0] != wantRegions[0] || regions[1] != wantRegions[1] {
		t.Errorf("regions\n got %+v\nwant %+v", regions, wantRegions)
	}
}

func TestRecall(t *testing.T) {
	r := newRegistry(t, Options{})
	// Read back at start-up: heard 50 s ago by the broker's time.
	old := beat("a1", "eu", at(-50*s))
	if err := r.Recall(old, at(-50*s)); err != nil {
		t.Fatal(err)
	}
	if !r.RegionLive("eu", at(-21*s)) || r.RegionLive("eu", at(-20*s)) {
		t.Error("a recalled heartbeat is not timed by when it was heard")
	}
	a := r.Agents(at(0))[0]
	if a.ClockOffsetKnown || a.Live {
		t.Errorf("after a recall: %+v, want an unknown offset and not live", a)
	}
	// A live heartbeat sets the offset; recalling an older one afterwards
	// changes nothing but cannot make the agent older.
	live := beat("a1", "eu", at(3*s))
	live.ChecksRunning = 9
	if err := r.Observe(live, at(0)); err != nil {
		t.Fatal(err)
	}
	if err := r.Recall(old, at(-40*s)); err != nil {
		t.Fatal(err)
	}
	a = r.Agents(at(0))[0]
	if !a.ClockOffsetKnown || a.ClockOffset != 3*s || a.ChecksRunning != 9 || !a.LastSeen.Equal(at(0)) || !a.Live {
		t.Errorf("an older recalled heartbeat replaced a newer one: %+v", a)
	}
}

func TestForgetAndLimits(t *testing.T) {
	t.Run("silent agents are dropped from memory", func(t *testing.T) {
		r := newRegistry(t, Options{})
		for i := range 100 {
			if err := r.Observe(beat(fmt.Sprintf("old-%d", i), "eu", at(0)), at(0)); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Observe(beat("new", "us", at(25*time.Hour)), at(25*time.Hour)); err != nil {
			t.Fatal(err)
		}
		r.mu.RLock()
		count, regions := r.count, len(r.regions)
		r.mu.RUnlock()
		if count != 1 || regions != 1 {
			t.Errorf("%d agents in %d regions held after a day, want 1 in 1", count, regions)
		}
	})
	t.Run("at most MaxAgents", func(t *testing.T) {
		r := newRegistry(t, Options{MaxAgents: 2})
		for _, id := range []string{"a1", "a2"} {
			if err := r.Observe(beat(id, "eu", at(0)), at(0)); err != nil {
				t.Fatal(err)
			}
		}
		err := r.Observe(beat("a3", "eu", at(0)), at(0))
		if ReasonOf(err) != ReasonAgentsLimit {
			t.Fatalf("third agent: err %v, want %s", err, ReasonAgentsLimit)
		}
		r.ObserveResults("eu", "a4", at(0))
		if n := len(r.Agents(at(0))); n != 2 {
			t.Errorf("%d agents, want 2", n)
		}
		if err := r.Observe(beat("a1", "eu", at(5*s)), at(5*s)); err != nil {
			t.Errorf("a known agent was refused at the limit: %v", err)
		}
		// Once the old ones are forgotten there is room again.
		if err := r.Observe(beat("a3", "eu", at(0)), at(25*time.Hour)); err != nil {
			t.Errorf("no room after the others were forgotten: %v", err)
		}
	})
	t.Run("options", func(t *testing.T) {
		for _, opts := range []Options{{Forget: -1}, {Forget: time.Minute}, {MaxAgents: -1}} {
			if _, err := NewRegistry(opts); err == nil {
				t.Errorf("NewRegistry(%+v) accepted", opts)
			}
		}
	})
}

func TestConcurrentUse(t *testing.T) {
	r := newRegistry(t, Options{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 500 {
				now := at(time.Duration(i) * time.Second)
				id := fmt.Sprintf("a%d", w)
				if err := r.Observe(beat(id, "eu", now), now); err != nil {
					t.Error(err)
					return
				}
				r.ObserveResults("us", id, now)
				_ = r.LiveRegions(now)
				_ = r.RegionLive("eu", now)
				_ = r.Agents(now)
				_ = r.Regions(now)
			}
		})
	}
	wg.Wait()
	if got := r.Regions(at(499 * s)); len(got) != 2 || got[0].LiveAgents != 4 || got[1].LiveAgents != 4 {
		t.Errorf("regions after concurrent use: %+v", got)
	}
}

// benchRegistry holds 3 agents in each of 10 regions, all live at t0.
func benchRegistry(b *testing.B) *Registry {
	r, err := NewRegistry(Options{})
	if err != nil {
		b.Fatal(err)
	}
	for region := range 10 {
		for agent := range 3 {
			if err := r.Observe(beat(fmt.Sprintf("a%d", agent), fmt.Sprintf("r%d", region), t0), t0); err != nil {
				b.Fatal(err)
			}
		}
	}
	return r
}

func BenchmarkObserve(b *testing.B) {
	r := benchRegistry(b)
	hb := beat("a1", "r5", t0)
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Observe(hb, t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRegionLive(b *testing.B) {
	r := benchRegistry(b)
	now := t0.Add(5 * time.Second)
	b.ReportAllocs()
	for b.Loop() {
		if !r.RegionLive("r5", now) {
			b.Fatal("not live")
		}
	}
}

func BenchmarkLiveRegions(b *testing.B) {
	r := benchRegistry(b)
	now := t0.Add(5 * time.Second)
	b.ReportAllocs()
	for b.Loop() {
		if len(r.LiveRegions(now)) != 10 {
			b.Fatal("regions missing")
		}
	}
}
