package api_test

import (
	"net/http"
	"strings"
	"testing"
)

var (
	incidentOpenSeeds = []string{
		`{"page_id":"acme","title":"Down","body":"Looking.","impact":"major","components":[{"component_id":"web","status":"major_outage"}]}`,
		`{"page_id":"acme","title":"Past","backfilled":true,"started_at":"2024-01-02T00:00:00Z","resolved_at":"2024-01-01T00:00:00Z"}`,
		`{"page_id":"acme","title":"x","status":"resolved","at":"9999-01-01T00:00:00Z","components":[{"component_id":"","status":"bogus"}]}`,
		`{"page_id":"nope","title":"` + strings.Repeat("t", 300) + `","impact":"worst","notify":{"deliver":"yes"}}`,
	}
	incidentPostSeeds = []string{
		`{"body":"Found it.","status":"identified","components":[{"component_id":"web","status":"partial_outage"}]}`,
		`{"body":"x","status":"postmortem","at":"1999-01-01T00:00:00Z"}`, `{"status":"resolved"}`, `{}`, `[]`, `null`,
	}
	incidentEditSeeds = []string{
		`{"title":"New","impact":"critical","private":true,"components":[]}`,
		`{"started_at":"2030-01-01T00:00:00Z","resolved_at":"x"}`, `{"body":"","display_at":"2020-01-01T00:00:00Z"}`,
	}
)

// fuzzIncident fuzzes one incident write route against an incident that
// exists (ID 1, first update 1) and fuzzed IDs.
func fuzzIncident(f *testing.F, method, path string, seeds ...string) {
	s := newOpsServer(f, 0)
	if code, body := s.req(f, "POST", "/api/v1/incidents", "writer", incidentOpenSeeds[0]); code != http.StatusCreated {
		f.Fatalf("open: %d %v", code, body)
	}
	fuzzRoute(f, s, method, path, []string{"1", "0", "-1", "99"}, seeds...)
}

func FuzzOpenIncident(f *testing.F) {
	fuzzIncident(f, "POST", "/api/v1/incidents", incidentOpenSeeds...)
}
func FuzzEditIncident(f *testing.F) {
	fuzzIncident(f, "PATCH", "/api/v1/incidents/{id}", incidentEditSeeds...)
}
func FuzzDeleteIncident(f *testing.F) { fuzzIncident(f, "DELETE", "/api/v1/incidents/{id}", "") }
func FuzzPostIncidentUpdate(f *testing.F) {
	fuzzIncident(f, "POST", "/api/v1/incidents/{id}/updates", incidentPostSeeds...)
}
func FuzzEditIncidentUpdate(f *testing.F) {
	fuzzIncident(f, "PATCH", "/api/v1/incidents/1/updates/{id}", incidentEditSeeds...)
}
func FuzzDeleteIncidentUpdate(f *testing.F) {
	fuzzIncident(f, "DELETE", "/api/v1/incidents/1/updates/{id}", "")
}
func FuzzResolveIncident(f *testing.F) {
	fuzzIncident(f, "POST", "/api/v1/incidents/{id}/resolve", incidentPostSeeds...)
}
func FuzzReopenIncident(f *testing.F) {
	fuzzIncident(f, "POST", "/api/v1/incidents/{id}/reopen", incidentPostSeeds...)
}
func FuzzPostmortemIncident(f *testing.F) {
	fuzzIncident(f, "POST", "/api/v1/incidents/{id}/postmortem", incidentPostSeeds...)
}

func FuzzSetIncidentStatuses(f *testing.F) {
	fuzzIncident(f, "PUT", "/api/v1/pages/acme/incident_statuses",
		`{"custom_statuses":[{"name":"Fix deployed","standard":"monitoring"}]}`,
		`{"custom_statuses":[{"name":"","standard":"x"},{"name":"Investigating","standard":"resolved"}]}`, `{"custom_statuses":null}`)
}
