package agent

import (
	"context"
	"time"

	"github.com/statusd/statusd/fleet"
)

// HeartbeatSink ships the agent's heartbeats. PublishHeartbeat returns once
// the heartbeat is sent, or with an error when it is not.
type HeartbeatSink interface {
	PublishHeartbeat(ctx context.Context, hb fleet.Heartbeat) error
}

// Backlog is what a publisher holds before results reach the transport.
type Backlog struct {
	Queued     int   // results in memory
	Spooled    int   // results on disk
	SpoolBytes int64 // their size
}

// Backlogger is implemented by a Publisher that holds results before
// shipping them; heartbeats tell its backlog.
type Backlogger interface {
	Backlog() Backlog
}

// beat sends a heartbeat now and then every heartbeat interval until ctx
// ends. The ticks keep their phase; ticks missed while a send was slow
// are skipped, and a wall clock stepping back does not delay the next one
// by more than an interval.
func (a *Agent) beat(ctx context.Context) {
	if a.heartbeats == nil {
		return
	}
	timer := a.clock.NewTimer()
	defer timer.Stop()
	failing := false
	next := a.clock.Now()
	for {
		// The tick is taken before the send: a send slower than an
		// interval is followed by another at once, then by the next tick.
		now := a.clock.Now()
		failing = a.sendHeartbeat(ctx, a.heartbeat(now), failing)
		next = nextBeat(next, now, a.hbInterval)
		timer.Reset(next)
		select {
		case <-ctx.Done():
			return
		case <-timer.C():
		}
	}
}

// nextBeat returns the first tick of period iv after now, in the phase of
// the previous tick prev; if the clock stepped back so that tick is more
// than iv away, it returns now+iv instead.
func nextBeat(prev, now time.Time, iv time.Duration) time.Time {
	// Compare wall clocks: Sub would use the monotonic readings.
	prev, now = prev.Round(0), now.Round(0)
	next := prev.Add(iv)
	if !next.After(now) {
		next = next.Add((now.Sub(next)/iv + 1) * iv)
	}
	if next.Sub(now) > iv {
		next = now.Add(iv)
	}
	return next
}

// sendHeartbeat sends one heartbeat, counts it and logs a failure when the
// previous send succeeded, so that a long outage logs once. It returns
// whether this send failed.
func (a *Agent) sendHeartbeat(ctx context.Context, hb fleet.Heartbeat, failing bool) bool {
	sendCtx, cancel := context.WithTimeout(ctx, a.hbInterval)
	err := a.heartbeats.PublishHeartbeat(sendCtx, hb)
	cancel()
	switch {
	case err != nil:
		a.metrics.heartbeats.WithLabelValues("failed").Inc()
		if !failing && ctx.Err() == nil {
			a.log.Warn("heartbeat not sent; the aggregator stops counting this region after 3 missed", "error", err)
		}
		return true
	case failing:
		a.log.Info("heartbeats sent again")
	}
	a.metrics.heartbeats.WithLabelValues("sent").Inc()
	return false
}

// heartbeat describes the agent at now.
func (a *Agent) heartbeat(now time.Time) fleet.Heartbeat {
	a.mu.Lock()
	checks := len(a.sched.entries)
	a.mu.Unlock()
	hb := fleet.Heartbeat{
		AgentID: a.id, Region: a.region, Version: a.version, ChecksRunning: checks,
		Sent: now, Interval: a.hbInterval,
	}
	if b, ok := a.publisher.(Backlogger); ok {
		bl := b.Backlog()
		hb.QueueDepth, hb.SpoolDepth, hb.SpoolBytes = bl.Queued, bl.Spooled, bl.SpoolBytes
	}
	return hb
}
