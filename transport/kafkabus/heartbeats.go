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

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/fleet"
	"github.com/statusd/statusd/wire"
)

// Backlog tells heartbeats how many results wait in the publisher's queue
// (agent.Backlogger). It lives here, not in results.go, with the rest of
// the heartbeat code.
func (p *ResultPublisher) Backlog() agent.Backlog {
	st := p.spool.Stats()
	return agent.Backlog{Queued: len(p.queue), Spooled: st.Records, SpoolBytes: st.Bytes}
}

// HeartbeatPublisherOptions configures a HeartbeatPublisher.
type HeartbeatPublisherOptions struct {
	Brokers []string
	Topic   string
	Linger  time.Duration // how long the writer waits to fill a batch
}

// HeartbeatPublisher writes an agent's heartbeats to the heartbeats topic,
// keyed by agent ID, each with the agent's send time as its timestamp.
type HeartbeatPublisher struct {
	w *kafka.Writer
}

// NewHeartbeatPublisher returns a publisher; Close releases it.
func NewHeartbeatPublisher(opts HeartbeatPublisherOptions) (*HeartbeatPublisher, error) {
	if len(opts.Brokers) == 0 || opts.Topic == "" {
		return nil, errors.New("heartbeat publisher: brokers and topic are required")
	}
	return &HeartbeatPublisher{w: &kafka.Writer{
		Addr: kafka.TCP(opts.Brokers...), Topic: opts.Topic, Balancer: &kafka.Murmur2Balancer{},
		BatchTimeout: max(opts.Linger, time.Millisecond), RequiredAcks: kafka.RequireOne,
		MaxAttempts: 3, WriteBackoffMin: 50 * time.Millisecond, WriteBackoffMax: time.Second,
	}}, nil
}

// PublishHeartbeat writes one heartbeat and returns once the broker has it;
// the agent bounds the wait with ctx and counts failures.
func (p *HeartbeatPublisher) PublishHeartbeat(ctx context.Context, hb fleet.Heartbeat) error {
	value, err := wire.EncodeHeartbeat(hb)
	if err != nil {
		return err
	}
	// Without an explicit time kafka-go sends timestamp 0, which the
	// broker's time index and retention would read as 1970.
	m := kafka.Message{Key: []byte(hb.AgentID), Value: value, Time: hb.Sent}
	if err := p.w.WriteMessages(ctx, m); err != nil {
		return fmt.Errorf("write heartbeat to %s: %w", p.w.Topic, err)
	}
	return nil
}

// Close flushes and closes the writer.
func (p *HeartbeatPublisher) Close() error {
	if err := p.w.Close(); err != nil {
		return fmt.Errorf("close heartbeats writer: %w", err)
	}
	return nil
}

// HeartbeatObserver is what a HeartbeatSource feeds: a *fleet.Registry.
type HeartbeatObserver interface {
	// Observe records a heartbeat received now, by the aggregator's clock.
	Observe(hb fleet.Heartbeat, received time.Time) error
	// Recall records a heartbeat sent before the source started.
	Recall(hb fleet.Heartbeat, heard time.Time) error
}

// DefaultHeartbeatLookback is how far back a HeartbeatSource starts
// reading: MissedBeats of the longest interval an agent may announce, so
// that every agent still live is known at once whatever its interval, and
// the recently silent ones are listed. Reading 9,000 heartbeats (100
// agents for 15 minutes) back takes about 60 ms on the dev broker.
const DefaultHeartbeatLookback = fleet.MissedBeats * fleet.MaxInterval

// HeartbeatSourceOptions configures a HeartbeatSource.
type HeartbeatSourceOptions struct {
	Brokers  []string
	Topic    string
	Observer HeartbeatObserver // required
	// Clock is the aggregator's clock; nil means time.Now.
	Clock func() time.Time
	// Lookback is how far back reading starts; 0 means
	// DefaultHeartbeatLookback. It should cover MissedBeats of the
	// agents' intervals.
	Lookback   time.Duration
	Registerer prometheus.Registerer // nil leaves the metrics unregistered
	Logger     *slog.Logger
}

