package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
)

// TestOverrideHoldsAgainstTheProbes sets a person's status on a component
// whose probes report a major outage: v1 and v2 show the person's status
// (v1 with the probes' beside it) until it is cleared, and the history
// says who decided each change.
func TestOverrideHoldsAgainstTheProbes(t *testing.T) {
	s := newOpsServer(t, 0)
	down := health.ComponentState{ComponentID: "web", Status: status.MajorOutage, Since: start, UpdatedAt: start,
		Regions: []health.RegionView{}, Seq: 1}
	if err := s.store.ApplyChanges(t.Context(), health.Changes{Components: []health.ComponentState{down},
		Transitions: []health.Transition{{ComponentID: "web", To: status.MajorOutage, At: start}}}, nil); err != nil {
		t.Fatal(err)
	}
	shown := func(want, wantProbe, wantSource string) {
		t.Helper()
		code, body := s.req(t, "GET", "/api/v1/components/web", "reader", "")
		if code != http.StatusOK {
			t.Fatalf("v1 component: status %d: %v", code, body)
		}
		d := body["data"].(map[string]any)
		if d["status"] != want || d["probe_status"] != wantProbe || d["status_source"] != wantSource {
			t.Errorf("v1 shows status %v, probe_status %v, status_source %v; want %s, %s, %s",
				d["status"], d["probe_status"], d["status_source"], want, wantProbe, wantSource)
		}
		code, body = s.req(t, "GET", "/api/v2/components.json", "", "")
		if code != http.StatusOK {
			t.Fatalf("v2 components: status %d: %v", code, body)
		}
		if got := body["components"].([]any)[0].(map[string]any)["status"]; got != want {
			t.Errorf("v2 shows status %v, want %s", got, want)
		}
	}
	shown("major_outage", "major_outage", "probe")
	if code, body := s.req(t, "PUT", "/api/v1/components/web/override", "writer", `{"status":"operational"}`); code != http.StatusOK {
		t.Fatalf("set override: status %d: %v", code, body)
	}
	shown("operational", "major_outage", "override")
	if code, body := s.req(t, "DELETE", "/api/v1/components/web/override", "writer", ""); code != http.StatusNoContent {
		t.Fatalf("clear override: status %d: %v", code, body)
	}
	shown("major_outage", "major_outage", "probe")

	code, body := s.req(t, "GET", "/api/v1/components/web/history", "reader", "")
	if code != http.StatusOK {
		t.Fatalf("history: status %d: %v", code, body)
	}
	var got []string
	for _, e := range body["data"].([]any) {
		m := e.(map[string]any)
		got = append(got, fmt.Sprintf("%v>%v by %v", m["from"], m["to"], m["source"]))
	}
	want := []string{"operational>major_outage by probe", "major_outage>operational by override", "<nil>>major_outage by probe"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("history = %q, want %q", got, want)
	}
	if body["next_cursor"] != nil {
		t.Errorf("one page holds it all, but next_cursor = %v", body["next_cursor"])
	}
	code, body = s.req(t, "GET", "/api/v1/components/web/history?limit=2", "reader", "")
	cursor, _ := body["next_cursor"].(string)
	if code != http.StatusOK || cursor == "" {
		t.Fatalf("first page of 2: status %d, next_cursor %v", code, body["next_cursor"])
	}
	code, body = s.req(t, "GET", "/api/v1/components/web/history?limit=2&cursor="+cursor, "reader", "")
	if rest := body["data"].([]any); code != http.StatusOK || len(rest) != 1 || rest[0].(map[string]any)["from"] != nil {
		t.Errorf("second page: status %d, %v; want the first entry alone", code, body)
	}
}
