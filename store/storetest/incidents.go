package storetest

import (
	"testing"
	"time"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// autoIncident is an automatic incident as the evaluator opens it; its
// PageID is left empty, the store takes the component's page.
func autoIncident(comp string, when time.Time) incident.Incident {
	return incident.Incident{
		Name: comp + ": major outage", Status: incident.Investigating, Impact: incident.ImpactCritical,
		Automatic: true, ComponentIDs: []string{comp}, CreatedAt: when, UpdatedAt: when,
		Updates: []incident.Update{{Status: incident.Investigating, Body: "Failing from: eu-west.", CreatedAt: when}},
	}
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
		inc := autoIncident("docs", at(1))
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{
			Components: []health.ComponentState{{ComponentID: "docs", Status: status.MajorOutage, Since: at(1), UpdatedAt: at(1)}},
			Open:       []incident.Incident{inc},
		}))
		equal(t, "incidents", incidents(t, s, "", false, 0), []incident.Incident{withPage(inc, "beta")})
	}},
	{"incident/automatic skipped while one is open", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Open: []incident.Incident{autoIncident("api", at(1))}}))
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Open: []incident.Incident{
			autoIncident("api", at(2)), autoIncident("web", at(2)), autoIncident("web", at(3))}}))
		equal(t, "incidents", incidents(t, s, "", false, 0), []incident.Incident{
			withPage(autoIncident("web", at(2)), "acme"), withPage(autoIncident("api", at(1)), "acme")})
	}},
	{"incident/automatic resolves", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Open: []incident.Incident{autoIncident("api", at(1))}}))
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Resolve: []health.Resolution{
			{ComponentID: "api", At: at(4), Body: "API is operational again."},
			{ComponentID: "web", At: at(4), Body: "nothing to resolve"},
		}}))
		resolved := withPage(autoIncident("api", at(1)), "acme")
		resolved.Status, resolved.UpdatedAt, resolved.ResolvedAt = incident.Resolved, at(4), at(4)
		resolved.Updates = append([]incident.Update{
			{Status: incident.Resolved, Body: "API is operational again.", CreatedAt: at(4)}}, resolved.Updates...)
		equal(t, "incidents", incidents(t, s, "", false, 0), []incident.Incident{resolved})
		equal(t, "unresolved", incidents(t, s, "", true, 0), []incident.Incident{})

		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Open: []incident.Incident{autoIncident("api", at(6))}}))
		equal(t, "incidents after a new outage", incidents(t, s, "", false, 0), []incident.Incident{
			withPage(autoIncident("api", at(6)), "acme"), resolved})
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
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Open: []incident.Incident{autoIncident("db", at(3))}}))
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Resolve: []health.Resolution{
			{ComponentID: "api", At: at(4), Body: "ok"}, {ComponentID: "db", At: at(4), Body: "ok"}}}))
		stored, err := s.Incidents(t.Context(), "", false, 0)
		must(t, "list incidents", err)
		if len(stored) != 1 || stored[0].ID != id {
			t.Fatalf("incidents = %+v; want only the manual one, ID %d", stored, id)
		}
		equal(t, "incidents", incidents(t, s, "acme", true, 0), []incident.Incident{withPage(manual, "acme")})
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
