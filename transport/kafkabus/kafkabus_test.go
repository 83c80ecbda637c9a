package kafkabus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/aggregator"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/wire"
)

func testCheck(id, url string) catalog.Check {
	c := catalog.Check{ID: id, ComponentID: "comp-" + id, Type: catalog.TypeHTTP, HTTP: &catalog.HTTPSpec{URL: url}, Version: 1}
	c.ApplyDefaults()
	return c
}

func setup(t *testing.T) ([]string, Topics) {
	t.Helper()
	brokers := []string{testenv.Kafka(t)}
	topics := TopicsWithPrefix(testenv.TopicPrefix())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for range 2 { // idempotent
		if err := EnsureTopics(ctx, brokers, topics, 3); err != nil {
			t.Fatal(err)
		}
	}
	return brokers, topics
}

// follower collects what a CheckFeed applies.
type follower struct {
	mu     sync.Mutex
	checks map[string]catalog.Check
}

func (f *follower) apply(u agent.Update) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u.Check == nil {
		delete(f.checks, u.ID)
		return
	}
	f.checks[u.ID] = *u.Check
}

func (f *follower) snapshot() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for id, c := range f.checks {
		out[id] = c.HTTP.URL
	}
	return out
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestChecksSyncAndFollow(t *testing.T) {
	brokers, topics := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pub, err := NewCheckPublisher(CheckPublisherOptions{Brokers: brokers, Topic: topics.Checks, Linger: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := pub.Close(); err != nil {
			t.Error(err)
		}
	}()
	if err := pub.SyncChecks(ctx, []catalog.Check{testCheck("a", "http://a.test/"), testCheck("b", "http://b.test/")}); err != nil {
		t.Fatal(err)
	}
	feed, err := NewCheckFeed(CheckFeedOptions{Brokers: brokers, Topic: topics.Checks})
	if err != nil {
		t.Fatal(err)
	}
	f := &follower{checks: map[string]catalog.Check{}}
	followCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- feed.Follow(followCtx, f.apply) }()
	waitUntil(t, "initial snapshot", feed.Ready)
	if got := f.snapshot(); len(got) != 2 || got["a"] != "http://a.test/" || got["b"] != "http://b.test/" {
		t.Fatalf("after the snapshot the feed holds %v", got)
	}

	// Change a, delete b, add c; a second identical sync writes nothing.
	next := []catalog.Check{testCheck("a", "http://a2.test/"), testCheck("c", "http://c.test/")}
	if err := pub.SyncChecks(ctx, next); err != nil {
		t.Fatal(err)
	}
	before, err := lastOffset(ctx, brokers, topics.Checks)
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.SyncChecks(ctx, next); err != nil {
		t.Fatal(err)
	}
	if after, _ := lastOffset(ctx, brokers, topics.Checks); after != before {
		t.Errorf("an unchanged sync wrote %d messages", after-before)
	}
	waitUntil(t, "the feed to follow the changes", func() bool {
		got := f.snapshot()
		return len(got) == 2 && got["a"] == "http://a2.test/" && got["c"] == "http://c.test/"
	})
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Follow returned %v after cancel, want nil", err)
	}
}

