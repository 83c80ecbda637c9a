package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/wire"
)

// simRegion is one simulated agent: its region and when in each tick it
// publishes, so regions do not report at the same instant.
type simRegion struct {
	name  string
	phase time.Duration
}

// simRegions are the three simulated agents.
var simRegions = []simRegion{{"eu", 50 * time.Millisecond}, {"us", 300 * time.Millisecond}, {"ap", 600 * time.Millisecond}}

func simRegionNames() []string {
	out := make([]string, len(simRegions))
	for i, r := range simRegions {
		out[i] = r.name
	}
	return out
}

// simResult is what the simulated agent of region reports for the check of
// c at tick: everything derives from (component, region, tick), so the
// same call always yields the same result, ID included.
func simResult(c componentSpec, r simRegion, tick time.Time, ok bool) result.Result {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%s/%d", c.id, r.name, tick.UnixMilli()))
	res := result.Result{
		ID: uuidV7At(tick.Add(r.phase), sum), CheckID: c.checkID(), ComponentID: c.id,
		AgentID: "sim-" + r.name, Region: r.name, CheckVersion: 1,
		Scheduled: tick, Started: tick.Add(r.phase),
		Duration: time.Duration(1+binary.BigEndian.Uint16(sum[16:])%50) * time.Millisecond,
		Success:  ok, StatusCode: 200,
	}
	if !ok {
		res.StatusCode, res.ErrorClass, res.Message = 503, result.ErrHTTPStatus, "HTTP 503 from the simulated target"
	}
	return res
}

// uuidV7At lays out a UUIDv7 with the time t and bits from sum, like the
// agents' IDs but reproducible.
func uuidV7At(t time.Time, sum [32]byte) string {
	var u [16]byte
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	copy(u[6:], sum[:10])
	u[6] = 0x70 | u[6]&0x0f
	u[8] = 0x80 | u[8]&0x3f
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// produce writes results in order, keyed by component, and records them
// in log.
func produce(ctx context.Context, w *kafka.Writer, log *resultLog, rs []result.Result) error {
	msgs := make([]kafka.Message, len(rs))
	for i, r := range rs {
		v, err := wire.EncodeResult(r)
		if err != nil {
			return fmt.Errorf("encode result %s: %w", r.ID, err)
		}
		msgs[i] = kafka.Message{Key: []byte(r.ComponentID), Value: v}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("write %d results: %w", len(rs), err)
	}
	log.add(rs)
	return nil
}

// resultLog is every result a test wrote, by ID.
type resultLog struct {
	mu   sync.Mutex
	byID map[string]result.Result
}

func newResultLog() *resultLog { return &resultLog{byID: map[string]result.Result{}} }

func (l *resultLog) add(rs []result.Result) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range rs {
		l.byID[r.ID] = r
	}
}

// totals returns the number of results and the successes per component.
func (l *resultLog) totals() (n int, successes map[string]uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	successes = map[string]uint64{}
	for _, r := range l.byID {
		n := successes[r.ComponentID] // a component without successes still appears, with 0
		if r.Success {
			n++
		}
		successes[r.ComponentID] = n
	}
	return len(l.byID), successes
}

func (l *resultLog) get(id string) result.Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byID[id]
}

func (l *resultLog) ids() map[string]bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]bool, len(l.byID))
	for id := range l.byID {
		out[id] = true
	}
	return out
}

// script decides whether the probe of component i from region succeeds at
// tick number k of a stream.
type script func(i int, region string, k int) bool

// tickResults returns every region's results for comps at tick number k.
func tickResults(comps []componentSpec, r simRegion, tick time.Time, k int, ok script) []result.Result {
	rs := make([]result.Result, len(comps))
	for i, c := range comps {
		rs[i] = simResult(c, r, tick, ok(i, r.name, k))
	}
	return rs
}

// stream is three simulated agents probing comps once per interval in real
// time: at each tick, each region publishes its results at its phase.
type stream struct {
	comps []componentSpec
	ok    script
	first time.Time // tick number 0
	ticks int       // how many ticks to run; the stream also stops with its context
	log   *resultLog
}

// newStream returns a stream whose first tick is the next whole interval.
func newStream(comps []componentSpec, ticks int, ok script) *stream {
	return &stream{comps: comps, ok: ok, ticks: ticks, log: newResultLog(),
		first: time.Now().Truncate(interval).Add(interval)}
}

// tickAt returns the number of the tick that t falls into.
func (s *stream) tickAt(t time.Time) int { return int(t.Sub(s.first) / interval) }

// tickTime returns the time of tick number k.
func (s *stream) tickTime(k int) time.Time { return s.first.Add(time.Duration(k) * interval) }

// run publishes until all ticks ran or ctx ends; it returns the first
// write error.
func (s *stream) run(ctx context.Context, w *kafka.Writer) error {
	for k := 0; k < s.ticks; k++ {
		tick := s.tickTime(k)
		for _, r := range simRegions {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Until(tick.Add(r.phase))):
			}
			if err := produce(ctx, w, s.log, tickResults(s.comps, r, tick, k, s.ok)); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("tick %d region %s: %w", k, r.name, err)
			}
		}
	}
	return nil
}

// running is a stream publishing in the background.
type running struct {
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// start runs s in the background until its last tick, until stop, or
// until the test ends.
func (s *stream) start(t *testing.T, w *kafka.Writer) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- s.run(ctx, w) }()
	t.Cleanup(func() { _ = r.stop() })
	return r
}

// wait returns the stream's error once it ran all its ticks.
func (r *running) wait() error {
	r.once.Do(func() { r.err = <-r.done; r.cancel() })
	return r.err
}

// stop ends the stream at once and returns its error.
func (r *running) stop() error {
	r.cancel()
	return r.wait()
}
