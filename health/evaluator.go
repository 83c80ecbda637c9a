package health

import (
	"slices"
	"strings"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/uptime"
)

// Rules of time, in check intervals.
const (
	// silentIntervals is how long a check in a region may go without a
	// result, by tick (a gap) or by the aggregator's clock (no vote), before
	// it counts as silent.
	silentIntervals = 3
	// futureIntervals is how far ahead of the aggregator's clock a result's
	// tick may be before it is dropped.
	futureIntervals = 2
	// maxCount caps the consecutive counters, so a long run does not grow
	// them without bound.
	maxCount = 1000
)

// Defaults of Options.
const (
	DefaultCooldown = 10 * time.Minute
	DefaultMaxAge   = 30 * 24 * time.Hour
)

// Options configures an Evaluator.
type Options struct {
	Catalog catalog.Catalog
	// Cooldown: an outage that starts again within it after recovery
	// reopens the same automatic incident. DefaultCooldown when zero.
	Cooldown time.Duration
	// MaxAge: results whose tick is older, by the aggregator's clock, are
	// dropped. DefaultMaxAge when zero.
	MaxAge time.Duration
	// Weights weigh outage time as impact in the day buckets;
	// uptime.DefaultWeights when zero.
	Weights uptime.Weights
	// Maintenance tells which components are in a maintenance window at a
	// time; nil means none ever is.
	Maintenance Maintenance
	// NoBuckets leaves the day buckets out: no cursor moves, no buckets in
	// the changes, no uptime, MTTR or MTBF. It exists to measure what the
	// buckets cost (BenchmarkEvaluateBuckets, make bench-aggregator); no
	// aggregator sets it.
	NoBuckets bool
}

// Maintenance tells whether a component is in a maintenance window at a
// time. It answers by the window's stored start and end, not by when it is
// asked, so a replayed tick is decided as it was the first time. While a
// component is in a window it shows under_maintenance, probe failures open
// no automatic incident (nor resolve one), and its time counts as
// maintenance in the day buckets.
type Maintenance interface {
	UnderMaintenance(componentID string, at time.Time) bool
}

// Evaluator turns probe results into check states, component statuses and
// automatic incident actions. It is not safe for concurrent use: one
// aggregator loop owns it. Evaluate computes the changes of a batch without
// touching the evaluator; Commit applies them once they are stored, so a
// failed write leaves the evaluator as it was.
type Evaluator struct {
	cooldown, maxAge time.Duration
	weights          uptime.Weights
	noBuckets        bool
	locs             map[string]*time.Location // component ID → its page's time zone
	zones            map[string]*time.Location // time zone name → location
	checks           map[string]catalog.Check
	components       map[string]catalog.Component
	byComp           map[string][]string     // component ID → check IDs
	states           map[string][]CheckState // check ID → its states, one per region, sorted by region
	comps            map[string]ComponentState
	pending          map[string]waiting // component → oldest undecided tick
	sweepFrom        string             // where a sweep cut short by its limit goes on
	maint            Maintenance        // nil: no windows
}

// NewEvaluator returns an evaluator with no state.
func NewEvaluator(opts Options) *Evaluator {
	e := &Evaluator{
		cooldown: opts.Cooldown, maxAge: opts.MaxAge, weights: opts.Weights, maint: opts.Maintenance,
		noBuckets: opts.NoBuckets,
		zones:     map[string]*time.Location{},
		states:    map[string][]CheckState{},
		comps:     map[string]ComponentState{},
		pending:   map[string]waiting{},
	}
	if e.cooldown <= 0 {
		e.cooldown = DefaultCooldown
	}
	if e.maxAge <= 0 {
		e.maxAge = DefaultMaxAge
	}
	if e.weights == (uptime.Weights{}) {
		e.weights = uptime.DefaultWeights()
	}
	e.SetCatalog(opts.Catalog)
	return e
}

