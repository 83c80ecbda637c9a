package agent

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/statusd/statusd/fleet"
)

// fakeSink collects heartbeats; while err is set it fails them.
type fakeSink struct {
	beats chan fleet.Heartbeat
	mu    sync.Mutex
	err   error
}

func newFakeSink() *fakeSink { return &fakeSink{beats: make(chan fleet.Heartbeat, 100)} }

func (s *fakeSink) PublishHeartbeat(_ context.Context, hb fleet.Heartbeat) error {
	s.beats <- hb
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *fakeSink) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *fakeSink) next(t *testing.T) fleet.Heartbeat {
	t.Helper()
	select {
	case hb := <-s.beats:
		return hb
	case <-time.After(10 * time.Second):
		t.Fatal("no heartbeat sent")
		return fleet.Heartbeat{}
	}
}

func (s *fakeSink) none(t *testing.T) {
	t.Helper()
	select {
	case hb := <-s.beats:
		t.Fatalf("unexpected heartbeat %+v", hb)
	default:
	}
}

// backlogPublisher is a fakePublisher with a backlog.
type backlogPublisher struct {
	*fakePublisher
	backlog Backlog
}

func (p backlogPublisher) Backlog() Backlog { return p.backlog }

// lockedBuffer is a log sink safe for the agent's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestHeartbeats(t *testing.T) {
	sink := newFakeSink()
	h := start(t, false, func(o *Options) {
		o.Heartbeats, o.Version = sink, "9.9.9"
		o.Publisher = backlogPublisher{fakePublisher: o.Publisher.(*fakePublisher), backlog: Backlog{Queued: 5, Spooled: 2, SpoolBytes: 300}}
	})
	first := sink.next(t)
	want := fleet.Heartbeat{AgentID: "agent-1", Region: testRegion, Version: "9.9.9", ChecksRunning: 0,
		QueueDepth: 5, SpoolDepth: 2, SpoolBytes: 300, Sent: epoch, Interval: fleet.DefaultInterval}
	if first != want {
		t.Fatalf("first heartbeat, sent at start:\n got %+v\nwant %+v", first, want)
	}
	if err := first.Validate(); err != nil {
		t.Errorf("the agent sent a heartbeat fleet rejects: %v", err)
	}
	h.feed.send(t, httpCheck("a", iv), httpCheck("b", iv))
	sink.none(t)

	h.clock.Set(epoch.Add(10 * time.Second))
	if hb := sink.next(t); hb.ChecksRunning != 2 || !hb.Sent.Equal(epoch.Add(10*time.Second)) {
		t.Errorf("second heartbeat %+v, want 2 checks sent at +10s", hb)
	}
	// Ticks missed are skipped, not sent in a burst; the phase stays.
	h.clock.Set(epoch.Add(35 * time.Second))
	if hb := sink.next(t); !hb.Sent.Equal(epoch.Add(35 * time.Second)) {
		t.Errorf("late heartbeat sent at %v, want +35s", hb.Sent)
	}
	h.clock.Set(epoch.Add(39 * time.Second))
	sink.none(t)
	h.clock.Set(epoch.Add(40 * time.Second))
	if hb := sink.next(t); !hb.Sent.Equal(epoch.Add(40 * time.Second)) {
		t.Errorf("heartbeat after the late one sent at %v, want +40s", hb.Sent)
	}
	eventually(t, "4 heartbeats counted", func() bool {
		return gauge(t, h.agent.metrics.heartbeats.WithLabelValues("sent")) == 4
	})
}

func TestHeartbeatFailuresAreCountedAndLoggedOnce(t *testing.T) {
	sink := newFakeSink()
	sink.fail(errors.New("broker unreachable"))
	logs := &lockedBuffer{}
	h := start(t, false, func(o *Options) {
		o.Heartbeats, o.HeartbeatInterval = sink, 5*time.Second
		o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	for k := range 3 {
		h.clock.Set(epoch.Add(time.Duration(k) * 5 * time.Second))
		sink.next(t)
	}
	eventually(t, "3 failures counted", func() bool {
		return gauge(t, h.agent.metrics.heartbeats.WithLabelValues("failed")) == 3
	})
	if n := strings.Count(logs.String(), "heartbeat not sent"); n != 1 {
		t.Errorf("%d warnings for 3 failed heartbeats, want 1; log:\n%s", n, logs)
	}
	sink.fail(nil)
	h.clock.Set(epoch.Add(15 * time.Second))
	if hb := sink.next(t); hb.Interval != 5*time.Second {
		t.Errorf("heartbeat interval %s, want the configured 5s", hb.Interval)
	}
	eventually(t, "the recovery logged and counted", func() bool {
		return strings.Contains(logs.String(), "heartbeats sent again") &&
			gauge(t, h.agent.metrics.heartbeats.WithLabelValues("sent")) == 1
	})
}

func TestNoHeartbeatsWithoutASink(t *testing.T) {
	h := start(t, false, nil)
	h.clock.Set(epoch.Add(time.Minute))
	h.cancel()
	if err := h.wait(t); err != nil {
		t.Fatal(err)
	}
	if n := gauge(t, h.agent.metrics.heartbeats.WithLabelValues("sent")) + gauge(t, h.agent.metrics.heartbeats.WithLabelValues("failed")); n != 0 {
		t.Errorf("%v heartbeats counted without a sink", n)
	}
}

func TestNextBeat(t *testing.T) {
	const iv = 10 * time.Second
	t0 := time.Unix(1_700_000_000, 0)
	sec := func(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Second))) }
	tests := []struct {
		name      string
		prev, now time.Time
		want      time.Time
	}{
		{name: "sent at once", prev: sec(0), now: sec(0.001), want: sec(10)},
		{name: "woken on time", prev: sec(0), now: sec(10), want: sec(20)},
		{name: "a slow send skips the missed ticks", prev: sec(0), now: sec(25), want: sec(30)},
		{name: "exactly on a missed tick", prev: sec(0), now: sec(30), want: sec(40)},
		{name: "a clock a year ahead keeps the phase", prev: sec(0), now: sec(365*86400 + 3), want: sec(365*86400 + 10)},
		{name: "a clock stepped back an hour waits one interval", prev: sec(3600), now: sec(5), want: sec(15)},
		{name: "a small step back keeps the tick", prev: sec(10), now: sec(9), want: sec(19)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextBeat(tt.prev, tt.now, iv); !got.Equal(tt.want) {
				t.Errorf("nextBeat(%v, %v) = %v, want %v", tt.prev.Sub(t0), tt.now.Sub(t0), got.Sub(t0), tt.want.Sub(t0))
			}
		})
	}
}
