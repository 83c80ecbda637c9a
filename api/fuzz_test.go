package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzComponentsQuery sends arbitrary query strings to /api/v1/components:
// the answer is never a server error, always JSON, and either a page of
// components or a 422 naming the bad fields. Seeds: testdata/fuzz/.
func FuzzComponentsQuery(f *testing.F) {
	s := newServer(f, fixture(), nil)
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/components", nil)
		req.Header.Set("Authorization", "Bearer "+readKey)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("query %q: status %d, want 200 or 422: %s", query, rec.Code, rec.Body)
		}
		var body struct {
			Data  []json.RawMessage `json:"data"`
			Error struct {
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("query %q: body is not JSON: %v: %s", query, err, rec.Body)
		}
		if rec.Code == http.StatusUnprocessableEntity && len(body.Error.Fields) == 0 {
			t.Fatalf("query %q: 422 without field errors: %s", query, rec.Body)
		}
		if rec.Code == http.StatusOK && len(body.Data) > 100 {
			t.Fatalf("query %q: %d components on one page", query, len(body.Data))
		}
	})
}
