package readmodel

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/componentstatus"
	"github.com/statusd/statusd/health"
)

// Snapshot is the catalog and component states as read at one time. It
// is immutable: the slices it returns are shared and must not be
// modified.
type Snapshot struct {
	version       uint64
	stored        int64 // the store's version when it was read
	catalogStored int64 // and the catalog's
	frozenStored  int64 // and the frozen months'
	at            time.Time

	pages   []catalog.Page
	comps   []catalog.Component // every component on its primary page
	checks  []catalog.Check
	states  []health.ComponentState
	stateRV map[string]int64 // row version of each state, when the store keeps them
	shown   map[string]componentstatus.Effective

	compByID  map[string]int
	onPage    map[string][]catalog.Component // page ID → its components as placed there
	members   map[string][]catalog.Component // group ID → its members, by position, then ID
	pageByID  map[string]int
	checksOf  map[string][]catalog.Check
	checkByID map[string]int
	stateByID map[string]int

	mu   sync.Mutex
	memo map[string]*memoEntry
	// ready holds the entries of memo computed without error, for
	// readers that need no lock: a spike reads the same few keys from
	// every core at once.
	ready sync.Map // string → *memoEntry
}

// memoEntry is one answer, done once computed, with how to compute it
// again for the next snapshot.
type memoEntry struct {
	done    chan struct{}
	v       any
	err     error
	compute Compute
	hit     atomic.Bool // read again after it was computed
}

// Compute computes an answer from a snapshot. It must depend on the
// snapshot and on what its memo key names alone.
type Compute func(ctx context.Context, s *Snapshot) (any, error)

// shareCatalog takes prev's catalog and its lookups, which are immutable.
func (s *Snapshot) shareCatalog(prev *Snapshot) {
	s.pages, s.comps, s.checks = prev.pages, prev.comps, prev.checks
	s.compByID, s.onPage, s.members = prev.compByID, prev.onPage, prev.members
	s.pageByID, s.checksOf, s.checkByID = prev.pageByID, prev.checksOf, prev.checkByID
}

// add appends a state read at row version rv.
func (s *Snapshot) add(st health.ComponentState, rv int64) {
	s.states = append(s.states, st)
	s.stateRV[st.ComponentID] = rv
}

// indexCatalog builds the lookups of the snapshot's catalog.
func (s *Snapshot) indexCatalog() {
	s.compByID = make(map[string]int, len(s.comps))
	s.onPage = map[string][]catalog.Component{}
	s.members = map[string][]catalog.Component{}
	for i, c := range s.comps { // sorted by position, then ID, so each group's members are too
		s.compByID[c.ID] = i
		if c.GroupID != "" {
			s.members[c.GroupID] = append(s.members[c.GroupID], c)
		}
		for _, p := range c.Placements() {
			placed := c
			placed.PageID, placed.Position = p.PageID, p.Position
			s.onPage[p.PageID] = append(s.onPage[p.PageID], placed)
		}
	}
	for _, list := range s.onPage { // as the store lists a page: by position, then ID
		slices.SortFunc(list, func(a, b catalog.Component) int {
			return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
		})
	}
	s.pageByID = make(map[string]int, len(s.pages))
	for i, p := range s.pages {
		s.pageByID[p.ID] = i
	}
	s.checkByID = make(map[string]int, len(s.checks))
	s.checksOf = map[string][]catalog.Check{}
	for i, c := range s.checks { // sorted by ID, so each component's are too
		s.checkByID[c.ID] = i
		s.checksOf[c.ComponentID] = append(s.checksOf[c.ComponentID], c)
	}
}

// indexStates builds the lookup of the snapshot's states.
func (s *Snapshot) indexStates() {
	s.stateByID = make(map[string]int, len(s.states))
	for i, st := range s.states {
		s.stateByID[st.ComponentID] = i
	}
}

// Frozen is the store's version of the frozen months when the snapshot
// was read (Versions.Frozen): while it stays, no month was frozen since.
func (s *Snapshot) Frozen() int64 { return s.frozenStored }

// At is when the snapshot's reads began: it holds everything written
// before.
func (s *Snapshot) At() time.Time { return s.at }

// Pages lists every page, sorted by ID.
func (s *Snapshot) Pages() []catalog.Page { return s.pages }

// Components lists the components of a page, or of every page for "", as
// the store lists them: for a page, each with that page's ID and its
// position there, sorted by position, then ID; for every page, each on
// its primary page. Each carries every page it sits on in Pages.
func (s *Snapshot) Components(pageID string) []catalog.Component {
	if pageID == "" {
		return s.comps
	}
	return s.onPage[pageID]
}

