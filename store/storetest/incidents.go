package storetest

import (
	"testing"
	"time"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// autoIncident is an automatic incident as the store opens it from
// open(comp, when); its page is the component's.
func autoIncident(comp string, when time.Time) incident.Incident {
	return incident.Incident{
		Name: comp + ": major outage", Status: incident.Investigating, Impact: incident.ImpactCritical,
		Automatic: true, ComponentIDs: []string{comp}, CreatedAt: when, UpdatedAt: when,
		Updates: []incident.Update{{Status: incident.Investigating, Body: "Failing from eu-west.", CreatedAt: when}},
	}
}

// act is an incident action of the kind for a component at a time.
func act(kind health.ActionKind, comp string, when time.Time) health.IncidentAction {
	a := health.IncidentAction{Kind: kind, ComponentID: comp, At: when,
		Update: incident.Update{Status: incident.Investigating, Body: "Failing from eu-west.", CreatedAt: when}}
	switch kind {
	case health.ActionOpen, health.ActionReopen:
		a.Name, a.Impact = comp+": major outage", incident.ImpactCritical
	case health.ActionUpdate:
		a.Name, a.Impact = comp+": major outage", incident.ImpactCritical
		a.Update.Body = "Now partial."
	case health.ActionResolve:
		a.Update = incident.Update{Status: incident.Resolved, Body: comp + " is operational again.", CreatedAt: when}
	}
	return a
}

func apply(t *testing.T, s StateStore, actions ...health.IncidentAction) {
	t.Helper()
	must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Incidents: actions}, nil))
}

// incidents lists incidents, checks that every ID is set, and clears them
// so the rest compares by value.
func incidents(t *testing.T, s StateStore, page string, unresolved bool, limit int) []incident.Incident {
	t.Helper()
	incs, err := s.Incidents(t.Context(), page, unresolved, limit)
	must(t, "list incidents", err)
	if incs == nil {
		incs = []incident.Incident{}
	}
	for i := range incs {
		if incs[i].ID <= 0 {
			t.Errorf("incident %q has ID %d", incs[i].Name, incs[i].ID)
		}
		incs[i].ID = 0
		for j := range incs[i].Updates {
			if incs[i].Updates[j].ID <= 0 {
				t.Errorf("update %d of incident %q has ID %d", j, incs[i].Name, incs[i].Updates[j].ID)
			}
			incs[i].Updates[j].ID = 0
		}
	}
	return incs
}

func names(incs []incident.Incident) []string {
	out := []string{}
	for _, i := range incs {
		out = append(out, i.Name)
	}
	return out
}

func withPage(inc incident.Incident, page string) incident.Incident {
	inc.PageID = page
	return inc
}

