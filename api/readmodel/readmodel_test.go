package readmodel

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// memStore is a store over slices, counting its reads.
type memStore struct {
	mu     sync.Mutex
	comps  []catalog.Component
	states []health.ComponentState
	reads  int
	fail   error
}

func (m *memStore) Pages(context.Context) ([]catalog.Page, error) {
	return []catalog.Page{{ID: "a"}, {ID: "b"}}, nil
}

func (m *memStore) Components(_ context.Context, pageID string) ([]catalog.Component, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	if m.fail != nil {
		return nil, m.fail
	}
	return append([]catalog.Component(nil), m.comps...), nil
}

func (m *memStore) ComponentStates(context.Context) ([]health.ComponentState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]health.ComponentState(nil), m.states...), nil
}

func (m *memStore) Checks(context.Context) ([]catalog.Check, error) {
	return []catalog.Check{{ID: "a1", ComponentID: "web"}, {ID: "b1", ComponentID: "db"}, {ID: "b2", ComponentID: "web"}}, nil
}

func (m *memStore) set(f func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f()
}

func TestSnapshotLookups(t *testing.T) {
	st := &memStore{
		comps: []catalog.Component{ // as the store lists them: primary page, position, ID
			{ID: "web", PageID: "a", Position: 1, Pages: []catalog.Placement{{PageID: "a", Position: 1}, {PageID: "b", Position: 3}}},
			{ID: "db", PageID: "a", Position: 2},
			{ID: "api", PageID: "b", Position: 2, Pages: []catalog.Placement{{PageID: "b", Position: 2}}},
		},
		states: []health.ComponentState{{ComponentID: "db", Status: status.MajorOutage}, {ComponentID: "web"}},
	}
	m, err := New(Options{Catalog: st, States: st, Checks: st})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ids := func(cs []catalog.Component) (out []string) {
		for _, c := range cs {
			out = append(out, c.ID+"@"+c.PageID)
		}
		return out
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"every page", ids(s.Components("")), []string{"web@a", "db@a", "api@b"}},
		{"page a", ids(s.Components("a")), []string{"web@a", "db@a"}},
		{"page b, by its positions", ids(s.Components("b")), []string{"api@b", "web@b"}},
		{"unknown page", len(s.Components("zzz")), 0},
		{"web's position on b", s.Components("b")[1].Position, 3},
		{"component on its primary page", func() string { c, _ := s.Component("web"); return c.PageID }(), "a"},
		{"unknown component", func() bool { _, ok := s.Component("nope"); return ok }(), false},
		{"checks of web", len(s.ChecksOf("web")), 2},
		{"check", func() string { c, _ := s.Check("b1"); return c.ComponentID }(), "db"},
		{"states of some, sorted, once each", func() (out []string) {
			for _, st := range s.ComponentStatesOf([]string{"web", "db", "api", "web"}) {
				out = append(out, st.ComponentID)
			}
			return out
		}(), []string{"db", "web"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !equalAny(tt.got, tt.want) {
				t.Fatalf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func equalAny(a, b any) bool {
	as, aok := a.([]string)
	bs, bok := b.([]string)
	if aok && bok {
		if len(as) != len(bs) {
			return false
		}
		for i := range as {
			if as[i] != bs[i] {
				return false
			}
		}
		return true
	}
	return a == b
}

func TestSnapshotFreshness(t *testing.T) {
	st := &memStore{comps: []catalog.Component{{ID: "web", PageID: "a"}}}
	var version atomic.Uint64
	now := t0
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	advance := func(d time.Duration) { clockMu.Lock(); defer clockMu.Unlock(); now = now.Add(d) }
	m, err := New(Options{Catalog: st, States: st, Version: version.Load, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	statusNow := func() status.Status {
		t.Helper()
		s, err := m.Snapshot(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if sts := s.ComponentStatesOf([]string{"web"}); len(sts) == 1 {
			return sts[0].Status
		}
		return ""
	}
	steps := []struct {
		name  string
		do    func()
		want  status.Status
		reads int // of the store so far
	}{
		{"first read", func() {}, "", 1},
		{"state written: not seen within half the max age", func() {
			st.set(func() { st.states = []health.ComponentState{{ComponentID: "web", Status: status.MajorOutage}} })
			advance(DefaultMaxAge/2 - time.Millisecond)
		}, "", 1},
		{"seen past half the max age", func() { advance(time.Millisecond) }, status.MajorOutage, 2},
		{"catalog written here: seen at once", func() {
			st.set(func() { st.states = nil })
			version.Add(1)
		}, "", 3},
		{"nothing new: no read", func() { advance(time.Millisecond) }, "", 3},
		{"no read for long: read", func() { advance(time.Hour) }, "", 4},
	}
	for _, s := range steps {
		s.do()
		if got := statusNow(); got != s.want {
			t.Errorf("%s: status %q, want %q", s.name, got, s.want)
		}
		if st.reads != s.reads {
			t.Errorf("%s: %d store reads, want %d", s.name, st.reads, s.reads)
		}
	}
}

func TestSnapshotNegativeMaxAgeReadsEveryTime(t *testing.T) {
	st := &memStore{}
	m, err := New(Options{Catalog: st, States: st, MaxAge: -1})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := m.Snapshot(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if st.reads != 3 {
		t.Fatalf("%d reads for 3 snapshots, want 3", st.reads)
	}
}

func TestSnapshotError(t *testing.T) {
	st := &memStore{fail: errors.New("disk on fire")}
	m, err := New(Options{Catalog: st, States: st})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Snapshot(t.Context()); !errors.Is(err, st.fail) {
		t.Fatalf("err %v, want the store's", err)
	}
	st.set(func() { st.fail = nil })
	if _, err := m.Snapshot(t.Context()); err != nil {
		t.Fatalf("after the store recovered: %v", err)
	}
}

func TestMemo(t *testing.T) {
	st := &memStore{}
	m, err := New(Options{Catalog: st, States: st})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	slow := func(context.Context, *Snapshot) (any, error) {
		calls.Add(1)
		time.Sleep(10 * time.Millisecond)
		return "v", nil
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if v, err := s.Memo(t.Context(), "k", slow); err != nil || v != "v" {
				t.Errorf("memo: %v, %v", v, err)
			}
		})
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("16 concurrent readers computed %d times, want 1", n)
	}
	fail := errors.New("store down")
	if _, err := s.Memo(t.Context(), "bad", func(context.Context, *Snapshot) (any, error) { return nil, fail }); !errors.Is(err, fail) {
		t.Errorf("err %v, want the computation's", err)
	}
	if v, err := s.Memo(t.Context(), "bad", func(context.Context, *Snapshot) (any, error) { return "ok", nil }); err != nil || v != "ok" {
		t.Errorf("after an error: %v, %v; want it computed again", v, err)
	}
}

func TestMemoWarmedForTheNextSnapshot(t *testing.T) {
	st := &memStore{}
	var version atomic.Uint64
	now := t0
	m, err := New(Options{Catalog: st, States: st, Version: version.Load, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	computed := map[string]int{}
	compute := func(key string) Compute {
		return func(_ context.Context, s *Snapshot) (any, error) {
			computed[key]++
			return s, nil // the snapshot it was computed on
		}
	}
	read := func(key string) *Snapshot {
		t.Helper()
		s, err := m.Snapshot(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.Memo(t.Context(), key, compute(key))
		if err != nil {
			t.Fatal(err)
		}
		if v.(*Snapshot) != s {
			t.Fatalf("%s: value computed on another snapshot", key)
		}
		return s
	}
	read("hot")
	read("hot")
	read("cold")
	now = now.Add(DefaultMaxAge / 2) // replaced for its age
	read("hot")
	read("cold")
	tests := []struct {
		name      string
		got, want int
	}{
		{"hot computed for the next snapshot, not by its reader", computed["hot"], 2},
		{"cold computed by its reader", computed["cold"], 2},
	}
	read("hot")    // hot again on this snapshot
	version.Add(1) // replaced for a write: nothing computed ahead
	read("cold")
	tests = append(tests, struct {
		name      string
		got, want int
	}{"after a write, nothing computed ahead", computed["hot"], 2})
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: computed %d times, want %d", tt.name, tt.got, tt.want)
		}
	}
}
