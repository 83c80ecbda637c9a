package ratelimit

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestAllow(t *testing.T) {
	now := t0
	l, err := New(Options{PerSecond: 10, Burst: 20, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != 100*time.Millisecond {
		t.Fatalf("21st request: ok %v, wait %s; want refused, 100ms", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key is limited by the first")
	}
	now = now.Add(250 * time.Millisecond) // 2.5 tokens
	for i := range 2 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("refilled request %d refused", i+1)
		}
	}
	if ok, wait := l.Allow("a"); ok || wait != 50*time.Millisecond {
		t.Fatalf("after the refill: ok %v, wait %s; want refused, 50ms", ok, wait)
	}
	now = now.Add(time.Hour)
	for i := range 20 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("after an hour, request %d refused: the bucket holds only the burst", i+1)
		}
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("the bucket grew beyond the burst")
	}
	now = now.Add(-time.Minute) // the clock went back: no tokens, no panic
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("a clock going back earned tokens")
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"zero rate", Options{Burst: 1}},
		{"negative burst", Options{PerSecond: 1, Burst: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.opts); err == nil {
				t.Fatal("New accepted", tt.opts)
			}
		})
	}
}

func TestSweepForgetsFullBuckets(t *testing.T) {
	now := t0
	l, err := New(Options{PerSecond: 1, Burst: 1, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range sweepAt {
		l.Allow(fmt.Sprint(i))
	}
	now = now.Add(time.Second)
	l.Allow("new")
	if n := len(l.buckets); n != 1 {
		t.Fatalf("%d buckets after the sweep, want 1", n)
	}
}

func TestConcurrent(t *testing.T) {
	now := t0
	l, err := New(Options{PerSecond: 1, Burst: 50, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if ok, _ := l.Allow("k"); ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if allowed != 50 {
		t.Fatalf("%d requests allowed at once, want the burst of 50", allowed)
	}
}
