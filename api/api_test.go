package api_test

import (
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/api/statuspage"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
)

func TestGolden(t *testing.T) {
	tests := []struct {
		name, target string
	}{
		{"v2_summary", "/api/v2/summary.json"},
		{"v2_status", "/api/v2/status.json"},
		{"v2_components", "/api/v2/components.json"},
		{"v2_incidents", "/api/v2/incidents.json"},
		{"v2_incidents_unresolved", "/api/v2/incidents/unresolved.json"},
		{"v2_beta_summary", "/pages/beta/api/v2/summary.json"},
		{"v2_beta_status_by_query", "/api/v2/status.json?page=beta"},
		{"v1_components", "/api/v1/components"},
		{"v1_components_page_2", "/api/v1/components?page=2&per_page=4"},
		{"v1_component_group", "/api/v1/components/core"},
		{"v1_component_api", "/api/v1/components/api"},
	}
	s := newServer(t, fixture(), nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, tt.target)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			golden(t, tt.name, body)
		})
	}
}

func TestRollup(t *testing.T) {
	// One group "g" with children "a" and "b", a nested group "n" inside
	// "g" holding "c", and a lone component "x".
	comps := []catalog.Component{
		{ID: "g", PageID: "p", IsGroup: true, Position: 1},
		{ID: "a", PageID: "p", GroupID: "g", Position: 2},
		{ID: "b", PageID: "p", GroupID: "g", Position: 3},
		{ID: "n", PageID: "p", GroupID: "g", IsGroup: true, Position: 4},
		{ID: "c", PageID: "p", GroupID: "n", Position: 5},
		{ID: "x", PageID: "p", Position: 6},
	}
	st := func(id string, s status.Status) health.ComponentState {
		return health.ComponentState{ComponentID: id, Status: s, Since: t0, UpdatedAt: t0}
	}
	tests := []struct {
		name          string
		states        []health.ComponentState
		want          map[string]status.Status // components not listed must be operational
		wantIndicator status.Indicator
		wantDesc      string
	}{
		{name: "no states is all operational (components without checks)", wantIndicator: status.IndicatorNone, wantDesc: "All Systems Operational"},
		{name: "no verdict yet is no data, not operational", states: []health.ComponentState{
			{ComponentID: "a", Status: status.Operational, NoData: true}, {ComponentID: "b", Status: status.Operational, NoData: true},
			{ComponentID: "c", Status: status.Operational, NoData: true}, {ComponentID: "x", Status: status.Operational, NoData: true}},
			wantIndicator: status.IndicatorNone, wantDesc: "No data yet"},
		{name: "components without data do not count", states: []health.ComponentState{
			{ComponentID: "a", Status: status.MajorOutage, NoData: true}, st("b", status.DegradedPerformance)},
			want:          map[string]status.Status{"b": status.DegradedPerformance, "g": status.DegradedPerformance},
			wantIndicator: status.IndicatorMinor, wantDesc: "Minor Service Outage"},
		{name: "explicit operational states", states: []health.ComponentState{st("a", status.Operational), st("x", status.Operational)},
			wantIndicator: status.IndicatorNone, wantDesc: "All Systems Operational"},
		{name: "a child's major outage marks its group", states: []health.ComponentState{st("a", status.MajorOutage)},
			want:          map[string]status.Status{"a": status.MajorOutage, "g": status.MajorOutage},
			wantIndicator: status.IndicatorCritical, wantDesc: "Major System Outage"},
		{name: "group takes the worst child", states: []health.ComponentState{st("a", status.DegradedPerformance), st("b", status.PartialOutage)},
			want:          map[string]status.Status{"a": status.DegradedPerformance, "b": status.PartialOutage, "g": status.PartialOutage},
			wantIndicator: status.IndicatorMajor, wantDesc: "Partial System Outage"},
		{name: "nested group rolls up twice", states: []health.ComponentState{st("c", status.DegradedPerformance)},
			want:          map[string]status.Status{"c": status.DegradedPerformance, "n": status.DegradedPerformance, "g": status.DegradedPerformance},
			wantIndicator: status.IndicatorMinor, wantDesc: "Minor Service Outage"},
		{name: "maintenance only", states: []health.ComponentState{st("x", status.UnderMaintenance)},
			want:          map[string]status.Status{"x": status.UnderMaintenance},
			wantIndicator: status.IndicatorMaintenance, wantDesc: "Service Under Maintenance"},
		{name: "outage outranks maintenance", states: []health.ComponentState{st("x", status.UnderMaintenance), st("b", status.MajorOutage)},
			want:          map[string]status.Status{"x": status.UnderMaintenance, "b": status.MajorOutage, "g": status.MajorOutage},
			wantIndicator: status.IndicatorCritical, wantDesc: "Major System Outage"},
		{name: "group's own state counts", states: []health.ComponentState{st("g", status.UnderMaintenance)},
			want:          map[string]status.Status{"g": status.UnderMaintenance},
			wantIndicator: status.IndicatorMaintenance, wantDesc: "Service Under Maintenance"},
		{name: "recovered children leave the group operational", states: []health.ComponentState{st("a", status.Operational), st("b", status.Operational), st("c", status.Operational)},
			wantIndicator: status.IndicatorNone, wantDesc: "All Systems Operational"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &fakeStore{pages: []catalog.Page{{ID: "p", Name: "P"}}, comps: comps, states: tt.states}
			resp, body := newServer(t, store, nil).do(t, http.MethodGet, "/api/v2/summary.json")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			sum := decode[statuspage.Summary](t, body)
			if len(sum.Components) != len(comps) {
				t.Fatalf("%d components, want %d", len(sum.Components), len(comps))
			}
			for _, c := range sum.Components {
				want := cmp.Or(tt.want[c.ID], status.Operational)
				if c.Status != want {
					t.Errorf("component %s is %s, want %s", c.ID, c.Status, want)
				}
			}
			if sum.Status.Indicator != tt.wantIndicator || sum.Status.Description != tt.wantDesc {
				t.Errorf("status %+v, want %s %q", sum.Status, tt.wantIndicator, tt.wantDesc)
			}
		})
	}
}

