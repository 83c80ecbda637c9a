package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"

	"github.com/statusd/statusd/wire"
)

// preloadChunk is how many messages one WriteMessages call carries.
const preloadChunk = 10_000

// newWriter is a results writer as the agent has one: keyed by component,
// Murmur2Balancer (the Java client's partitioner), RequireAll, snappy.
func newWriter(broker, topic string, linger time.Duration) *kafka.Writer {
	return &kafka.Writer{Addr: kafka.TCP(broker), Topic: topic, Balancer: &kafka.Murmur2Balancer{},
		BatchSize: 1000, BatchTimeout: linger, RequiredAcks: kafka.RequireAll, Compression: compress.Snappy}
}

// preload writes every result of the scenario onto the results topic.
func preload(ctx context.Context, broker, topic string, sc scenario, log *slog.Logger) (err error) {
	w := newWriter(broker, topic, 5*time.Millisecond)
	defer func() {
		if cerr := w.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close pre-load writer: %w", cerr))
		}
	}()
	total := sc.total()
	msgs := make([]kafka.Message, 0, preloadChunk)
	last := time.Now()
	for i := 0; i < total; i += preloadChunk {
		msgs = msgs[:0]
		for j := i; j < min(i+preloadChunk, total); j++ {
			r := sc.result(j)
			value, err := wire.EncodeResult(r)
			if err != nil {
				return fmt.Errorf("encode result %d: %w", j, err)
			}
			msgs = append(msgs, kafka.Message{Key: []byte(r.ComponentID), Value: value})
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			return fmt.Errorf("pre-load results %d-%d: %w", i, i+len(msgs)-1, err)
		}
		if time.Since(last) >= 5*time.Second {
			last = time.Now()
			log.Info("pre-loading", "written", i+len(msgs), "of", total)
		}
	}
	return nil
}
