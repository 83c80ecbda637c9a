package scheduler

import (
	"sync"
	"time"

	"github.com/statusd/statusd/maintenance"
)

// Set tells which components are in a maintenance window at a time, from
// the windows' stored start and end (health.Maintenance). It is safe for
// concurrent use: the scheduler replaces it, the evaluator reads it.
type Set struct {
	mu    sync.RWMutex
	spans map[string][]span // component ID → its windows' spans
}

// span is [from, to) of a window; a zero to is open-ended.
type span struct{ from, to time.Time }

// NewSet returns an empty set.
func NewSet() *Set { return &Set{spans: map[string][]span{}} }

// Replace makes the set hold the spans of ws: those that started.
func (s *Set) Replace(ws []maintenance.Window) {
	spans := map[string][]span{}
	for _, w := range ws {
		if w.StartedAt.IsZero() || w.Status == maintenance.Scheduled || w.Status == maintenance.Cancelled {
			continue
		}
		sp := span{from: w.StartedAt}
		if w.Status == maintenance.Completed {
			sp.to = w.CompletedAt
		}
		for _, id := range w.ComponentIDs {
			spans[id] = append(spans[id], sp)
		}
	}
	s.mu.Lock()
	s.spans = spans
	s.mu.Unlock()
}

// UnderMaintenance reports whether component id is in a window at at.
func (s *Set) UnderMaintenance(id string, at time.Time) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, sp := range s.spans[id] {
		if !at.Before(sp.from) && (sp.to.IsZero() || at.Before(sp.to)) {
			return true
		}
	}
	return false
}
