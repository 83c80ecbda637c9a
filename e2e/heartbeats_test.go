package e2e

import (
	"math"
	"syscall"
	"testing"
	"time"
)

type agentsBody struct {
	Data []struct {
		ID              string  `json:"id"`
		Region          string  `json:"region"`
		Live            bool    `json:"live"`
		LastSeenAt      string  `json:"last_seen_at"`
		IntervalMS      int64   `json:"heartbeat_interval_ms"`
		ChecksRunning   int     `json:"checks_running"`
		ClockOffsetMS   *int64  `json:"clock_offset_ms"`
		LastHeartbeatAt *string `json:"last_heartbeat_at"`
	} `json:"data"`
}

type regionsBody struct {
	Data []struct {
		ID   string `json:"id"`
		Live bool   `json:"live"`
	} `json:"data"`
}

// TestHeartbeats runs agent and aggregator as processes: the agent's
// heartbeats make its region live, its silence makes the region stop
// voting within 3 intervals, and a restarted aggregator knows the agent at
// once from the heartbeats it reads back, timed by when they were sent,
// not by its own start.
func TestHeartbeats(t *testing.T) {
	t.Setenv("STATUSD_AGENT_HEARTBEAT_INTERVAL", "1s")
	p := newPipeline(t)
	p.startAggregator(t)
	key := operatorKey(t, p.configPath)
	p.agentRun = start(t, "agent", []string{"STATUSD_AGENT_HTTP_ADDR=" + p.agentAddr}, "agent", "--config", p.configPath)
	agentsURL, regionsURL := p.aggregator.base()+"/api/v1/agents", p.aggregator.base()+"/api/v1/regions"

	var agents agentsBody
	waitFor(t, 30*time.Second, "the agent listed live with its checks", func() bool {
		getJSONWith(t, key, agentsURL, &agents)
		return len(agents.Data) == 1 && agents.Data[0].Live && agents.Data[0].ChecksRunning == 1+loadComponents
	})
	a := agents.Data[0]
	if a.ID != "e2e-agent" || a.Region != "e2e" || a.IntervalMS != 1000 || a.ClockOffsetMS == nil || a.LastHeartbeatAt == nil {
		t.Fatalf("agent listed as %+v", a)
	}
	// Same machine, same clock: the offset is the transit time.
	if off := *a.ClockOffsetMS; math.Abs(float64(off)) > 1000 {
		t.Errorf("clock offset %d ms between two processes on one machine", off)
	}
	var regions regionsBody
	getJSONWith(t, key, regionsURL, &regions)
	if len(regions.Data) != 1 || regions.Data[0].ID != "e2e" || !regions.Data[0].Live {
		t.Fatalf("regions %+v, want e2e live", regions.Data)
	}

	// The agent stops: after 3 missed heartbeats the region stops voting.
	p.agentRun.stop(syscall.SIGTERM)
	stopped := time.Now()
	took := waitFor(t, 3*time.Second+3*time.Second, "region e2e not live", func() bool {
		getJSONWith(t, key, regionsURL, &regions)
		return len(regions.Data) == 1 && !regions.Data[0].Live
	})
	t.Logf("MEASURED region silent after the agent stopped: %s (3 heartbeats of 1s)", took.Round(time.Millisecond))
	if took < 1500*time.Millisecond {
		t.Errorf("region stopped being live %s after the agent stopped, before 3 intervals could pass", took)
	}
	getJSONWith(t, key, agentsURL, &agents)
	lastSeen := agents.Data[0].LastSeenAt

	// A restarted aggregator reads the last minute back: it knows the
	// agent, as silent since it stopped, with no clock offset yet.
	p.aggregator.stop(syscall.SIGTERM)
	p.startAggregator(t)
	p.aggregator.waitReady(t)
	agentsURL = p.aggregator.base() + "/api/v1/agents"
	getJSONWith(t, key, agentsURL, &agents)
	if len(agents.Data) != 1 {
		t.Fatalf("restarted aggregator knows %d agents, want the one read back", len(agents.Data))
	}
	a = agents.Data[0]
	before, err1 := time.Parse(time.RFC3339Nano, lastSeen)
	after, err2 := time.Parse(time.RFC3339Nano, a.LastSeenAt)
	if err1 != nil || err2 != nil {
		t.Fatalf("parse last_seen_at %q, %q: %v %v", lastSeen, a.LastSeenAt, err1, err2)
	}
	if d := after.Sub(before); d.Abs() > time.Second || a.Live || a.ClockOffsetMS != nil {
		t.Errorf("read back as %+v (last seen %s after the first aggregator's %s), want not live, no offset, the same last seen",
			a, d, lastSeen)
	}
	t.Logf("MEASURED restarted aggregator knew the agent %s after it stopped", time.Since(stopped).Round(time.Millisecond))
}
