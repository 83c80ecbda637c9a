package kafkabus

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/spool"
	"github.com/statusd/statusd/wire"
)

func testSpool(t *testing.T) spool.Options {
	return spool.Options{Dir: t.TempDir(), MaxBytes: 64 << 20, MaxAge: time.Hour}
}

// broker is an in-memory broker of the test's own, stopped and started
// again on the same port; its data does not survive a stop.
type broker struct {
	t    *testing.T
	port int
	c    *kfake.Cluster
}

func startBroker(t *testing.T, port int) *broker {
	t.Helper()
	b := &broker{t: t, port: port}
	b.start()
	t.Cleanup(b.stop)
	return b
}

func (b *broker) addr() string { return "127.0.0.1:" + strconv.Itoa(b.port) }

func (b *broker) start() {
	b.t.Helper()
	c, err := kfake.NewCluster(kfake.Ports(b.port), kfake.DefaultNumPartitions(3))
	if err != nil {
		b.t.Fatalf("start broker: %v", err)
	}
	b.c = c
	_, port, _ := net.SplitHostPort(c.ListenAddrs()[0])
	b.port, _ = strconv.Atoi(port)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for { // a broker just started may answer Broker Not Available a moment
		err := EnsureTopics(ctx, []string{b.addr()}, TopicsWithPrefix("t."), 3)
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			b.t.Fatalf("create topics: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *broker) stop() {
	if b.c != nil {
		b.c.Close()
		b.c = nil
	}
}

// runPublisher runs pub until the test stops it with the returned func.
func runPublisher(t *testing.T, pub *ResultPublisher) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pub.Run(ctx) }()
	var stopped bool
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("publisher Run: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

func newTestPublisher(t *testing.T, addr string, sp spool.Options) *ResultPublisher {
	t.Helper()
	pub, err := NewResultPublisher(ResultPublisherOptions{Brokers: []string{addr}, Topic: "t.results",
		Linger: 2 * time.Millisecond, Spool: sp, WriteTimeout: 500 * time.Millisecond, ReplayTimeout: time.Second,
		BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func publishRange(t *testing.T, pub *ResultPublisher, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		r := result.Result{ID: fmt.Sprintf("r%05d", i), CheckID: "k", ComponentID: fmt.Sprintf("c%d", i%7),
			Region: "eu", Scheduled: time.Unix(int64(i+1), 0), Started: time.Unix(int64(i+1), 0), Success: true}
		if err := pub.Publish(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
}

// readResults reads the results topic to its end: result index by
// partition, in offset order.
func readResults(t *testing.T, addr string) [][]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := make([][]int, 3)
	for p := range 3 {
		conn, err := kafka.DialLeader(ctx, "tcp", addr, "t.results", p)
		if err != nil {
			t.Fatal(err)
		}
		end, err := conn.ReadLastOffset()
		if cerr := conn.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		if end == 0 {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{addr}, Topic: "t.results", Partition: p, MaxWait: 100 * time.Millisecond})
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatalf("read partition %d: %v", p, err)
			}
			res, err := wire.DecodeResult(m.Value)
			if err != nil {
				t.Fatal(err)
			}
			i, _ := strconv.Atoi(strings.TrimPrefix(res.ID, "r"))
			out[p] = append(out[p], i)
			if m.Offset >= end-1 {
				break
			}
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// checkDelivered asserts every result in [from, to) arrived, in order
// within each partition (a component's results share one), duplicates
// aside.
func checkDelivered(t *testing.T, parts [][]int, from, to int) {
	t.Helper()
	seen := map[int]bool{}
	dups := 0
	for p, ids := range parts {
		last := -1
		for _, i := range ids {
			if seen[i] {
				dups++
				continue
			}
			seen[i] = true
			if i < last {
				t.Errorf("partition %d: result %d after %d", p, i, last)
			}
			last = i
		}
	}
	missing := 0
	for i := from; i < to; i++ {
		if !seen[i] {
			missing++
		}
	}
	t.Logf("MEASURED results %d..%d: %d arrived, %d missing, %d duplicates", from, to-1, len(seen), missing, dups)
	if missing > 0 {
		t.Errorf("%d of results %d..%d never arrived", missing, from, to-1)
	}
}

func waitUntilSpoolEmpty(t *testing.T, pub *ResultPublisher) {
	t.Helper()
	waitUntil(t, "the spool to drain", func() bool {
		b := pub.Backlog()
		return b.Spooled == 0 && b.Queued == 0 && b.SpoolBytes == 0
	})
}

// TestBrokerOutageSpoolsAndReplaysInOrder stops the broker while results
// are published: they go to the spool and reach the broker, started again
// on its port, in order.
func TestBrokerOutageSpoolsAndReplaysInOrder(t *testing.T) {
	b := startBroker(t, 0)
	pub := newTestPublisher(t, b.addr(), testSpool(t))
	stop := runPublisher(t, pub)
	publishRange(t, pub, 0, 100)
	waitUntil(t, "the first results to be written", func() bool { return testutil.ToFloat64(pub.m.published) == 100 })

	b.stop()
	for i := 100; i < 400; i += 20 {
		publishRange(t, pub, i, i+20)
		time.Sleep(20 * time.Millisecond) // results trickle in as probes would
	}
	waitUntil(t, "results in the spool", func() bool { return pub.Backlog().Spooled > 0 })
	if !pub.Writable() {
		t.Error("publisher not writable with the spool taking results")
	}
	b.start()
	publishRange(t, pub, 400, 450)
	waitUntilSpoolEmpty(t, pub)
	stop()
	checkDelivered(t, readResults(t, b.addr()), 100, 450)
	if got := testutil.ToFloat64(pub.m.retries); got == 0 {
		t.Error("no retries counted during the outage")
	}
}

// TestSpoolSurvivesRestart: results published with no broker are in the
// spool at shutdown and reach the broker from the next publisher.
func TestSpoolSurvivesRestart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	sp := testSpool(t)
	pub := newTestPublisher(t, "127.0.0.1:"+strconv.Itoa(port), sp)
	stop := runPublisher(t, pub)
	publishRange(t, pub, 0, 200)
	stop() // flushes the queue into the spool
	if got := testutil.ToFloat64(pub.m.spooled); got != 200 {
		t.Fatalf("spooled %v results at shutdown, want 200", got)
	}

	b := startBroker(t, port)
	pub = newTestPublisher(t, b.addr(), sp)
	stop = runPublisher(t, pub)
	publishRange(t, pub, 200, 250)
	waitUntilSpoolEmpty(t, pub)
	stop()
	checkDelivered(t, readResults(t, b.addr()), 0, 250)
}

// TestTooLargeIsDroppedNotRetried: a result Kafka will never take is
// counted and dropped; the others of its batch are written.
func TestTooLargeIsDroppedNotRetried(t *testing.T) {
	b := startBroker(t, 0)
	pub := newTestPublisher(t, b.addr(), testSpool(t))
	stop := runPublisher(t, pub)
	publishRange(t, pub, 0, 10)
	huge := result.Result{ID: "huge", ComponentID: "c0", Message: strings.Repeat("x", 2<<20), Scheduled: time.Unix(1, 0)}
	if err := pub.Publish(context.Background(), huge); err != nil {
		t.Fatal(err)
	}
	publishRange(t, pub, 10, 20)
	waitUntil(t, "the other results to be written", func() bool { return testutil.ToFloat64(pub.m.published) == 20 })
	stop()
	if got := testutil.ToFloat64(pub.m.dropped.WithLabelValues("rejected")); got != 1 {
		t.Errorf("dropped{rejected} = %v, want 1", got)
	}
	checkDelivered(t, readResults(t, b.addr()), 0, 20)
}

func TestRetryable(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"leader not available", kafka.LeaderNotAvailable, true},
		{"request timed out, wrapped", fmt.Errorf("write: %w", kafka.RequestTimedOut), true},
		{"message size too large", kafka.MessageSizeTooLarge, false},
		{"topic authorization failed", kafka.TopicAuthorizationFailed, false},
		{"message too large on the client", kafka.MessageTooLargeError{}, false},
		{"connection refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{"deadline", context.DeadlineExceeded, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := retryable(tc.err); got != tc.want {
				t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// TestSpoolFullIsCounted: with no broker and a small spool, what the spool
// cannot keep is counted by reason, never silently lost.
func TestSpoolFullIsCounted(t *testing.T) {
	sp := testSpool(t)
	sp.MaxBytes, sp.SegmentBytes = 16<<10, 4<<10
	pub := newTestPublisher(t, "127.0.0.1:1", sp)
	stop := runPublisher(t, pub)
	const n = 500
	for i := 0; i < n; i += 50 {
		publishRange(t, pub, i, i+50)
		waitUntil(t, "the batch to be spooled", func() bool { return pub.Backlog().Queued == 0 })
	}
	stop()
	full := testutil.ToFloat64(pub.m.dropped.WithLabelValues(spool.ReasonFull))
	kept := pub.spool.Stats().Records
	t.Logf("MEASURED 16 KiB spool: %d of %d results kept, %v dropped as spool_full", kept, n, full)
	if full == 0 || int(full)+kept != n {
		t.Errorf("dropped %v as spool_full and kept %d, of %d published", full, kept, n)
	}
}

// TestPublisherMetricsLint: the publisher's metrics pass Prometheus' own
// lint, as promtool check metrics runs it.
func TestPublisherMetricsLint(t *testing.T) {
	reg := prometheus.NewRegistry()
	pub, err := NewResultPublisher(ResultPublisherOptions{Brokers: []string{"127.0.0.1:1"}, Topic: "t", Spool: testSpool(t), Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	runPublisher(t, pub)()
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("metric %s: %s", p.Metric, p.Text)
	}
}
