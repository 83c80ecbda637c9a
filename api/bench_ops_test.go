package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkOperatorsReads answers, over a SQLite store holding a page of
// 500 components with a check each, the reads bench-api measures.
func BenchmarkOperatorsReads(b *testing.B) {
	s := newOpsServer(b, 0)
	if code, body := s.req(b, "POST", "/api/v1/pages", "writer", `{"id":"bench","name":"Bench"}`); code != 201 {
		b.Fatalf("create page: %d %v", code, body)
	}
	for i := range 500 {
		id := fmt.Sprintf("c%04d", i)
		if code, body := s.req(b, "POST", "/api/v1/components", "writer",
			fmt.Sprintf(`{"id":%q,"name":"C","page_id":"bench","position":%d}`, id, i+1)); code != 201 {
			b.Fatalf("create component: %d %v", code, body)
		}
		if code, body := s.req(b, "POST", "/api/v1/checks", "writer",
			fmt.Sprintf(`{"id":"%s-tcp","component_id":%q,"interval":"10m","tcp":{"address":"127.0.0.1:9"}}`, id, id)); code != 201 {
			b.Fatalf("create check: %d %v", code, body)
		}
	}
	for _, bb := range []struct{ name, target string }{
		{"list_components", "/api/v1/components?page_id=bench&per_page=100"},
		{"get_component", "/api/v1/components/c0000"},
		{"component_checks", "/api/v1/checks?component_id=c0000"},
		{"list_audit", "/api/v1/audit"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, bb.target, nil)
				r.Header.Set("Authorization", "Bearer reader")
				rec := httptest.NewRecorder()
				s.handler.ServeHTTP(rec, r)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