var incidentCases = []stateCase{
	{"incident/automatic opens", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		apply(t, s, act(health.ActionOpen, "docs", at(1)))
		equal(t, "incidents", incidents(t, s, "", false, 0), []incident.Incident{withPage(autoIncident("docs", at(1)), "beta")})
	}},
	{"incident/automatic skipped while one is open", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		apply(t, s, act(health.ActionOpen, "api", at(1)))
		apply(t, s, act(health.ActionOpen, "api", at(2)), act(health.ActionOpen, "web", at(2)), act(health.ActionOpen, "web", at(3)))
		equal(t, "incidents", incidents(t, s, "", false, 0), []incident.Incident{
			withPage(autoIncident("web", at(2)), "acme"), withPage(autoIncident("api", at(1)), "acme")})
	}},
	{"incident/automatic updates, resolves and reopens", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		apply(t, s, act(health.ActionOpen, "api", at(1)))
		up := act(health.ActionUpdate, "api", at(2))
		up.Name = "api: partial outage"
		up.Impact = incident.ImpactMajor
		apply(t, s, up, act(health.ActionResolve, "api", at(4)), act(health.ActionResolve, "web", at(4)))
		want := withPage(autoIncident("api", at(1)), "acme")
		want.Name, want.Impact = "api: partial outage", incident.ImpactMajor
		want.Status, want.UpdatedAt, want.ResolvedAt = incident.Resolved, at(4), at(4)
		want.Updates = append([]incident.Update{
			{Status: incident.Resolved, Body: "api is operational again.", CreatedAt: at(4)},
			{Status: incident.Investigating, Body: "Now partial.", CreatedAt: at(2)}}, want.Updates...)
		equal(t, "incidents", incidents(t, s, "", false, 0), []incident.Incident{want})
		equal(t, "unresolved", incidents(t, s, "", true, 0), []incident.Incident{})

		apply(t, s, act(health.ActionReopen, "api", at(6)))
		want.Name, want.Impact = "api: major outage", incident.ImpactCritical
		want.Status, want.UpdatedAt, want.ResolvedAt = incident.Investigating, at(6), time.Time{}
		want.Updates = append([]incident.Update{
			{Status: incident.Investigating, Body: "Failing from eu-west.", CreatedAt: at(6)}}, want.Updates...)
		equal(t, "incidents after the reopen", incidents(t, s, "", false, 0), []incident.Incident{want})
		apply(t, s, act(health.ActionReopen, "web", at(7)))
		equal(t, "a reopen without an incident opens one", names(incidents(t, s, "", true, 0)),
			[]string{"web: major outage", "api: major outage"})
	}},
	{"incident/manual untouched", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		manual := incident.Incident{
			Name: "Degraded API", Status: incident.Identified, Impact: incident.ImpactMinor,
			ComponentIDs: []string{"api", "db"}, CreatedAt: at(1), UpdatedAt: at(2),
			Updates: []incident.Update{
				{Status: incident.Identified, Body: "Found it.", CreatedAt: at(2)},
				{Status: incident.Investigating, Body: "Looking.", CreatedAt: at(1)},
			},
		}
		id, err := s.CreateIncident(t.Context(), manual)
		must(t, "create incident", err)
		apply(t, s, act(health.ActionOpen, "db", at(3)))
		apply(t, s, act(health.ActionUpdate, "db", at(3)), act(health.ActionResolve, "api", at(4)), act(health.ActionResolve, "db", at(4)))
		stored, err := s.Incidents(t.Context(), "", false, 0)
		must(t, "list incidents", err)
		if len(stored) != 1 || stored[0].ID != id {
			t.Fatalf("incidents = %+v; want only the manual one, ID %d", stored, id)
		}
		equal(t, "incidents", incidents(t, s, "acme", true, 0), []incident.Incident{withPage(manual, "acme")})
	}},
	{"incident/changes are one transaction", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		err := s.ApplyChanges(t.Context(), health.Changes{
			Components: []health.ComponentState{{ComponentID: "web", Status: status.MajorOutage, Since: at(1), UpdatedAt: at(1)}},
			Incidents:  []health.IncidentAction{{Kind: "bogus", ComponentID: "web", At: at(1)}},
		}, nil)
		if err == nil {
			t.Fatalf("apply an unknown incident action: no error")
		}
		equal(t, "component states after a failed apply", len(stored(t, s)), 0)
	}},
	{"incident/page is the first component's", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		inc := incident.Incident{Name: "Docs and API", Status: incident.Monitoring, Impact: incident.ImpactNone,
			PageID: "acme", ComponentIDs: []string{"docs", "api"}, CreatedAt: at(1), UpdatedAt: at(1)}
		_, err := s.CreateIncident(t.Context(), inc)
		must(t, "create incident", err)
		equal(t, "incidents of beta", incidents(t, s, "beta", false, 0), []incident.Incident{withPage(inc, "beta")})
		equal(t, "incidents of acme", incidents(t, s, "acme", false, 0), []incident.Incident{})
	}},
	{"incident/ordering and filters", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		for _, inc := range []incident.Incident{
			{Name: "i1", Status: incident.Resolved, ComponentIDs: []string{"web"}, CreatedAt: at(1), ResolvedAt: at(2)},
			{Name: "i2", Status: incident.Investigating, ComponentIDs: []string{"docs"}, CreatedAt: at(5)},
			{Name: "i3", Status: incident.Investigating, ComponentIDs: []string{"api"}, CreatedAt: at(5)},
			{Name: "i4", Status: incident.Monitoring, PageID: "acme", CreatedAt: at(9)},
			{Name: "i0", Status: incident.Resolved, ComponentIDs: []string{"db"}, CreatedAt: at(0)},
		} {
			inc.Impact = incident.ImpactMinor
			_, err := s.CreateIncident(t.Context(), inc)
			must(t, "create incident "+inc.Name, err)
		}
		for _, q := range []struct {
			page       string
			unresolved bool
			limit      int
			want       []string
		}{
			{"", false, 0, []string{"i4", "i3", "i2", "i1", "i0"}},
			{"acme", false, 0, []string{"i4", "i3", "i1", "i0"}},
			{"", true, 0, []string{"i4", "i3", "i2"}},
			{"", false, 2, []string{"i4", "i3"}},
			{"acme", true, 1, []string{"i4"}},
			{"beta", true, 5, []string{"i2"}},
			{"gamma", false, 0, []string{}},
		} {
			equal(t, "incidents", names(incidents(t, s, q.page, q.unresolved, q.limit)), q.want)
		}
		all := incidents(t, s, "", false, 0)
		equal(t, "resolved_at of i1", all[3].ResolvedAt, at(2))
		equal(t, "resolved_at of i0 (defaults to updated_at, then created_at)", all[4].ResolvedAt, at(0))
	}},
	{"incident/rejects bad input", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		for _, inc := range []incident.Incident{
			{Status: incident.Investigating, Impact: incident.ImpactNone, PageID: "acme", CreatedAt: at(1)},
			{Name: "x", Status: "bogus", Impact: incident.ImpactNone, PageID: "acme", CreatedAt: at(1)},
			{Name: "x", Status: incident.Investigating, Impact: incident.ImpactNone, CreatedAt: at(1)},
			{Name: "x", Status: incident.Investigating, Impact: incident.ImpactNone, ComponentIDs: []string{"ghost"}, CreatedAt: at(1)},
		} {
			if _, err := s.CreateIncident(t.Context(), inc); err == nil {
				t.Errorf("create incident %+v: no error", inc)
			}
		}
		equal(t, "incidents", incidents(t, s, "", false, 0), []incident.Incident{})
	}},
}
