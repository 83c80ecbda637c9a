package health

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/status"
)

// liveIntervals is how many check intervals a region may stay silent before
// it stops voting on a component's status.
const liveIntervals = 3

type stateKey struct{ check, region string }

// Evaluator turns probe results into check states, component statuses and
// automatic incidents. It is not safe for concurrent use: one aggregator
// loop owns it. Evaluate computes the changes of a batch without touching
// the evaluator; Commit applies them once they are stored, so a failed write
// leaves the evaluator as it was.
type Evaluator struct {
	checks     map[string]catalog.Check
	components map[string]catalog.Component
	byComp     map[string][]string // component ID → check IDs
	states     map[stateKey]CheckState
	regions    map[string][]string // check ID → regions that reported it, sorted
	comps      map[string]ComponentState
}

// NewEvaluator returns an evaluator for the catalog, resuming from stored
// states.
func NewEvaluator(cat catalog.Catalog, checks []CheckState, comps []ComponentState) *Evaluator {
	e := &Evaluator{
		checks:     make(map[string]catalog.Check, len(cat.Checks)),
		components: make(map[string]catalog.Component, len(cat.Components)),
		byComp:     make(map[string][]string),
		states:     make(map[stateKey]CheckState, len(checks)),
		regions:    make(map[string][]string),
		comps:      make(map[string]ComponentState, len(comps)),
	}
	for _, c := range cat.Components {
		e.components[c.ID] = c
	}
	for _, c := range cat.Checks {
		e.checks[c.ID] = c
		e.byComp[c.ComponentID] = append(e.byComp[c.ComponentID], c.ID)
	}
	for _, s := range checks {
		e.setState(s)
	}
	for _, s := range comps {
		e.comps[s.ComponentID] = s
	}
	return e
}

// Evaluate returns what the results change. Results of unknown checks, of
// a check reported under another component, and results for ticks already
// applied (re-deliveries) change nothing; ignored counts them.
func (e *Evaluator) Evaluate(rs []result.Result) (ch Changes, ignored int) {
	rs = slices.Clone(rs)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Scheduled.Before(rs[j].Scheduled) })
	touched := map[stateKey]CheckState{}
	latest := map[string]time.Time{} // component → newest tick seen in the batch
	for _, r := range rs {
		c, ok := e.checks[r.CheckID]
		if !ok || c.ComponentID != r.ComponentID {
			ignored++
			continue
		}
		k := stateKey{r.CheckID, r.Region}
		s, ok := touched[k]
		if !ok {
			s = e.states[k]
			s.CheckID, s.Region = r.CheckID, r.Region
		}
		if !r.Scheduled.After(s.LastScheduled) {
			ignored++
			continue
		}
		touched[k] = step(s, c, r)
		if r.Scheduled.After(latest[r.ComponentID]) {
			latest[r.ComponentID] = r.Scheduled
		}
	}
	for _, s := range touched {
		ch.Checks = append(ch.Checks, s)
	}
	slices.SortFunc(ch.Checks, func(a, b CheckState) int {
		return strings.Compare(a.CheckID+"\x00"+a.Region, b.CheckID+"\x00"+b.Region)
	})
	fresh := map[string][]string{} // check ID → regions new in this batch
	for k := range touched {
		if _, ok := e.states[k]; !ok {
			fresh[k.check] = append(fresh[k.check], k.region)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(latest)) {
		e.componentChange(&ch, id, latest[id], touched, fresh)
	}
	return ch, ignored
}

// step applies one result to a check state.
func step(s CheckState, c catalog.Check, r result.Result) CheckState {
	s.LastScheduled = r.Scheduled
	if r.Success {
		s.ConsecutiveSuccesses++
		s.ConsecutiveFailures = 0
		s.Degraded = c.DegradedLatency > 0 && r.Duration > c.DegradedLatency
		if s.Down && s.ConsecutiveSuccesses >= c.SuccessThreshold {
			s.Down = false
		}
		return s
	}
	s.ConsecutiveFailures++
	s.ConsecutiveSuccesses = 0
	s.Degraded = false
	s.LastMessage = r.Message
	if !s.Down && s.ConsecutiveFailures >= c.FailureThreshold {
		s.Down = true
	}
	return s
}

