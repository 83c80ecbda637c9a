package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCustomIncidentStatuses: a page's custom statuses set through the API
// name an incident's status in v1, and v2 shows the standard status each
// maps onto.
func TestCustomIncidentStatuses(t *testing.T) {
	s := newOpsServer(t, 0)
	if code, body := s.req(t, "PUT", "/api/v1/pages/acme/incident_statuses", "writer",
		`{"custom_statuses":[{"name":"Fix deployed","standard":"monitoring"}]}`); code != http.StatusOK {
		t.Fatalf("set custom statuses: status %d: %v", code, body)
	}
	code, body := s.req(t, "POST", "/api/v1/incidents", "writer",
		`{"page_id":"acme","title":"Slow checkout","body":"Deployed a fix.","status":"Fix deployed"}`)
	if code != http.StatusCreated {
		t.Fatalf("open with a custom status: status %d: %v", code, body)
	}
	if got := body["data"].(map[string]any)["custom_status"]; got != "Fix deployed" {
		t.Errorf("v1 custom_status = %v, want Fix deployed", got)
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v2/incidents.json", nil))
	if !strings.Contains(rec.Body.String(), `"status":"monitoring"`) || strings.Contains(rec.Body.String(), "Fix deployed") {
		t.Errorf("v2 shows %s, want the standard status monitoring and not the custom name", rec.Body)
	}
	if code, body := s.req(t, "POST", "/api/v1/incidents", "writer",
		`{"page_id":"acme","title":"x","body":"y","status":"Fixed maybe"}`); code != http.StatusUnprocessableEntity {
		t.Errorf("open with an unknown status: status %d, want 422: %v", code, body)
	}
}
