package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/incident"
)

// peopleIncidents opens on the ops server a public incident with a custom
// status, component transitions, a private update and a postmortem, and a
// private incident; it returns the public incident's ID.
func peopleIncidents(t *testing.T, s opsServer) float64 {
	t.Helper()
	ctx := auth.WithPrincipal(t.Context(), auth.Principal{Kind: auth.KindCLI, ID: "test"})
	if err := s.store.SetIncidentStatuses(ctx, "acme", incident.Vocabulary{
		Custom: []incident.CustomStatus{{Name: "Fix deployed", Standard: incident.Monitoring}}}, start); err != nil {
		t.Fatal(err)
	}
	code, body := s.req(t, "POST", "/api/v1/incidents", "writer", `{"page_id":"acme","title":"Web slow","body":"Looking.",
		"impact":"minor","started_at":"`+start.Add(-20e9*60).Format("2006-01-02T15:04:05Z07:00")+`",
		"components":[{"component_id":"web","status":"degraded_performance"}],"notify":{"deliver":true,"custom_tweet":"Web slow"}}`)
	if code != http.StatusCreated {
		t.Fatalf("open: %d %v", code, body)
	}
	id := body["data"].(map[string]any)["id"].(float64)
	for _, r := range [][2]string{
		{"updates", `{"body":"Internal: the cache node died.","private":true}`},
		{"updates", `{"body":"A fix is out.","status":"fix deployed","components":[{"component_id":"web","status":"operational"}]}`},
		{"resolve", `{"body":"Fixed."}`},
		{"postmortem", `{"body":"A cache node failed."}`},
	} {
		if code, body := s.req(t, "POST", fmt.Sprintf("/api/v1/incidents/%.0f/%s", id, r[0]), "writer", r[1]); code != http.StatusOK {
			t.Fatalf("%s: %d %v", r[0], code, body)
		}
	}
	if code, body := s.req(t, "POST", "/api/v1/incidents", "writer",
		`{"page_id":"acme","title":"Secret migration","body":"Internal only.","private":true}`); code != http.StatusCreated {
		t.Fatalf("open private: %d %v", code, body)
	}
	return id
}

func get(t *testing.T, s opsServer, target string) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// TestV2IncidentsOfPeople: the v2 documents show people's incidents field
// for field as Statuspage does, custom statuses as their standard one, and
// never a private incident or update.
func TestV2IncidentsOfPeople(t *testing.T) {
	s := newOpsServer(t, 0)
	peopleIncidents(t, s)
	doc := get(t, s, "/api/v2/incidents.json?page=acme")
	golden(t, "v2_incidents_people", doc)
	for _, secret := range []string{"Internal", "Secret migration", "Fix deployed"} {
		if strings.Contains(string(doc), secret) {
			t.Errorf("incidents.json shows %q", secret)
		}
	}
	code, body := s.req(t, "GET", "/api/v1/incidents?page_id=acme", "reader", "")
	if code != http.StatusOK {
		t.Fatalf("v1 list: %d %v", code, body)
	}
	if n := len(body["data"].([]any)); n != 2 {
		t.Errorf("v1 lists %d incidents; want 2, the private one included", n)
	}
	golden(t, "v1_incidents_people", mustJSON(t, body))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIncidentsPageKey: a page key reads and acts on its page's incidents
// only.
func TestIncidentsPageKey(t *testing.T) {
	s := newOpsServer(t, 0)
	id := peopleIncidents(t, s)
	for _, r := range []struct {
		method, target, body string
		want                 int
	}{
		{"GET", "/api/v1/incidents?page_id=acme", "", http.StatusForbidden},
		{"GET", fmt.Sprintf("/api/v1/incidents/%.0f", id), "", http.StatusForbidden},
		{"POST", fmt.Sprintf("/api/v1/incidents/%.0f/reopen", id), `{}`, http.StatusNotFound},
		{"POST", "/api/v1/incidents", `{"page_id":"acme","title":"x"}`, http.StatusForbidden},
	} {
		if code, body := s.req(t, r.method, r.target, "beta", r.body); code != r.want {
			t.Errorf("%s %s with a beta key: %d, want %d: %v", r.method, r.target, code, r.want, body)
		}
	}
}
