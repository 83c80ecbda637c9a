package kafkabus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"

	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/wire"
)

// ResultPublisherOptions configures a ResultPublisher.
type ResultPublisherOptions struct {
	Brokers    []string
	Topic      string
	Linger     time.Duration // how long the writer waits to fill a batch; 5-10 ms
	QueueSize  int           // results held while Kafka is slow; 10,000 by default
	Registerer prometheus.Registerer
	Logger     *slog.Logger
}

// ResultPublisher ships probe results to the results topic, keyed by
// component ID, through one shared kafka-go Writer. Publish queues; Run
// writes the queue in batches.
type ResultPublisher struct {
	opts      ResultPublisherOptions
	w         *kafka.Writer
	queue     chan kafka.Message
	published prometheus.Counter
	dropped   *prometheus.CounterVec
}

// NewResultPublisher returns a publisher; Run drives it.
func NewResultPublisher(opts ResultPublisherOptions) (*ResultPublisher, error) {
	if len(opts.Brokers) == 0 || opts.Topic == "" {
		return nil, errors.New("result publisher: brokers and topic are required")
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 10_000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	p := &ResultPublisher{
		opts: opts,
		w: &kafka.Writer{
			Addr: kafka.TCP(opts.Brokers...), Topic: opts.Topic, Balancer: &kafka.Murmur2Balancer{},
			BatchTimeout: max(opts.Linger, time.Millisecond), BatchSize: 1000,
			RequiredAcks: kafka.RequireAll, Compression: compress.Snappy,
		},
		queue: make(chan kafka.Message, opts.QueueSize),
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "statusd_agent_results_published_total", Help: "Probe results written to Kafka."}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_agent_results_dropped_total", Help: "Probe results that never reached Kafka, by reason."},
			[]string{"reason"}),
	}
	queued := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "statusd_agent_publish_queue_length", Help: "Probe results waiting to be written to Kafka."},
		func() float64 { return float64(len(p.queue)) })
	for _, c := range []prometheus.Collector{p.published, p.dropped, queued} {
		if err := opts.Registerer.Register(c); err != nil {
			return nil, fmt.Errorf("register result publisher metrics: %w", err)
		}
	}
	for _, reason := range []string{"queue_full", "write_error", "encode"} {
		p.dropped.WithLabelValues(reason)
	}
	return p, nil
}

// Publish queues a result. It never blocks: with the queue full the result
// is dropped, counted and reported as an error.
func (p *ResultPublisher) Publish(_ context.Context, r result.Result) error {
	value, err := wire.EncodeResult(r)
	if err != nil {
		p.dropped.WithLabelValues("encode").Inc()
		return fmt.Errorf("encode result %s: %w", r.ID, err)
	}
	select {
	case p.queue <- kafka.Message{Key: []byte(r.ComponentID), Value: value, Time: time.Now()}:
		return nil
	default:
		p.dropped.WithLabelValues("queue_full").Inc()
		return fmt.Errorf("publish result %s: queue of %d is full", r.ID, cap(p.queue))
	}
}

// writeTimeout bounds one batch write, retries included, and the flush at
// shutdown.
const writeTimeout = 10 * time.Second

// Run writes queued results until ctx ends, then flushes what is queued
// (for at most writeTimeout) and closes the writer.
func (p *ResultPublisher) Run(ctx context.Context) error {
	batch := make([]kafka.Message, 0, 1000)
	for {
		select {
		case <-ctx.Done():
			return p.flush()
		case m := <-p.queue:
			batch = p.fill(append(batch[:0], m))
			p.write(batch)
		}
	}
}

// fill adds whatever else is queued, up to the batch capacity.
func (p *ResultPublisher) fill(batch []kafka.Message) []kafka.Message {
	for len(batch) < cap(batch) {
		select {
		case m := <-p.queue:
			batch = append(batch, m)
		default:
			return batch
		}
	}
	return batch
}

// write writes one batch. It does not take Run's context: a batch under
// way when Run is cancelled is still written, within writeTimeout.
func (p *ResultPublisher) write(batch []kafka.Message) {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := p.w.WriteMessages(ctx, batch...); err != nil {
		p.dropped.WithLabelValues("write_error").Add(float64(len(batch)))
		p.opts.Logger.Error("write results to kafka", "results", len(batch), "err", err)
		return
	}
	p.published.Add(float64(len(batch)))
}

func (p *ResultPublisher) flush() error {
	deadline := time.Now().Add(writeTimeout)
	batch := make([]kafka.Message, 0, 1000)
	for len(p.queue) > 0 && time.Now().Before(deadline) {
		batch = p.fill(batch[:0])
		p.write(batch)
	}
	if n := len(p.queue); n > 0 {
		p.dropped.WithLabelValues("write_error").Add(float64(n))
		p.opts.Logger.Error("results left unwritten at shutdown", "results", n)
	}
	if err := p.w.Close(); err != nil {
		return fmt.Errorf("close results writer: %w", err)
	}
	return nil
}