// TestCheckFeedSkipsAndCountsInvalidDefinitions writes definitions no
// agent can run between valid ones: each is counted by kind and skipped,
// and the others are applied.
func TestCheckFeedSkipsAndCountsInvalidDefinitions(t *testing.T) {
	brokers, topics := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	good, err := wire.EncodeCheck(testCheck("good", "http://good.test/"))
	if err != nil {
		t.Fatal(err)
	}
	bad := testCheck("bad", "http://bad.test:99999/")
	badData, err := wire.EncodeCheck(bad)
	if err != nil {
		t.Fatal(err)
	}
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: topics.Checks, BatchTimeout: 5 * time.Millisecond}
	msgs := []kafka.Message{
		{Key: []byte("bad"), Value: badData},
		{Key: []byte("junk"), Value: []byte("{not json")},
		{Key: []byte("future"), Value: []byte(`{"v":99,"id":"future"}`)},
		{Key: []byte("good"), Value: good},
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	feed, err := NewCheckFeed(CheckFeedOptions{Brokers: brokers, Topic: topics.Checks, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	f := &follower{checks: map[string]catalog.Check{}}
	followCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- feed.Follow(followCtx, f.apply) }()
	waitUntil(t, "the topic read", feed.Ready)
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := f.snapshot(); len(got) != 1 || got["good"] != "http://good.test/" {
		t.Errorf("the feed applied %v, want only good", got)
	}
	for kind, want := range map[string]float64{"field": 1, "syntax": 1, "version": 1} {
		if got := testutil.ToFloat64(feed.rejected.WithLabelValues(kind)); got != want {
			t.Errorf("rejected{kind=%q} = %v, want %v", kind, got, want)
		}
	}
	if n, err := testutil.GatherAndCount(reg, "statusd_agent_check_definitions_rejected_total"); err != nil || n != 3 {
		t.Errorf("registered series = %d (%v), want 3", n, err)
	}
}

func TestResultClaims(t *testing.T) {
	brokers, topics := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	reg := prometheus.NewRegistry()
	pub, err := NewResultPublisher(ResultPublisherOptions{Brokers: brokers, Topic: topics.Results, Linger: 5 * time.Millisecond, Registerer: reg,
		Spool: testSpool(t)})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stopPub := context.WithCancel(ctx)
	pubDone := make(chan error, 1)
	go func() { done := pub.Run(runCtx); pubDone <- done }()
	const n = 50
	now := time.Now()
	for i := range n {
		r := result.Result{ID: fmt.Sprintf("r%02d", i), CheckID: "k", ComponentID: fmt.Sprintf("c%d", i%5), Region: "eu",
			Scheduled: now, Started: now, Success: true}
		if err := pub.Publish(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	stopPub() // flushes the queue
	if err := <-pubDone; err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(pub.m.published); got != n {
		t.Fatalf("published %v results, want %d", got, n)
	}

	group := testenv.Name("g")
	newSource := func() *ResultSource {
		src, err := NewResultSource(ResultSourceOptions{Brokers: brokers, Topic: topics.Results, GroupID: group})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := src.Close(); err != nil {
				t.Error(err)
			}
		})
		return src
	}
	// read takes a claim, starts it at from, and reads until want results
	// came or quiet passed without one; it commits what it read.
	read := func(c aggregator.Claim, from int64, want int, quiet time.Duration) map[string]bool {
		t.Helper()
		start := map[int]int64{}
		for _, p := range c.Partitions() {
			start[p] = from
		}
		if err := c.Start(start); err != nil {
			t.Fatal(err)
		}
		seen, next := map[string]bool{}, map[int]int64{}
		deadline := time.Now().Add(quiet)
		for len(seen) < want && time.Now().Before(deadline) {
			msgs, err := c.Fetch(ctx, 1000, 100*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				r, err := wire.DecodeResult(m.Value)
				if err != nil {
					t.Fatal(err)
				}
				seen[r.ID] = true
				next[m.Partition] = m.Offset + 1
			}
		}
		if err := c.Commit(ctx, next); err != nil {
			t.Fatal(err)
		}
		return seen
	}
	src := newSource()
	c, err := src.Claim(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Partitions(); len(got) != 3 {
		t.Fatalf("the only member claims partitions %v, want all 3", got)
	}
	if got := read(c, -1, n, 20*time.Second); len(got) != n {
		t.Fatalf("first read saw %d results, want %d", len(got), n)
	}
	// A second member joins: the first claim ends (a rebalance), and once it
	// is done each member claims a disjoint share.
	other := newSource()
	otherClaim := make(chan aggregator.Claim, 1)
	go func() {
		oc, err := other.Claim(ctx)
		if err != nil {
			t.Error(err)
		}
		otherClaim <- oc
	}()
	select {
	case <-c.Context().Done():
	case <-time.After(30 * time.Second):
		t.Fatal("the claim did not end when a second member joined")
	}
	if _, err := c.Fetch(ctx, 10, time.Millisecond); !errors.Is(err, aggregator.ErrClaimEnded) {
		t.Fatalf("fetch from an ended claim: err = %v, want ErrClaimEnded", err)
	}
	c.Done()
	mine, err := src.Claim(ctx)
	if err != nil {
		t.Fatal(err)
	}
	theirs := <-otherClaim
	if theirs == nil {
		t.FailNow()
	}
	all := append(slices.Clone(mine.Partitions()), theirs.Partitions()...)
	slices.Sort(all)
	if !slices.Equal(all, []int{0, 1, 2}) {
		t.Fatalf("claims %v and %v; want a disjoint split of 0, 1, 2", mine.Partitions(), theirs.Partitions())
	}
	// Both committed offsets are at the end: started where the group left
	// it, a claim reads nothing; started at 0, it reads its share again.
	if got := read(mine, -1, 1, 2*time.Second); len(got) != 0 {
		t.Fatalf("committed results were delivered again: %d", len(got))
	}
	mine.Done()
	theirs.Done()
}

func TestPublishDropsWhenQueueIsFull(t *testing.T) {
	pub, err := NewResultPublisher(ResultPublisherOptions{Brokers: []string{"127.0.0.1:1"}, Topic: "t", QueueSize: 2, Spool: testSpool(t)})
	if err != nil {
		t.Fatal(err)
	}
	r := result.Result{ID: "x", ComponentID: "c"}
	for range 2 {
		if err := pub.Publish(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Publish(context.Background(), r); err == nil {
		t.Fatal("publish into a full queue succeeded")
	}
	if got := testutil.ToFloat64(pub.m.dropped.WithLabelValues("queue_full")); got != 1 {
		t.Fatalf("dropped{queue_full} = %v, want 1", got)
	}
}
