package kafkabus

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/fleet"
	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/wire"
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// aggregatorUnderTest is one aggregator's heartbeat source and registry.
type aggregatorUnderTest struct {
	src  *HeartbeatSource
	reg  *fleet.Registry
	logs *syncBuffer
	done chan error
}

func startHeartbeatSource(t *testing.T, ctx context.Context, brokers []string, topic string, clock func() time.Time) *aggregatorUnderTest {
	t.Helper()
	reg, err := fleet.NewRegistry(fleet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := &aggregatorUnderTest{reg: reg, logs: &syncBuffer{}, done: make(chan error, 1)}
	a.src, err = NewHeartbeatSource(HeartbeatSourceOptions{Brokers: brokers, Topic: topic, Observer: reg, Clock: clock,
		Registerer: prometheus.NewRegistry(), Logger: slog.New(slog.NewTextHandler(a.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	go func() { a.done <- a.src.Run(ctx) }()
	return a
}

func agentByID(agents []fleet.AgentStatus, id string) (fleet.AgentStatus, bool) {
	for _, a := range agents {
		if a.ID == id {
			return a, true
		}
	}
	return fleet.AgentStatus{}, false
}

func TestHeartbeatsReadBackThenFollowed(t *testing.T) {
	brokers, topics := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pub, err := NewHeartbeatPublisher(HeartbeatPublisherOptions{Brokers: brokers, Topic: topics.Heartbeats, Linger: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := pub.Close(); err != nil {
			t.Error(err)
		}
	}()
	now := time.Now().Truncate(time.Millisecond).UTC()
	clock := func() time.Time { return now } // the aggregators' clock stands still
	send := func(agentID, region string, sent time.Time) {
		t.Helper()
		hb := fleet.Heartbeat{AgentID: agentID, Region: region, Version: "1.0.0", ChecksRunning: 7, Sent: sent}
		if err := pub.PublishHeartbeat(ctx, hb); err != nil {
			t.Fatal(err)
		}
	}
	// Before any aggregator starts: one agent went silent 20 minutes ago,
	// past the lookback; one 5 minutes ago; one sent 20 s ago; one whose
	// clock is an hour ahead sent just now.
	send("gone", "ap", now.Add(-20*time.Minute))
	send("silent", "sa", now.Add(-5*time.Minute))
	send("recent", "eu", now.Add(-20*time.Second))
	send("ahead", "us", now.Add(time.Hour))

	// Two aggregators, no consumer group: each sees every heartbeat.
	aggs := []*aggregatorUnderTest{
		startHeartbeatSource(t, ctx, brokers, topics.Heartbeats, clock),
		startHeartbeatSource(t, ctx, brokers, topics.Heartbeats, clock),
	}
	for i, a := range aggs {
		waitUntil(t, "the heartbeats of the last 15 minutes", a.src.CaughtUp)
		agents := a.reg.Agents(now)
		if _, ok := agentByID(agents, "gone"); ok || len(agents) != 3 {
			t.Fatalf("aggregator %d knows %+v, want only the agents of the last 15 minutes", i, agents)
		}
		if silent, _ := agentByID(agents, "silent"); silent.Live || !silent.LastSeen.Equal(now.Add(-5*time.Minute)) {
			t.Errorf("aggregator %d: agent silent for 5 minutes read back as %+v", i, silent)
		}
		recent, _ := agentByID(agents, "recent")
		if !recent.Live || !recent.LastSeen.Equal(now.Add(-20*time.Second)) || recent.ClockOffsetKnown || recent.ChecksRunning != 7 {
			t.Errorf("aggregator %d: read-back heartbeat not timed by its message: %+v", i, recent)
		}
		ahead, _ := agentByID(agents, "ahead")
		if !ahead.LastSeen.Equal(now) || ahead.ClockOffsetKnown {
			t.Errorf("aggregator %d: a heartbeat from the future was heard at %v, want at most now (%v)", i, ahead.LastSeen, now)
		}
		if !a.reg.RegionLive("eu", now.Add(9*time.Second)) || a.reg.RegionLive("eu", now.Add(10*time.Second)) {
			t.Errorf("aggregator %d: eu not live for exactly 3 intervals after its last heartbeat", i)
		}
	}

	// A heartbeat sent now, by a clock 2 s ahead, is timed by the
	// aggregator's clock and shows the offset.
	send("recent", "eu", now.Add(2*time.Second))
	for i, a := range aggs {
		waitUntil(t, "the live heartbeat", func() bool {
			r, _ := agentByID(a.reg.Agents(now), "recent")
			return r.ClockOffsetKnown
		})
		r, _ := agentByID(a.reg.Agents(now), "recent")
		if r.ClockOffset != 2*time.Second || !r.LastSeen.Equal(now) {
			t.Errorf("aggregator %d: live heartbeat gave offset %s, last seen %v; want 2s at %v", i, r.ClockOffset, r.LastSeen, now)
		}
		if got := testutil.ToFloat64(a.src.received); got != 4 {
			t.Errorf("aggregator %d: %v heartbeats counted, want 4", i, got)
		}
	}

	// Nonsense is counted by reason, logged once per reason, and changes nothing.
	raw := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: topics.Heartbeats, BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireOne}
	garbage := []kafka.Message{
		{Key: []byte("x"), Value: []byte("garbage")},
		{Key: []byte("x"), Value: []byte("\x00\x01")},
		{Key: []byte("x")}, // a tombstone
		{Key: []byte("x"), Value: []byte(`{"v":2,"agent_id":"x"}`)},
		{Key: []byte("x"), Value: []byte(`{"v":1,"agent_id":"x","region":"eu","sent_ms":1,"checks_running":-5}`)},
		{Key: []byte("x"), Value: []byte(`{"v":1,"agent_id":"x","region":"Europe","sent_ms":1}`)},
	}
	if err := raw.WriteMessages(ctx, garbage...); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"syntax": 3, "schema_version": 1, "checks_running": 1, "region": 1, "agent_id": 0}
	for i, a := range aggs {
		waitUntil(t, "the bad heartbeats counted", func() bool {
			total := 0.0
			for reason := range want {
				total += testutil.ToFloat64(a.src.bad.WithLabelValues(reason))
			}
			return total == float64(len(garbage))
		})
		for reason, n := range want {
			if got := testutil.ToFloat64(a.src.bad.WithLabelValues(reason)); got != n {
				t.Errorf("aggregator %d: bad_heartbeats{reason=%s} = %v, want %v", i, reason, got, n)
			}
		}
		if n := strings.Count(a.logs.String(), "heartbeat rejected"); n != 4 {
			t.Errorf("aggregator %d: %d log lines for 4 reasons, want 4:\n%s", i, n, a.logs)
		}
		if _, ok := agentByID(a.reg.Agents(now), "x"); ok {
			t.Errorf("aggregator %d: a rejected heartbeat registered its agent", i)
		}
	}
	cancel()
	for i, a := range aggs {
		if err := <-a.done; err != nil {
			t.Errorf("aggregator %d: Run returned %v after cancel, want nil", i, err)
		}
	}
}

func TestHeartbeatTopicIsCreated(t *testing.T) {
	brokers, topics := setup(t)
	conn, err := kafka.Dial("tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := conn.Close(); err != nil {
			t.Error(err)
		}
	}()
	parts, err := conn.ReadPartitions(topics.Heartbeats)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != heartbeatPartitions {
		t.Errorf("%s has %d partitions, want %d", topics.Heartbeats, len(parts), heartbeatPartitions)
	}
}

func TestHeartbeatSourceWithoutTheTopic(t *testing.T) {
	brokers := []string{testenv.Kafka(t)}
	reg, err := fleet.NewRegistry(fleet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewHeartbeatSource(HeartbeatSourceOptions{Brokers: brokers, Topic: "no-such-topic-" + time.Now().Format("150405.000000"), Observer: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := src.Run(ctx); err == nil || !strings.Contains(err.Error(), "no-such-topic") {
		t.Errorf("Run on a missing topic = %v, want an error naming it", err)
	}
}

func TestPublishInvalidHeartbeat(t *testing.T) {
	pub, err := NewHeartbeatPublisher(HeartbeatPublisherOptions{Brokers: []string{"127.0.0.1:1"}, Topic: "t"})
	if err != nil {
		t.Fatal(err)
	}
	err = pub.PublishHeartbeat(context.Background(), fleet.Heartbeat{AgentID: "a", Region: "eu", Sent: time.Now(), QueueDepth: -1})
	if fleet.ReasonOf(err) != fleet.ReasonQueueDepth {
		t.Errorf("err = %v, want the queue_depth error before any write", err)
	}
	if err := pub.Close(); err != nil {
		t.Error(err)
	}
}

func TestHeardAt(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name               string
		msgTime, sent, out time.Time
	}{
		{name: "message time", msgTime: now.Add(-30 * time.Second), sent: now.Add(-31 * time.Second), out: now.Add(-30 * time.Second)},
		{name: "no message time: sent time", sent: now.Add(-10 * time.Second), out: now.Add(-10 * time.Second)},
		{name: "never after now", msgTime: now.Add(time.Hour), sent: now.Add(time.Hour), out: now},
		{name: "sent in the future, no message time", sent: now.Add(time.Minute), out: now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := heardAt(tt.msgTime, tt.sent, now); !got.Equal(tt.out) {
				t.Errorf("heardAt = %v, want %v", got, tt.out)
			}
		})
	}
}

func TestHeartbeatReason(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"syntax", decodeErr(`nonsense`), "syntax"},
		{"schema version", decodeErr(`{"v":9}`), "schema_version"},
		{"field", decodeErr(`{"v":1,"agent_id":"a","region":"eu","sent_ms":1,"spool_bytes":-1}`), "spool_bytes"},
		{"registry full", &fleet.InvalidError{Reason: fleet.ReasonAgentsLimit}, "agents_limit"},
		{"anything else", errors.New("boom"), "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := heartbeatReason(tt.err); got != tt.want {
				t.Errorf("reason of %v = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func decodeErr(s string) error {
	_, err := wire.DecodeHeartbeat([]byte(s))
	return err
}

func TestNewHeartbeatSourceValidates(t *testing.T) {
	reg, err := fleet.NewRegistry(fleet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []HeartbeatSourceOptions{
		{Topic: "t", Observer: reg},
		{Brokers: []string{"b:1"}, Observer: reg},
		{Brokers: []string{"b:1"}, Topic: "t"},
		{Brokers: []string{"b:1"}, Topic: "t", Observer: reg, Lookback: -time.Second},
	} {
		if _, err := NewHeartbeatSource(opts); err == nil {
			t.Errorf("NewHeartbeatSource(%+v) accepted", opts)
		}
	}
}
