package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/probes/tcpprobe"
	"github.com/statusd/statusd/store/sqlstore"
)

// testKeys are the principals the test key authenticator knows, by key.
var testKeys = map[string]auth.Principal{
	"writer": {Kind: auth.KindKey, ID: "k_writer", Scope: auth.ScopeWrite},
	"reader": {Kind: auth.KindKey, ID: "k_reader", Scope: auth.ScopeRead},
	"beta":   {Kind: auth.KindKey, ID: "k_beta", Scope: auth.ScopeWrite, PageID: "beta"},
}

// testKeyAuth stands in for the key store: it knows testKeys and answers
// auth.ErrUnauthenticated for any other key.
type testKeyAuth struct{}

func (testKeyAuth) Authenticate(_ context.Context, secret string) (auth.Principal, error) {
	if p, ok := testKeys[secret]; ok {
		return p, nil
	}
	return auth.Principal{}, auth.ErrUnauthenticated
}

// opsServer is the API over a fresh SQLite store holding the two pages of
// storeFixture, the "acme" one managed by a configuration file.
type opsServer struct {
	server
	store   *sqlstore.Store
	changes *atomic.Int64
}

const testConfigFile = "/etc/statusd/test.yaml"

func newOpsServer(t testing.TB, maxBody int64) opsServer {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	cat := catalog.Catalog{
		Pages:      []catalog.Page{{ID: "acme", Name: "Acme", TimeZone: "Etc/UTC"}},
		Components: []catalog.Component{{ID: "web", PageID: "acme", Name: "Web", Position: 1}},
		Checks: []catalog.Check{{ID: "web-tcp", ComponentID: "web", Type: catalog.TypeTCP, Interval: 30e9, Timeout: 5e9,
			FailureThreshold: 1, SuccessThreshold: 1, IncidentOn: "major"}},
	}
	cat.Checks[0].TCP = tcpSpec()
	cat.SetManaged(testConfigFile)
	if err := st.SyncCatalog(t.Context(), cat, start); err != nil {
		t.Fatal(err)
	}
	changes := &atomic.Int64{}
	s := newServerWith(t, api.Options{Store: st, Entities: st, Statuses: st, Incidents: st, Maintenances: st, Keys: testKeyAuth{}, RateLimit: 1e6, RateBurst: 1e9, // no 429 in these tests, fuzzing included
		MaxBodyBytes: maxBody, OnCatalogChange: func() { changes.Add(1) }})
	return opsServer{server: s, store: st, changes: changes}
}

// req answers one request with key and body.
func (s opsServer) req(t testing.TB, method, target, key, body string) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if key != "" {
		r.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, r)
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: body is not JSON: %v: %s", method, target, err, rec.Body)
		}
	}
	return rec.Code, out
}

func TestOperatorsRoutesNeedAnEntityStore(t *testing.T) {
	s := newServer(t, fixture(), nil)
	for _, r := range [][2]string{{"POST", "/api/v1/pages"}, {"GET", "/api/v1/checks"}, {"GET", "/api/v1/audit"},
		{"DELETE", "/api/v1/components/api"}} {
		resp, body := s.do(t, r[0], r[1])
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s without Options.Entities: status %d: %s", r[0], r[1], resp.StatusCode, body)
		}
	}
}

