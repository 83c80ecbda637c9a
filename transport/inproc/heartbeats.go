package inproc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/fleet"
)

// HeartbeatObserver is what Heartbeats feeds: a *fleet.Registry.
type HeartbeatObserver interface {
	Observe(hb fleet.Heartbeat, received time.Time) error
}

// HeartbeatsOptions configures Heartbeats.
type HeartbeatsOptions struct {
	Observer HeartbeatObserver // required
	// Clock is the aggregator's clock; nil means time.Now.
	Clock      func() time.Time
	Registerer prometheus.Registerer // nil leaves the metrics unregistered
	Logger     *slog.Logger
}

// Heartbeats hands the agent's heartbeats straight to the aggregator's
// observer, timed by the aggregator's clock. A rejected heartbeat is
// counted in statusd_aggregator_bad_heartbeats_total{reason}, as on Kafka,
// logged once per reason, and its error returned to the agent.
type Heartbeats struct {
	opts      HeartbeatsOptions
	bad       *prometheus.CounterVec
	mu        sync.Mutex
	loggedFor map[string]bool
}

// NewHeartbeats returns an in-process heartbeat sink.
func NewHeartbeats(opts HeartbeatsOptions) (*Heartbeats, error) {
	if opts.Observer == nil {
		return nil, errors.New("in-process heartbeats: Observer is required")
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Heartbeats{opts: opts, loggedFor: map[string]bool{},
		bad: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_aggregator_bad_heartbeats_total",
			Help: "Agent heartbeats rejected, by reason: the field at fault, or agents_limit."}, []string{"reason"})}
	for _, r := range fleet.Reasons() {
		h.bad.WithLabelValues(r)
	}
	if opts.Registerer != nil {
		if err := opts.Registerer.Register(h.bad); err != nil {
			return nil, fmt.Errorf("register in-process heartbeat metrics: %w", err)
		}
	}
	return h, nil
}

// PublishHeartbeat implements agent.HeartbeatSink.
func (h *Heartbeats) PublishHeartbeat(_ context.Context, hb fleet.Heartbeat) error {
	err := h.opts.Observer.Observe(hb, h.opts.Clock())
	if err == nil {
		return nil
	}
	reason := fleet.ReasonOf(err)
	if reason == "" {
		reason = "other"
	}
	h.bad.WithLabelValues(reason).Inc()
	h.mu.Lock()
	first := !h.loggedFor[reason]
	h.loggedFor[reason] = true
	h.mu.Unlock()
	if first {
		h.opts.Logger.Warn("heartbeat rejected; further ones for this reason are only counted", "reason", reason, "err", err)
	}
	return fmt.Errorf("observe heartbeat: %w", err)
}

// Backlog tells heartbeats how many results wait in the queue
// (agent.Backlogger).
func (r *Results) Backlog() agent.Backlog { return agent.Backlog{Queued: len(r.queue)} }
