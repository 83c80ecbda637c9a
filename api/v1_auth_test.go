package api_test

import (
	"net/http"
	"slices"
	"testing"
)

// TestV1ReadsNeedAKey: the live view under /api/v1 (components with raw
// probe errors, metrics, agents and regions) answers only API keys, and a
// key for one page sees only that page; openapi.json stays open.
func TestV1ReadsNeedAKey(t *testing.T) {
	s := newOpsServer(t, 0)
	for _, w := range []struct{ method, target, body string }{
		{"POST", "/api/v1/pages", `{"id":"beta","name":"Beta"}`},
		{"POST", "/api/v1/components", `{"id":"shared","name":"Shared","pages":[{"page_id":"acme","position":2},{"page_id":"beta","position":1}]}`},
		{"POST", "/api/v1/components", `{"id":"solo","name":"Solo","page_id":"acme","position":3}`},
	} {
		if code, body := s.req(t, w.method, w.target, "writer", w.body); code != http.StatusCreated {
			t.Fatalf("%s %s: %d %v", w.method, w.target, code, body)
		}
	}
	routes := []string{"/api/v1/components", "/api/v1/components/web", "/api/v1/components/web/metrics",
		"/api/v1/agents", "/api/v1/regions"}
	for _, target := range routes {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			if resp, body := s.doAs(t, "", method, target); resp.StatusCode != http.StatusUnauthorized ||
				resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s without a key: status %d, WWW-Authenticate %q: %s", method, target,
					resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
			}
			if resp, body := s.doAs(t, "nobody", method, target); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s with an unknown key: status %d: %s", method, target, resp.StatusCode, body)
			}
			if resp, body := s.doAs(t, "reader", method, target); resp.StatusCode != http.StatusOK {
				t.Errorf("%s %s with a read key: status %d: %s", method, target, resp.StatusCode, body)
			}
		}
	}
	if resp, body := s.doAs(t, "", http.MethodGet, "/api/v1/openapi.json"); resp.StatusCode != http.StatusOK {
		t.Errorf("openapi.json without a key: status %d: %s", resp.StatusCode, body)
	}

	tests := []struct {
		name, key, target string
		want              int
		ids               []string // of a 200 list
	}{
		{"global key lists every page", "reader", "/api/v1/components", 200, []string{"web", "shared", "solo"}},
		{"page key lists its page", "beta", "/api/v1/components", 200, []string{"shared"}},
		{"page key names its page", "beta", "/api/v1/components?page_id=beta", 200, []string{"shared"}},
		{"page key names another page", "beta", "/api/v1/components?page_id=acme", 403, nil},
		{"page key, invalid page_id first", "beta", "/api/v1/components?page_id=Bad!", 422, nil},
		{"component on its page and another", "beta", "/api/v1/components/shared", 200, nil},
		{"component on another page", "beta", "/api/v1/components/solo", 403, nil},
		{"unknown component", "beta", "/api/v1/components/nope", 404, nil},
		{"metrics of a component on its page", "beta", "/api/v1/components/shared/metrics", 200, nil},
		{"metrics of a component on another page", "beta", "/api/v1/components/web/metrics", 403, nil},
		{"metrics of an unknown component", "beta", "/api/v1/components/nope/metrics", 404, nil},
		{"agents need a global key", "beta", "/api/v1/agents", 403, nil},
		{"regions need a global key", "beta", "/api/v1/regions", 403, nil},
		{"a write key reads", "writer", "/api/v1/components/solo", 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.doAs(t, tt.key, http.MethodGet, tt.target)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.want, body)
			}
			if tt.want == http.StatusForbidden {
				if e := decode[errBody](t, body); e.Error.Code != "forbidden" {
					t.Errorf("code %q, want forbidden: %s", e.Error.Code, body)
				}
			}
			if tt.ids == nil {
				return
			}
			var ids []string
			for _, c := range decode[listBody](t, body).Data {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("ids %v, want %v", ids, tt.ids)
			}
		})
	}
}
