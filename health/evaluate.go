package health

import (
	"slices"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/uptime"
)

// Live tells which regions are live now: their agents were heard recently
// by the aggregator's clock.
type Live func(region string) bool

// pass is one evaluation under way: the states it moved, on top of the
// evaluator's, and what it changed.
type pass struct {
	e      *Evaluator
	now    time.Time
	live   Live
	checks map[string][]CheckState // check ID → its states as moved by this pass
	comps  map[string]ComponentState
	// pending: component → the oldest tick not decided yet, because a
	// voting region had not reported it; zero once decided.
	pending map[string]waiting
	order   []string // components changed, first change first
	ch      Changes
	// sweeping: decisions are by the aggregator's clock, not by ticks, so
	// they close no day on their own (see account).
	sweeping bool
	buckets  map[bucketKey]int // index in ch.Buckets
}

func (e *Evaluator) newPass(now time.Time, live Live) *pass {
	return &pass{e: e, now: now, live: live, checks: map[string][]CheckState{},
		comps: map[string]ComponentState{}, pending: map[string]waiting{}, buckets: map[bucketKey]int{}}
}

// states returns a check's states as this pass sees them.
func (p *pass) states(checkID string) []CheckState {
	if sts, ok := p.checks[checkID]; ok {
		return sts
	}
	return p.e.states[checkID]
}

func (p *pass) component(id string) (ComponentState, bool) {
	if s, ok := p.comps[id]; ok {
		return s, true
	}
	s, ok := p.e.comps[id]
	return s, ok
}

// Evaluate applies a batch of results, in tick order per check and region,
// and re-decides each component they touch after every tick. now is the
// aggregator's clock and live its view of the regions. The outcomes say,
// for each result in order, whether it was applied; only applied results
// are time series to store. Evaluate does not change the evaluator: Commit
// does, once the changes are stored.
func (e *Evaluator) Evaluate(rs []result.Result, now time.Time, live Live) (Changes, []Outcome) {
	out := make([]Outcome, len(rs))
	groups := map[string][]int{} // component → indices of its results
	var comps []string
	for i, r := range rs {
		c, ok := e.checks[r.CheckID]
		switch {
		case !ok:
			out[i] = UnknownCheck
		case c.ComponentID != r.ComponentID:
			out[i] = WrongComponent
		default:
			out[i] = e.reject(c, r, now)
		}
		if out[i] != Applied {
			continue
		}
		if _, ok := groups[r.ComponentID]; !ok {
			comps = append(comps, r.ComponentID)
		}
		groups[r.ComponentID] = append(groups[r.ComponentID], i)
	}
	p := e.newPass(now, live)
	for _, id := range comps {
		idx := groups[id]
		slices.SortStableFunc(idx, func(a, b int) int { return rs[a].Scheduled.Compare(rs[b].Scheduled) })
		for start := 0; start < len(idx); {
			tick := rs[idx[start]].Scheduled
			end, applied := start, false
			for ; end < len(idx) && rs[idx[end]].Scheduled.Equal(tick); end++ {
				i := idx[end]
				if p.apply(rs[i], e.checks[rs[i].CheckID]) {
					applied = true
				} else {
					out[i] = Duplicate
				}
			}
			if applied {
				p.decideWhenReady(id, tick)
			}
			start = end
		}
	}
	return p.finish(), out
}

// apply steps the state of the result's check and region; false means its
// tick was applied already.
func (p *pass) apply(r result.Result, c catalog.Check) bool {
	sts, moved := p.checks[r.CheckID]
	if !moved {
		sts = p.e.states[r.CheckID]
	}
	i := stateIndex(sts, r.Region)
	s := CheckState{CheckID: r.CheckID, Region: r.Region}
	if i >= 0 {
		s = sts[i]
	}
	if !r.Scheduled.After(s.LastTick) {
		return false
	}
	if !moved { // copy on first write: the evaluator's states stay as they are
		sts = slices.Clone(sts)
	}
	p.checks[r.CheckID] = putState(sts, step(s, c, r, p.now))
	return true
}

// decideWhenReady decides a component at a tick once every voting region
// has reported that tick, or once the outcome cannot change (a quorum of
// the regions that did fails); until then the tick is pending, and a later
// tick or a sweep decides it. So the regions' results for one tick count
// together whichever batches carry them, and a region that reports a
// little later does not make the status flap through a passing state.
func (p *pass) decideWhenReady(id string, tick time.Time) {
	if pending := p.pendingOf(id).tick; pending.After(tick) {
		// A straggler of an older tick: the newer regions have moved on,
		// so the decision waits for everyone to reach the pending tick.
		tick = pending
	}
	if !p.ready(id, tick) {
		if p.pendingOf(id).tick.IsZero() {
			p.pending[id] = waiting{tick: tick, seen: p.now}
		}
		return
	}
	p.decide(id, tick)
	if !p.pendingOf(id).tick.IsZero() {
		p.pending[id] = waiting{}
	}
}

func (p *pass) pendingOf(id string) waiting {
	if w, ok := p.pending[id]; ok {
		return w
	}
	return p.e.pending[id]
}