// HeartbeatSource reads every partition of the heartbeats topic, with no
// consumer group, so that every aggregator sees every heartbeat. It starts
// from the offsets of Lookback ago, so the live set is known at once:
// heartbeats written before the start are recalled at their message time
// (at most now), later ones observed at the aggregator's receive time. A
// message that does not decode, or that the observer rejects, is counted in
// statusd_aggregator_bad_heartbeats_total{reason} and logged once per
// reason.
type HeartbeatSource struct {
	opts      HeartbeatSourceOptions
	received  prometheus.Counter
	bad       *prometheus.CounterVec
	behind    atomic.Int64 // partitions still reading what was there at start; -1 before Run
	loggedMu  sync.Mutex
	loggedFor map[string]bool // reasons logged already
}

// The reasons of bad heartbeats that are not fleet's.
const (
	reasonSyntax        = "syntax"
	reasonSchemaVersion = "schema_version"
	reasonOther         = "other"
)

// NewHeartbeatSource returns a source; Run drives it.
func NewHeartbeatSource(opts HeartbeatSourceOptions) (*HeartbeatSource, error) {
	switch {
	case len(opts.Brokers) == 0 || opts.Topic == "":
		return nil, errors.New("heartbeat source: brokers and topic are required")
	case opts.Observer == nil:
		return nil, errors.New("heartbeat source: Observer is required")
	case opts.Lookback < 0:
		return nil, fmt.Errorf("heartbeat source: Lookback must not be negative, got %s", opts.Lookback)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Lookback == 0 {
		opts.Lookback = DefaultHeartbeatLookback
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &HeartbeatSource{
		opts: opts,
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "statusd_aggregator_heartbeats_total", Help: "Agent heartbeats read and accepted."}),
		bad: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_aggregator_bad_heartbeats_total",
			Help: "Agent heartbeats rejected, by reason: syntax, schema_version, the field at fault, or agents_limit."},
			[]string{"reason"}),
		loggedFor: map[string]bool{},
	}
	s.behind.Store(-1)
	for _, r := range append([]string{reasonSyntax, reasonSchemaVersion, reasonOther}, fleet.Reasons()...) {
		s.bad.WithLabelValues(r)
	}
	if opts.Registerer != nil {
		for _, c := range []prometheus.Collector{s.received, s.bad} {
			if err := opts.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("register heartbeat source metrics: %w", err)
			}
		}
	}
	return s, nil
}

// CaughtUp reports whether the heartbeats that were on the topic when Run
// started have all been read.
func (s *HeartbeatSource) CaughtUp() bool { return s.behind.Load() == 0 }

// partitionStart is where reading one partition begins, and where the
// heartbeats written before the start end.
type partitionStart struct {
	partition  int
	from, ends int64
}

// Run reads heartbeats until ctx ends; it returns nil then, or the first
// error that stops reading a partition.
func (s *HeartbeatSource) Run(ctx context.Context) error {
	starts, err := s.starts(ctx)
	if err != nil {
		return err
	}
	s.behind.Store(int64(len(starts)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(starts))
	var wg sync.WaitGroup
	for i, st := range starts {
		wg.Go(func() {
			if errs[i] = s.follow(ctx, st); errs[i] != nil {
				cancel() // one partition failing stops them all
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// starts returns, for every partition, the offset of the first message of
// Lookback ago and the end offset.
func (s *HeartbeatSource) starts(ctx context.Context) ([]partitionStart, error) {
	client := &kafka.Client{Addr: kafka.TCP(s.opts.Brokers...), Timeout: 10 * time.Second}
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{s.opts.Topic}})
	if err != nil {
		return nil, fmt.Errorf("read metadata of %s: %w", s.opts.Topic, err)
	}
	if len(meta.Topics) != 1 || meta.Topics[0].Error != nil {
		var terr error
		if len(meta.Topics) == 1 {
			terr = meta.Topics[0].Error
		}
		return nil, fmt.Errorf("read metadata of %s: %w", s.opts.Topic, errors.Join(errors.New("topic missing"), terr))
	}
	since := s.opts.Clock().Add(-s.opts.Lookback)
	var atTime, atEnd []kafka.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		atTime = append(atTime, kafka.TimeOffsetOf(p.ID, since))
		atEnd = append(atEnd, kafka.LastOffsetOf(p.ID))
	}
	// Kafka answers one offset per partition and request: ask twice.
	froms, err := listOffsets(ctx, client, s.opts.Topic, atTime)
	if err != nil {
		return nil, err
	}
	ends, err := listOffsets(ctx, client, s.opts.Topic, atEnd)
	if err != nil {
		return nil, err
	}
	starts := make([]partitionStart, 0, len(ends))
	for _, p := range meta.Topics[0].Partitions {
		from, ok := froms[p.ID]
		end := ends[p.ID].last
		if !ok || from.offset < 0 || from.offset > end { // nothing that recent
			from.offset = end
		}
		starts = append(starts, partitionStart{partition: p.ID, from: from.offset, ends: end})
	}
	return starts, nil
}

type offsetAnswer struct {
	offset int64 // of a time query; -1 when no message is that recent
	last   int64 // of a LastOffset query
}

func listOffsets(ctx context.Context, client *kafka.Client, topic string, reqs []kafka.OffsetRequest) (map[int]offsetAnswer, error) {
	resp, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("list offsets of %s: %w", topic, err)
	}
	out := map[int]offsetAnswer{}
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("list offsets of %s partition %d: %w", topic, p.Partition, p.Error)
		}
		a := offsetAnswer{offset: -1, last: p.LastOffset}
		for off := range p.Offsets { // a time query has one answer
			a.offset = off
		}
		out[p.Partition] = a
	}
	return out, nil
}

