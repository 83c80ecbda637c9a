package api_test

import (
	"testing"
)

var (
	scheduleSeeds = []string{window(""), window(`,"recurrence":"FREQ=WEEKLY;BYDAY=TU","reminders":["day_before"],"notify":{"deliver":true}`),
		window(`,"recurrence":"FREQ=SECONDLY"`), window(`,"recurrence":"0 3 * * 1"`), `{"page_id":"acme","starts_at":"x"}`,
		`{"page_id":"acme","title":"t","starts_at":"2026-12-01T23:00:00Z","ends_at":"2026-12-01T22:00:00Z"}`, `[]`, `null`}
	patchMaintenanceSeeds = []string{`{"title":"New"}`, `{"ends_at":"2026-12-01T21:00:00Z"}`, `{"starts_at":"2026-12-02T22:00:00Z","ends_at":"2026-12-02T23:00:00Z"}`,
		`{"component_ids":["web","web"]}`, `{"component_ids":null,"reminders":["soon"]}`, `{"notify":{"tweet":1}}`}
	maintenanceUpdateSeeds = []string{`{"status":"in_progress","body":"Go"}`, `{"status":"verifying","body":"Check"}`,
		`{"body":"note","private":true}`, `{"status":"completed"}`, `{"status":"done","body":"x"}`, `{}`}
	stepSeeds = []string{"", `{"body":"Now."}`, `{"body":7}`, `{"series":true}`}
)

func FuzzScheduleMaintenance(f *testing.F) {
	fuzzMaintenance(f, "POST", "/api/v1/maintenances", scheduleSeeds...)
}
func FuzzPatchMaintenance(f *testing.F) {
	fuzzMaintenance(f, "PATCH", "/api/v1/maintenances/{id}", patchMaintenanceSeeds...)
}
func FuzzDeleteMaintenance(f *testing.F) {
	fuzzMaintenance(f, "DELETE", "/api/v1/maintenances/{id}", "")
}
func FuzzMaintenanceUpdate(f *testing.F) {
	fuzzMaintenance(f, "POST", "/api/v1/maintenances/{id}/updates", maintenanceUpdateSeeds...)
}
func FuzzStartMaintenance(f *testing.F) {
	fuzzMaintenance(f, "POST", "/api/v1/maintenances/{id}/start", stepSeeds...)
}
func FuzzCompleteMaintenance(f *testing.F) {
	fuzzMaintenance(f, "POST", "/api/v1/maintenances/{id}/complete", stepSeeds...)
}
func FuzzCancelMaintenance(f *testing.F) {
	fuzzMaintenance(f, "POST", "/api/v1/maintenances/{id}/cancel", append(stepSeeds, `{"series":"yes"}`)...)
}

// fuzzMaintenance fuzzes one maintenance route on the real SQLite store
// holding window 1 (scheduled, recurring) and window 2 (in progress): no
// input is answered 5xx or with a body that is not JSON.
func fuzzMaintenance(f *testing.F, method, path string, seeds ...string) {
	s := newOpsServer(f, 0)
	for _, r := range [][2]string{
		{"/api/v1/maintenances", window(`,"recurrence":"FREQ=WEEKLY;BYDAY=TU"`)},
		{"/api/v1/maintenances", window("")},
		{"/api/v1/maintenances/2/start", ""},
	} {
		if code, body := s.req(f, "POST", r[0], "writer", r[1]); code >= 300 {
			f.Fatalf("POST %s: status %d: %v", r[0], code, body)
		}
	}
	fuzzRoute(f, s, method, path, []string{"1", "2", "99", "-1", "x"}, seeds...)
}

// FuzzMaintenancesQuery fuzzes the listing's query string.
func FuzzMaintenancesQuery(f *testing.F) {
	f.Add("", "page_id=acme&status=scheduled,in_progress&page=1&per_page=5", "x", "")
	f.Add("", "upcoming=true&active=1", "x", "")
	f.Add("", "status=scheduled&upcoming=true&page_id=Bad!&per_page=0", "x", "")
	fuzzMaintenance(f, "GET", "/api/v1/maintenances", "")
}