// ready reports whether a component can be decided at tick.
func (p *pass) ready(id string, tick time.Time) bool {
	voters, behind, failing := 0, 0, 0
	for _, v := range p.votes(id, tick) {
		switch {
		case !v.Voting:
		case v.behind:
			voters, behind = voters+1, behind+1
		case v.Failing:
			voters, failing = voters+1, failing+1
		default:
			voters++
		}
	}
	if behind == 0 {
		return true
	}
	quorum := p.e.components[id].Quorum
	if quorum <= 0 {
		quorum = voters/2 + 1
	}
	return failing >= quorum
}

// Sweep re-decides every component the evaluator holds as of now: regions
// that went silent stop voting, a component nobody votes on turns stale,
// and a tick still waiting for a region is decided without it once that
// region is later than its checks' timeout allows.
//
// At most limit components change per sweep (0: no limit); the rest are
// left for the next sweeps, which start where this one stopped, so that a
// whole region going silent at once is written in slices and the results
// of the other components keep flowing.
func (e *Evaluator) Sweep(now time.Time, live Live, limit int) Changes {
	p := e.newPass(now, live)
	p.sweeping = true
	ids := make([]string, 0, len(e.comps)+len(e.pending))
	for id := range e.comps {
		ids = append(ids, id)
	}
	for id := range e.pending {
		if _, ok := e.comps[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	start, _ := slices.BinarySearch(ids, e.sweepFrom)
	for k := range ids {
		id := ids[(start+k)%len(ids)]
		if limit > 0 && len(p.order) >= limit {
			e.sweepFrom = id // the next sweep starts here
			return p.finish()
		}
		at, tick, since := now, e.pending[id].tick, time.Time{}
		if !tick.IsZero() {
			// The wait counts from when the tick was first seen: an
			// aggregator reading a backlog sees old ticks whose other
			// regions are only a fetch away.
			at, since = tick, latest(tick, e.pending[id].seen)
		} else {
			tick = e.newestTick(id)
			since = tick
		}
		if !p.ready(id, tick) && now.Sub(since) <= e.grace(id) {
			continue // a voting region has yet to report the tick
		}
		p.decide(id, at)
		if !e.pending[id].tick.IsZero() {
			p.pending[id] = waiting{}
		}
	}
	e.sweepFrom = ""
	return p.finish()
}

// waiting is a tick a component waits on, and when, by the aggregator's
// clock, it began to wait; zero once decided.
type waiting struct{ tick, seen time.Time }

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// newestTick is the newest tick applied for any check of a component.
func (e *Evaluator) newestTick(id string) time.Time {
	var t time.Time
	for _, checkID := range e.byComp[id] {
		for _, s := range e.states[checkID] {
			if s.LastTick.After(t) {
				t = s.LastTick
			}
		}
	}
	return t
}

// grace is how long after a tick a region's result for it may still come:
// the longest timeout of the component's checks, and a little for shipping.
func (e *Evaluator) grace(id string) time.Duration {
	g := time.Duration(0)
	for _, checkID := range e.byComp[id] {
		g = max(g, e.checks[checkID].Timeout)
	}
	return g + 2*time.Second
}

func (p *pass) finish() Changes {
	n := 0
	for _, sts := range p.checks {
		n += len(sts)
	}
	p.ch.Checks = make([]CheckState, 0, n)
	for _, sts := range p.checks {
		p.ch.Checks = append(p.ch.Checks, sts...) // in no particular order
	}
	for _, id := range p.order {
		p.ch.Components = append(p.ch.Components, p.comps[id])
	}
	if len(p.pending) > 0 {
		p.ch.pending = p.pending
	}
	return p.ch
}

// votes builds the per-region view of a component from the states of its
// checks; a voting region whose state has not reached tick is behind.
func (p *pass) votes(id string, tick time.Time) []RegionView {
	var views []RegionView
	for _, checkID := range p.e.byComp[id] {
		c := p.e.checks[checkID]
		for _, s := range p.states(checkID) {
			region := s.Region
			j := slices.IndexFunc(views, func(v RegionView) bool { return v.Region == region })
			if j < 0 {
				views = append(views, RegionView{Region: region, Since: s.Since})
				j = len(views) - 1
			}
			v := &views[j]
			voting := s.Verdict != Unknown && p.live(region) && p.now.Sub(s.Received) <= silentIntervals*c.Interval
			if !voting {
				continue
			}
			v.behind = v.behind || s.LastTick.Before(tick)
			if !v.Voting || s.Since.Before(v.Since) {
				v.Since = s.Since
			}
			v.Voting = true
			switch {
			case s.Verdict == Down && !v.Failing:
				v.Failing, v.Degraded, v.Since = true, false, s.Since
				v.ErrorClass, v.LastError = s.ErrorClass, s.Message
			case s.Verdict == Up && s.Degraded && !v.Failing:
				v.Degraded = true
			}
		}
	}
	slices.SortFunc(views, func(a, b RegionView) int {
		if a.Region < b.Region {
			return -1
		}
		if a.Region > b.Region {
			return 1
		}
		return 0
	})
	return views
}

// decide re-computes a component's status at tick at and records what
// changed: its state, a transition, an incident action.
func (p *pass) decide(id string, at time.Time) {
	views := p.votes(id, time.Time{})
	var failing []string
	voters, degraded := 0, false
	for _, v := range views {
		if !v.Voting {
			continue
		}
		voters++
		if v.Failing {
			failing = append(failing, v.Region)
		}
		degraded = degraded || v.Degraded
	}
	prev, known := p.component(id)
	if !known {
		prev = ComponentState{ComponentID: id, Status: status.Operational, NoData: true}
	}
	next := prev
	next.Regions, next.UpdatedAt = views, p.now
	if voters == 0 {
		// Nobody votes: keep what was known, marked stale.
		next.Stale = !prev.NoData
	} else {
		next.NoData, next.Stale, next.FailingRegions = false, false, failing
		next.Status = p.e.status(id, voters, len(failing), degraded)
	}
	inWindow := p.e.maint != nil && !next.NoData && p.e.maint.UnderMaintenance(id, at)
	switch {
	case inWindow:
		next.Status, next.Stale = status.UnderMaintenance, false
	case voters == 0 && prev.Status == status.UnderMaintenance:
		// The window ended while nobody votes: what the probes said last.
		next.Status = p.e.status(id, max(len(prev.Regions), len(prev.FailingRegions)), len(prev.FailingRegions), false)
	}
	if next.Status != prev.Status || (voters > 0 && prev.NoData) {
		next.Since = at
	}
	moved := p.account(&next, at)
	if !moved && next.Status == prev.Status && next.NoData == prev.NoData && next.Stale == prev.Stale &&
		slices.Equal(next.FailingRegions, prev.FailingRegions) && sameVotes(next.Regions, prev.Regions) {
		return
	}
	if next.Status != prev.Status || prev.NoData != next.NoData {
		from := prev.Status
		if prev.NoData {
			from = ""
		}
		p.ch.Transitions = append(p.ch.Transitions, Transition{ComponentID: id, From: from, To: next.Status, At: at})
	}
	if !next.Stale && !next.NoData && !inWindow {
		p.incident(&next, prev, at)
	}
	if _, seen := p.comps[id]; !seen {
		p.order = append(p.order, id)
	}
	p.comps[id] = next
}

// account moves the component's day buckets to tick at when its class of
// time changes, or when a tick reaches a day after the cursor's (a
// decision by the results' ticks closes the day, so that a day's bucket is
// complete once its last tick is decided). Sweeps decide by the
// aggregator's clock, which may run ahead of the results being processed:
// they move the buckets on a change of class only. It reports whether the
// cursor moved.
func (p *pass) account(s *ComponentState, at time.Time) bool {
	if p.e.noBuckets {
		return false
	}
	class := classOf(*s)
	cur := s.Uptime
	loc := p.e.loc(s.ComponentID)
	if cur.Tracking() && class == cur.Class && (p.sweeping || uptime.DayOf(at, loc) <= cur.Day) {
		return false
	}
	for _, b := range cur.Move(s.ComponentID, at, class, loc, p.e.weights) {
		k := bucketKey{b.ComponentID, b.Day}
		if i, ok := p.buckets[k]; ok {
			p.ch.Buckets[i].Bucket = b
			continue
		}
		p.buckets[k] = len(p.ch.Buckets)
		p.ch.Buckets = append(p.ch.Buckets, DayBucket{Bucket: b})
	}
	s.Uptime = cur
	return true
}

// classOf is the class of time a component state counts as.
func classOf(s ComponentState) uptime.Class {
	if s.NoData || s.Stale {
		return uptime.NoData
	}
	switch s.Status {
	case status.MajorOutage:
		return uptime.Major
	case status.PartialOutage:
		return uptime.Partial
	case status.DegradedPerformance:
		return uptime.Degraded
	case status.UnderMaintenance:
		return uptime.Maintenance
	}
	return uptime.Operational
}

// status is the component status for voters regions of which failing fail.
func (e *Evaluator) status(id string, voters, failing int, degraded bool) status.Status {
	quorum := e.components[id].Quorum
	if quorum <= 0 {
		quorum = voters/2 + 1
	}
	switch {
	case failing > 0 && failing >= quorum:
		return status.MajorOutage
	case failing > 0:
		return status.PartialOutage
	case degraded:
		return status.DegradedPerformance
	}
	return status.Operational
}

// sameVotes compares what the page and operators see of the regions: who
// votes, who fails, since when.
func sameVotes(a, b []RegionView) bool {
	return slices.EqualFunc(a, b, func(x, y RegionView) bool {
		return x.Region == y.Region && x.Voting == y.Voting && x.Failing == y.Failing &&
			x.Degraded == y.Degraded && x.Since.Equal(y.Since)
	})
}

// bucketKey names a day bucket of a component.
type bucketKey struct {
	id  string
	day uptime.Day
}
