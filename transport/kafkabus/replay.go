package kafkabus

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/spool"
)

// replayBatch is how many spooled results one replay write carries.
const replayBatch = 1000

// replay writes the spool back to Kafka, oldest first, until ctx ends. A
// batch is acknowledged in the spool only once Kafka took all of it; while
// Kafka fails, the batch is retried with exponential backoff. Once the
// spool is empty, new results go straight to Kafka again.
func (p *ResultPublisher) replay(ctx context.Context) {
	backoff := p.opts.BackoffMin
	for ctx.Err() == nil {
		recs, pos, err := p.spool.Peek(replayBatch)
		if err != nil {
			p.opts.Logger.Error("read the spool", "err", err)
			p.sleep(ctx, p.opts.BackoffMax)
			continue
		}
		if len(recs) == 0 {
			p.mu.Lock()
			empty := p.spool.Stats().Records == 0
			if empty {
				p.spooling = false
			}
			p.mu.Unlock()
			if empty {
				select {
				case <-ctx.Done():
				case <-p.wake:
				}
			}
			continue
		}
		msgs, err := decodeSpooled(recs)
		if err != nil { // cannot happen short of a bug: the records passed their checksum
			p.m.dropped.WithLabelValues("corrupt").Add(float64(len(recs)))
			p.opts.Logger.Error("decode spooled results; dropping them", "results", len(recs), "err", err)
		}
		for len(msgs) > 0 {
			if msgs = p.write(msgs, p.opts.ReplayTimeout); len(msgs) == 0 {
				break
			}
			p.m.retries.Inc()
			if !p.sleep(ctx, backoff) {
				return // not acknowledged: replayed again by the next run
			}
			backoff = min(2*backoff, p.opts.BackoffMax)
		}
		backoff = p.opts.BackoffMin
		if err := p.spool.Ack(pos); err != nil {
			p.opts.Logger.Error("acknowledge replayed results in the spool", "err", err)
		}
	}
}

// sleep waits d or until ctx ends; it reports whether d passed.
func (p *ResultPublisher) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// write makes one attempt, within timeout, to write msgs. It returns
// the messages to try again; those Kafka refuses for good (too large,
// invalid) are dropped and counted as "rejected". It does not take Run's
// context: a write under way at shutdown is seen through.
func (p *ResultPublisher) write(msgs []kafka.Message, timeout time.Duration) []kafka.Message {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	err := p.w.WriteMessages(ctx, msgs...)
	var tooLarge kafka.MessageTooLargeError
	for errors.As(err, &tooLarge) { // nothing was written; drop the one and go on
		p.reject(1, tooLarge)
		if msgs = tooLarge.Remaining; len(msgs) == 0 {
			return nil
		}
		err = p.w.WriteMessages(ctx, msgs...)
	}
	p.m.writeSeconds.Observe(time.Since(start).Seconds())
	if err == nil {
		p.m.published.Add(float64(len(msgs)))
		p.kafkaOK.Store(true)
		return nil
	}
	var rest []kafka.Message
	var perMessage kafka.WriteErrors
	if errors.As(err, &perMessage) && len(perMessage) == len(msgs) {
		for i, e := range perMessage {
			switch {
			case e == nil:
				p.m.published.Inc()
			case retryable(e):
				rest = append(rest, msgs[i])
			default:
				p.reject(1, e)
			}
		}
	} else if retryable(err) {
		rest = msgs
	} else {
		p.reject(len(msgs), err)
	}
	p.kafkaOK.Store(len(rest) == 0)
	if len(rest) > 0 {
		p.opts.Logger.Warn("write results to kafka; will retry from the spool", "results", len(rest), "err", err)
	}
	return rest
}

func (p *ResultPublisher) reject(n int, err error) {
	p.m.dropped.WithLabelValues("rejected").Add(float64(n))
	p.opts.Logger.Error("kafka rejected results; dropping them", "results", n, "err", err)
}

// retryable tells a write error worth retrying (the broker is away, slow
// or electing a leader) from one that will fail again (the message is
// too large, the topic is not ours to write).
func retryable(err error) bool {
	var ke kafka.Error
	if errors.As(err, &ke) {
		return ke.Temporary()
	}
	var tooLarge kafka.MessageTooLargeError
	return !errors.As(err, &tooLarge)
}

// encodeSpooled frames a message for the spool: the key's length as a
// uvarint, the key, the value.
func encodeSpooled(m kafka.Message) []byte {
	b := make([]byte, 0, binary.MaxVarintLen32+len(m.Key)+len(m.Value))
	b = binary.AppendUvarint(b, uint64(len(m.Key)))
	return append(append(b, m.Key...), m.Value...)
}

func decodeSpooled(recs []spool.Record) ([]kafka.Message, error) {
	msgs := make([]kafka.Message, 0, len(recs))
	for _, r := range recs {
		n, size := binary.Uvarint(r.Data)
		if size <= 0 || n > uint64(len(r.Data)-size) {
			return msgs, fmt.Errorf("spooled result: bad key length")
		}
		key := r.Data[size : size+int(n)]
		msgs = append(msgs, kafka.Message{Key: key, Value: r.Data[size+int(n):], Time: r.Appended})
	}
	return msgs, nil
}

// publisherMetrics are the publisher's and its spool's metrics.
type publisherMetrics struct {
	published, spooled, retries prometheus.Counter
	dropped                     *prometheus.CounterVec
	writeSeconds                prometheus.Histogram
}

func newPublisherMetrics(reg prometheus.Registerer) (publisherMetrics, error) {
	m := publisherMetrics{
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "statusd_agent_results_published_total", Help: "Probe results written to Kafka."}),
		spooled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "statusd_agent_results_spooled_total", Help: "Probe results written to the on-disk spool."}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "statusd_agent_kafka_write_retries_total", Help: "Replay writes to Kafka tried again after a failure."}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_agent_results_dropped_total", Help: "Probe results that never reached Kafka, by reason."},
			[]string{"reason"}),
		writeSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "statusd_agent_kafka_write_seconds", Help: "Time of one write of a batch of results to Kafka.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}),
	}
	for _, c := range []prometheus.Collector{m.published, m.spooled, m.retries, m.dropped, m.writeSeconds} {
		if err := reg.Register(c); err != nil {
			return m, fmt.Errorf("register result publisher metrics: %w", err)
		}
	}
	for _, reason := range []string{"queue_full", "encode", "rejected", "spool_write",
		spool.ReasonFull, spool.ReasonTooOld, spool.ReasonCorrupt} {
		m.dropped.WithLabelValues(reason)
	}
	return m, nil
}

// registerSpool adds the gauges read from the queue and the spool.
func (m publisherMetrics) registerSpool(reg prometheus.Registerer, s *spool.Spool, now func() time.Time, queued func() int) error {
	gauges := []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "statusd_agent_publish_queue_length", Help: "Probe results waiting in memory to be written."},
			func() float64 { return float64(queued()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "statusd_agent_spool_bytes", Help: "Size of the on-disk spool's segment files."},
			func() float64 { return float64(s.Stats().Bytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "statusd_agent_spool_records", Help: "Probe results in the on-disk spool, waiting for Kafka."},
			func() float64 { return float64(s.Stats().Records) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "statusd_agent_spool_oldest_age_seconds", Help: "Age of the oldest result in the spool; 0 when empty."},
			func() float64 {
				if st := s.Stats(); !st.Oldest.IsZero() {
					return now().Sub(st.Oldest).Seconds()
				}
				return 0
			}),
	}
	for _, c := range gauges {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("register spool metrics: %w", err)
		}
	}
	return nil
}
