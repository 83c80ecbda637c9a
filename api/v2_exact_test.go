package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// v2ExactDocs are the eight v2 documents by the slug their goldens carry:
// testdata/v2exact_<state>_<slug>.golden.json, which
// api/statuspage/atlassian_test.go checks against Atlassian's shapes.
var v2ExactDocs = []struct{ slug, path string }{
	{"summary", "summary.json"},
	{"status", "status.json"},
	{"components", "components.json"},
	{"incidents", "incidents.json"},
	{"incidents_unresolved", "incidents/unresolved.json"},
	{"scheduled_maintenances", "scheduled-maintenances.json"},
	{"scheduled_maintenances_upcoming", "scheduled-maintenances/upcoming.json"},
	{"scheduled_maintenances_active", "scheduled-maintenances/active.json"},
}

// TestV2ExactGolden writes every v2 document in three states of one page
// through the real handlers: all operational; a major outage with an open
// incident and a resolved one with a postmortem; a maintenance in
// progress with one upcoming and one completed.
func TestV2ExactGolden(t *testing.T) {
	states := []struct {
		name  string
		store *fakeStore
		maint fakeMaintenances
	}{
		{"operational", exactStore(nil, nil), fakeMaintenances{}},
		{"outage", exactStore(map[string]status.Status{"api": status.MajorOutage, "db": status.DegradedPerformance},
			exactIncidents()), fakeMaintenances{}},
		{"maintenance", exactStore(map[string]status.Status{"cdn": status.UnderMaintenance}, nil), exactMaintenances()},
	}
	for _, st := range states {
		s := newServerWith(t, api.Options{Store: st.store, Maintenances: st.maint})
		for _, d := range v2ExactDocs {
			t.Run(st.name+"/"+d.slug, func(t *testing.T) {
				resp, body := s.do(t, http.MethodGet, "/api/v2/"+d.path)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
				}
				if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
					t.Errorf("Access-Control-Allow-Origin %q, want *", got)
				}
				if strings.Contains(string(body), "Private") {
					t.Errorf("a private item is shown: %s", body)
				}
				golden(t, "v2exact_"+st.name+"_"+d.slug, body)
			})
		}
	}
}

// exactStore is one page, acme (UTC), with a group of two, a component
// with a start date whose uptime is hidden and one shown only when
// degraded; every component operational but those of worse.
func exactStore(worse map[string]status.Status, incidents []incident.Incident) *fakeStore {
	comps := []catalog.Component{
		{ID: "core", PageID: "acme", IsGroup: true, Name: "Core", Position: 1},
		{ID: "api", PageID: "acme", GroupID: "core", Name: "API", Description: "Public REST API", Position: 2},
		{ID: "web", PageID: "acme", GroupID: "core", Name: "Website", Position: 3},
		{ID: "db", PageID: "acme", Name: "Database", Position: 4, HideUptime: true, StartDate: day(1, 0, 0)},
		{ID: "cdn", PageID: "acme", Name: "CDN", Position: 5, OnlyShowIfDegraded: true},
	}
	var states []health.ComponentState
	for _, c := range comps[1:] {
		s := health.ComponentState{ComponentID: c.ID, Status: status.Operational, Since: at(-600), UpdatedAt: at(-600)}
		if w, ok := worse[c.ID]; ok {
			s.Status, s.Since, s.UpdatedAt = w, at(30), at(35)
		}
		states = append(states, s)
	}
	return &fakeStore{
		pages:     []catalog.Page{{ID: "acme", Name: "Acme", URL: "https://status.acme.test/", TimeZone: "Etc/UTC"}},
		comps:     comps,
		states:    states,
		incidents: incidents,
	}
}

// exactIncidents are an open major incident on api, whose updates announce
// component transitions, and a resolved minor one on db with a postmortem.
func exactIncidents() []incident.Incident {
	change := func(id string, old, new status.Status) []incident.ComponentChange {
		return []incident.ComponentChange{{ComponentID: id, Old: old, New: new}}
	}
	return []incident.Incident{
		{ID: 7, PageID: "acme", Name: "API unreachable", Status: incident.Identified, Impact: incident.ImpactMajor,
			ComponentIDs: []string{"api"}, CreatedAt: at(30), UpdatedAt: at(45),
			Components: []incident.ComponentStatus{{ComponentID: "api", Status: status.MajorOutage}},
			Updates: []incident.Update{
				{ID: 71, Status: incident.Identified, Body: "A bad deploy; rolling back.", CreatedAt: at(45),
					Notify: incident.Notify{Deliver: true}},
				{ID: 70, Status: incident.Investigating, Body: "API failing.", CreatedAt: at(30),
					Components: change("api", status.Operational, status.MajorOutage),
					Notify:     incident.Notify{Deliver: true, CustomTweet: "API down, on it"}},
			}},
		{ID: 5, PageID: "acme", Name: "Database slow", Status: incident.Postmortem, Impact: incident.ImpactMinor,
			ComponentIDs: []string{"db"}, CreatedAt: at(-300), UpdatedAt: at(-100), ResolvedAt: at(-200),
			PostmortemBody: "An index was missing.", PostmortemAt: at(-100),
			Updates: []incident.Update{
				{ID: 52, Status: incident.Resolved, Body: "Fixed.", CreatedAt: at(-200),
					Components: change("db", status.DegradedPerformance, status.Operational)},
				{ID: 51, Status: incident.Monitoring, Body: "Watching.", CreatedAt: at(-250)},
				{ID: 50, Status: incident.Investigating, Body: "Slow queries.", CreatedAt: at(-300),
					Components: change("db", status.Operational, status.DegradedPerformance)},
			}},
	}
}

// exactMaintenances are, on acme, one in progress on cdn (with a private
// note), one upcoming on db and api, one completed on web.
func exactMaintenances() fakeMaintenances {
	all := maintenanceFixture().windows
	return fakeMaintenances{windows: all[:3]}
}
