package aggregator

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/statusd/statusd/catalog"
)

// CheckLister lists the stored check definitions.
type CheckLister interface {
	Checks(ctx context.Context) ([]catalog.Check, error)
}

// CheckSink is where agents read check definitions from.
type CheckSink interface {
	SyncChecks(ctx context.Context, checks []catalog.Check) error
}

// CheckSyncOptions configures a CheckSync.
type CheckSyncOptions struct {
	Store    CheckLister
	Sink     CheckSink
	Interval time.Duration // 30 s by default
	Logger   *slog.Logger
}

// CheckSync publishes the stored check definitions to the agents at start
// and then periodically, so agents follow the store.
type CheckSync struct {
	opts   CheckSyncOptions
	synced atomic.Bool
	poke   chan struct{}
}

// NewCheckSync returns a CheckSync; Run drives it.
func NewCheckSync(opts CheckSyncOptions) (*CheckSync, error) {
	if opts.Store == nil || opts.Sink == nil {
		return nil, errors.New("check sync: store and sink are required")
	}
	if opts.Interval <= 0 {
		opts.Interval = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &CheckSync{opts: opts, poke: make(chan struct{}, 1)}, nil
}

// Poke makes Run publish the definitions now rather than at the next
// tick: the catalog changed. It never blocks; pokes while one is pending
// are one.
func (s *CheckSync) Poke() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// Synced reports whether the definitions were published at least once.
func (s *CheckSync) Synced() bool { return s.synced.Load() }

// Run syncs now, every interval and when poked, until ctx ends; failures
// are logged and retried at the next tick.
func (s *CheckSync) Run(ctx context.Context) error {
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		if err := s.sync(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Error("publish check definitions", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.poke:
		}
	}
}

func (s *CheckSync) sync(ctx context.Context) error {
	checks, err := s.opts.Store.Checks(ctx)
	if err != nil {
		return err
	}
	if err := s.opts.Sink.SyncChecks(ctx, checks); err != nil {
		return err
	}
	s.synced.Store(true)
	return nil
}
