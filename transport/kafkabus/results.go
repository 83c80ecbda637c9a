package kafkabus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"

	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/spool"
	"github.com/statusd/statusd/wire"
)

// ResultPublisherOptions configures a ResultPublisher.
type ResultPublisherOptions struct {
	Brokers []string
	Topic   string
	// Linger is how long Run gathers results after the first one before it
	// writes them: one produce request per partition per Linger instead of
	// one per result. 50 ms by default.
	Linger    time.Duration
	QueueSize int // results held in memory before Run takes them; 10,000 by default
	// Spool holds the results Kafka cannot take; Dir, MaxBytes and MaxAge
	// are required. The publisher sets its OnDrop.
	Spool spool.Options
	// WriteTimeout bounds a write straight from the queue: a batch Kafka
	// does not take within it goes to the spool, so the queue never waits
	// longer on a slow broker. 2 s by default.
	WriteTimeout time.Duration
	// ReplayTimeout bounds one replay write from the spool; 10 s by default.
	ReplayTimeout time.Duration
	// BackoffMin and BackoffMax bound the wait between replay attempts
	// while Kafka fails; 100 ms and 5 s by default.
	BackoffMin, BackoffMax time.Duration
	Registerer             prometheus.Registerer
	Logger                 *slog.Logger
}

// ResultPublisher ships probe results to the results topic, keyed by
// component ID, through one shared kafka-go Writer. Publish queues in
// memory; Run writes the queue in batches straight to Kafka while Kafka
// takes them and the spool is empty. A batch Kafka does not take in time
// goes to the on-disk spool, and so does every later batch until a
// replayer has written the spool back to Kafka, oldest first: the results
// of a check reach Kafka in the order they were published, at least once.
type ResultPublisher struct {
	opts  ResultPublisherOptions
	w     *kafka.Writer
	queue chan kafka.Message
	spool *spool.Spool
	m     publisherMetrics

	mu       sync.Mutex // held while deciding between Kafka and the spool
	spooling bool       // the spool holds results: new ones go after them
	wake     chan struct{}
	kafkaOK  atomic.Bool // the last write attempt succeeded
}

// NewResultPublisher opens the spool and returns a publisher; Run drives
// it and closes the spool when it returns.
func NewResultPublisher(opts ResultPublisherOptions) (*ResultPublisher, error) {
	if len(opts.Brokers) == 0 || opts.Topic == "" {
		return nil, errors.New("result publisher: brokers and topic are required")
	}
	setPublisherDefaults(&opts)
	m, err := newPublisherMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	p := &ResultPublisher{
		opts: opts,
		w: &kafka.Writer{
			Addr: kafka.TCP(opts.Brokers...), Topic: opts.Topic, Balancer: &kafka.Murmur2Balancer{},
			// Run gathers the batches; the writer sends what it is given
			// at once. kafka-go allocates BatchSize messages for every
			// partition batch, so a large BatchSize costs a large
			// allocation per produce request.
			BatchTimeout: time.Millisecond, BatchSize: writerBatchSize, MaxAttempts: 1,
			RequiredAcks: kafka.RequireAll, Compression: compress.Snappy,
			WriteTimeout: opts.ReplayTimeout, ReadTimeout: opts.ReplayTimeout,
			Transport: &kafka.Transport{}, // its own: the shared one keeps other writers' metadata
		},
		queue: make(chan kafka.Message, opts.QueueSize),
		m:     m,
		wake:  make(chan struct{}, 1),
	}
	p.kafkaOK.Store(true)
	opts.Spool.OnDrop = func(reason string, n int) { p.m.dropped.WithLabelValues(reason).Add(float64(n)) }
	if opts.Spool.Logger == nil {
		opts.Spool.Logger = opts.Logger
	}
	if p.spool, err = spool.Open(opts.Spool); err != nil {
		return nil, fmt.Errorf("result publisher: %w", err)
	}
	if err := p.m.registerSpool(opts.Registerer, p.spool, opts.Spool.Now, func() int { return len(p.queue) }); err != nil {
		return nil, errors.Join(err, p.spool.Close())
	}
	if st := p.spool.Stats(); st.Records > 0 {
		p.spooling = true
		opts.Logger.Info("replaying spooled results", "results", st.Records, "bytes", st.Bytes)
	}
	return p, nil
}

// maxBatch is the most results Run writes in one call, and writerBatchSize
// the most in one produce request to a partition.
const (
	maxBatch        = 5000
	writerBatchSize = 256
)

