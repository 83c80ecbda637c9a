package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/componentstatus"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/maintenance"
	"github.com/statusd/statusd/status"
)

// HistoryStore is what RunHistorySuite exercises: the status a component
// shows, overrides, and the history of both.
type HistoryStore interface {
	SyncCatalog(ctx context.Context, c catalog.Catalog, now time.Time) error
	ApplyChanges(ctx context.Context, ch health.Changes, marks []health.Mark) error
	SetOverride(ctx context.Context, componentID string, st status.Status, now time.Time) (componentstatus.Override, error)
	ClearOverride(ctx context.Context, componentID string, now time.Time) error
	Override(ctx context.Context, componentID string) (*componentstatus.Override, error)
	EffectiveStatuses(ctx context.Context) (map[string]componentstatus.Effective, error)
	StatusHistory(ctx context.Context, q componentstatus.HistoryQuery) ([]componentstatus.Entry, error)
	CreateMaintenance(ctx context.Context, w maintenance.Window) (maintenance.Window, error)
	OpenMaintenances(ctx context.Context, since time.Time) ([]maintenance.Window, error)
	ApplyMaintenanceTransition(ctx context.Context, t maintenance.Transition, now time.Time) (bool, error)
	ActOnIncident(ctx context.Context, pageID string, id int64, a incident.Action, now time.Time) (incident.Incident, error)
}

// RunHistorySuite runs the history cases, each against a fresh, empty,
// migrated store from open.
func RunHistorySuite(t *testing.T, open func(t *testing.T) HistoryStore) {
	for _, tc := range historyCases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

// probeMoves applies the probes' moves of one component, each a status at
// minute n, as the aggregator stores them: the state and its transition.
func probeMoves(t *testing.T, s HistoryStore, id string, moves ...probeMove) {
	t.Helper()
	for i, m := range moves {
		from := status.Status("")
		if i > 0 {
			from = moves[i-1].to
		}
		st := health.ComponentState{ComponentID: id, Status: m.to, Since: at(m.n), UpdatedAt: at(m.n),
			Regions: []health.RegionView{}, Seq: int64(m.n)}
		must(t, "apply probe move", s.ApplyChanges(t.Context(), health.Changes{
			Components:  []health.ComponentState{st},
			Transitions: []health.Transition{{ComponentID: id, From: from, To: m.to, At: at(m.n)}},
		}, nil))
	}
}

type probeMove struct {
	n  int
	to status.Status
}

func entry(id string, from, to status.Status, src componentstatus.Source, n int) componentstatus.Entry {
	return componentstatus.Entry{ComponentID: id, Change: componentstatus.Change{From: from, To: to, Source: src, At: at(n)}}
}

// history lists a component's whole history, newest first, without IDs.
func history(t *testing.T, s HistoryStore, q componentstatus.HistoryQuery) []componentstatus.Entry {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 100
	}
	list, err := s.StatusHistory(t.Context(), q)
	must(t, "status history", err)
	for i := range list {
		list[i].ID = 0
	}
	return list
}

