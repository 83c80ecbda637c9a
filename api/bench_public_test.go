package api_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/uptime"
)

// benchPage is the page make bench-page measures, with history: two
// groups of eight components, four loose ones (22 in all), tracked since
// 1 September, each with an hour's major outage on a day of its own, and
// one open incident on the last.
func benchPage() *versionedStore {
	s := &fakeStore{pages: []catalog.Page{{ID: "bench", Name: "Page benchmark", URL: "/", TimeZone: "Europe/Berlin"}}}
	add := func(c catalog.Component) {
		s.comps = append(s.comps, c)
		if !c.IsGroup {
			s.states = append(s.states, health.ComponentState{ComponentID: c.ID, Status: status.Operational,
				Since: day(1, 0, 0), UpdatedAt: day(1, 0, 0)})
		}
	}
	for g := range 2 {
		gid := fmt.Sprintf("group-%d", g)
		add(catalog.Component{ID: gid, PageID: "bench", IsGroup: true, Name: fmt.Sprintf("Group %d", g),
			Description: "A group of eight.", Position: g * 10})
		for c := range 8 {
			add(catalog.Component{ID: fmt.Sprintf("g%d-c%d", g, c), PageID: "bench", GroupID: gid,
				Name: fmt.Sprintf("Service %d.%d", g, c), Description: "One of the group's services.", Position: g*10 + c + 1})
		}
	}
	for c := range 3 {
		add(catalog.Component{ID: fmt.Sprintf("loose-%d", c), PageID: "bench", Name: fmt.Sprintf("Loose %d", c), Position: 100 + c})
	}
	add(catalog.Component{ID: "legacy", PageID: "bench", Name: "Legacy billing", Description: "Always down.", Position: 200})
	for i, c := range s.comps {
		if c.IsGroup {
			continue
		}
		out := time.Date(2026, 9, 1+i*3, 10, 0, 0, 0, time.UTC)
		history{{time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), uptime.Operational}, {out, uptime.Major},
			{out.Add(time.Hour), uptime.Operational}, {at(0), uptime.Operational}}.play(s, c.ID)
	}
	s.incidents = []incident.Incident{{ID: 1, PageID: "bench", Name: "Legacy billing is down", Status: incident.Investigating,
		Impact: incident.ImpactMajor, Automatic: true, ComponentIDs: []string{"legacy"}, CreatedAt: at(-30), UpdatedAt: at(-30),
		Updates: []incident.Update{{ID: 1, Status: incident.Investigating, Body: "legacy-http fails in local.", CreatedAt: at(-30)}}}}
	return &versionedStore{fakeStore: s}
}

// benchPublic answers target through the whole gin engine, as a spike
// meets it: every answer after the first from the snapshot's memo, in
// parallel, without Accept-Encoding (as make bench-page asks).
func benchPublic(b *testing.B, target string) {
	a, err := api.New(api.Options{Store: benchPage(), Registerer: prometheus.NewRegistry(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: func() time.Time { return start }})
	if err != nil {
		b.Fatal(err)
	}
	h := a.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	size := rec.Body.Len()
	b.ReportAllocs()
	b.ResetTimer()
	defer func() { b.ReportMetric(float64(size), "body-bytes") }()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Host = "127.0.0.1:8080"
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

// BenchmarkPublicSummary is summary.json of the bench page.
func BenchmarkPublicSummary(b *testing.B) { benchPublic(b, "/api/v2/summary.json") }

// BenchmarkPublicHTML is the HTML page of the bench page.
func BenchmarkPublicHTML(b *testing.B) { benchPublic(b, "/") }