type listBody struct {
	Data []struct {
		ID string `json:"id"`
	} `json:"data"`
	Meta struct {
		Page       int `json:"page"`
		PerPage    int `json:"per_page"`
		Total      int `json:"total"`
		TotalPages int `json:"total_pages"`
	} `json:"meta"`
}

func TestPagination(t *testing.T) {
	// The fixture's six components in store order (position, then ID): app, core, api, web, db, cdn.
	tests := []struct {
		name                  string
		query                 string
		wantIDs               string
		page, perPage, nPages int
	}{
		{name: "defaults", query: "", wantIDs: "app core api web db cdn", page: 1, perPage: 25, nPages: 1},
		{name: "empty values are defaults", query: "page=&per_page=", wantIDs: "app core api web db cdn", page: 1, perPage: 25, nPages: 1},
		{name: "first of three", query: "per_page=2", wantIDs: "app core", page: 1, perPage: 2, nPages: 3},
		{name: "last full page", query: "page=3&per_page=2", wantIDs: "db cdn", page: 3, perPage: 2, nPages: 3},
		{name: "short last page", query: "page=2&per_page=4", wantIDs: "db cdn", page: 2, perPage: 4, nPages: 2},
		{name: "past the end is empty", query: "page=4&per_page=2", wantIDs: "", page: 4, perPage: 2, nPages: 3},
		{name: "far past the end is empty", query: "page=9223372036854775807&per_page=100", wantIDs: "", page: 9223372036854775807, perPage: 100, nPages: 1},
		{name: "maximum per_page", query: "per_page=100", wantIDs: "app core api web db cdn", page: 1, perPage: 100, nPages: 1},
		{name: "one per page", query: "page=6&per_page=1", wantIDs: "cdn", page: 6, perPage: 1, nPages: 6},
		{name: "unknown parameters are ignored", query: "sort=name&page=1", wantIDs: "app core api web db cdn", page: 1, perPage: 25, nPages: 1},
	}
	s := newServer(t, fixture(), nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, "/api/v1/components?"+tt.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			got := decode[listBody](t, body)
			var ids []string
			for _, d := range got.Data {
				ids = append(ids, d.ID)
			}
			if strings.Join(ids, " ") != tt.wantIDs {
				t.Errorf("ids %q, want %q", strings.Join(ids, " "), tt.wantIDs)
			}
			if got.Data == nil {
				t.Errorf("data is null, want a list")
			}
			m := got.Meta
			if m.Page != tt.page || m.PerPage != tt.perPage || m.Total != 6 || m.TotalPages != tt.nPages {
				t.Errorf("meta %+v, want page %d per_page %d total 6 total_pages %d", m, tt.page, tt.perPage, tt.nPages)
			}
		})
	}
}

type errBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

func TestErrors(t *testing.T) {
	const perPageMsg = "must be an integer between 1 and 100"
	const pageMsg = "must be a positive integer"
	tests := []struct {
		name, method, target string
		store                *fakeStore
		wantStatus           int
		wantCode, wantMsg    string
		wantFields           map[string]string
		wantAllow            string
	}{
		{name: "per_page zero", target: "/api/v1/components?per_page=0", wantStatus: 422, wantCode: "invalid",
			wantFields: map[string]string{"per_page": perPageMsg}},
		{name: "per_page too large", target: "/api/v1/components?per_page=101", wantStatus: 422, wantCode: "invalid",
			wantFields: map[string]string{"per_page": perPageMsg}},
		{name: "per_page not a number", target: "/api/v1/components?per_page=ten", wantStatus: 422, wantCode: "invalid",
			wantFields: map[string]string{"per_page": perPageMsg}},
		{name: "per_page overflows", target: "/api/v1/components?per_page=99999999999999999999", wantStatus: 422, wantCode: "invalid",
			wantFields: map[string]string{"per_page": perPageMsg}},
		{name: "page zero", target: "/api/v1/components?page=0", wantStatus: 422, wantCode: "invalid",
			wantFields: map[string]string{"page": pageMsg}},
		{name: "page negative", target: "/api/v1/components?page=-1", wantStatus: 422, wantCode: "invalid",
			wantFields: map[string]string{"page": pageMsg}},
		{name: "page fractional", target: "/api/v1/components?page=1.5", wantStatus: 422, wantCode: "invalid",
			wantFields: map[string]string{"page": pageMsg}},
		{name: "both invalid", target: "/api/v1/components?page=x&per_page=-5", wantStatus: 422, wantCode: "invalid",
			wantFields: map[string]string{"page": pageMsg, "per_page": perPageMsg}},
		{name: "unknown component", target: "/api/v1/components/nope", wantStatus: 404, wantCode: "not_found",
			wantMsg: `component "nope" not found`},
		{name: "unknown page by query", target: "/api/v2/summary.json?page=nope", wantStatus: 404, wantCode: "not_found",
			wantMsg: `page "nope" not found`},
		{name: "unknown page by path", target: "/pages/nope/api/v2/components.json", wantStatus: 404, wantCode: "not_found",
			wantMsg: `page "nope" not found`},
		{name: "no pages at all", target: "/api/v2/status.json", store: &fakeStore{}, wantStatus: 404, wantCode: "not_found",
			wantMsg: "no status page is configured"},
		{name: "unknown route", target: "/api/v3/everything", wantStatus: 404, wantCode: "not_found",
			wantMsg: "no route for /api/v3/everything"},
		{name: "unknown v2 document", target: "/api/v2/nothing.json", wantStatus: 404, wantCode: "not_found"},
		{name: "POST to a v2 document", method: http.MethodPost, target: "/api/v2/summary.json", wantStatus: 405,
			wantCode: "method_not_allowed", wantMsg: "method POST is not allowed here", wantAllow: "GET, HEAD, OPTIONS"},
		{name: "DELETE a component", method: http.MethodDelete, target: "/api/v1/components/api", wantStatus: 405,
			wantCode: "method_not_allowed", wantAllow: "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := tt.store
			if store == nil {
				store = fixture()
			}
			method := cmp.Or(tt.method, http.MethodGet)
			resp, body := newServer(t, store, nil).do(t, method, tt.target)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			got := decode[errBody](t, body)
			if got.Error.Code != tt.wantCode {
				t.Errorf("code %q, want %q", got.Error.Code, tt.wantCode)
			}
			if tt.wantMsg != "" && got.Error.Message != tt.wantMsg {
				t.Errorf("message %q, want %q", got.Error.Message, tt.wantMsg)
			}
			if got.Error.Message == "" {
				t.Errorf("empty message")
			}
			if tt.wantFields != nil && !mapsEqual(got.Error.Fields, tt.wantFields) {
				t.Errorf("fields %v, want %v", got.Error.Fields, tt.wantFields)
			}
			if allow := resp.Header.Get("Allow"); allow != tt.wantAllow {
				t.Errorf("Allow %q, want %q", allow, tt.wantAllow)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

var dataRoutes = []string{
	"/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json",
	"/api/v2/incidents.json", "/api/v2/incidents/unresolved.json",
	"/pages/acme/api/v2/summary.json", "/api/v1/components", "/api/v1/components/api",
}

func TestStoreFailureLeaksNothing(t *testing.T) {
	for _, target := range dataRoutes {
		t.Run(target, func(t *testing.T) {
			store := fixture()
			store.fail = errSecret
			s := newServer(t, store, nil)
			resp, body := s.do(t, http.MethodGet, target)
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503: %s", resp.StatusCode, body)
			}
			if got := decode[errBody](t, body); got.Error.Code != "unavailable" {
				t.Errorf("code %q, want unavailable", got.Error.Code)
			}
			for _, secret := range []string{"statusd-secret", "10.0.0.7", "pq:", "password"} {
				if strings.Contains(string(body), secret) {
					t.Errorf("body leaks %q: %s", secret, body)
				}
			}
			if resp.Header.Get("Retry-After") == "" {
				t.Errorf("no Retry-After")
			}
			if !strings.Contains(s.log.String(), "statusd-secret") {
				t.Errorf("store error not logged; log:\n%s", s.log)
			}
		})
	}
}

func TestPanicIsA500(t *testing.T) {
	for _, target := range dataRoutes {
		t.Run(target, func(t *testing.T) {
			store := fixture()
			store.panicMsg = "nil map in secret-module.go:42"
			s := newServer(t, store, nil)
			resp, body := s.do(t, http.MethodGet, target)
			if resp.StatusCode != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500: %s", resp.StatusCode, body)
			}
			got := decode[errBody](t, body)
			if got.Error.Code != "internal" || strings.Contains(string(body), "secret-module") {
				t.Errorf("body %s, want a generic internal error", body)
			}
			if log := s.log.String(); !strings.Contains(log, "secret-module.go:42") || !strings.Contains(log, "stack=") {
				t.Errorf("panic not logged with its stack; log:\n%s", log)
			}
		})
	}
}

func TestProbes(t *testing.T) {
	ready := false
	s := newServer(t, fixture(), func() bool { return ready })
	tests := []struct {
		name, target string
		ready        bool
		wantStatus   int
		wantBody     string
	}{
		{name: "healthz", target: "/healthz", wantStatus: 200, wantBody: `{"status":"ok","version":"1.2.3"}`},
		{name: "readyz not ready", target: "/readyz", wantStatus: 503, wantBody: `{"status":"not ready"}`},
		{name: "readyz ready", target: "/readyz", ready: true, wantStatus: 200, wantBody: `{"status":"ready"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ready = tt.ready
			resp, body := s.do(t, http.MethodGet, tt.target)
			if resp.StatusCode != tt.wantStatus || string(body) != tt.wantBody {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	s := newServer(t, fixture(), nil)
	for _, target := range []string{"/api/v2/summary.json", "/api/v2/summary.json", "/api/v1/components?per_page=0", "/wp-admin/x.php", "/pages/beta/api/v2/status.json"} {
		s.do(t, http.MethodGet, target)
	}
	tests := []struct {
		route, code string
		want        float64
	}{
		{"/api/v2/summary.json", "200", 2},
		{"/api/v1/components", "422", 1},
		{"unmatched", "404", 1},
		{"/pages/:page_id/api/v2/status.json", "200", 1},
	}
	for _, tt := range tests {
		got := counter(t, s, tt.route, tt.code)
		if got != tt.want {
			t.Errorf("statusd_http_requests_total{route=%q,code=%q} = %v, want %v", tt.route, tt.code, got, tt.want)
		}
	}
	resp, body := s.do(t, http.MethodGet, "/metrics")
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics status %d", resp.StatusCode)
	}
	for _, want := range []string{
		`statusd_http_requests_total{code="200",route="/api/v2/summary.json"} 2`,
		`statusd_http_request_duration_seconds_count{route="/api/v2/summary.json"} 2`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// counter reads one series of statusd_http_requests_total, 0 when absent.
func counter(t *testing.T, s server, route, code string) float64 {
	t.Helper()
	mfs, err := s.reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "statusd_http_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == route && labels["code"] == code {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    api.Options
		wantErr string
	}{
		{name: "no store", opts: api.Options{}, wantErr: "Store is required"},
		{name: "no registerer", opts: api.Options{Store: fixture()}, wantErr: "Registerer is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := api.New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	t.Run("metrics registered twice", func(t *testing.T) {
		s := newServer(t, fixture(), nil)
		_, err := api.New(api.Options{Store: fixture(), Registerer: s.reg})
		if err == nil || !strings.Contains(err.Error(), "register http metrics") {
			t.Errorf("err %v, want a registration error", err)
		}
	})
}

func TestHead(t *testing.T) {
	s := newServer(t, fixture(), nil)
	for _, target := range []string{"/healthz", "/api/v2/status.json"} {
		resp, _ := s.do(t, http.MethodHead, target)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s: status %d, want 200", target, resp.StatusCode)
		}
	}
}

func TestRealListener(t *testing.T) {
	srv := httptest.NewServer(newServer(t, fixture(), nil).handler)
	defer srv.Close()
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantBody           bool
	}{
		{name: "GET summary", method: http.MethodGet, path: "/api/v2/summary.json", wantStatus: 200, wantBody: true},
		{name: "HEAD summary has no body", method: http.MethodHead, path: "/api/v2/summary.json", wantStatus: 200},
		{name: "trailing slash is redirected and followed", method: http.MethodGet, path: "/api/v1/components/", wantStatus: 200, wantBody: true},
		{name: "empty page id in the path", method: http.MethodGet, path: "/pages//api/v2/status.json", wantStatus: 404, wantBody: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+readKey)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatalf("do: %v", err)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if err := resp.Body.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantBody != (len(body) > 0) {
				t.Errorf("body %q, want body: %v", body, tt.wantBody)
			}
			if tt.wantBody && !json.Valid(body) {
				t.Errorf("body is not JSON: %s", body)
			}
		})
	}
}

func TestNoRouteAnswersJSON(t *testing.T) {
	s := newServer(t, fixture(), nil)
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantLocation       string
	}{
		{"trailing slash, GET", http.MethodGet, "/api/v2/summary.json/", http.StatusMovedPermanently, "/api/v2/summary.json"},
		{"trailing slash keeps the query", http.MethodGet, "/api/v2/incidents.json/?limit=1", http.StatusMovedPermanently, "/api/v2/incidents.json?limit=1"},
		{"trailing slash, POST keeps its method", http.MethodPost, "/api/v1/pages/", http.StatusPermanentRedirect, "/api/v1/pages"},
		{"no redirect to another host", http.MethodGet, "//evil.example/", http.StatusNotFound, ""},
		{"unknown path", http.MethodGet, "/api/v1/nothing", http.StatusNotFound, ""},
		{"long path cut in the message", http.MethodGet, "/" + strings.Repeat("x", 5000), http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.handler.ServeHTTP(rec, httptest.NewRequest(tt.method, "http://statusd.test"+tt.path, nil))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if got := rec.Header().Get("Location"); got != tt.wantLocation {
				t.Errorf("Location %q, want %q", got, tt.wantLocation)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || !json.Valid(rec.Body.Bytes()) {
				t.Errorf("answer is not JSON: %q %q", ct, rec.Body)
			}
			if rec.Body.Len() > 500 {
				t.Errorf("answer of %d bytes: the path is not cut", rec.Body.Len())
			}
		})
	}
}
