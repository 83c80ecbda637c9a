package statuspage_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below exist whatever the machine has

	"github.com/statusd/statusd/api/rollup"
	"github.com/statusd/statusd/api/statuspage"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

var t0 = time.Date(2026, 7, 1, 12, 0, 0, 5e6, time.UTC)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func TestTimestamps(t *testing.T) {
	tests := []struct {
		name, zone, want string
	}{
		{name: "UTC is Z", zone: "Etc/UTC", want: "2026-07-01T12:00:00.005Z"},
		{name: "New York in summer", zone: "America/New_York", want: "2026-07-01T08:00:00.005-04:00"},
		{name: "Kolkata half hour", zone: "Asia/Kolkata", want: "2026-07-01T17:30:00.005+05:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := statuspage.NewView(catalog.Page{ID: "p", TimeZone: tt.zone}, zone(t, tt.zone), nil, t0)
			if got := v.Status().Page.UpdatedAt; got != tt.want {
				t.Errorf("updated_at %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIncidentFields(t *testing.T) {
	comps := []rollup.Component{
		{Component: catalog.Component{ID: "g", PageID: "p", IsGroup: true}, Status: status.Operational, Children: []string{}},
		{Component: catalog.Component{ID: "a", PageID: "p", GroupID: "g", Description: "A"}, Status: status.MajorOutage},
	}
	in := incident.Incident{ID: 3, PageID: "p", Name: "Down", Status: incident.Resolved, ComponentIDs: []string{"a", "other-page"},
		CreatedAt: t0, UpdatedAt: t0.Add(3 * time.Hour), ResolvedAt: t0.Add(3 * time.Hour),
		Updates: []incident.Update{
			{ID: 4, Status: incident.Resolved, CreatedAt: t0.Add(3 * time.Hour)},
			{ID: 3, Status: incident.Monitoring, CreatedAt: t0.Add(2 * time.Hour)},
			{ID: 2, Status: incident.Monitoring, CreatedAt: t0.Add(time.Hour)},
			{ID: 1, Status: incident.Investigating, CreatedAt: t0},
		}}
	tests := []struct {
		name    string
		pageURL string
		check   func(t *testing.T, got statuspage.Incident, raw string)
	}{
		{name: "missing impact is none", check: func(t *testing.T, got statuspage.Incident, _ string) {
			if got.Impact != incident.ImpactNone {
				t.Errorf("impact %q, want none", got.Impact)
			}
		}},
		{name: "monitoring_at is the first monitoring update", check: func(t *testing.T, got statuspage.Incident, _ string) {
			if got.MonitoringAt == nil || *got.MonitoringAt != "2026-07-01T13:00:00.005Z" {
				t.Errorf("monitoring_at %v, want 13:00", got.MonitoringAt)
			}
		}},
		{name: "components of other pages are left out", check: func(t *testing.T, got statuspage.Incident, _ string) {
			if len(got.Components) != 1 || got.Components[0].ID != "a" || got.Components[0].Status != status.MajorOutage {
				t.Errorf("components %+v, want only a in major_outage", got.Components)
			}
		}},
		{name: "no page URL means a path for a shortlink", check: func(t *testing.T, _ statuspage.Incident, raw string) {
			if !strings.Contains(raw, `"shortlink":"/incidents/3"`) {
				t.Errorf("shortlink not the bare path: %s", raw)
			}
		}},
		{name: "shortlink under the page URL", pageURL: "https://s.test/", check: func(t *testing.T, got statuspage.Incident, _ string) {
			if got.Shortlink != "https://s.test/incidents/3" {
				t.Errorf("shortlink %q, want https://s.test/incidents/3", got.Shortlink)
			}
		}},
		{name: "update carries the incident id and null affected components", check: func(t *testing.T, got statuspage.Incident, raw string) {
			if got.IncidentUpdates[0].IncidentID != "3" || !strings.Contains(raw, `"affected_components":null`) {
				t.Errorf("update %+v in %s", got.IncidentUpdates[0], raw)
			}
		}},
		{name: "only groups list components", check: func(t *testing.T, _ statuspage.Incident, raw string) {
			if strings.Count(raw, `"components":`) != 1 { // the incident's own list; "a" is no group
				t.Errorf("want one components key: %s", raw)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := statuspage.NewView(catalog.Page{ID: "p", URL: tt.pageURL}, time.UTC, comps, t0)
			got := v.Incidents([]incident.Incident{in}).Incidents[0]
			raw, err := json.Marshal(got)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			tt.check(t, got, string(raw))
		})
	}
	t.Run("empty group lists no children", func(t *testing.T) {
		raw, err := json.Marshal(statuspage.NewView(catalog.Page{ID: "p"}, time.UTC, comps, t0).Components())
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if !strings.Contains(string(raw), `"group":true,"only_show_if_degraded":false,"components":[]`) {
			t.Errorf("group without children: %s", raw)
		}
	})
}

// TestComponentAndPageFields: the display options of a component and the
// page's url come out as Statuspage names them, never null where it sends
// a string.
func TestComponentAndPageFields(t *testing.T) {
	comps := []rollup.Component{{Component: catalog.Component{ID: "a", PageID: "p", HideUptime: true,
		OnlyShowIfDegraded: true, StartDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}, Status: status.Operational}}
	tests := []struct {
		name string
		page catalog.Page
		want []string
	}{
		{name: "display options", page: catalog.Page{ID: "p"},
			want: []string{`"showcase":false`, `"start_date":"2026-03-01"`, `"only_show_if_degraded":true`, `"url":""`}},
		{name: "url without its trailing slash", page: catalog.Page{ID: "p", URL: "https://s.test/"}, want: []string{`"url":"https://s.test"`}},
		{name: "url from the custom domain", page: catalog.Page{ID: "p", CustomDomain: "status.example.com"},
			want: []string{`"url":"https://status.example.com"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A page in Kolkata: the start date stays the civil date.
			raw, err := json.Marshal(statuspage.NewView(tt.page, zone(t, "Asia/Kolkata"), comps, t0).Components())
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(raw), w) {
					t.Errorf("no %s in %s", w, raw)
				}
			}
		})
	}
}