func TestOperatorsAPI(t *testing.T) {
	s := newOpsServer(t, 0)
	longID := strings.Repeat("x", 5000)
	tests := []struct {
		name, method, target, key, body string
		want                            int
		// check looks at the answer's JSON: a path of keys and its value.
		path  []string
		value any
	}{
		{"no key", "POST", "/api/v1/pages", "", `{}`, 401, nil, nil},
		{"read key cannot write", "POST", "/api/v1/pages", "reader", `{}`, 403, nil, nil},
		{"create page", "POST", "/api/v1/pages", "writer",
			`{"id":"ops","name":"<script>ops</script>","subdomain":"ops","password":"correct horse","private":true}`,
			201, []string{"data", "name"}, "<script>ops</script>"},
		{"password is never shown", "GET", "/api/v1/pages/ops", "reader", "", 200, []string{"data", "password_set"}, true},
		{"duplicate subdomain", "POST", "/api/v1/pages", "writer", `{"id":"ops2","name":"O","subdomain":"ops"}`,
			409, []string{"error", "code"}, "conflict"},
		{"duplicate id", "POST", "/api/v1/pages", "writer", `{"id":"ops","name":"O"}`, 409, nil, nil},
		{"invalid fields", "POST", "/api/v1/pages", "writer", `{"id":"Bad!","time_zone":"Mars/Base","branding":{"brand_color":"red"}}`,
			422, []string{"errors", "branding.brand_color"}, "must be a colour as #rrggbb, got \"red\""},
		{"wrong type names the field", "POST", "/api/v1/pages", "writer", `{"id":"x","name":"X","links":{"website":7}}`,
			422, []string{"errors", "links.website"}, "must be a string"},
		{"unknown field", "POST", "/api/v1/pages", "writer", `{"id":"x","name":"X","colour":"#fff"}`,
			422, []string{"errors", "colour"}, "is not a known field"},
		{"not JSON", "POST", "/api/v1/pages", "writer", `{"id":`, 422, []string{"errors", "body"}, "is not valid JSON"},
		{"patch page", "PATCH", "/api/v1/pages/ops", "writer", `{"name":"Ops"}`, 200, []string{"data", "subdomain"}, "ops"},
		{"managed page", "PATCH", "/api/v1/pages/acme", "writer", `{"name":"A"}`, 409, []string{"error", "message"},
			`page "acme": is managed by the configuration file ` + testConfigFile + `; change it there`},
		{"disable managed page", "POST", "/api/v1/pages/acme/disable", "writer", "", 200, []string{"data", "enabled"}, false},
		{"set alert", "PUT", "/api/v1/pages/acme/platform_alert", "writer", `{"title":"Heads up","message":"soon"}`,
			200, []string{"data", "platform_alert", "enabled"}, true},
		{"clear alert", "DELETE", "/api/v1/pages/acme/platform_alert", "writer", "", 204, nil, nil},
		{"page key elsewhere", "PATCH", "/api/v1/pages/ops", "beta", `{"name":"B"}`, 403, nil, nil},
		{"unknown page, long id cut", "GET", "/api/v1/pages/" + longID, "reader", "", 404, []string{"error", "message"},
			`page "` + strings.Repeat("x", 64) + `…" not found`},
		{"create component on two pages", "POST", "/api/v1/components", "writer",
			`{"id":"cdn","name":"CDN","pages":[{"page_id":"ops","position":1},{"page_id":"acme","position":5}],"start_date":"2025-01-02"}`,
			201, []string{"data", "page_id"}, "ops"},
		{"set an SLO, window by default", "PATCH", "/api/v1/components/cdn", "writer", `{"slo":{"target":99.9}}`,
			200, []string{"data", "slo", "window_days"}, float64(30)},
		{"SLO out of range", "PATCH", "/api/v1/components/cdn", "writer", `{"slo":{"target":100,"window_days":400}}`,
			422, []string{"errors", "slo.window_days"}, "must be between 1 and 365, got 400"},
		{"component in no group", "POST", "/api/v1/components", "writer", `{"id":"c2","name":"C","page_id":"ops","group_id":"web"}`,
			422, []string{"errors", "group_id"}, `component "web" is not a group`},
		{"create check", "POST", "/api/v1/checks", "writer",
			`{"id":"cdn-http","component_id":"cdn","interval":"15s","http":{"url":"https://cdn.test/","follow_redirects":false}}`,
			201, []string{"data", "version"}, float64(1)},
		{"check validated as the config is", "POST", "/api/v1/checks", "writer",
			`{"id":"bad","component_id":"cdn","interval":"15s","http":{"url":"ftp://x/","method":"BREW"}}`,
			422, []string{"errors", "http.method"}, `must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS; got "BREW"`},
		{"bad duration names the field", "POST", "/api/v1/checks", "writer",
			`{"id":"bad","component_id":"cdn","interval":"soon","tcp":{"address":"a:1"}}`,
			422, []string{"errors", "interval"}, `must be a duration such as "30s"`},
		{"patch check bumps version", "PATCH", "/api/v1/checks/cdn-http", "writer", `{"interval":"20s"}`,
			200, []string{"data", "version"}, float64(2)},
		{"managed check", "DELETE", "/api/v1/checks/web-tcp", "writer", "", 409, nil, nil},
		{"list checks", "GET", "/api/v1/checks?per_page=1", "reader", "", 200, []string{"meta", "next_page"}, float64(2)},
		{"delete check", "DELETE", "/api/v1/checks/cdn-http", "writer", "", 204, nil, nil},
		{"delete component", "DELETE", "/api/v1/components/cdn", "writer", "", 204, nil, nil},
		{"delete page", "DELETE", "/api/v1/pages/ops", "writer", "", 204, nil, nil},
		{"deleted page", "DELETE", "/api/v1/pages/ops", "writer", "", 404, nil, nil},
		{"audit filtered", "GET", "/api/v1/audit?entity=page:ops&principal=key:k_writer", "reader", "", 200,
			[]string{"meta", "total_count"}, float64(3)},
		{"audit since", "GET", "/api/v1/audit?since=yesterday", "reader", "", 422, []string{"errors", "since"},
			"must be a time as RFC 3339, e.g. 2025-03-01T12:00:00Z"},
		{"audit needs a global key", "GET", "/api/v1/audit", "beta", "", 403, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := s.req(t, tt.method, tt.target, tt.key, tt.body)
			if code != tt.want {
				t.Fatalf("status %d, want %d: %v", code, tt.want, body)
			}
			if tt.path == nil {
				return
			}
			var v any = body
			for _, k := range tt.path {
				m, _ := v.(map[string]any)
				v = m[k]
			}
			if v != tt.value {
				t.Errorf("%v = %#v, want %#v (body %v)", tt.path, v, tt.value, body)
			}
		})
	}
	if n := s.changes.Load(); n != 7 {
		t.Errorf("OnCatalogChange called %d times, want 7 (component, check and page deletion writes)", n)
	}
}

func TestBodyLimit(t *testing.T) {
	s := newOpsServer(t, 100)
	big := `{"id":"p","name":"` + strings.Repeat("a", 200) + `"}`
	code, body := s.req(t, "POST", "/api/v1/pages", "writer", big)
	if code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413: %v", code, body)
	}
	// Without a Content-Length the limit holds too.
	r := httptest.NewRequest("POST", "/api/v1/pages", struct{ *bytes.Reader }{bytes.NewReader([]byte(big))})
	r.ContentLength = -1
	r.Header.Set("Authorization", "Bearer writer")
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, r)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked: status %d, want 413: %s", rec.Code, rec.Body)
	}
}

func tcpSpec() *tcpprobe.Spec { return &tcpprobe.Spec{Address: "web.acme.test:443"} }
