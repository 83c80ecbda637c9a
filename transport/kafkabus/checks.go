package kafkabus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/wire"
)

// CheckFeedOptions configures a CheckFeed.
type CheckFeedOptions struct {
	Brokers []string
	Topic   string
	Logger  *slog.Logger
	// Registerer receives statusd_agent_check_definitions_rejected_total;
	// nil means a private registry.
	Registerer prometheus.Registerer
}

// CheckFeed follows the compacted checks topic from its first offset, with
// no consumer group: every agent sees every definition.
type CheckFeed struct {
	opts     CheckFeedOptions
	caughtUp atomic.Bool
	rejected *prometheus.CounterVec
}

// NewCheckFeed returns a feed of check definitions.
func NewCheckFeed(opts CheckFeedOptions) (*CheckFeed, error) {
	if len(opts.Brokers) == 0 || opts.Topic == "" {
		return nil, errors.New("check feed: brokers and topic are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	f := &CheckFeed{opts: opts, rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "statusd_agent_check_definitions_rejected_total",
		Help: "Check definitions read from the checks topic and skipped, by kind: syntax, version or field.",
	}, []string{"kind"})}
	for _, k := range []wire.Kind{wire.KindSyntax, wire.KindVersion, wire.KindField} {
		f.rejected.WithLabelValues(string(k))
	}
	if err := opts.Registerer.Register(f.rejected); err != nil {
		return nil, fmt.Errorf("check feed: register metrics: %w", err)
	}
	return f, nil
}

// Ready reports whether the definitions that were on the topic when Follow
// started have all been applied.
func (f *CheckFeed) Ready() bool { return f.caughtUp.Load() }

// Follow calls apply for every definition on the topic, then for every new
// one, until ctx ends. A tombstone deletes the check; a definition this
// build cannot read is logged and skipped.
func (f *CheckFeed) Follow(ctx context.Context, apply func(agent.Update)) error {
	end, err := lastOffset(ctx, f.opts.Brokers, f.opts.Topic)
	if err != nil {
		return err
	}
	f.caughtUp.Store(end == 0)
	r := newPartitionReader(f.opts.Brokers, f.opts.Topic)
	defer func() {
		if err := r.Close(); err != nil {
			f.opts.Logger.Warn("close checks reader", "err", err)
		}
	}()
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("read %s: %w", f.opts.Topic, err)
		}
		f.deliver(m, apply)
		if m.Offset >= end-1 {
			f.caughtUp.Store(true)
		}
	}
}

// deliver applies one message: a definition, or a tombstone deleting one.
func (f *CheckFeed) deliver(m kafka.Message, apply func(agent.Update)) {
	id := string(m.Key)
	if m.Value == nil {
		apply(agent.Update{ID: id})
		return
	}
	c, err := wire.DecodeCheck(m.Value)
	if err != nil {
		// Logged once: the offset is read once per run of the agent.
		f.opts.Logger.Warn("skip check definition", "check_id", id, "offset", m.Offset, "err", err)
		f.rejected.WithLabelValues(string(wire.KindOf(err))).Inc()
		return
	}
	apply(agent.Update{ID: id, Check: &c})
}

func newPartitionReader(brokers []string, topic string) *kafka.Reader {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: brokers, Topic: topic, Partition: 0,
		MaxWait: 500 * time.Millisecond, ReadBackoffMin: 50 * time.Millisecond, ReadBackoffMax: time.Second,
	})
	// A fresh reader without a group starts at the first offset; SetOffset
	// cannot fail before the first read.
	_ = r.SetOffset(kafka.FirstOffset)
	return r
}

// CheckPublisherOptions configures a CheckPublisher.
type CheckPublisherOptions struct {
	Brokers []string
	Topic   string
	Linger  time.Duration
	Logger  *slog.Logger
}

// CheckPublisher writes check definitions to the checks topic.
type CheckPublisher struct {
	opts CheckPublisherOptions
	w    *kafka.Writer
}

// NewCheckPublisher returns a publisher; Close releases it.
func NewCheckPublisher(opts CheckPublisherOptions) (*CheckPublisher, error) {
	if len(opts.Brokers) == 0 || opts.Topic == "" {
		return nil, errors.New("check publisher: brokers and topic are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &CheckPublisher{opts: opts, w: &kafka.Writer{
		Addr: kafka.TCP(opts.Brokers...), Topic: opts.Topic, BatchTimeout: max(opts.Linger, time.Millisecond),
		RequiredAcks: kafka.RequireAll,
	}}, nil
}

// SyncChecks makes the topic hold exactly checks: it reads what the topic
// holds now and writes the definitions that differ, and a tombstone for
// every check no longer present. Aggregators may run it concurrently: the
// writes are idempotent.
func (p *CheckPublisher) SyncChecks(ctx context.Context, checks []catalog.Check) error {
	current, err := p.snapshot(ctx)
	if err != nil {
		return err
	}
	var msgs []kafka.Message
	for _, c := range checks {
		value, err := wire.EncodeCheck(c)
		if err != nil {
			return fmt.Errorf("encode check %s: %w", c.ID, err)
		}
		if old, ok := current[c.ID]; !ok || !bytes.Equal(old, value) {
			msgs = append(msgs, kafka.Message{Key: []byte(c.ID), Value: value})
		}
		delete(current, c.ID)
	}
	for id := range current {
		msgs = append(msgs, kafka.Message{Key: []byte(id)}) // tombstone
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := p.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("publish %d check definitions: %w", len(msgs), err)
	}
	p.opts.Logger.Info("published check definitions", "changed", len(msgs))
	return nil
}

// snapshot reads the topic up to its current end: check ID → value, without
// deleted checks.
func (p *CheckPublisher) snapshot(ctx context.Context) (map[string][]byte, error) {
	end, err := lastOffset(ctx, p.opts.Brokers, p.opts.Topic)
	if err != nil {
		return nil, err
	}
	current := map[string][]byte{}
	if end == 0 {
		return current, nil
	}
	r := newPartitionReader(p.opts.Brokers, p.opts.Topic)
	defer func() {
		if err := r.Close(); err != nil {
			p.opts.Logger.Warn("close checks reader", "err", err)
		}
	}()
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p.opts.Topic, err)
		}
		if m.Value == nil {
			delete(current, string(m.Key))
		} else {
			current[string(m.Key)] = m.Value
		}
		if m.Offset >= end-1 {
			return current, nil
		}
	}
}

// Close flushes and closes the writer.
func (p *CheckPublisher) Close() error {
	if err := p.w.Close(); err != nil {
		return fmt.Errorf("close checks writer: %w", err)
	}
	return nil
}
