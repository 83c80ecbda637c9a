package agent

import (
	"container/heap"
	"hash/fnv"
	"time"

	"github.com/statusd/statusd/catalog"
)

// Phase returns the offset of a check's ticks within its interval in a
// region: FNV-1a 64 of the check ID, a zero byte and the region, modulo the
// interval. The check runs at Unix epoch + Phase + k×interval, so its ticks
// are the same across agent restarts (no restart storms), different checks
// spread over the interval, and regions hit the same target at different
// instants.
func Phase(checkID, region string, interval time.Duration) time.Duration {
	if interval <= 0 {
		return 0
	}
	h := fnv.New64a()
	// Writes to a hash never fail.
	_, _ = h.Write([]byte(checkID))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(region))
	return time.Duration(h.Sum64() % uint64(interval))
}

// nextTick returns the first tick at or after t of a schedule with the given
// phase and interval, aligned to the Unix epoch.
func nextTick(t time.Time, phase, interval time.Duration) time.Time {
	n, iv := t.UnixNano(), int64(interval)
	off := (n - int64(phase)) % iv
	if off < 0 {
		off += iv
	}
	if off != 0 {
		n += iv - off
	}
	return time.Unix(0, n).UTC()
}

// entry is one scheduled check. Its fields are guarded by the agent's mutex.
type entry struct {
	check catalog.Check
	phase time.Duration
	next  time.Time // the next tick to dispatch
	last  time.Time // the last tick dispatched, zero before the first
	index int       // position in the heap
	// busy is set while a run is queued or running; a tick that finds it set
	// is skipped, so runs of one check never stack.
	busy bool
	// removed is set once the check is deleted; a run still in flight then
	// publishes its result but no longer touches the check's metrics.
	removed bool
	// obs is the last run, shown by the per-check metrics once observed.
	obs      observation
	observed bool
}

// schedule holds the checks of one region in a min-heap of next ticks. It is
// not safe for concurrent use; the agent guards it with its mutex.
type schedule struct {
	region  string
	entries map[string]*entry
	heap    entryHeap
}

func newSchedule(region string) *schedule {
	return &schedule{region: region, entries: make(map[string]*entry)}
}

// upsert schedules c, replacing an earlier definition of the same ID, and
// returns the previous definition if there was one. A replaced check keeps
// its busy state and never gets a tick at or before one already dispatched.
func (s *schedule) upsert(c catalog.Check, now time.Time) (old catalog.Check, existed bool) {
	e, existed := s.entries[c.ID]
	if existed {
		old = e.check
	} else {
		e = &entry{}
		s.entries[c.ID] = e
	}
	e.check = c
	e.phase = Phase(c.ID, s.region, c.Interval)
	from := now
	if !e.last.IsZero() && !from.After(e.last) {
		from = e.last.Add(1)
	}
	e.next = nextTick(from, e.phase, c.Interval)
	if existed {
		heap.Fix(&s.heap, e.index)
	} else {
		heap.Push(&s.heap, e)
	}
	return old, existed
}

// remove unschedules the check with the given ID and returns its entry, or
// nil when it was not scheduled.
func (s *schedule) remove(id string) *entry {
	e, ok := s.entries[id]
	if !ok {
		return nil
	}
	delete(s.entries, id)
	heap.Remove(&s.heap, e.index)
	e.removed = true
	return e
}

// due calls run for every check whose tick is at or before now, with the
// latest such tick, and moves each to its first tick after now. Ticks
// missed while the agent was stalled collapse into that one; passed says
// how many were passed over.
func (s *schedule) due(now time.Time, run func(e *entry, tick time.Time, passed int)) {
	for len(s.heap) > 0 && !s.heap[0].next.After(now) {
		e := s.heap[0]
		next := nextTick(now.Add(1), e.phase, e.check.Interval)
		tick := next.Add(-e.check.Interval)
		passed := int(tick.Sub(e.next) / e.check.Interval)
		e.last, e.next = tick, next
		heap.Fix(&s.heap, 0)
		run(e, tick, max(passed, 0))
	}
}

// rewind reschedules every check from now, for when the wall clock stepped
// back: ticks computed before the step would otherwise wait out the step.
func (s *schedule) rewind(now time.Time) {
	for _, e := range s.heap {
		e.last = time.Time{}
		e.next = nextTick(now, e.phase, e.check.Interval)
	}
	heap.Init(&s.heap)
}

// nextDue returns the earliest pending tick; ok is false when no check is
// scheduled.
func (s *schedule) nextDue() (at time.Time, ok bool) {
	if len(s.heap) == 0 {
		return time.Time{}, false
	}
	return s.heap[0].next, true
}

// entryHeap is a min-heap of entries by next tick, for container/heap.
type entryHeap []*entry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }
func (h entryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

func (h *entryHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.index = -1
	return e
}
