package api_test

import (
	"net/http"
	"slices"
	"testing"
)

func TestComponentsOfAPage(t *testing.T) {
	s := newServer(t, fixture(), nil)
	tests := []struct {
		name, target string
		want         []string
		total        int
	}{
		{"beta", "/api/v1/components?page_id=beta", []string{"app"}, 1},
		{"acme, paged", "/api/v1/components?page_id=acme&per_page=2&page=2", []string{"web", "db"}, 5},
		{"unknown page", "/api/v1/components?page_id=nope", []string{}, 0},
		{"every page", "/api/v1/components?per_page=100", []string{"app", "core", "api", "web", "db", "cdn"}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, tt.target)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			got := decode[struct {
				Data []struct {
					ID     string  `json:"id"`
					Status *string `json:"status"`
				} `json:"data"`
				Meta struct {
					TotalCount int `json:"total_count"`
				} `json:"meta"`
			}](t, body)
			ids := []string{}
			for _, c := range got.Data {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, tt.want) || got.Meta.TotalCount != tt.total {
				t.Errorf("ids %v total %d, want %v total %d", ids, got.Meta.TotalCount, tt.want, tt.total)
			}
		})
	}
	resp, body := s.do(t, http.MethodGet, "/api/v1/components?page_id=Bad!")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad page_id: status %d: %s", resp.StatusCode, body)
	}
}