func setPublisherDefaults(opts *ResultPublisherOptions) {
	if opts.Linger <= 0 {
		opts.Linger = 50 * time.Millisecond
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 10_000
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 2 * time.Second
	}
	if opts.ReplayTimeout <= 0 {
		opts.ReplayTimeout = max(10*time.Second, opts.WriteTimeout)
	}
	if opts.BackoffMin <= 0 {
		opts.BackoffMin = 100 * time.Millisecond
	}
	if opts.BackoffMax < opts.BackoffMin {
		opts.BackoffMax = max(5*time.Second, opts.BackoffMin)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	if opts.Spool.Now == nil {
		opts.Spool.Now = time.Now
	}
}

// Publish queues a result. It never blocks: with the queue full the result
// is dropped, counted and reported as an error.
func (p *ResultPublisher) Publish(_ context.Context, r result.Result) error {
	value, err := wire.EncodeResult(r)
	if err != nil {
		p.m.dropped.WithLabelValues("encode").Inc()
		return fmt.Errorf("encode result %s: %w", r.ID, err)
	}
	select {
	case p.queue <- kafka.Message{Key: []byte(r.ComponentID), Value: value, Time: time.Now()}:
		return nil
	default:
		p.m.dropped.WithLabelValues("queue_full").Inc()
		return fmt.Errorf("publish result %s: queue of %d is full", r.ID, cap(p.queue))
	}
}

// Writable reports whether results have somewhere to go: Kafka took the
// last write, or the spool took the last append.
func (p *ResultPublisher) Writable() bool { return p.kafkaOK.Load() || p.spool.Writable() }

// Run writes queued results until ctx ends, replaying the spool meanwhile.
// Then it writes what is still queued to Kafka, or to the spool if Kafka
// does not take it within WriteTimeout, and closes the writer and the
// spool.
func (p *ResultPublisher) Run(ctx context.Context) error {
	replayed := make(chan struct{})
	go func() {
		defer close(replayed)
		p.replay(ctx)
	}()
	batch := make([]kafka.Message, 0, maxBatch)
	linger := time.NewTimer(0)
	<-linger.C
	for {
		select {
		case <-ctx.Done():
			<-replayed
			p.flush()
			err := errors.Join(closeErr("results writer", p.w.Close()), closeErr("spool", p.spool.Close()))
			p.w.Transport.(*kafka.Transport).CloseIdleConnections()
			return err
		case m := <-p.queue:
			batch = p.gather(ctx, linger, append(batch[:0], m))
			p.ship(batch)
		}
	}
}

// gather adds what arrives within Linger of the batch's first result, up
// to maxBatch, and returns early when ctx ends (the rest is flushed then).
func (p *ResultPublisher) gather(ctx context.Context, linger *time.Timer, batch []kafka.Message) []kafka.Message {
	linger.Reset(p.opts.Linger)
	defer linger.Stop() // Go 1.23 timers: Stop drains, a later Reset starts clean
	for len(batch) < cap(batch) {
		select {
		case m := <-p.queue:
			batch = append(batch, m)
		case <-linger.C:
			return batch
		case <-ctx.Done():
			return batch
		}
	}
	return batch
}

func closeErr(what string, err error) error {
	if err != nil {
		return fmt.Errorf("close %s: %w", what, err)
	}
	return nil
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

// ship writes a batch straight to Kafka unless the spool holds older
// results; what Kafka does not take goes to the spool.
func (p *ResultPublisher) ship(batch []kafka.Message) {
	p.mu.Lock()
	spooling := p.spooling
	p.mu.Unlock()
	if !spooling { // only ship sets spooling: it cannot turn true meanwhile
		if batch = p.write(batch, p.opts.WriteTimeout); len(batch) == 0 {
			return
		}
	}
	p.toSpool(batch)
}

// toSpool appends a batch to the spool and wakes the replayer.
func (p *ResultPublisher) toSpool(batch []kafka.Message) {
	records := make([][]byte, 0, len(batch))
	for _, m := range batch {
		if r := encodeSpooled(m); len(r) <= spool.MaxRecordBytes {
			records = append(records, r)
		} else {
			p.reject(1, fmt.Errorf("result of %d bytes over the spool's limit of %d", len(r), spool.MaxRecordBytes))
		}
	}
	p.mu.Lock()
	p.spooling = true
	err := p.spool.Append(records)
	p.mu.Unlock()
	if err != nil {
		p.m.dropped.WithLabelValues("spool_write").Add(float64(len(records)))
		p.opts.Logger.Error("write results to the spool", "results", len(records), "err", err)
	} else {
		p.m.spooled.Add(float64(len(records)))
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// flush empties the queue at shutdown.
func (p *ResultPublisher) flush() {
	batch := make([]kafka.Message, 0, maxBatch)
	for len(p.queue) > 0 {
		batch = p.fill(batch[:0])
		p.ship(batch)
	}
}
