package readmodel

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
)

// versionedStore is a store that keeps versions: the counters of
// Versions and a row version per state. It records what each read asked.
type versionedStore struct {
	mu       sync.Mutex
	v        Versions
	comps    []catalog.Component
	states   map[string]health.ComponentState
	rv       map[string]int64
	catalogs int        // catalog reads
	full     int        // full state reads
	byID     [][]string // the IDs of each ComponentStatesByID call
}

func newVersionedStore(n int) *versionedStore {
	s := &versionedStore{states: map[string]health.ComponentState{}, rv: map[string]int64{}}
	for i := range n {
		id := fmt.Sprintf("c%03d", i)
		s.comps = append(s.comps, catalog.Component{ID: id, PageID: "p"})
		s.states[id] = health.ComponentState{ComponentID: id, Status: status.Operational}
	}
	return s
}

func (s *versionedStore) Pages(context.Context) ([]catalog.Page, error) {
	return []catalog.Page{{ID: "p"}}, nil
}

func (s *versionedStore) Components(context.Context, string) ([]catalog.Component, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalogs++
	return slices.Clone(s.comps), nil
}

func (s *versionedStore) ComponentStates(ctx context.Context) ([]health.ComponentState, error) {
	st, _, err := s.ComponentStatesByID(ctx, nil)
	return st, err
}

func (s *versionedStore) ComponentStateVersions(context.Context) (map[string]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{}
	for id := range s.states {
		out[id] = s.rv[id]
	}
	return out, nil
}

func (s *versionedStore) ComponentStatesByID(_ context.Context, ids []string) ([]health.ComponentState, []int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ids == nil {
		s.full++
		for id := range s.states {
			ids = append(ids, id)
		}
		slices.Sort(ids)
	} else {
		s.byID = append(s.byID, slices.Clone(ids))
	}
	var st []health.ComponentState
	var rvs []int64
	for _, id := range ids {
		if c, ok := s.states[id]; ok {
			st, rvs = append(st, c), append(rvs, s.rv[id])
		}
	}
	return st, rvs, nil
}

func (s *versionedStore) stored(context.Context) (Versions, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.v, nil
}

// write changes the store as a transaction would: f edits it, the
// counters move (the catalog's too when catalogWrite).
func (s *versionedStore) write(catalogWrite bool, f func(s *versionedStore)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
	s.v.All++
	if catalogWrite {
		s.v.Catalog++
	}
}

func (s *versionedStore) setState(id string, st status.Status) {
	s.states[id] = health.ComponentState{ComponentID: id, Status: st}
	s.rv[id]++
}

