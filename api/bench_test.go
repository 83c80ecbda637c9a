package api_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// BenchmarkSummary answers summary.json for a page of 50 components: five
// groups of eight, five loose components, and three open incidents.
func BenchmarkSummary(b *testing.B) {
	store := &fakeStore{pages: []catalog.Page{{ID: "main", Name: "Main", URL: "https://status.example.test", TimeZone: "Europe/Berlin"}}}
	for g := range 5 {
		gid := fmt.Sprintf("group-%d", g)
		store.comps = append(store.comps, catalog.Component{ID: gid, PageID: "main", IsGroup: true, Name: gid, Position: g * 10})
		for c := range 8 {
			id := fmt.Sprintf("%s-c%d", gid, c)
			store.comps = append(store.comps, catalog.Component{ID: id, PageID: "main", GroupID: gid, Name: id,
				Description: "A component of " + gid, Position: g*10 + c + 1})
			store.states = append(store.states, health.ComponentState{ComponentID: id,
				Status: status.All[(g+c)%len(status.All)], Since: at(c), UpdatedAt: at(c + 1), FailingRegions: []string{"eu", "us"}})
		}
	}
	for c := range 5 {
		store.comps = append(store.comps, catalog.Component{ID: fmt.Sprintf("loose-%d", c), PageID: "main", Position: 100 + c})
	}
	for i := range 3 {
		store.incidents = append(store.incidents, incident.Incident{ID: int64(i + 1), PageID: "main", Name: "Outage",
			Status: incident.Investigating, Impact: incident.ImpactMajor, ComponentIDs: []string{fmt.Sprintf("group-%d-c0", i)},
			CreatedAt: at(i), UpdatedAt: at(i + 1), Updates: []incident.Update{
				{ID: int64(10*i + 2), Status: incident.Identified, Body: "Found it.", CreatedAt: at(i + 1)},
				{ID: int64(10*i + 1), Status: incident.Investigating, Body: "Looking into it.", CreatedAt: at(i)},
			}})
	}
	if len(store.comps) != 50 {
		b.Fatalf("%d components, want 50", len(store.comps))
	}
	a, err := api.New(api.Options{Store: store, Registerer: prometheus.NewRegistry(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}) // info level, as in production
	if err != nil {
		b.Fatal(err)
	}
	h := a.Handler()
	req := httptest.NewRequest(http.MethodGet, "/api/v2/summary.json", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkSummaryCached answers summary.json as a spike meets it: the
// store versions what it holds, so every answer after the first comes
// from the snapshot's memo. Parallel, as 256 connections would be.
func BenchmarkSummaryCached(b *testing.B) {
	store := &versionedStore{fakeStore: fixture()}
	a, err := api.New(api.Options{Store: store, Registerer: prometheus.NewRegistry(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	h := a.Handler()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, "/api/v2/summary.json", nil)
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			w.code = 0
			h.ServeHTTP(w, req)
			if w.code != http.StatusOK {
				b.Fatalf("status %d", w.code)
			}
		}
	})
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}
