package kafkabus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/aggregator"
)

// ResultSourceOptions configures a ResultSource.
type ResultSourceOptions struct {
	Brokers []string
	Topic   string
	GroupID string
	Logger  *slog.Logger
}

// ResultSource consumes the results topic as a member of a consumer group,
// one generation (claim) at a time, through kafka-go's ConsumerGroup: a
// claim reads its partitions from the offsets the aggregator gives, and
// the next generation starts only after the aggregator is Done with the
// claim, so within a process two claims never overlap.
type ResultSource struct {
	opts  ResultSourceOptions
	group *kafka.ConsumerGroup
}

// NewResultSource joins the consumer group; Close leaves it.
func NewResultSource(opts ResultSourceOptions) (*ResultSource, error) {
	if len(opts.Brokers) == 0 || opts.Topic == "" || opts.GroupID == "" {
		return nil, errors.New("result source: brokers, topic and group are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	group, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID: opts.GroupID, Brokers: opts.Brokers, Topics: []string{opts.Topic},
		HeartbeatInterval: time.Second, SessionTimeout: 6 * time.Second, RebalanceTimeout: 10 * time.Second,
		JoinGroupBackoff: time.Second, WatchPartitionChanges: true, PartitionWatchInterval: 10 * time.Second,
		StartOffset: kafka.FirstOffset,
	})
	if err != nil {
		return nil, fmt.Errorf("join consumer group %s: %w", opts.GroupID, err)
	}
	return &ResultSource{opts: opts, group: group}, nil
}

// Claim waits for the next generation of the group and returns its
// partitions of the results topic.
func (s *ResultSource) Claim(ctx context.Context) (aggregator.Claim, error) {
	gen, err := s.group.Next(ctx)
	if err != nil {
		return nil, fmt.Errorf("join the next generation of group %s: %w", s.opts.GroupID, err)
	}
	c := &claim{opts: s.opts, gen: gen, initial: map[int]int64{}, done: make(chan struct{})}
	for _, pa := range gen.Assignments[s.opts.Topic] {
		c.parts = append(c.parts, pa.ID)
		c.initial[pa.ID] = pa.Offset
	}
	slices.Sort(c.parts)
	c.ctx, c.cancel = context.WithCancel(context.Background())
	gen.Start(func(genCtx context.Context) {
		select {
		case <-genCtx.Done(): // a rebalance: tell the aggregator, then wait for it
			c.cancel()
			<-c.done
		case <-c.done:
		}
	})
	return c, nil
}

// Close leaves the consumer group.
func (s *ResultSource) Close() error {
	if err := s.group.Close(); err != nil {
		return fmt.Errorf("leave consumer group %s: %w", s.opts.GroupID, err)
	}
	return nil
}

// claim is one generation's partitions.
type claim struct {
	opts    ResultSourceOptions
	gen     *kafka.Generation
	parts   []int
	initial map[int]int64   // committed offsets, or kafka.FirstOffset
	ctx     context.Context // ends with the generation
	cancel  context.CancelFunc
	once    sync.Once
	done    chan struct{}
	// The readers of the last Start, and where they deliver. Start, Fetch
	// and Done are called from the aggregator's loop, one at a time.
	msgs        chan aggregator.Message
	readers     []*kafka.Reader
	stopReaders context.CancelFunc
	wg          sync.WaitGroup
}

func (c *claim) Topic() string            { return c.opts.Topic }
func (c *claim) Partitions() []int        { return c.parts }
func (c *claim) Context() context.Context { return c.ctx }

// Start starts one reader per partition at its offset, after stopping
// those of an earlier Start.
func (c *claim) Start(from map[int]int64) error {
	c.stop()
	rctx, cancel := context.WithCancel(c.ctx)
	c.stopReaders = cancel
	c.msgs = make(chan aggregator.Message, 32768)
	for _, p := range c.parts {
		off, ok := from[p]
		if !ok || off < 0 {
			off = c.initial[p]
		}
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers: c.opts.Brokers, Topic: c.opts.Topic, Partition: p,
			MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 100 * time.Millisecond, QueueCapacity: 1000,
			ReadBackoffMin: 20 * time.Millisecond, ReadBackoffMax: 500 * time.Millisecond,
		})
		if err := r.SetOffset(off); err != nil {
			return errors.Join(fmt.Errorf("read partition %d from %d: %w", p, off, err), r.Close())
		}
		c.readers = append(c.readers, r)
		c.wg.Add(1)
		go c.read(rctx, p, r, c.msgs)
	}
	return nil
}

// stop stops and closes the readers of the last Start.
func (c *claim) stop() {
	if c.stopReaders == nil {
		return
	}
	c.stopReaders()
	c.wg.Wait()
	for _, r := range c.readers {
		if err := r.Close(); err != nil {
			c.opts.Logger.Warn("close results reader", "err", err)
		}
	}
	c.readers, c.stopReaders = nil, nil
}

// read forwards one partition's messages until ctx ends; a failed fetch
// is logged and retried, the reader keeping its offset.
func (c *claim) read(ctx context.Context, p int, r *kafka.Reader, out chan<- aggregator.Message) {
	defer c.wg.Done()
	for attempt := 0; ; {
		m, err := r.FetchMessage(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if attempt%10 == 0 {
				c.opts.Logger.Error("read results partition", "partition", p, "attempt", attempt+1, "err", err)
			}
			attempt++
			select {
			case <-time.After(min(100*time.Millisecond<<min(attempt, 6), 5*time.Second)):
			case <-ctx.Done():
				return
			}
			continue
		}
		attempt = 0
		select {
		case out <- aggregator.Message{Partition: p, Offset: m.Offset, Value: m.Value}:
		case <-ctx.Done():
			return
		}
	}
}

// Fetch waits up to wait for the first message, then takes what is queued
// up to max.
func (c *claim) Fetch(ctx context.Context, max int, wait time.Duration) ([]aggregator.Message, error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var out []aggregator.Message
	select {
	case m := <-c.msgs:
		out = append(out, m)
	case <-timer.C:
		return nil, nil
	case <-c.ctx.Done():
		return nil, aggregator.ErrClaimEnded
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for len(out) < max {
		select {
		case m := <-c.msgs:
			out = append(out, m)
		case <-timer.C:
			return out, nil
		default:
			if len(out) >= max/4 {
				return out, nil
			}
			// Let the readers catch up a little before handing out a
			// small batch: fewer, larger batches under load.
			select {
			case m := <-c.msgs:
				out = append(out, m)
			case <-time.After(5 * time.Millisecond):
				return out, nil
			}
		}
	}
	return out, nil
}

// Commit commits the group's offsets, for lag monitoring.
func (c *claim) Commit(_ context.Context, next map[int]int64) error {
	if err := c.gen.CommitOffsets(map[string]map[int]int64{c.opts.Topic: next}); err != nil {
		return fmt.Errorf("commit offsets of %s: %w", c.opts.Topic, err)
	}
	return nil
}

// Done stops the readers and lets the group move to its next generation.
func (c *claim) Done() {
	c.once.Do(func() {
		c.cancel()
		c.stop()
		close(c.done)
	})
}
