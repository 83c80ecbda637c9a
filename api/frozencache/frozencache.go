// Package frozencache keeps in memory the frozen months (the totals of a
// component's closed month, uptime.FrozenMonth) that the metrics endpoint
// serves, keyed by component and month.
//
// A frozen month is written once and never changed (a second freeze of
// the same component and month writes nothing; a later recomputation that
// disagrees is recorded beside it and never served), so a kept month is
// never refreshed. It goes away only:
//   - when its component is deleted (the rows go with it, ON DELETE
//     CASCADE): Retain drops the months of every component a caller no
//     longer knows, so one made again under the same ID starts without;
//   - by the retention, which keeps at least the 12 months a timeframe can
//     reach: Forget drops the months no timeframe reaches any more;
//   - past MaxEntries, when whole components are dropped.
//
// Absence is kept briefly: a month the store did not hold frozen for a
// component is asked again once AbsentFor (10 s) has passed or the caller
// calls ForgetAbsent (the API does when it follows a new read-model
// snapshot; a freeze moves the store's version), so the days after a
// month's end, before its freeze, cost no query per measure, and a month
// frozen since is served from the first snapshot after its freeze.
//
// Sweep reads a month for every component at once, the first time it is
// wanted, when that fits in half the bound: a page of components each
// read once (a status page, a benchmark) then finds its months kept.
package frozencache

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/statusd/statusd/uptime"
)

// DefaultMaxEntries bounds the component-months kept when Options leave
// it out: 12 months of 20,000 components, at about 100 bytes each (the
// totals alone: a kept month comes back without its FrozenAt).
const DefaultMaxEntries = 240_000

// Reader reads frozen months from the store.
type Reader interface {
	// FrozenMonths lists the frozen months of the components from..to.
	FrozenMonths(ctx context.Context, ids []string, from, to uptime.Month) ([]uptime.FrozenMonth, error)
}

// Options configure a Cache.
type Options struct {
	// Reader is the store. Required.
	Reader Reader
	// MaxEntries bounds the component-months kept; zero means
	// DefaultMaxEntries.
	MaxEntries int
	// AbsentFor is how long a month found not frozen is not asked again;
	// zero means DefaultAbsentFor, negative asks every time.
	AbsentFor time.Duration
	// Clock tells the time; nil means time.Now.
	Clock func() time.Time
}

// DefaultAbsentFor is how long a month found not frozen is not asked
// again when Options leave it out.
const DefaultAbsentFor = 10 * time.Second

// Cache is the frozen months read so far. It is safe for concurrent use.
type Cache struct {
	reader    Reader
	max       int
	absentFor time.Duration
	clock     func() time.Time

	mu     sync.Mutex
	byComp map[string]map[uptime.Month]uptime.Totals
	n      int                  // component-months kept
	seen   map[uptime.Month]int // month → how many kept components have it
	swept  map[uptime.Month]bool
	// absent holds, per component, the months found not frozen and until
	// when that is believed.
	absent map[string]map[uptime.Month]time.Time
}

// New returns an empty Cache over opts.Reader.
func New(opts Options) (*Cache, error) {
	if opts.Reader == nil {
		return nil, errors.New("new frozen month cache: Reader is required")
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.AbsentFor == 0 {
		opts.AbsentFor = DefaultAbsentFor
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &Cache{reader: opts.Reader, max: opts.MaxEntries, absentFor: opts.AbsentFor, clock: opts.Clock,
		byComp: map[string]map[uptime.Month]uptime.Totals{}, seen: map[uptime.Month]int{},
		swept: map[uptime.Month]bool{}, absent: map[string]map[uptime.Month]time.Time{}}, nil
}

// Cached returns the kept frozen months among want of each of ids, and
// the ids that miss one of want (which the store may have frozen since).
func (c *Cache) Cached(ids []string, want []uptime.Month) (map[string][]uptime.FrozenMonth, []string) {
	out := map[string][]uptime.FrozenMonth{}
	var missing []string
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock()
	for _, id := range ids {
		ms := c.byComp[id]
		complete := true
		for _, m := range want {
			tot, ok := ms[m]
			if !ok {
				if until, known := c.absent[id][m]; !known || !now.Before(until) {
					complete = false
				}
				continue
			}
			out[id] = append(out[id], uptime.FrozenMonth{ComponentID: id, Month: m, Totals: tot})
		}
		if !complete {
			missing = append(missing, id)
		}
	}
	return out, missing
}

// Seen reports whether month m is kept frozen for some component: a
// caller may expect it frozen for the others too, and check.
func (c *Cache) Seen(m uptime.Month) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen[m] > 0
}

// Load reads the frozen months from..to of ids from the store, keeps
// them, and returns the months read by component.
func (c *Cache) Load(ctx context.Context, ids []string, from, to uptime.Month) (map[string][]uptime.FrozenMonth, error) {
	if len(ids) == 0 {
		return map[string][]uptime.FrozenMonth{}, nil
	}
	ms, err := c.reader.FrozenMonths(ctx, ids, from, to)
	if err != nil {
		return nil, fmt.Errorf("read frozen months: %w", err)
	}
	out := map[string][]uptime.FrozenMonth{}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range ms {
		out[m.ComponentID] = append(out[m.ComponentID], m)
		c.keep(m)
	}
	c.noteAbsent(ids, from, to)
	for id := range c.byComp { // past the bound: whole components go, any of them
		if c.n <= c.max {
			break
		}
		c.drop(id)
	}
	return out, nil
}

// Swept reports whether every month of want was swept.
func (c *Cache) Swept(want []uptime.Month) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range want {
		if !c.swept[m] {
			return false
		}
	}
	return true
}

