package aggregator

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/wire"
)

// scriptedSource hands out the given batches, then cancels the run.
type scriptedSource struct {
	batches [][][]byte
	cancel  context.CancelFunc
	commits int
}

func (s *scriptedSource) Fetch(ctx context.Context, _ int, _ time.Duration) ([][]byte, func(context.Context) error, error) {
	if len(s.batches) == 0 {
		s.cancel()
		<-ctx.Done()
		return nil, nil, ctx.Err()
	}
	b := s.batches[0]
	s.batches = s.batches[1:]
	return b, func(context.Context) error { s.commits++; return nil }, nil
}

type memStore struct {
	mu       sync.Mutex
	failures int // the next writes that fail
	results  map[string]result.Result
	changes  []health.Changes
}

func (m *memStore) WriteResults(_ context.Context, rs []result.Result) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failures > 0 {
		m.failures--
		return 0, errors.New("store unavailable")
	}
	n := 0
	for _, r := range rs {
		if _, ok := m.results[r.ID]; !ok {
			m.results[r.ID] = r
			n++
		}
	}
	return n, nil
}

func (m *memStore) ApplyChanges(_ context.Context, ch health.Changes) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.changes = append(m.changes, ch)
	return nil
}

func encode(t *testing.T, id string, tick int, ok bool) []byte {
	t.Helper()
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	v, err := wire.EncodeResult(result.Result{ID: id, CheckID: "k", ComponentID: "c", Region: "eu",
		Scheduled: base.Add(time.Duration(tick) * time.Second), Started: base.Add(time.Duration(tick) * time.Second), Success: ok})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func newTestAggregator(t *testing.T, src *scriptedSource, st *memStore) (*Aggregator, *prometheus.Registry) {
	t.Helper()
	cat := catalog.Catalog{
		Components: []catalog.Component{{ID: "c", Name: "C"}},
		Checks:     []catalog.Check{{ID: "k", ComponentID: "c", Interval: time.Second, FailureThreshold: 2, SuccessThreshold: 1}},
	}
	reg := prometheus.NewRegistry()
	a, err := New(Options{Source: src, Results: st, State: st, Evaluator: health.NewEvaluator(cat, nil, nil), Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	a.backoff = func(int) time.Duration { return time.Millisecond }
	return a, reg
}

func TestRunStoresThenCommits(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &scriptedSource{cancel: cancel, batches: [][][]byte{
		{encode(t, "a", 1, false), []byte("not json"), encode(t, "b", 2, false)},
		{encode(t, "a", 1, false), encode(t, "c", 3, true), []byte(`{"v":9}`), []byte("junk")},
	}}
	st := &memStore{results: map[string]result.Result{}, failures: 2}
	a, _ := newTestAggregator(t, src, st)
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if src.commits != 2 {
		t.Errorf("commits = %d, want 2", src.commits)
	}
	if len(st.results) != 3 {
		t.Errorf("stored %d distinct results, want 3", len(st.results))
	}
	if got := testutil.ToFloat64(a.m.malformed.WithLabelValues("syntax")); got != 2 {
		t.Errorf("malformed{kind=syntax} = %v, want 2", got)
	}
	if got := testutil.ToFloat64(a.m.malformed.WithLabelValues("version")); got != 1 {
		t.Errorf("malformed{kind=version} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(a.m.duplicates); got != 1 {
		t.Errorf("duplicates = %v, want 1", got)
	}
	if got := testutil.ToFloat64(a.m.storeErrors); got != 2 {
		t.Errorf("store errors = %v, want 2 (retried)", got)
	}
	var statuses []status.Status
	for _, ch := range st.changes {
		for _, c := range ch.Components {
			statuses = append(statuses, c.Status)
		}
	}
	if len(statuses) != 2 || statuses[0] != status.MajorOutage || statuses[1] != status.Operational {
		t.Errorf("component statuses = %v, want [major_outage operational]", statuses)
	}
}

func TestRunNeverCommitsAnUnstoredBatch(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	src := &scriptedSource{cancel: cancel, batches: [][][]byte{{encode(t, "a", 1, true)}}}
	st := &memStore{results: map[string]result.Result{}, failures: 1 << 30}
	a, _ := newTestAggregator(t, src, st)
	time.AfterFunc(50*time.Millisecond, cancel)
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if src.commits != 0 {
		t.Fatalf("committed %d batches that were never stored", src.commits)
	}
}