// Component returns the component with this ID on its primary page.
func (s *Snapshot) Component(id string) (catalog.Component, bool) {
	i, ok := s.compByID[id]
	if !ok {
		return catalog.Component{}, false
	}
	return s.comps[i], true
}

// Members lists the components whose group is groupID, sorted by
// position, then ID, each on its primary page.
func (s *Snapshot) Members(groupID string) []catalog.Component { return s.members[groupID] }

// Page returns the page with this ID.
func (s *Snapshot) Page(id string) (catalog.Page, bool) {
	i, ok := s.pageByID[id]
	if !ok {
		return catalog.Page{}, false
	}
	return s.pages[i], true
}

// Checks lists every check, sorted by ID.
func (s *Snapshot) Checks() []catalog.Check { return s.checks }

// ChecksOf lists the checks of one component, sorted by ID.
func (s *Snapshot) ChecksOf(componentID string) []catalog.Check { return s.checksOf[componentID] }

// Check returns the check with this ID.
func (s *Snapshot) Check(id string) (catalog.Check, bool) {
	i, ok := s.checkByID[id]
	if !ok {
		return catalog.Check{}, false
	}
	return s.checks[i], true
}

// ComponentStates lists every component state, sorted by component ID.
func (s *Snapshot) ComponentStates() []health.ComponentState { return s.states }

// Shown is the status each component shows by a person's decision (see
// rollup.Components); nil when the model reads none.
func (s *Snapshot) Shown() map[string]componentstatus.Effective { return s.shown }

// ComponentStatesOf lists the states of the given components that have
// one, sorted by component ID.
func (s *Snapshot) ComponentStatesOf(ids []string) []health.ComponentState {
	out := make([]health.ComponentState, 0, len(ids))
	for _, id := range ids {
		if i, ok := s.stateByID[id]; ok {
			out = append(out, s.states[i])
		}
	}
	slices.SortFunc(out, func(a, b health.ComponentState) int { return cmp.Compare(a.ComponentID, b.ComponentID) })
	return slices.CompactFunc(out, func(a, b health.ComponentState) bool { return a.ComponentID == b.ComponentID })
}

// Memo returns the value of key for this snapshot: compute's, computed
// once however many readers ask at the same time, and kept while the
// snapshot is current; when the snapshot is replaced for its age, the
// values read more than once are computed for the next one before it is
// handed out. An error is returned, not kept. Past a bound on the values
// kept, compute runs for each call.
func (s *Snapshot) Memo(ctx context.Context, key string, compute Compute) (any, error) {
	if v, ok := s.Cached(key); ok {
		return v, nil
	}
	s.mu.Lock()
	e, ok := s.memo[key]
	if !ok {
		if len(s.memo) >= maxMemo {
			s.mu.Unlock()
			return compute(ctx, s)
		}
		e = &memoEntry{done: make(chan struct{}), compute: compute}
		s.memo[key] = e
	}
	s.mu.Unlock()
	if ok {
		<-e.done
		if e.err != nil {
			return compute(ctx, s) // the first failed; try again for this reader
		}
		if !e.hit.Load() {
			e.hit.Store(true)
		}
		return e.v, nil
	}
	defer close(e.done) // also when compute panics: no reader waits forever
	e.err = errPanicked
	e.v, e.err = compute(ctx, s)
	if e.err != nil {
		s.mu.Lock()
		delete(s.memo, key)
		s.mu.Unlock()
		return e.v, e.err
	}
	s.ready.Store(key, e)
	return e.v, nil
}

// Cached is Memo's value of key when it has been computed for this
// snapshot, without waiting or computing: a reader that finds it makes no
// closure for Memo, and takes no lock.
func (s *Snapshot) Cached(key string) (any, bool) {
	r, ok := s.ready.Load(key)
	if !ok {
		return nil, false
	}
	e := r.(*memoEntry)
	if !e.hit.Load() {
		e.hit.Store(true)
	}
	return e.v, true
}

// warm computes in s the values of prev that were read more than once,
// up to maxWarm of them; a failure leaves the value to its next reader.
func (s *Snapshot) warm(ctx context.Context, prev *Snapshot) {
	prev.mu.Lock()
	hot := map[string]Compute{}
	for k, e := range prev.memo {
		if len(hot) == maxWarm {
			break
		}
		if e.hit.Load() {
			hot[k] = e.compute
		}
	}
	prev.mu.Unlock()
	for k, compute := range hot {
		_, _ = s.Memo(ctx, k, compute) // on failure, computed again by its next reader
	}
}

// errPanicked is the error of an answer whose computation panicked.
var errPanicked = errors.New("computing the answer panicked")
