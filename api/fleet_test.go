package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/fleet"
)

// fleetFixture is a registry as the API's clock (start) finds it:
//   - eu-west: agent-eu-1 live, its clock 120 ms ahead; agent-eu-2 silent
//     for 2 minutes, its clock 1.5 s behind;
//   - us-east: agent-us-1 heard only through results, 10 s ago;
//   - ap-south: Agent-AP.1 (a host name) with a 30 s interval, heard 40 s
//     ago: live; spooling;
//   - sa-east: agent-sa-1 silent for 31 s, 3 intervals and more: not live.
func fleetFixture(t *testing.T) *fleet.Registry {
	t.Helper()
	reg, err := fleet.NewRegistry(fleet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	observe := func(hb fleet.Heartbeat, received time.Time, offset time.Duration) {
		t.Helper()
		hb.Sent = received.Add(offset)
		if err := reg.Observe(hb, received); err != nil {
			t.Fatal(err)
		}
	}
	ago := func(d time.Duration) time.Time { return start.Add(-d) }
	observe(fleet.Heartbeat{AgentID: "agent-eu-1", Region: "eu-west", Version: "0.4.0", ChecksRunning: 12, QueueDepth: 3},
		ago(5*time.Second), 120*time.Millisecond)
	observe(fleet.Heartbeat{AgentID: "agent-eu-2", Region: "eu-west", Version: "0.3.9", ChecksRunning: 12},
		ago(2*time.Minute), -1500*time.Millisecond)
	reg.ObserveResults("us-east", "agent-us-1", ago(10*time.Second))
	observe(fleet.Heartbeat{AgentID: "Agent-AP.1", Region: "ap-south", Version: "0.4.0", ChecksRunning: 8,
		SpoolDepth: 5, SpoolBytes: 2048, Interval: 30 * time.Second}, ago(40*time.Second), 0)
	observe(fleet.Heartbeat{AgentID: "agent-sa-1", Region: "sa-east", Version: "0.4.0", ChecksRunning: 8},
		ago(31*time.Second), 0)
	return reg
}

func TestFleetGolden(t *testing.T) {
	s := newServerWith(t, api.Options{Store: fixture(), Fleet: fleetFixture(t)})
	tests := []struct{ name, target string }{
		{"v1_agents", "/api/v1/agents"},
		{"v1_agents_page_2", "/api/v1/agents?page=2&per_page=2"},
		{"v1_agents_region", "/api/v1/agents?region=eu-west"},
		{"v1_regions", "/api/v1/regions"},
		{"v1_regions_page_2", "/api/v1/regions?page=2&per_page=3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, tt.target)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
			}
			golden(t, tt.name, body)
		})
	}
}

func TestFleetLists(t *testing.T) {
	tests := []struct {
		name, target string
		noFleet      bool
		wantIDs      string
		wantTotal    int
	}{
		{name: "agents sorted by region, then id", target: "/api/v1/agents", wantIDs: "Agent-AP.1 agent-eu-1 agent-eu-2 agent-sa-1 agent-us-1", wantTotal: 5},
		{name: "regions sorted", target: "/api/v1/regions", wantIDs: "ap-south eu-west sa-east us-east", wantTotal: 4},
		{name: "a region without agents", target: "/api/v1/agents?region=nowhere", wantIDs: "", wantTotal: 0},
		{name: "past the last page", target: "/api/v1/regions?page=3&per_page=2", wantIDs: "", wantTotal: 4},
		{name: "no fleet: no agents", target: "/api/v1/agents", noFleet: true, wantIDs: "", wantTotal: 0},
		{name: "no fleet: no regions", target: "/api/v1/regions", noFleet: true, wantIDs: "", wantTotal: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := api.Options{Store: fixture()}
			if !tt.noFleet {
				opts.Fleet = fleetFixture(t)
			}
			resp, body := newServerWith(t, opts).do(t, http.MethodGet, tt.target)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			got := decode[listBody](t, body)
			var ids []string
			for _, d := range got.Data {
				ids = append(ids, d.ID)
			}
			if joined := strings.Join(ids, " "); joined != tt.wantIDs {
				t.Errorf("ids %q, want %q", joined, tt.wantIDs)
			}
			if got.Data == nil {
				t.Error("data is null, want a list")
			}
			if got.Meta.Total != tt.wantTotal {
				t.Errorf("meta.total %d, want %d", got.Meta.Total, tt.wantTotal)
			}
		})
	}
}

func TestFleetErrors(t *testing.T) {
	tests := []struct {
		name, target string
		wantFields   map[string]string
	}{
		{name: "bad region", target: "/api/v1/agents?region=EU%20West",
			wantFields: map[string]string{"region": "must be a region ID: 1-63 lower-case letters, digits, '.', '_' or '-'"}},
		{name: "bad region and page", target: "/api/v1/agents?region=%00&page=0",
			wantFields: map[string]string{"region": "must be a region ID: 1-63 lower-case letters, digits, '.', '_' or '-'", "page": "must be a positive integer"}},
		{name: "regions per_page too large", target: "/api/v1/regions?per_page=1000",
			wantFields: map[string]string{"per_page": "must be an integer between 1 and 100"}},
	}
	s := newServerWith(t, api.Options{Store: fixture(), Fleet: fleetFixture(t)})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, tt.target)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", resp.StatusCode, body)
			}
			got := decode[errBody](t, body)
			if got.Error.Code != "invalid" || !mapsEqual(got.Error.Fields, tt.wantFields) {
				t.Errorf("error %+v, want invalid with fields %v", got.Error, tt.wantFields)
			}
		})
	}
}

// FuzzAgentsQuery sends arbitrary query strings to /api/v1/agents: the
// answer is a page of agents or a 422 naming the bad fields, never
// anything else.
func FuzzAgentsQuery(f *testing.F) {
	for _, q := range []string{"", "region=eu-west", "page=2&per_page=2", "region=EU", "region=%ff", "per_page=-1&region="} {
		f.Add(q)
	}
	reg, err := fleet.NewRegistry(fleet.Options{})
	if err != nil {
		f.Fatal(err)
	}
	reg.ObserveResults("eu-west", "agent-1", start)
	s := newServerWith(f, api.Options{Store: fixture(), Fleet: reg})
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/agents", nil)
		req.Header.Set("Authorization", "Bearer "+readKey)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			if body := decode[listBody](t, rec.Body.Bytes()); len(body.Data) > 1 {
				t.Fatalf("query %q: %d agents, the fleet has 1", query, len(body.Data))
			}
		case http.StatusUnprocessableEntity:
			if body := decode[errBody](t, rec.Body.Bytes()); len(body.Error.Fields) == 0 {
				t.Fatalf("query %q: 422 without field errors: %s", query, rec.Body)
			}
		default:
			t.Fatalf("query %q: status %d, want 200 or 422: %s", query, rec.Code, rec.Body)
		}
	})
}
