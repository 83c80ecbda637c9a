package inproc

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/fleet"
	"github.com/statusd/statusd/result"
)

func TestHeartbeatsReachTheRegistry(t *testing.T) {
	reg, err := fleet.NewRegistry(fleet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	logs := &bytes.Buffer{}
	h, err := NewHeartbeats(HeartbeatsOptions{Observer: reg, Clock: func() time.Time { return now },
		Registerer: prometheus.NewRegistry(), Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var sink agent.HeartbeatSink = h
	hb := fleet.Heartbeat{AgentID: "standalone", Region: "local", ChecksRunning: 3, Sent: now.Add(-time.Second)}
	if err := sink.PublishHeartbeat(context.Background(), hb); err != nil {
		t.Fatal(err)
	}
	agents := reg.Agents(now)
	if len(agents) != 1 || !agents[0].Live || !agents[0].LastSeen.Equal(now) || agents[0].ClockOffset != -time.Second {
		t.Errorf("registry after one heartbeat: %+v", agents)
	}

	bad := hb
	bad.ChecksRunning = -1
	for range 2 {
		if err := sink.PublishHeartbeat(context.Background(), bad); fleet.ReasonOf(err) != fleet.ReasonChecksRunning {
			t.Errorf("err = %v, want the checks_running rejection", err)
		}
	}
	if got := testutil.ToFloat64(h.bad.WithLabelValues(fleet.ReasonChecksRunning)); got != 2 {
		t.Errorf("bad_heartbeats{checks_running} = %v, want 2", got)
	}
	if n := strings.Count(logs.String(), "heartbeat rejected"); n != 1 {
		t.Errorf("%d log lines for one reason, want 1:\n%s", n, logs)
	}
	if _, err := NewHeartbeats(HeartbeatsOptions{}); err == nil {
		t.Error("NewHeartbeats without an observer succeeded")
	}
}

func TestResultsBacklog(t *testing.T) {
	r, err := NewResults(ResultsOptions{QueueSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := r.Publish(context.Background(), result.Result{ID: string(rune('a' + i)), ComponentID: "c"}); err != nil {
			t.Fatal(err)
		}
	}
	var b agent.Backlogger = r
	if got := b.Backlog(); got.Queued != 3 {
		t.Errorf("backlog %+v, want 3 queued", got)
	}
}