// componentChange recomputes a component's status as of now and records
// the change and its incident, if any.
func (e *Evaluator) componentChange(ch *Changes, id string, now time.Time, touched map[stateKey]CheckState, fresh map[string][]string) {
	state := func(k stateKey) (CheckState, bool) {
		if s, ok := touched[k]; ok {
			return s, true
		}
		s, ok := e.states[k]
		return s, ok
	}
	failing, live, degraded := map[string]string{}, map[string]bool{}, false
	for _, checkID := range e.byComp[id] {
		c := e.checks[checkID]
		for _, region := range e.regionsOf(checkID, fresh) {
			s, _ := state(stateKey{checkID, region})
			if now.Sub(s.LastScheduled) > liveIntervals*c.Interval {
				continue // a silent region does not vote
			}
			live[region] = true
			if s.Down {
				if _, seen := failing[region]; !seen {
					failing[region] = checkID + ": " + s.LastMessage
				}
			} else if s.Degraded {
				degraded = true
			}
		}
	}
	next := status.Operational
	quorum := e.components[id].Quorum
	if quorum <= 0 {
		quorum = len(live)/2 + 1
	}
	switch {
	case len(failing) > 0 && len(failing) >= quorum:
		next = status.MajorOutage
	case len(failing) > 0:
		next = status.PartialOutage
	case degraded:
		next = status.DegradedPerformance
	}
	regions := slices.Sorted(maps.Keys(failing))
	prev, known := e.comps[id]
	if known && prev.Status == next && slices.Equal(prev.FailingRegions, regions) {
		return
	}
	if !known {
		prev.Status = status.Operational
	}
	cs := ComponentState{ComponentID: id, Status: next, Since: prev.Since, UpdatedAt: now, FailingRegions: regions}
	if !known || prev.Status != next {
		cs.Since = now
	}
	ch.Components = append(ch.Components, cs)
	switch {
	case next.IsOutage() && !prev.Status.IsOutage():
		ch.Open = append(ch.Open, e.openIncident(id, next, now, failing))
	case !next.IsOutage() && prev.Status.IsOutage():
		ch.Resolve = append(ch.Resolve, Resolution{ComponentID: id, At: now,
			Body: fmt.Sprintf("Automated checks show %s %s again in every region.", e.name(id), next)})
	}
}

// regionsOf lists the regions that have reported a check, with those first
// seen in the batch being evaluated.
func (e *Evaluator) regionsOf(checkID string, fresh map[string][]string) []string {
	if extra := fresh[checkID]; len(extra) > 0 {
		return append(slices.Clone(e.regions[checkID]), extra...)
	}
	return e.regions[checkID]
}

func (e *Evaluator) name(id string) string {
	if c, ok := e.components[id]; ok && c.Name != "" {
		return c.Name
	}
	return id
}

func (e *Evaluator) openIncident(id string, s status.Status, at time.Time, failing map[string]string) incident.Incident {
	impact, what := incident.ImpactMajor, "partial outage"
	if s == status.MajorOutage {
		impact, what = incident.ImpactCritical, "major outage"
	}
	var where []string
	for _, region := range slices.Sorted(maps.Keys(failing)) {
		where = append(where, fmt.Sprintf("%s (%s)", region, failing[region]))
	}
	body := fmt.Sprintf("Automated checks detected a %s of %s. Failing from: %s.", what, e.name(id), strings.Join(where, "; "))
	return incident.Incident{
		PageID: e.components[id].PageID, Name: fmt.Sprintf("%s: %s", e.name(id), what),
		Status: incident.Investigating, Impact: impact, Automatic: true, ComponentIDs: []string{id},
		CreatedAt: at, UpdatedAt: at,
		Updates: []incident.Update{{Status: incident.Investigating, Body: body, CreatedAt: at}},
	}
}

// Commit applies stored changes to the evaluator.
func (e *Evaluator) Commit(ch Changes) {
	for _, s := range ch.Checks {
		e.setState(s)
	}
	for _, s := range ch.Components {
		e.comps[s.ComponentID] = s
	}
}

func (e *Evaluator) setState(s CheckState) {
	k := stateKey{s.CheckID, s.Region}
	if _, ok := e.states[k]; !ok {
		rs := append(e.regions[s.CheckID], s.Region)
		slices.Sort(rs)
		e.regions[s.CheckID] = rs
	}
	e.states[k] = s
}