// follow reads one partition from st.from until ctx ends.
func (s *HeartbeatSource) follow(ctx context.Context, st partitionStart) (err error) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: s.opts.Brokers, Topic: s.opts.Topic, Partition: st.partition,
		MaxWait: 500 * time.Millisecond, ReadBackoffMin: 50 * time.Millisecond, ReadBackoffMax: time.Second,
	})
	defer func() {
		if cerr := r.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close heartbeats reader of partition %d: %w", st.partition, cerr))
		}
	}()
	if err := r.SetOffset(st.from); err != nil {
		return fmt.Errorf("start heartbeats partition %d at offset %d: %w", st.partition, st.from, err)
	}
	caughtUp := false
	catchUp := func() {
		if !caughtUp {
			caughtUp = true
			s.behind.Add(-1)
		}
	}
	if st.from >= st.ends {
		catchUp()
	}
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("read %s partition %d: %w", s.opts.Topic, st.partition, err)
		}
		s.handle(m, m.Offset < st.ends)
		if m.Offset >= st.ends-1 {
			catchUp()
		}
	}
}

// handle decodes one message and hands it to the observer; recalled tells
// a message written before the source started.
func (s *HeartbeatSource) handle(m kafka.Message, recalled bool) {
	now := s.opts.Clock()
	hb, err := wire.DecodeHeartbeat(m.Value)
	if err == nil {
		if recalled {
			err = s.opts.Observer.Recall(hb, heardAt(m.Time, hb.Sent, now))
		} else {
			err = s.opts.Observer.Observe(hb, now)
		}
	}
	if err != nil {
		s.reject(err, m)
		return
	}
	s.received.Inc()
}

// heardAt is when a heartbeat read back at start was heard: its message
// time (the broker's under LogAppendTime, else the agent's), or its sent
// time when the message has none, and never later than now.
func heardAt(msgTime, sent, now time.Time) time.Time {
	t := msgTime
	if t.IsZero() {
		t = sent
	}
	if t.After(now) {
		return now
	}
	return t
}

func (s *HeartbeatSource) reject(err error, m kafka.Message) {
	reason := heartbeatReason(err)
	// Counted after the log line, so whoever sees the count also sees
	// the line.
	defer s.bad.WithLabelValues(reason).Inc()
	s.loggedMu.Lock()
	first := !s.loggedFor[reason]
	s.loggedFor[reason] = true
	s.loggedMu.Unlock()
	if first {
		s.opts.Logger.Warn("heartbeat rejected; further ones for this reason are only counted",
			"reason", reason, "partition", m.Partition, "offset", m.Offset, "key", string(m.Key[:min(len(m.Key), 100)]), "err", err)
	}
}

// heartbeatReason is the metric label of a rejected heartbeat.
func heartbeatReason(err error) string {
	if r := fleet.ReasonOf(err); r != "" {
		return r
	}
	switch wire.KindOf(err) {
	case wire.KindSyntax:
		return reasonSyntax
	case wire.KindVersion:
		return reasonSchemaVersion
	}
	return reasonOther
}