// TestSnapshotRereadsOnlyWhatMoved: while only states move, a new
// snapshot keeps its catalog and reads only the states whose row version
// moved, and still equals a full read; a catalog write reads all again.
func TestSnapshotRereadsOnlyWhatMoved(t *testing.T) {
	st := newVersionedStore(20)
	m, err := New(Options{Catalog: st, States: st, StateVersions: st, Stored: st.stored})
	if err != nil {
		t.Fatal(err)
	}
	snap := func() *Snapshot {
		t.Helper()
		s, err := m.Snapshot(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	snap()
	if st.catalogs != 1 || st.full != 1 {
		t.Fatalf("first snapshot: %d catalog reads and %d full state reads, want 1 and 1", st.catalogs, st.full)
	}

	st.write(false, func(s *versionedStore) {
		s.setState("c003", status.MajorOutage)
		s.setState("c017", status.PartialOutage)
		delete(s.states, "c010")
		s.states["c020"] = health.ComponentState{ComponentID: "c020", Status: status.DegradedPerformance}
	})
	s := snap()
	if st.catalogs != 1 || st.full != 1 {
		t.Errorf("after a state write: %d catalog reads and %d full state reads, want the first snapshot's 1 and 1", st.catalogs, st.full)
	}
	if want := [][]string{{"c003", "c017", "c020"}}; !reflect.DeepEqual(st.byID, want) {
		t.Errorf("states re-read: %v, want %v", st.byID, want)
	}
	want, _ := st.ComponentStates(t.Context())
	if got := s.ComponentStates(); !reflect.DeepEqual(got, want) {
		t.Errorf("snapshot states after a partial read:\n got %v\nwant %v", got, want)
	}
	if got, ok := s.Component("c003"); !ok || got.ID != "c003" {
		t.Errorf("the kept catalog lost c003: %v %v", got, ok)
	}
	if got := s.ComponentStatesOf([]string{"c003", "c010"}); len(got) != 1 || got[0].Status != status.MajorOutage {
		t.Errorf("states of c003 and the deleted c010: %v, want c003's major outage alone", got)
	}

	st.write(true, func(s *versionedStore) {
		s.comps = append(s.comps, catalog.Component{ID: "c020", PageID: "p"})
	})
	s = snap()
	if st.catalogs != 2 || st.full != 3 { // the comparison above read all once
		t.Errorf("after a catalog write: %d catalog reads and %d full state reads, want 2 and 3", st.catalogs, st.full)
	}
	if _, ok := s.Component("c020"); !ok {
		t.Error("the new component c020 is missing after a catalog write")
	}
}

// TestSnapshotReadsAllWhenMostMoved: when most states moved, one plain
// scan is read instead of a long list of IDs.
func TestSnapshotReadsAllWhenMostMoved(t *testing.T) {
	st := newVersionedStore(10)
	m, err := New(Options{Catalog: st, States: st, StateVersions: st, Stored: st.stored})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Snapshot(t.Context()); err != nil {
		t.Fatal(err)
	}
	st.write(false, func(s *versionedStore) {
		for i := range 8 {
			s.setState(fmt.Sprintf("c%03d", i), status.MajorOutage)
		}
	})
	s, err := m.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.full != 2 || len(st.byID) != 0 {
		t.Errorf("%d full reads and ID reads %v, want 2 full reads and none by ID", st.full, st.byID)
	}
	if got := s.ComponentStatesOf([]string{"c007"}); len(got) != 1 || got[0].Status != status.MajorOutage {
		t.Errorf("c007: %v, want major outage", got)
	}
}

// TestRecentReadsBehind: Recent trusts the store's version for lag, and
// when it moved answers from the snapshot at hand while one read of the
// next runs in the background; only a snapshot older than MaxAge, or one
// missing this process's write, makes it wait.
func TestRecentReadsBehind(t *testing.T) {
	st := newVersionedStore(3)
	var (
		now     = t0
		pending []func()
		checks  int
	)
	stored := func(ctx context.Context) (Versions, error) { checks++; return st.stored(ctx) }
	var version uint64
	m, err := New(Options{Catalog: st, States: st, StateVersions: st, Stored: stored, MaxAge: time.Second,
		Clock: func() time.Time { return now }, Version: func() uint64 { return version },
		Background: func(read func()) { pending = append(pending, read) }})
	if err != nil {
		t.Fatal(err)
	}
	recent := func() *Snapshot {
		t.Helper()
		s, err := m.Recent(t.Context(), 100*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	first := recent() // no snapshot yet: read at once
	checks = 0
	now = now.Add(50 * time.Millisecond)
	if s := recent(); s != first || checks != 0 {
		t.Fatalf("within the lag: new snapshot %v, %d version reads; want the same one and none", s != first, checks)
	}

	st.write(false, func(s *versionedStore) { s.setState("c001", status.MajorOutage) })
	now = now.Add(100 * time.Millisecond)
	if s := recent(); s != first || checks != 1 || len(pending) != 1 {
		t.Fatalf("past the lag after a write: same snapshot %v, %d version reads, %d background reads; want the same, 1, 1",
			s == first, checks, len(pending))
	}
	if s := recent(); s != first || len(pending) != 1 {
		t.Fatalf("while the background read is pending: same snapshot %v, %d background reads; want the same, 1", s == first, len(pending))
	}
	pending[0]()
	s := recent()
	if s == first || s.ComponentStatesOf([]string{"c001"})[0].Status != status.MajorOutage {
		t.Fatal("after the background read: the write does not show")
	}

	version++ // a write of this process: shown at once, no waiting for the background
	if got := recent(); got == s || got.version != version {
		t.Errorf("after a write of this process: snapshot at version %d, want %d", got.version, version)
	}
	now = now.Add(2 * time.Second)
	before := recent()
	if before.At() != now {
		t.Errorf("a snapshot older than MaxAge was served: read at %v, now %v", before.At(), now)
	}
}

// TestSnapshotForItsAgeReadsNoState: a snapshot replaced for its age
// alone, nothing having moved, reads only the versions.
func TestSnapshotForItsAgeReadsNoState(t *testing.T) {
	st := newVersionedStore(5)
	now := t0
	m, err := New(Options{Catalog: st, States: st, StateVersions: st, Stored: st.stored, MaxAge: time.Second,
		Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Snapshot(t.Context()); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Second)
	if _, err := m.Snapshot(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st.full != 1 || st.catalogs != 1 || len(st.byID) != 0 {
		t.Errorf("a refresh for age read %d full, %d catalogs, by ID %v; want the first snapshot's 1 and 1, none by ID",
			st.full, st.catalogs, st.byID)
	}
}