// SetCatalog replaces the checks and components; the states of checks that
// are gone are forgotten, those of changed checks kept.
func (e *Evaluator) SetCatalog(cat catalog.Catalog) {
	e.checks = make(map[string]catalog.Check, len(cat.Checks))
	e.components = make(map[string]catalog.Component, len(cat.Components))
	e.byComp = make(map[string][]string)
	e.locs = make(map[string]*time.Location, len(cat.Components))
	pageLoc := make(map[string]*time.Location, len(cat.Pages))
	for _, p := range cat.Pages {
		pageLoc[p.ID] = e.zone(p.TimeZone)
	}
	for _, c := range cat.Components {
		e.components[c.ID] = c
		if loc, ok := pageLoc[c.PageID]; ok {
			e.locs[c.ID] = loc
		}
	}
	for _, c := range cat.Checks {
		e.checks[c.ID] = c
		e.byComp[c.ComponentID] = append(e.byComp[c.ComponentID], c.ID)
	}
	for id := range e.states {
		if _, ok := e.checks[id]; !ok {
			delete(e.states, id)
		}
	}
}

// zone loads a time zone once; a name the system does not know is UTC
// (the configuration validates the names).
func (e *Evaluator) zone(name string) *time.Location {
	if loc, ok := e.zones[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	e.zones[name] = loc
	return loc
}

// loc is the time zone of a component's days.
func (e *Evaluator) loc(componentID string) *time.Location {
	if loc, ok := e.locs[componentID]; ok {
		return loc
	}
	return time.UTC
}

// Check returns a check of the catalog.
func (e *Evaluator) Check(id string) (catalog.Check, bool) {
	c, ok := e.checks[id]
	return c, ok
}

// Known reports whether the catalog has the check.
func (e *Evaluator) Known(checkID string) bool {
	_, ok := e.checks[checkID]
	return ok
}

// Restore adds stored states, replacing those of the same keys. away is
// how long no aggregator applied results to them: from the last stored
// batch to now. Their Received times move forward by it, so that a region
// falls silent only by time in which an aggregator was reading, and a
// restart does not silence every region until its result of the next tick
// comes through the backlog.
func (e *Evaluator) Restore(checks []CheckState, comps []ComponentState, away time.Duration) {
	for _, s := range checks {
		if _, ok := e.checks[s.CheckID]; ok {
			if away > 0 && !s.Received.IsZero() {
				s.Received = s.Received.Add(away)
			}
			e.setState(s)
		}
	}
	for _, s := range comps {
		e.comps[s.ComponentID] = s
	}
}

// Forget drops the states of the components for which owned returns true,
// and of their checks: another aggregator owns them now.
func (e *Evaluator) Forget(owned func(componentID string) bool) {
	for id := range e.states {
		if owned(e.checks[id].ComponentID) {
			delete(e.states, id)
		}
	}
	for id := range e.comps {
		if owned(id) {
			delete(e.comps, id)
		}
	}
	for id := range e.pending {
		if owned(id) {
			delete(e.pending, id)
		}
	}
}

// CheckStates returns the check states of the components for which owned
// returns true, sorted by check and region: the snapshot a store keeps.
func (e *Evaluator) CheckStates(owned func(componentID string) bool) []CheckState {
	ids := make([]string, 0, len(e.states))
	for id := range e.states {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []CheckState
	for _, id := range ids {
		if owned(e.checks[id].ComponentID) {
			out = append(out, e.states[id]...)
		}
	}
	return out
}

// Component returns the state of a component, if the evaluator has one.
func (e *Evaluator) Component(id string) (ComponentState, bool) {
	s, ok := e.comps[id]
	return s, ok
}

// Commit applies stored changes to the evaluator.
func (e *Evaluator) Commit(ch Changes) {
	for _, s := range ch.Checks {
		e.setState(s)
	}
	for _, s := range ch.Components {
		e.comps[s.ComponentID] = s
	}
	for id, w := range ch.pending {
		if w.tick.IsZero() {
			delete(e.pending, id)
		} else {
			e.pending[id] = w
		}
	}
}

// Replay applies results to the check states only, in order, without
// re-deciding components: for results whose component states and incidents
// are stored already (after a restart, between the stored snapshot of
// check states and the last stored batch).
func (e *Evaluator) Replay(rs []result.Result, now time.Time) {
	for _, r := range rs {
		c, ok := e.checks[r.CheckID]
		if !ok || c.ComponentID != r.ComponentID || e.reject(c, r, now) != Applied {
			continue
		}
		sts := e.states[r.CheckID]
		i := stateIndex(sts, r.Region)
		s := CheckState{CheckID: r.CheckID, Region: r.Region}
		if i >= 0 {
			s = sts[i]
		}
		if r.Scheduled.After(s.LastTick) {
			e.setState(step(s, c, r, now))
		}
	}
}

// reject tells whether a result of a known check is outside the window of
// time the aggregator accepts.
func (e *Evaluator) reject(c catalog.Check, r result.Result, now time.Time) Outcome {
	switch {
	case r.Scheduled.After(now.Add(futureIntervals * c.Interval)):
		return Future
	case r.Scheduled.Before(now.Add(-e.maxAge)):
		return TooOld
	}
	return Applied
}

func (e *Evaluator) setState(s CheckState) {
	e.states[s.CheckID] = putState(e.states[s.CheckID], s)
}

// stateIndex finds a region's state among a check's; -1 when absent.
func stateIndex(sts []CheckState, region string) int {
	for i := range sts {
		if sts[i].Region == region {
			return i
		}
	}
	return -1
}

// putState replaces or inserts s in a check's states, kept sorted by
// region; it may modify sts in place.
func putState(sts []CheckState, s CheckState) []CheckState {
	if i := stateIndex(sts, s.Region); i >= 0 {
		sts[i] = s
		return sts
	}
	i, _ := slices.BinarySearchFunc(sts, s.Region, func(x CheckState, region string) int {
		return strings.Compare(x.Region, region)
	})
	return slices.Insert(sts, i, s)
}

// step applies one result to a check state.
func step(s CheckState, c catalog.Check, r result.Result, now time.Time) CheckState {
	if !s.LastTick.IsZero() && r.Scheduled.Sub(s.LastTick) > silentIntervals*c.Interval {
		// Silent for a while: what it said before no longer counts.
		s = CheckState{CheckID: s.CheckID, Region: s.Region}
	}
	s.LastTick, s.Received = r.Scheduled, now
	if r.Success {
		s.ConsecutiveSuccesses = min(s.ConsecutiveSuccesses+1, maxCount)
		s.ConsecutiveFailures = 0
		s.Degraded = c.DegradedLatency > 0 && r.Duration > c.DegradedLatency || r.Degraded
		if s.Verdict != Up && s.ConsecutiveSuccesses >= c.SuccessThreshold {
			s.Verdict, s.Since = Up, r.Scheduled
		}
		return s
	}
	s.ConsecutiveFailures = min(s.ConsecutiveFailures+1, maxCount)
	s.ConsecutiveSuccesses = 0
	s.Degraded = false
	s.ErrorClass, s.Message = r.ErrorClass, r.Message
	if s.Verdict != Down && s.ConsecutiveFailures >= c.FailureThreshold {
		s.Verdict, s.Since = Down, r.Scheduled
	}
	return s
}

// Location is the time zone of the component's page, whose days its
// buckets count; UTC for a component the catalog does not place.
func (e *Evaluator) Location(componentID string) *time.Location { return e.loc(componentID) }

// Weights are the impact weights the evaluator's buckets use.
func (e *Evaluator) Weights() uptime.Weights { return e.weights }

// MaxAge is how old a result's tick may be and still be applied.
func (e *Evaluator) MaxAge() time.Duration { return e.maxAge }
