package inproc

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/wire"
)

func TestChecksFollow(t *testing.T) {
	c := NewChecks()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mk := func(id, url string) catalog.Check {
		return catalog.Check{ID: id, HTTP: &catalog.HTTPSpec{URL: url}}
	}
	if err := c.SyncChecks(ctx, []catalog.Check{mk("a", "1"), mk("b", "1")}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var log []string
	done := make(chan error, 1)
	go func() {
		done <- c.Follow(ctx, func(u agent.Update) {
			mu.Lock()
			defer mu.Unlock()
			if u.Check == nil {
				log = append(log, "-"+u.ID)
			} else {
				log = append(log, "+"+u.ID+"="+u.Check.HTTP.URL)
			}
		})
	}()
	wait := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			mu.Lock()
			got := fmt.Sprint(log)
			mu.Unlock()
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("updates = %s, want %s", got, want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	wait("[+a=1 +b=1]")
	if err := c.SyncChecks(ctx, []catalog.Check{mk("a", "2"), mk("c", "1")}); err != nil {
		t.Fatal(err)
	}
	wait("[+a=1 +b=1 +a=2 +c=1 -b]")
	if err := c.SyncChecks(ctx, []catalog.Check{mk("a", "2"), mk("c", "1")}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	wait("[+a=1 +b=1 +a=2 +c=1 -b]") // an unchanged sync delivers nothing
}

func TestResultsQueue(t *testing.T) {
	q, err := NewResults(ResultsOptions{QueueSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	for i := range 3 {
		r := result.Result{ID: fmt.Sprint(i), CheckID: "k", ComponentID: "c", Region: "r", Scheduled: now, Started: now}
		if err := q.Publish(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Publish(ctx, result.Result{ID: "overflow"}); err == nil {
		t.Fatal("publish into a full queue succeeded")
	}
	c, err := q.Claim(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(map[int]int64{0: 41}); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(ctx, 2, 10*time.Millisecond)
	if err != nil || len(msgs) != 2 || msgs[0].Offset != 41 || msgs[1].Offset != 42 {
		t.Fatalf("fetch = %+v, %v; want 2 messages at offsets 41 and 42", msgs, err)
	}
	msgs, err = c.Fetch(ctx, 10, 10*time.Millisecond)
	if err != nil || len(msgs) != 1 || msgs[0].Offset != 43 {
		t.Fatalf("second fetch = %+v, %v; want 1 message at offset 43", msgs, err)
	}
	if r, err := wire.DecodeResult(msgs[0].Value); err != nil || r.ID != "2" {
		t.Fatalf("queued result decodes to %+v, %v", r, err)
	}
	if msgs, err := c.Fetch(ctx, 10, time.Millisecond); err != nil || len(msgs) != 0 {
		t.Fatalf("fetch from an empty queue = %+v, %v; want nothing after the wait", msgs, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Fetch(cancelled, 1, time.Millisecond); err == nil {
		t.Fatal("fetch on an empty queue with a cancelled context returned no error")
	}
}
