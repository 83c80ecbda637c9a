// Package readmodel keeps in memory what the API's read routes show: every
// page, component (with its placements), check and component state, read
// from the store as one immutable Snapshot, and, per snapshot, the answers
// computed from it (Snapshot.Memo), so that a read costs a map lookup
// instead of several queries.
//
// Freshness: a snapshot is replaced
//   - before the next read once this process wrote the catalog, admins or
//     keys (the Version counter moved; sqlstore.Store.CatalogVersion): a
//     write is visible to the next read in the same process;
//   - before the next read once the store's own counter moved (Stored;
//     sqlstore.Store.StoredVersion, moved in every transaction that
//     changes the catalog, component states, day buckets or incidents, by
//     any process): reads are monotonic, never older than what was
//     committed before them, across aggregators too. It costs one
//     primary-key read per request;
//   - once it is older than MaxAge (default 1 s), for what neither counter
//     sees.
//
// A reader past half of MaxAge refreshes the snapshot, and computes the
// answers read often from the last one (Snapshot.Memo), while the others go
// on with the current one: readers wait for a refresh only after a write of
// their own process or when no read came for MaxAge.
//
// Cost: a new snapshot re-reads only what moved when the store can say
// so. The catalog (pages, components, checks) is kept while neither this
// process's counter nor the store's catalog version (Versions.Catalog)
// moved, and with Options.StateVersions only the component states whose
// row version moved are read and decoded again. Under a steady stream of
// state writes a refresh then costs one narrow scan, not a full read.
package readmodel

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/componentstatus"
	"github.com/statusd/statusd/health"
)

// DefaultMaxAge is how old a snapshot may be when Options leave it out.
const DefaultMaxAge = time.Second

// maxMemo bounds the answers a snapshot keeps; beyond, they are computed
// on every read until the next snapshot. maxWarm bounds those computed
// ahead for the next snapshot.
const (
	maxMemo = 2048
	maxWarm = 64
)

// CatalogReader reads the catalog.
type CatalogReader interface {
	// Pages lists every page, sorted by ID.
	Pages(ctx context.Context) ([]catalog.Page, error)
	// Components lists the components of every page for "", each on its
	// primary page with all its placements in Pages, sorted by position,
	// then ID.
	Components(ctx context.Context, pageID string) ([]catalog.Component, error)
}

// CheckReader reads checks.
type CheckReader interface {
	Checks(ctx context.Context) ([]catalog.Check, error)
}

// StateReader reads component states.
type StateReader interface {
	ComponentStates(ctx context.Context) ([]health.ComponentState, error)
}

// ShownReader reads the status each component shows by a person's
// decision.
type ShownReader interface {
	EffectiveStatuses(ctx context.Context) (map[string]componentstatus.Effective, error)
}

// StateVersionReader reads component states by row version, so that a new
// snapshot re-reads only the states that moved.
type StateVersionReader interface {
	// ComponentStateVersions lists every state's row version, which moves
	// with each write of the state.
	ComponentStateVersions(ctx context.Context) (map[string]int64, error)
	// ComponentStatesByID reads the states of ids (every one for nil),
	// sorted by component ID, with their row versions at the same index.
	ComponentStatesByID(ctx context.Context, ids []string) ([]health.ComponentState, []int64, error)
}

// Versions is what the store's counters read.
type Versions struct {
	// All moves with every committed change of what a snapshot holds;
	// Catalog only with the changes of pages, components and checks;
	// Frozen only with freezes of closed months (Snapshot.Frozen).
	All, Catalog, Frozen int64
}

// Options configure a Model.
type Options struct {
	// Catalog and States are read for each snapshot. Required.
	Catalog CatalogReader
	States  StateReader
	// Checks is read for each snapshot; nil means none.
	Checks CheckReader
	// Shown is read for each snapshot; nil means the probes' states alone
	// decide.
	Shown ShownReader
	// StateVersions, when set, lets a snapshot re-read only the states
	// whose row version moved since the last one (it needs Stored).
	StateVersions StateVersionReader
	// Version counts this process's writes of the catalog; a snapshot
	// taken at another count is replaced. Nil means none.
	Version func() uint64
	// Stored reads the store's versions of what a snapshot holds, on every
	// Snapshot call; a snapshot taken at another All is replaced, and
	// keeps its catalog while Catalog stays. Nil means none: other
	// processes' writes show within MaxAge, and every snapshot reads all.
	Stored func(ctx context.Context) (Versions, error)
	// MaxAge is how old a snapshot may be; zero means DefaultMaxAge,
	// negative a new snapshot for every read.
	MaxAge time.Duration
	// Clock tells the time; nil means time.Now.
	Clock func() time.Time
	// Background runs a read of a snapshot that Recent started; nil means
	// in a goroutine of its own, which ends within backgroundTimeout.
	// Tests pass one that runs it at once.
	Background func(read func())
}

// backgroundTimeout bounds a snapshot read Recent started.
const backgroundTimeout = 30 * time.Second

