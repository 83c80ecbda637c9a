package aggregator

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
)

type countingSink struct{ n atomic.Int64 }

func (s *countingSink) SyncChecks(context.Context, []catalog.Check) error { s.n.Add(1); return nil }

type noChecks struct{}

func (noChecks) Checks(context.Context) ([]catalog.Check, error) { return nil, nil }

// TestCheckSyncPoke: a poke publishes at once, not at the next tick.
func TestCheckSyncPoke(t *testing.T) {
	sink := &countingSink{}
	s, err := NewCheckSync(CheckSyncOptions{Store: noChecks{}, Sink: sink, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	wait := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for sink.n.Load() < want {
			if time.Now().After(deadline) {
				t.Fatalf("published %d times, want %d", sink.n.Load(), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	wait(1)
	s.Poke()
	wait(2)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
