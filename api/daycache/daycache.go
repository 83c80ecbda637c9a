// Package daycache keeps in memory the day buckets of closed days: the
// days before a component's cursor day (uptime.Cursor.Day), whose buckets
// are written for good, so that a measure of a timeframe reads from the
// store only the days it has not read before.
//
// A bucket may be kept only if it was read after a component state whose
// cursor day is later than the bucket's day: the caller reads the states
// first (the read model's snapshot) and passes each component's cursor
// day with what it read (Put). What is kept is exact for good, with two
// exceptions handled here:
//   - a component deleted and made again under the same ID: Retain drops
//     every component the caller no longer knows, and Get leaves out the
//     days before the component was first tracked (start);
//   - the bound: past MaxBuckets, the whole cache is dropped and refilled
//     by the next reads.
//
// A caller that misses may fill the cache for every component at once
// (Sweep), the first time a span of days is wanted, when that fits in half
// the bound: a page of components each measured once (a status page, a
// benchmark) then finds its days kept.
package daycache

import (
	"cmp"
	"slices"
	"sync"

	"github.com/statusd/statusd/uptime"
)

// DefaultMaxBuckets bounds the buckets kept when Options leave it out:
// about 90 bytes each, 2 months and their margins (64 days) of 25,000
// components, 144 MB at most; a sweep fills at most half of it, 64 days
// of 12,500 components.
const DefaultMaxBuckets = 1_600_000

// Span is a range of days, both ends included.
type Span struct{ From, To uptime.Day }

// Options configure a Cache.
type Options struct {
	// MaxBuckets bounds the buckets kept; zero means DefaultMaxBuckets.
	MaxBuckets int
}

// Cache is safe for concurrent use.
type Cache struct {
	max int

	mu     sync.Mutex
	n      int
	byComp map[string]*entry
	swept  []Span // the spans a Sweep read for every component, merged

	sweeping sync.Mutex // held by the one Sweep that reads
}

// entry is what is kept of one component: every bucket of the days in
// covered (merged, sorted spans), sorted by day, each with the entry's
// key as its ComponentID (one string for all).
type entry struct {
	covered []Span
	buckets []uptime.Bucket
}

// New returns an empty cache.
func New(o Options) *Cache {
	if o.MaxBuckets <= 0 {
		o.MaxBuckets = DefaultMaxBuckets
	}
	return &Cache{max: o.MaxBuckets, byComp: map[string]*entry{}}
}

// Get returns the kept buckets of component id in spans, leaving out the
// days before start (the first day it was tracked), and whether every day
// of spans is kept.
func (c *Cache) Get(id string, spans []Span, start uptime.Day) ([]uptime.Bucket, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.byComp[id]
	if e == nil || !covers(e.covered, spans) {
		return nil, false
	}
	var out []uptime.Bucket
	for _, b := range e.buckets {
		if b.Day >= start && inSpans(spans, b.Day) {
			out = append(out, b)
		}
	}
	return out, true
}

// Put keeps the buckets of component id read over spans, of the days
// before closedBefore (its cursor day in the state read before them).
// bs may hold other components' buckets: only id's are kept.
func (c *Cache) Put(id string, spans []Span, closedBefore uptime.Day, bs []uptime.Bucket) {
	var closed []Span
	for _, sp := range spans {
		if sp.To >= closedBefore {
			sp.To = closedBefore.AddDays(-1)
		}
		if sp.From <= sp.To {
			closed = append(closed, sp)
		}
	}
	if len(closed) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.byComp[id]
	if e == nil {
		e = &entry{}
		c.byComp[id] = e
	}
	for _, b := range bs {
		if b.ComponentID != id || !inSpans(closed, b.Day) {
			continue
		}
		b.ComponentID = id
		i, found := slices.BinarySearchFunc(e.buckets, b.Day, func(x uptime.Bucket, d uptime.Day) int { return cmp.Compare(x.Day, d) })
		if found {
			e.buckets[i] = b
			continue
		}
		e.buckets = slices.Insert(e.buckets, i, b)
		c.n++
	}
	e.covered = merge(append(e.covered, closed...))
	if c.n > c.max {
		c.byComp, c.n, c.swept = map[string]*entry{}, 0, nil
	}
}

// Sweep fills the cache for count components over spans by calling read
// (which reads and Puts them all), unless spans were swept before, do not
// fit in half the bound, or another Sweep is reading: it reports whether
// it read. Reading every component costs one scan where each of them
// would cost a query.
func (c *Cache) Sweep(count int, spans []Span, read func() error) (bool, error) {
	days := 0
	for _, sp := range spans {
		days += uptime.DaysBetween(sp.From, sp.To) + 1
	}
	c.mu.Lock()
	done := covers(c.swept, spans)
	c.mu.Unlock()
	if done || count*days > c.max/2 || !c.sweeping.TryLock() {
		return false, nil
	}
	defer c.sweeping.Unlock()
	if err := read(); err != nil {
		return false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.swept = merge(append(c.swept, spans...))
	return true, nil
}

// Retain drops every component for which known is false.
func (c *Cache) Retain(known func(id string) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, e := range c.byComp {
		if !known(id) {
			c.n -= len(e.buckets)
			delete(c.byComp, id)
		}
	}
}

// Len is the number of buckets kept.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// covers reports whether every day of spans is in covered.
func covers(covered, spans []Span) bool {
	for _, sp := range spans {
		if sp.From > sp.To {
			continue
		}
		if !slices.ContainsFunc(covered, func(c Span) bool { return c.From <= sp.From && sp.To <= c.To }) {
			return false
		}
	}
	return true
}

func inSpans(spans []Span, d uptime.Day) bool {
	return slices.ContainsFunc(spans, func(sp Span) bool { return sp.From <= d && d <= sp.To })
}

// merge sorts spans and joins those that overlap or touch.
func merge(spans []Span) []Span {
	slices.SortFunc(spans, func(a, b Span) int {
		switch {
		case a.From < b.From:
			return -1
		case a.From > b.From:
			return 1
		}
		return 0
	})
	var out []Span
	for _, sp := range spans {
		if n := len(out); n > 0 && sp.From <= out[n-1].To.Next() {
			out[n-1].To = max(out[n-1].To, sp.To)
			continue
		}
		out = append(out, sp)
	}
	return out
}