var historyCases = []struct {
	name string
	run  func(t *testing.T, s HistoryStore)
}{
	{"history/the probes' changes and maintenance windows, newest first", func(t *testing.T, s HistoryStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		probeMoves(t, s, "api", probeMove{1, status.Operational}, probeMove{2, status.MajorOutage}, probeMove{3, status.Operational})
		probeMoves(t, s, "api", probeMove{3, status.Operational}, probeMove{4, status.UnderMaintenance}, probeMove{5, status.Operational})
		equal(t, "history", history(t, s, componentstatus.HistoryQuery{ComponentID: "api"}), []componentstatus.Entry{
			entry("api", status.UnderMaintenance, status.Operational, componentstatus.SourceProbe, 5),
			entry("api", status.Operational, status.UnderMaintenance, componentstatus.SourceMaintenance, 4),
			entry("api", status.MajorOutage, status.Operational, componentstatus.SourceProbe, 3),
			entry("api", status.Operational, status.MajorOutage, componentstatus.SourceProbe, 2),
			entry("api", "", status.Operational, componentstatus.SourceProbe, 1),
		})
		shown, err := s.EffectiveStatuses(t.Context())
		must(t, "shown statuses", err)
		equal(t, "shown statuses", shown, map[string]componentstatus.Effective{
			"api": {Status: status.Operational, Source: componentstatus.SourceProbe, Probe: status.Operational}})
	}},
	{"history/an override holds against the probes until cleared", func(t *testing.T, s HistoryStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		probeMoves(t, s, "api", probeMove{1, status.MajorOutage})
		o, err := s.SetOverride(asOperator(t), "api", status.Operational, at(2))
		must(t, "set override", err)
		equal(t, "override", o, componentstatus.Override{Status: status.Operational, Since: at(2), By: operator.String()})
		probeMoves(t, s, "api", probeMove{1, status.MajorOutage}, probeMove{3, status.PartialOutage})
		shown, err := s.EffectiveStatuses(t.Context())
		must(t, "shown statuses", err)
		equal(t, "shown while overridden", shown["api"], componentstatus.Effective{Status: status.Operational,
			Source: componentstatus.SourceOverride, Since: at(2), Probe: status.PartialOutage})
		must(t, "clear override", s.ClearOverride(asOperator(t), "api", at(4)))
		got, err := s.Override(t.Context(), "api")
		must(t, "read override", err)
		equal(t, "override after clearing", got, nil)
		equal(t, "history", history(t, s, componentstatus.HistoryQuery{ComponentID: "api"}), []componentstatus.Entry{
			entry("api", status.Operational, status.PartialOutage, componentstatus.SourceProbe, 4),
			entry("api", status.MajorOutage, status.Operational, componentstatus.SourceOverride, 2),
			entry("api", "", status.MajorOutage, componentstatus.SourceProbe, 1),
		})
	}},
	{"history/ranges and pages", func(t *testing.T, s HistoryStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		probeMoves(t, s, "web", probeMove{1, status.Operational}, probeMove{2, status.PartialOutage},
			probeMove{3, status.MajorOutage}, probeMove{4, status.PartialOutage}, probeMove{5, status.Operational})
		equal(t, "minutes 2 to 4", history(t, s, componentstatus.HistoryQuery{ComponentID: "web", From: at(2), To: at(4)}),
			[]componentstatus.Entry{
				entry("web", status.PartialOutage, status.MajorOutage, componentstatus.SourceProbe, 3),
				entry("web", status.Operational, status.PartialOutage, componentstatus.SourceProbe, 2),
			})
		var pages [][]time.Time
		q := componentstatus.HistoryQuery{ComponentID: "web", Limit: 2}
		for range 4 {
			list, err := s.StatusHistory(t.Context(), q)
			must(t, "page of history", err)
			if len(list) == 0 {
				break
			}
			var times []time.Time
			for _, e := range list {
				times = append(times, e.At)
			}
			pages = append(pages, times)
			last := list[len(list)-1]
			q.Before = componentstatus.HistoryCursor{At: last.At, ID: last.ID}
		}
		equal(t, "pages", pages, [][]time.Time{{at(5), at(4)}, {at(3), at(2)}, {at(1)}})
		equal(t, "another component's history", history(t, s, componentstatus.HistoryQuery{ComponentID: "api"}),
			[]componentstatus.Entry{})
	}},
	{"history/a window holds its components while it runs, an override wins over it", func(t *testing.T, s HistoryStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		probeMoves(t, s, "api", probeMove{1, status.MajorOutage})
		probeMoves(t, s, "web", probeMove{1, status.Operational})
		w, err := maintenance.Act(maintenance.Window{}, maintenance.Action{Kind: maintenance.KindSchedule, Title: "Upgrade",
			StartsAt: at(10), EndsAt: at(20), ComponentIDs: []string{"api", "web"}, AutoStart: true, AutoEnd: true},
			maintenance.Env{Now: at(0), Loc: time.UTC})
		must(t, "schedule", err)
		w.PageID = "acme"
		w, err = s.CreateMaintenance(asOperator(t), w)
		must(t, "create window", err)
		_, err = s.SetOverride(asOperator(t), "web", status.DegradedPerformance, at(5))
		must(t, "set override", err)
		for _, now := range []time.Time{at(10), at(20)} {
			ws, err := s.OpenMaintenances(t.Context(), at(0))
			must(t, "open windows", err)
			for _, tr := range maintenance.Due(ws, now) {
				if tr.WindowID == w.ID && tr.Kind != maintenance.TransitionRemind {
					_, err := s.ApplyMaintenanceTransition(t.Context(), tr, now)
					must(t, "apply "+string(tr.Kind), err)
				}
			}
		}
		equal(t, "history of api", history(t, s, componentstatus.HistoryQuery{ComponentID: "api"}), []componentstatus.Entry{
			entry("api", status.UnderMaintenance, status.MajorOutage, componentstatus.SourceProbe, 20),
			{ComponentID: "api", Change: componentstatus.Change{From: status.MajorOutage, To: status.UnderMaintenance,
				Source: componentstatus.SourceMaintenance, RefID: w.ID, At: at(10)}},
			entry("api", "", status.MajorOutage, componentstatus.SourceProbe, 1),
		})
		equal(t, "history of web, held by its override", history(t, s, componentstatus.HistoryQuery{ComponentID: "web"}), []componentstatus.Entry{
			entry("web", status.Operational, status.DegradedPerformance, componentstatus.SourceOverride, 5),
			entry("web", "", status.Operational, componentstatus.SourceProbe, 1),
		})
	}},
	{"history/an open incident holds the statuses it sets until resolved; a private one only in private", func(t *testing.T, s HistoryStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		probeMoves(t, s, "api", probeMove{1, status.Operational})
		probeMoves(t, s, "web", probeMove{1, status.Operational})
		public, err := s.ActOnIncident(asOperator(t), "acme", 0, incident.Action{Kind: incident.KindOpen, Title: "Slow API",
			Body: "Looking.", Impact: incident.ImpactMinor,
			Components: []incident.ComponentStatus{{ComponentID: "api", Status: status.DegradedPerformance}}}, at(2))
		must(t, "open", err)
		_, err = s.ActOnIncident(asOperator(t), "acme", 0, incident.Action{Kind: incident.KindOpen, Title: "Internal",
			Body: "Shh.", Private: true,
			Components: []incident.ComponentStatus{{ComponentID: "web", Status: status.MajorOutage}}}, at(2))
		must(t, "open private", err)
		probeMoves(t, s, "api", probeMove{3, status.MajorOutage}) // the incident holds it
		shown, err := s.EffectiveStatuses(t.Context())
		must(t, "shown statuses", err)
		equal(t, "api held by the incident", shown["api"], componentstatus.Effective{Status: status.DegradedPerformance,
			Source: componentstatus.SourceIncident, RefID: public.ID, Since: at(2), Probe: status.MajorOutage})
		equal(t, "web, whose incident is private", shown["web"].Source, componentstatus.SourceProbe)
		_, err = s.ActOnIncident(asOperator(t), "acme", public.ID, incident.Action{Kind: incident.KindResolve, Body: "Fixed."}, at(4))
		must(t, "resolve", err)
		equal(t, "history of api", history(t, s, componentstatus.HistoryQuery{ComponentID: "api"}), []componentstatus.Entry{
			entry("api", status.DegradedPerformance, status.MajorOutage, componentstatus.SourceProbe, 4),
			{ComponentID: "api", Change: componentstatus.Change{From: status.Operational, To: status.DegradedPerformance,
				Source: componentstatus.SourceIncident, RefID: public.ID, At: at(2)}},
			entry("api", "", status.Operational, componentstatus.SourceProbe, 1),
		})
	}},
	{"history/unknown components and missing overrides", func(t *testing.T, s HistoryStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		var nf *catalog.NotFoundError
		if _, err := s.SetOverride(asOperator(t), "ghost", status.MajorOutage, at(1)); !errors.As(err, &nf) {
			t.Errorf("override of an unknown component: err = %v, want a NotFoundError", err)
		}
		if err := s.ClearOverride(asOperator(t), "api", at(1)); !errors.As(err, &nf) {
			t.Errorf("clearing a missing override: err = %v, want a NotFoundError", err)
		}
		if _, err := s.Override(t.Context(), "ghost"); !errors.As(err, &nf) {
			t.Errorf("reading the override of an unknown component: err = %v, want a NotFoundError", err)
		}
		probeMoves(t, s, "ghost", probeMove{1, status.MajorOutage}) // deleted meanwhile: skipped, not an error
		shown, err := s.EffectiveStatuses(t.Context())
		must(t, "shown statuses", err)
		equal(t, "shown statuses", len(shown), 0)
	}},
}