// Sweep reads the months of want not swept yet for all the components
// the caller knows (count of them, listed by all, called only to read) in
// one read, when they fit in half the bound, and marks them swept; it
// reports whether it read. A component that misses a swept month later is
// read alone.
func (c *Cache) Sweep(ctx context.Context, count int, all func() []string, want []uptime.Month) (bool, error) {
	c.mu.Lock()
	var months []uptime.Month
	for _, m := range want {
		if !c.swept[m] {
			months = append(months, m)
		}
	}
	c.mu.Unlock()
	if len(months) == 0 || count*len(months) > c.max/2 {
		return false, nil
	}
	if _, err := c.Load(ctx, all(), slices.Min(months), slices.Max(months)); err != nil {
		return false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range months {
		c.swept[m] = true
	}
	return true, nil
}

// Retain drops the months of every kept component known says is gone.
func (c *Cache) Retain(known func(id string) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id := range c.byComp {
		if !known(id) {
			c.drop(id)
		}
	}
}

// Len returns how many component-months are kept.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// keep adds one frozen month; one kept already stays as it is.
func (c *Cache) keep(fm uptime.FrozenMonth) {
	ms := c.byComp[fm.ComponentID]
	if ms == nil {
		ms = map[uptime.Month]uptime.Totals{}
		c.byComp[fm.ComponentID] = ms
	}
	if _, ok := ms[fm.Month]; ok {
		return
	}
	ms[fm.Month] = fm.Totals
	delete(c.absent[fm.ComponentID], fm.Month)
	c.n++
	c.seen[fm.Month]++
}

// ForgetAbsent drops every absence kept: the next measure asks the store
// for the months it does not hold.
func (c *Cache) ForgetAbsent() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.absent)
}

// noteAbsent records, for each of ids, the months from..to that a read
// found not frozen, for absentFor.
func (c *Cache) noteAbsent(ids []string, from, to uptime.Month) {
	if c.absentFor < 0 {
		return
	}
	until := c.clock().Add(c.absentFor)
	for _, id := range ids {
		for m := from; m <= to; m = m.Next() {
			if _, ok := c.byComp[id][m]; ok {
				continue
			}
			if c.absent[id] == nil {
				c.absent[id] = map[uptime.Month]time.Time{}
			}
			c.absent[id][m] = until
		}
	}
}

// drop forgets every month of one component.
func (c *Cache) drop(id string) {
	delete(c.absent, id)
	for m := range c.byComp[id] {
		c.unsee(m)
	}
	c.n -= len(c.byComp[id])
	delete(c.byComp, id)
}

// Forget drops the months before the given one, of every component; it
// costs a look at each kept month only when one is before it.
func (c *Cache) Forget(before uptime.Month) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for m := range c.swept {
		if m < before {
			delete(c.swept, m)
		}
	}
	for _, ms := range c.absent {
		for m := range ms {
			if m < before {
				delete(ms, m)
			}
		}
	}
	old := false
	for m := range c.seen {
		old = old || m < before
	}
	if !old {
		return
	}
	for id, ms := range c.byComp {
		for m := range ms {
			if m < before {
				delete(ms, m)
				c.n--
				c.unsee(m)
			}
		}
		if len(ms) == 0 {
			delete(c.byComp, id)
		}
	}
}

func (c *Cache) unsee(m uptime.Month) {
	if c.seen[m]--; c.seen[m] <= 0 {
		delete(c.seen, m)
	}
}
