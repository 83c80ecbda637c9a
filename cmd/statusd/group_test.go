package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

func TestGroupStopsAllWhenOneComponentFails(t *testing.T) {
	g := &group{logger: slog.New(slog.DiscardHandler)}
	stopped := make(chan struct{})
	g.add("waits", func(ctx context.Context) error { <-ctx.Done(); close(stopped); return nil })
	g.add("fails", func(context.Context) error { return errors.New("boom") })
	done := make(chan error, 1)
	go func() { done <- g.run(context.Background()) }() // ctx never ends: only the failure stops the group
	select {
	case err := <-done:
		if err == nil || err.Error() != "fails: boom" {
			t.Fatalf("run = %v, want the failing component's error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the group kept running after a component failed")
	}
	select {
	case <-stopped:
	default:
		t.Fatal("the other component was not stopped")
	}
}

func TestGroupStopsOnContext(t *testing.T) {
	g := &group{logger: slog.New(slog.DiscardHandler)}
	g.add("waits", func(ctx context.Context) error { <-ctx.Done(); return nil })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.run(ctx); err != nil {
		t.Fatalf("run = %v, want nil after ctx ended", err)
	}
}

func TestPipelineStopsSecondAfterFirst(t *testing.T) {
	var order []string
	first := func(ctx context.Context) error { <-ctx.Done(); order = append(order, "first"); return nil }
	second := func(ctx context.Context) error { <-ctx.Done(); order = append(order, "second"); return nil }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := pipeline(first, second)(ctx); err != nil {
		t.Fatal(err)
	}
	if len(order) != 2 || order[0] != "first" || order[1] != "second" {
		t.Fatalf("stop order = %v, want [first second]", order)
	}
}
