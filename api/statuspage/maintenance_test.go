package statuspage_test

import (
	"encoding/json"
	"testing"

	"github.com/statusd/statusd/api/rollup"
	"github.com/statusd/statusd/api/statuspage"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/maintenance"
)

// TestMaintenanceListLeavesPrivateOut: private and cancelled windows, and
// private updates, never reach a v2 document, whatever the caller passes.
func TestMaintenanceListLeavesPrivateOut(t *testing.T) {
	v := statuspage.NewView(catalog.Page{ID: "p", TimeZone: "Etc/UTC", URL: "https://s.test/"}, zone(t, "Etc/UTC"),
		[]rollup.Component{{Component: catalog.Component{ID: "db", PageID: "p", Name: "DB"}}}, t0)
	win := func(id int64, title string, st maintenance.Status, private bool) maintenance.Window {
		return maintenance.Window{ID: id, PageID: "p", Title: title, Status: st, Private: private,
			StartsAt: t0, EndsAt: t0.Add(3600e9), CreatedAt: t0, UpdatedAt: t0, ComponentIDs: []string{"db", "gone"},
			Updates: []maintenance.Update{{ID: 2, Status: st, Body: "secret note", Private: true, CreatedAt: t0},
				{ID: 1, Status: maintenance.Scheduled, Body: "public", CreatedAt: t0}}}
	}
	got := v.MaintenanceList([]maintenance.Window{win(1, "private", maintenance.Scheduled, true),
		win(2, "cancelled", maintenance.Cancelled, false), win(3, "shown", maintenance.InProgress, false)})
	if len(got) != 1 || got[0].Name != "shown" {
		t.Fatalf("listed %+v, want only the public window", got)
	}
	m := got[0]
	if len(m.IncidentUpdates) != 1 || m.IncidentUpdates[0].Body != "public" {
		t.Errorf("updates %+v, want only the public one", m.IncidentUpdates)
	}
	if len(m.Components) != 1 || m.Components[0].ID != "db" {
		t.Errorf("components %+v, want db (gone is not on the page)", m.Components)
	}
	b, err := json.Marshal(m.IncidentUpdates[0])
	if err != nil {
		t.Fatal(err)
	}
	var u map[string]any
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"affected_components", "custom_tweet", "tweet_id"} {
		if v, ok := u[k]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", k, v, ok)
		}
	}
	if m.Impact != "maintenance" || m.Shortlink != "https://s.test/#maintenance" {
		t.Errorf("impact %q shortlink %q", m.Impact, m.Shortlink)
	}
}
