// Package scheduler carries out scheduled maintenance by the clock: at the
// second a window is due to start or end (or a reminder falls due, or a
// recurring series needs its next window) it applies the transition
// through the store, which records each transition's key once, so that of
// several aggregators exactly one acts. It sleeps on a timer to the next
// transition (maintenance.Next), re-reads the windows every Reload for
// people's changes, and catches up at start on everything missed while no
// aggregator ran, in order. It also answers, for the health evaluator,
// which components are in a window at a time (see Set).
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/maintenance"
)

// Store is what the scheduler reads and writes.
type Store interface {
	// OpenMaintenances lists the windows not over yet, and those that
	// ended at or after since.
	OpenMaintenances(ctx context.Context, since time.Time) ([]maintenance.Window, error)
	// ApplyMaintenanceTransition carries t out once; false when another
	// writer did, or the window no longer fits it.
	ApplyMaintenanceTransition(ctx context.Context, t maintenance.Transition, now time.Time) (bool, error)
}

// Defaults of Options.
const (
	DefaultReload = 10 * time.Second
	DefaultKeep   = 30 * 24 * time.Hour
)

// Options configures a Scheduler.
type Options struct {
	Store Store
	// Clock tells the time; time.Now when nil.
	Clock func() time.Time
	// Timer returns a channel that receives once d has passed, and a stop
	// function; a real timer when nil. Tests drive it with a fake clock.
	Timer func(d time.Duration) (<-chan time.Time, func() bool)
	// Reload is how often the windows are re-read, for changes people
	// made through another process; DefaultReload when zero.
	Reload time.Duration
	// Keep is how long an ended window stays in the Set, for late
	// results; DefaultKeep (the evaluator's maximum age) when zero.
	Keep time.Duration
	// Set, when not nil, is kept up to date with the windows' times.
	Set        *Set
	Registerer prometheus.Registerer
	Logger     *slog.Logger
}

// Scheduler applies the transitions of maintenance windows as they fall due.
type Scheduler struct {
	opts    Options
	applied *prometheus.CounterVec
}

// New returns a scheduler; Run drives it.
func New(opts Options) (*Scheduler, error) {
	if opts.Store == nil {
		return nil, errors.New("new maintenance scheduler: Store is required")
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Timer == nil {
		opts.Timer = func(d time.Duration) (<-chan time.Time, func() bool) {
			t := time.NewTimer(d)
			return t.C, t.Stop
		}
	}
	if opts.Reload <= 0 {
		opts.Reload = DefaultReload
	}
	if opts.Keep <= 0 {
		opts.Keep = DefaultKeep
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	s := &Scheduler{opts: opts, applied: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "statusd_maintenance_transitions_total",
		Help: "Maintenance transitions due, by kind and outcome: applied here, or skipped (another aggregator or a person got there first).",
	}, []string{"kind", "outcome"})}
	if err := opts.Registerer.Register(s.applied); err != nil {
		return nil, fmt.Errorf("new maintenance scheduler: register metrics: %w", err)
	}
	return s, nil
}

// Run applies transitions as they fall due until ctx ends. A failed store
// call is logged and retried at the next reload.
func (s *Scheduler) Run(ctx context.Context) error {
	for {
		wait := s.opts.Reload
		next, ok, err := s.Step(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			s.opts.Logger.Error("apply maintenance transitions", "err", err)
		case ok:
			wait = min(wait, max(next.Sub(s.opts.Clock()), 0))
		}
		c, stop := s.opts.Timer(wait)
		select {
		case <-ctx.Done():
			stop()
			return nil
		case <-c:
		}
	}
}

// Step applies every transition due now, in order, until none is (a
// spawned window may already be due), updates the Set, and returns when
// the next transition falls due.
func (s *Scheduler) Step(ctx context.Context) (time.Time, bool, error) {
	for round := 0; ; round++ {
		now := s.opts.Clock()
		ws, err := s.opts.Store.OpenMaintenances(ctx, now.Add(-s.opts.Keep))
		if err != nil {
			return time.Time{}, false, err
		}
		if s.opts.Set != nil {
			s.opts.Set.Replace(ws)
		}
		due := maintenance.Due(ws, now)
		if len(due) == 0 || round >= 100 {
			next, ok := maintenance.Next(ws, now)
			return next, ok, nil
		}
		progress := false
		for _, t := range due {
			ok, err := s.opts.Store.ApplyMaintenanceTransition(ctx, t, now)
			if err != nil {
				return time.Time{}, false, fmt.Errorf("apply %s: %w", t.Key(), err)
			}
			outcome := "skipped"
			if ok {
				outcome, progress = "applied", true
				s.opts.Logger.Info("maintenance transition", "key", t.Key(), "due", t.At)
			}
			s.applied.WithLabelValues(string(t.Kind), outcome).Inc()
		}
		if !progress {
			// Another writer holds what is due: read again, once, later.
			ws, err := s.opts.Store.OpenMaintenances(ctx, now.Add(-s.opts.Keep))
			if err != nil {
				return time.Time{}, false, err
			}
			if s.opts.Set != nil {
				s.opts.Set.Replace(ws)
			}
			next, ok := maintenance.Next(ws, now)
			return next, ok, nil
		}
	}
}