// Model hands out the current snapshot. It is safe for concurrent use.
type Model struct {
	opts    Options
	maxAge  time.Duration
	cur     atomic.Pointer[Snapshot]
	refresh sync.Mutex // held while reading a snapshot
	// checked is the last reading of the store's version, for Recent.
	checked atomic.Pointer[storedCheck]
}

// storedCheck is a reading of the store's version and when it began.
type storedCheck struct {
	at     time.Time
	stored Versions
}

// New returns a Model over opts; it reads nothing yet.
func New(opts Options) (*Model, error) {
	if opts.Catalog == nil || opts.States == nil {
		return nil, errors.New("new read model: Catalog and States are required")
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Version == nil {
		opts.Version = func() uint64 { return 0 }
	}
	if opts.Background == nil {
		opts.Background = func(read func()) { go read() }
	}
	m := &Model{opts: opts, maxAge: cmp.Or(opts.MaxAge, DefaultMaxAge)}
	return m, nil
}

// Snapshot returns a snapshot no older than MaxAge that holds every write
// this process made before the call.
func (m *Model) Snapshot(ctx context.Context) (*Snapshot, error) {
	version := m.opts.Version()
	stored, err := m.stored(ctx)
	if err != nil {
		return nil, err
	}
	s := m.cur.Load()
	if s != nil && s.version == version && s.stored == stored.All && m.maxAge > 0 {
		age := m.opts.Clock().Sub(s.at)
		if age < m.maxAge/2 {
			return s, nil
		}
		if age < m.maxAge && !m.refresh.TryLock() {
			return s, nil // another reader is refreshing it
		}
		if age >= m.maxAge {
			m.refresh.Lock()
		}
	} else {
		m.refresh.Lock()
	}
	defer m.refresh.Unlock()
	if s := m.cur.Load(); s != nil && s.version == version && s.stored >= stored.All && m.maxAge > 0 &&
		m.opts.Clock().Sub(s.at) < m.maxAge/2 {
		return s, nil // refreshed while this one waited
	}
	prev := m.cur.Load()
	s, err = m.load(ctx, prev)
	if err != nil {
		return nil, err
	}
	if prev != nil && prev.version == s.version && prev.stored == s.stored {
		// Replaced for its age: the others read prev meanwhile, so the
		// answers they will ask for again are made now, not while they wait.
		s.warm(ctx, prev)
	}
	m.cur.Store(s)
	return s, nil
}

// Recent is Snapshot for the surfaces a spike may hit tens of thousands
// of times a second (the public pages): no caller waits for a snapshot to be read unless the one at hand is older
// than MaxAge or misses a write of this process (Options.Version is
// checked on every call). It trusts the last reading of the store's
// version (Options.Stored) for lag, so that most calls cost an atomic load
// and a clock reading instead of a query; when the version moved, or past
// half of MaxAge, the next snapshot is read in the background (one at a
// time, Options.Background) and this call answers from the one at hand.
// Other processes' writes so show within lag and one read of a snapshot.
// A lag of zero or less is Snapshot.
func (m *Model) Recent(ctx context.Context, lag time.Duration) (*Snapshot, error) {
	s := m.cur.Load()
	if s == nil || lag <= 0 || m.maxAge <= 0 || s.version != m.opts.Version() {
		return m.Snapshot(ctx)
	}
	now := m.opts.Clock()
	age := now.Sub(s.at)
	if age >= m.maxAge {
		return m.Snapshot(ctx)
	}
	c := m.checked.Load()
	if c == nil || now.Sub(c.at) >= lag {
		if _, err := m.stored(ctx); err != nil {
			return nil, err
		}
		c = m.checked.Load()
	}
	if c.stored.All != s.stored || age >= m.maxAge/2 {
		m.refreshBehind()
	}
	return m.cur.Load(), nil
}

// refreshBehind reads the next snapshot with Options.Background unless a
// read is under way. A failure is left to the next call: Snapshot reports
// it, Recent answers from the snapshot at hand until MaxAge.
func (m *Model) refreshBehind() {
	if !m.refresh.TryLock() {
		return
	}
	m.opts.Background(func() {
		defer m.refresh.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
		defer cancel()
		prev := m.cur.Load()
		s, err := m.load(ctx, prev)
		if err != nil {
			return
		}
		if prev != nil && prev.version == s.version && prev.stored == s.stored {
			s.warm(ctx, prev)
		}
		m.cur.Store(s)
	})
}

// Current returns the snapshot at hand without asking whether it is
// still current, nil before the first. A caller may start work on it
// while Snapshot checks; what it answers must come from Snapshot's.
func (m *Model) Current() *Snapshot { return m.cur.Load() }

// stored reads the store's versions, zero without Stored, and keeps the
// reading for Recent.
func (m *Model) stored(ctx context.Context) (Versions, error) {
	if m.opts.Stored == nil {
		m.checked.Store(&storedCheck{at: m.opts.Clock()})
		return Versions{}, nil
	}
	at := m.opts.Clock()
	v, err := m.opts.Stored(ctx)
	if err != nil {
		return Versions{}, fmt.Errorf("read the store's version: %w", err)
	}
	m.checked.Store(&storedCheck{at: at, stored: v})
	return v, nil
}

// load reads a new snapshot, keeping of prev (nil for none) what has not
// moved since. Its versions and time are taken before the reads, so a
// write during them makes it old at once.
func (m *Model) load(ctx context.Context, prev *Snapshot) (*Snapshot, error) {
	s := &Snapshot{version: m.opts.Version(), at: m.opts.Clock(), memo: map[string]*memoEntry{}}
	v, err := m.stored(ctx)
	if err != nil {
		return nil, err
	}
	s.stored, s.catalogStored, s.frozenStored = v.All, v.Catalog, v.Frozen
	keep := prev != nil && m.opts.Stored != nil && prev.version == s.version && prev.catalogStored == s.catalogStored
	if keep {
		s.shareCatalog(prev)
	} else if err := m.loadCatalog(ctx, s); err != nil {
		return nil, err
	}
	if keep && m.opts.StateVersions != nil {
		err = m.loadStatesSince(ctx, s, prev)
	} else {
		err = m.loadStates(ctx, s)
	}
	if err != nil {
		return nil, err
	}
	if m.opts.Shown != nil {
		if s.shown, err = m.opts.Shown.EffectiveStatuses(ctx); err != nil {
			return nil, fmt.Errorf("read shown statuses: %w", err)
		}
	}
	s.indexStates()
	return s, nil
}

// loadCatalog reads the pages, components and checks into s.
func (m *Model) loadCatalog(ctx context.Context, s *Snapshot) error {
	var err error
	if s.pages, err = m.opts.Catalog.Pages(ctx); err != nil {
		return fmt.Errorf("read pages: %w", err)
	}
	if s.comps, err = m.opts.Catalog.Components(ctx, ""); err != nil {
		return fmt.Errorf("read components: %w", err)
	}
	if m.opts.Checks != nil {
		if s.checks, err = m.opts.Checks.Checks(ctx); err != nil {
			return fmt.Errorf("read checks: %w", err)
		}
	}
	s.indexCatalog()
	return nil
}

// loadStates reads every component state into s, with their row versions
// when the store has them.
func (m *Model) loadStates(ctx context.Context, s *Snapshot) error {
	var err error
	if m.opts.StateVersions == nil {
		if s.states, err = m.opts.States.ComponentStates(ctx); err != nil {
			return fmt.Errorf("read component states: %w", err)
		}
		return nil
	}
	states, rvs, err := m.opts.StateVersions.ComponentStatesByID(ctx, nil)
	if err != nil {
		return fmt.Errorf("read component states: %w", err)
	}
	s.states, s.stateRV = states, make(map[string]int64, len(states))
	for i, st := range states {
		s.stateRV[st.ComponentID] = rvs[i]
	}
	return nil
}

// loadStatesSince reads into s the states whose row version moved since
// prev, and takes the others from prev.
func (m *Model) loadStatesSince(ctx context.Context, s, prev *Snapshot) error {
	if prev.stateRV == nil {
		return m.loadStates(ctx, s)
	}
	rvs, err := m.opts.StateVersions.ComponentStateVersions(ctx)
	if err != nil {
		return fmt.Errorf("read component state versions: %w", err)
	}
	var moved []string
	for id, rv := range rvs {
		if old, ok := prev.stateRV[id]; !ok || old != rv {
			moved = append(moved, id)
		}
	}
	if len(moved) > len(rvs)/2 {
		return m.loadStates(ctx, s) // most moved: one plain scan reads them faster
	}
	var fresh []health.ComponentState
	var freshRV []int64
	if len(moved) > 0 { // nil IDs would read every state
		slices.Sort(moved)
		if fresh, freshRV, err = m.opts.StateVersions.ComponentStatesByID(ctx, moved); err != nil {
			return fmt.Errorf("read moved component states: %w", err)
		}
	}
	s.stateRV = make(map[string]int64, len(rvs))
	s.states = make([]health.ComponentState, 0, len(rvs))
	// Both lists are sorted by component ID: merge them, leaving out the
	// states that are gone. A state read fresh may be newer than the
	// version scan: it is kept with the version it was read at.
	i := 0
	for _, old := range prev.states {
		for i < len(fresh) && fresh[i].ComponentID < old.ComponentID {
			s.add(fresh[i], freshRV[i])
			i++
		}
		if i < len(fresh) && fresh[i].ComponentID == old.ComponentID {
			s.add(fresh[i], freshRV[i])
			i++
			continue
		}
		if rv, ok := rvs[old.ComponentID]; ok && rv == prev.stateRV[old.ComponentID] {
			s.add(old, rv)
		}
	}
	for ; i < len(fresh); i++ {
		s.add(fresh[i], freshRV[i])
	}
	return nil
}
