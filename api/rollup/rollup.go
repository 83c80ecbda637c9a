// Package rollup owns what a status page shows for its components right now:
// each component's status, times and failing regions, derived from the
// states the aggregator stored. A component without a state (one without
// checks) is operational; one whose state says no check reached a verdict
// yet has no data (NoData; its Status is then a placeholder); a group shows
// the worst of its own state (if any) and its children's, has no data when
// all of them have none, and is stale when one of them is.
//
// The stores keep no creation time for components, so the times shown are
// derived:
//   - UpdatedAt is the state's UpdatedAt (for a group, the latest of its
//     members' known ones), or the origin when nothing is known.
//   - CreatedAt is the earliest time known about the component: its state's
//     Since and UpdatedAt and the origin (for a group, the earliest of its
//     members'). The caller passes its own start time as the origin, so the
//     value is stable while the process runs.
//   - Since, when the current status began, is the state's Since; for a group
//     it is the earliest Since of the members at the group's status, or, when
//     the group is operational, the latest Since of its members (the moment
//     the last of them recovered). Zero when unknown.
package rollup

import (
	"slices"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/componentstatus"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
)

// Component is a declared component with what the page shows for it now.
type Component struct {
	catalog.Component
	Status         status.Status
	Since          time.Time // when Status began; zero when unknown
	CreatedAt      time.Time
	UpdatedAt      time.Time
	FailingRegions []string // sorted; never nil
	// NoData: no check of the component (or of any member of a group) has
	// reached a verdict yet; Status is a placeholder.
	NoData bool
	// Stale: no live region reports on it (or on a member), so Status is
	// the last one known.
	Stale bool
	// Regions is the per-region view of a component's own state; nil for
	// a group.
	Regions []health.RegionView
	// Children lists the IDs of a group's direct children in input order;
	// nil for a component that is not a group.
	Children []string
	// Source says who decides Status: the probes (SourceProbe), or a
	// person's override, incident or maintenance, whose ID RefID is for
	// the last two. Probe is then what the probes' states alone show.
	Source componentstatus.Source
	RefID  int64
	Probe  status.Status
}

// Components rolls states up onto comps and returns them in the order of
// comps. A group's children are the components of comps whose GroupID names
// it; a cycle of groups is broken where it closes. origin is the earliest
// time the caller can vouch for, used where no state says more.
//
// held is the status each component shows by a person's decision, as the
// store decided it (componentstatus.Resolve); a held status wins over the
// states, and a group rolls up its members' shown statuses. Nil holds none.
func Components(comps []catalog.Component, states []health.ComponentState,
	held map[string]componentstatus.Effective, origin time.Time) []Component {
	r := roller{
		comps:    comps,
		held:     held,
		states:   make(map[string]health.ComponentState, len(states)),
		children: map[string][]int{},
		out:      make([]Component, len(comps)),
		mark:     make([]uint8, len(comps)),
		origin:   origin,
	}
	for _, s := range states {
		r.states[s.ComponentID] = s
	}
	for i, c := range comps {
		if c.GroupID != "" {
			r.children[c.GroupID] = append(r.children[c.GroupID], i)
		}
	}
	for i := range comps {
		r.resolve(i)
	}
	for i := range r.out { // after resolving, so a guess never spreads to a group
		if r.out[i].UpdatedAt.IsZero() {
			r.out[i].UpdatedAt = origin
		}
	}
	return r.out
}

// Worst returns the worst status among the components with data, or
// Operational for none; noData reports that no component has data.
func Worst(cs []Component) (worst status.Status, noData bool) {
	worst, noData = status.Operational, len(cs) > 0
	for _, c := range cs {
		if !c.NoData {
			worst, noData = status.Worst(worst, c.Status), false
		}
	}
	return worst, noData
}

const (
	unvisited uint8 = iota
	visiting
	done
)

type roller struct {
	comps    []catalog.Component
	states   map[string]health.ComponentState
	held     map[string]componentstatus.Effective
	children map[string][]int // group ID → indexes of its children
	out      []Component
	mark     []uint8
	origin   time.Time
}

// resolve computes out[i] once, after the children of a group; it reports
// false for a component on a cycle still being resolved.
func (r *roller) resolve(i int) bool {
	switch r.mark[i] {
	case done:
		return true
	case visiting:
		return false
	}
	r.mark[i] = visiting
	c := r.comps[i]
	own, hasState := r.states[c.ID]
	var members []Component
	if hasState {
		members = append(members, fromState(own, r.origin))
	}
	var childIDs []string
	if c.IsGroup {
		childIDs = []string{}
		for _, j := range r.children[c.ID] {
			if r.resolve(j) {
				childIDs = append(childIDs, r.comps[j].ID)
				members = append(members, r.out[j])
			}
		}
	}
	out := combine(members, r.origin)
	out.Component, out.Children = c, childIDs
	if hasState && !c.IsGroup {
		out.Regions = own.Regions
	}
	out.Source = componentstatus.SourceProbe
	if !out.NoData {
		out.Probe = out.Status
	}
	if e, ok := r.held[c.ID]; ok && e.Source != componentstatus.SourceProbe && e.Status.Valid() {
		out.Status, out.Source, out.RefID = e.Status, e.Source, e.RefID
		out.NoData, out.Stale = false, false
		if !e.Since.IsZero() {
			out.Since = e.Since
		}
	}
	r.out[i], r.mark[i] = out, done
	return true
}

// fromState is what a single state shows.
func fromState(s health.ComponentState, origin time.Time) Component {
	st := s.Status
	if !st.Valid() {
		st = status.Operational
	}
	return Component{
		Status:         st,
		Since:          s.Since,
		CreatedAt:      earliest(s.Since, s.UpdatedAt, origin),
		UpdatedAt:      s.UpdatedAt,
		FailingRegions: s.FailingRegions,
		NoData:         s.NoData,
		Stale:          s.Stale && !s.NoData,
		Regions:        s.Regions,
	}
}

// combine folds members (a component's own state and its children) into
// what the component shows; no members means operational, created at
// origin, updated at an unknown (zero) time.
func combine(members []Component, origin time.Time) Component {
	out := Component{Status: status.Operational, CreatedAt: origin, FailingRegions: []string{}, NoData: len(members) > 0}
	for _, m := range members {
		out.Stale = out.Stale || m.Stale
		if m.NoData {
			out.CreatedAt = earliest(out.CreatedAt, m.CreatedAt)
			out.UpdatedAt = latest(out.UpdatedAt, m.UpdatedAt)
			continue
		}
		out.NoData = false
		out.Status = status.Worst(out.Status, m.Status)
		out.CreatedAt = earliest(out.CreatedAt, m.CreatedAt)
		out.UpdatedAt = latest(out.UpdatedAt, m.UpdatedAt)
		for _, r := range m.FailingRegions {
			if !slices.Contains(out.FailingRegions, r) {
				out.FailingRegions = append(out.FailingRegions, r)
			}
		}
	}
	slices.Sort(out.FailingRegions)
	for _, m := range members {
		if m.NoData || m.Status != out.Status || m.Since.IsZero() {
			continue
		}
		if out.Status == status.Operational {
			out.Since = latest(out.Since, m.Since)
		} else {
			out.Since = earliest(out.Since, m.Since)
		}
	}
	return out
}

// earliest returns the earliest non-zero time, or zero for none.
func earliest(ts ...time.Time) time.Time {
	var e time.Time
	for _, t := range ts {
		if !t.IsZero() && (e.IsZero() || t.Before(e)) {
			e = t
		}
	}
	return e
}

// latest returns the latest time, or zero for none.
func latest(ts ...time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}
