package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/transport/kafkabus"
	"github.com/statusd/statusd/wire"
)

// publishChecks writes the check definitions to the checks topic, as an
// aggregator would; the agent reads them from there.
func publishChecks(ctx context.Context, brokers []string, topic string, checks []catalog.Check) (err error) {
	p, err := kafkabus.NewCheckPublisher(kafkabus.CheckPublisherOptions{Brokers: brokers, Topic: topic,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := p.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close check publisher: %w", cerr))
		}
	}()
	return p.SyncChecks(ctx, checks)
}

// deleteTopics removes the run's topics.
func deleteTopics(broker string, t kafkabus.Topics) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(broker)}
	resp, err := client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: []string{t.Checks, t.Results, t.Heartbeats}})
	if err != nil {
		return fmt.Errorf("delete topics: %w", err)
	}
	var errs []error
	for topic, err := range resp.Errors {
		if err != nil && !errors.Is(err, kafka.UnknownTopicOrPartition) {
			errs = append(errs, fmt.Errorf("delete topic %s: %w", topic, err))
		}
	}
	return errors.Join(errs...)
}

// probeRun is what the benchmark keeps of one result.
type probeRun struct {
	scheduled, started int64 // Unix nanoseconds
	success            bool
	class              string // the error class of a failed run
}

// collector gathers the results read from the topic.
type collector struct {
	mu    sync.Mutex
	first map[string]int64      // check ID → Started of its earliest result
	runs  map[string][]probeRun // check ID → its runs
}

func newCollector() *collector {
	return &collector{first: map[string]int64{}, runs: map[string][]probeRun{}}
}

func (c *collector) add(checkID string, r probeRun) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.first[checkID]; !ok || r.started < f {
		c.first[checkID] = r.started
	}
	c.runs[checkID] = append(c.runs[checkID], r)
}

// online is how many checks have at least one result.
func (c *collector) online() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.first)
}

// firstStart is when the first check first ran.
func (c *collector) firstStart() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	first := int64(math.MaxInt64)
	for _, f := range c.first {
		first = min(first, f)
	}
	return time.Unix(0, first)
}

// lastFirstStart is when the last check to come online first ran.
func (c *collector) lastFirstStart() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var last int64
	for _, f := range c.first {
		last = max(last, f)
	}
	return time.Unix(0, last)
}

// windowStats describe the runs whose tick lies in a window.
type windowStats struct {
	ran, failed int
	failedBy    map[string]int  // failed runs by error class
	jitter      []time.Duration // started − scheduled, one per run
}

// window returns the runs of ticks in [from, to), each tick counted once.
func (c *collector) window(from, to time.Time) windowStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	var st windowStats
	lo, hi := from.UnixNano(), to.UnixNano()
	for _, runs := range c.runs {
		seen := map[int64]bool{}
		for _, r := range runs {
			if r.scheduled < lo || r.scheduled >= hi || seen[r.scheduled] {
				continue
			}
			seen[r.scheduled] = true
			st.ran++
			if !r.success {
				st.failed++
				if st.failedBy == nil {
					st.failedBy = map[string]int{}
				}
				st.failedBy[cmp.Or(r.class, "unknown")]++
			}
			st.jitter = append(st.jitter, time.Duration(r.started-r.scheduled))
		}
	}
	return st
}

// readResults reads every partition of the results topic from its start
// into col until ctx ends; the returned channel closes when all readers
// have stopped.
func readResults(ctx context.Context, broker, topic string, partitions int, col *collector) <-chan struct{} {
	var wg sync.WaitGroup
	for p := range partitions {
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{broker}, Topic: topic, Partition: p,
			MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 100 * time.Millisecond})
		wg.Go(func() {
			defer func() { _ = r.Close() }() // read-only; nothing to lose
			dec := wire.NewResultDecoder()
			for {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					return // ctx ended, or the topic went away
				}
				res, err := dec.Decode(m.Value)
				if err != nil {
					continue
				}
				col.add(res.CheckID, probeRun{scheduled: res.Scheduled.UnixNano(), started: res.Started.UnixNano(), success: res.Success, class: string(res.ErrorClass)})
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return done
}
