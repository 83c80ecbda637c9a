package rollup_test

import (
	"slices"
	"testing"
	"time"

	"github.com/statusd/statusd/api/rollup"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/componentstatus"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
)

var (
	t0     = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	origin = t0.Add(24 * time.Hour)
)

func at(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

func state(id string, s status.Status, since, updated int, regions ...string) health.ComponentState {
	return health.ComponentState{ComponentID: id, Status: s, Since: at(since), UpdatedAt: at(updated), FailingRegions: regions}
}

// want is what one component should show; a zero since means "unknown".
type want struct {
	status            status.Status
	since             time.Time
	created, updated  time.Time
	regions, children []string
}

func TestComponents(t *testing.T) {
	group := []catalog.Component{
		{ID: "g", IsGroup: true},
		{ID: "a", GroupID: "g"},
		{ID: "b", GroupID: "g"},
	}
	tests := []struct {
		name   string
		comps  []catalog.Component
		states []health.ComponentState
		held   map[string]componentstatus.Effective
		want   map[string]want
	}{
		{
			name:  "no state is operational since the origin",
			comps: []catalog.Component{{ID: "x"}},
			want:  map[string]want{"x": {status: status.Operational, created: origin, updated: origin, regions: []string{}}},
		},
		{
			name:   "a state shows as it is",
			comps:  []catalog.Component{{ID: "x"}},
			states: []health.ComponentState{state("x", status.MajorOutage, 5, 7, "eu", "us")},
			want: map[string]want{"x": {status: status.MajorOutage, since: at(5), created: at(5), updated: at(7),
				regions: []string{"eu", "us"}}},
		},
		{
			name:   "an unknown status shows as operational",
			comps:  []catalog.Component{{ID: "x"}},
			states: []health.ComponentState{{ComponentID: "x", Status: "exploded", UpdatedAt: at(3)}},
			want:   map[string]want{"x": {status: status.Operational, created: at(3), updated: at(3), regions: []string{}}},
		},
		{
			name:   "group shows its worst child since that child's status began",
			comps:  group,
			states: []health.ComponentState{state("a", status.PartialOutage, 10, 12, "us"), state("b", status.MajorOutage, 20, 21, "eu")},
			want: map[string]want{
				"g": {status: status.MajorOutage, since: at(20), created: at(10), updated: at(21), regions: []string{"eu", "us"}, children: []string{"a", "b"}},
				"a": {status: status.PartialOutage, since: at(10), created: at(10), updated: at(12), regions: []string{"us"}},
			},
		},
		{
			name:   "group in outage since the earliest child at that status",
			comps:  group,
			states: []health.ComponentState{state("a", status.MajorOutage, 30, 30), state("b", status.MajorOutage, 20, 25)},
			want: map[string]want{
				"g": {status: status.MajorOutage, since: at(20), created: at(20), updated: at(30), regions: []string{}, children: []string{"a", "b"}},
			},
		},
		{
			name:   "operational group is operational since the last recovery",
			comps:  group,
			states: []health.ComponentState{state("a", status.Operational, 30, 30), state("b", status.Operational, 20, 20)},
			want: map[string]want{
				"g": {status: status.Operational, since: at(30), created: at(20), updated: at(30), regions: []string{}, children: []string{"a", "b"}},
			},
		},
		{
			name:  "empty group is operational with no children",
			comps: []catalog.Component{{ID: "g", IsGroup: true}},
			want: map[string]want{
				"g": {status: status.Operational, created: origin, updated: origin, regions: []string{}, children: []string{}},
			},
		},
		{
			name:   "group's own state counts with its children",
			comps:  group,
			states: []health.ComponentState{state("g", status.UnderMaintenance, 1, 2), state("a", status.DegradedPerformance, 3, 4)},
			want: map[string]want{
				"g": {status: status.DegradedPerformance, since: at(3), created: at(1), updated: at(4), regions: []string{}, children: []string{"a", "b"}},
			},
		},
		{
			name: "nested groups roll up to the top",
			comps: []catalog.Component{
				{ID: "top", IsGroup: true}, {ID: "mid", GroupID: "top", IsGroup: true}, {ID: "leaf", GroupID: "mid"},
			},
			states: []health.ComponentState{state("leaf", status.PartialOutage, 8, 9, "ap")},
			want: map[string]want{
				"top": {status: status.PartialOutage, since: at(8), created: at(8), updated: at(9), regions: []string{"ap"}, children: []string{"mid"}},
				"mid": {status: status.PartialOutage, since: at(8), created: at(8), updated: at(9), regions: []string{"ap"}, children: []string{"leaf"}},
			},
		},
		{
			name:   "a person's status holds against the probes, and the group rolls it up",
			comps:  group,
			states: []health.ComponentState{state("a", status.MajorOutage, 5, 7, "eu", "us"), state("b", status.Operational, 2, 7)},
			held: map[string]componentstatus.Effective{
				"a": {Status: status.UnderMaintenance, Source: componentstatus.SourceMaintenance, RefID: 4, Since: at(6), Probe: status.MajorOutage},
				"b": {Status: status.Operational, Source: componentstatus.SourceProbe, Probe: status.Operational},
			},
			want: map[string]want{
				"a": {status: status.UnderMaintenance, since: at(6), created: at(5), updated: at(7), regions: []string{"eu", "us"}},
				"g": {status: status.UnderMaintenance, since: at(6), created: at(2), updated: at(7), regions: []string{"eu", "us"}, children: []string{"a", "b"}},
			},
		},
		{
			name:   "a cycle of groups is broken where it closes",
			comps:  []catalog.Component{{ID: "p", GroupID: "q", IsGroup: true}, {ID: "q", GroupID: "p", IsGroup: true}},
			states: []health.ComponentState{state("q", status.MajorOutage, 1, 1)},
			want: map[string]want{
				"p": {status: status.MajorOutage, since: at(1), created: at(1), updated: at(1), regions: []string{}, children: []string{"q"}},
				"q": {status: status.MajorOutage, since: at(1), created: at(1), updated: at(1), regions: []string{}, children: []string{}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rollup.Components(tt.comps, tt.states, tt.held, origin)
			if len(got) != len(tt.comps) {
				t.Fatalf("%d components, want %d", len(got), len(tt.comps))
			}
			for i, c := range got {
				if c.ID != tt.comps[i].ID {
					t.Fatalf("component %d is %q, want %q (input order)", i, c.ID, tt.comps[i].ID)
				}
				w, ok := tt.want[c.ID]
				if !ok {
					continue
				}
				if c.Status != w.status || !c.Since.Equal(w.since) || !c.CreatedAt.Equal(w.created) || !c.UpdatedAt.Equal(w.updated) {
					t.Errorf("%s: got %s since %v created %v updated %v; want %s since %v created %v updated %v",
						c.ID, c.Status, c.Since, c.CreatedAt, c.UpdatedAt, w.status, w.since, w.created, w.updated)
				}
				if !slices.Equal(c.FailingRegions, w.regions) || c.FailingRegions == nil {
					t.Errorf("%s: failing regions %#v, want %#v", c.ID, c.FailingRegions, w.regions)
				}
				if !slices.Equal(c.Children, w.children) || (c.Children == nil) != (w.children == nil) {
					t.Errorf("%s: children %#v, want %#v", c.ID, c.Children, w.children)
				}
			}
		})
	}
}

func TestWorst(t *testing.T) {
	tests := []struct {
		name   string
		in     []status.Status
		noData []bool
		want   status.Status
		empty  bool
	}{
		{name: "none", want: status.Operational},
		{name: "no data does not count", in: []status.Status{status.MajorOutage, status.DegradedPerformance},
			noData: []bool{true, false}, want: status.DegradedPerformance},
		{name: "only no data", in: []status.Status{status.MajorOutage}, noData: []bool{true}, want: status.Operational, empty: true},
		{name: "maintenance beats operational", in: []status.Status{status.Operational, status.UnderMaintenance}, want: status.UnderMaintenance},
		{name: "major beats all", in: []status.Status{status.MajorOutage, status.PartialOutage, status.DegradedPerformance}, want: status.MajorOutage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := make([]rollup.Component, len(tt.in))
			for i, s := range tt.in {
				cs[i].Status = s
				cs[i].NoData = i < len(tt.noData) && tt.noData[i]
			}
			if got, empty := rollup.Worst(cs); got != tt.want || empty != tt.empty {
				t.Errorf("Worst = %s, no data %v; want %s, %v", got, empty, tt.want, tt.empty)
			}
		})
	}
}
