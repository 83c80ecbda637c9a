package api_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/store/sqlstore"
	"github.com/statusd/statusd/uptime"
)

// trackFrom stores a cursor for id that is operational from `from` to now
// with a major outage at major (2 h), and its day buckets.
func trackFrom(t *testing.T, s *sqlstore.Store, id string, from, major, now time.Time) ([]uptime.Bucket, uptime.Cursor) {
	t.Helper()
	var cur uptime.Cursor
	days := map[uptime.Day]uptime.Bucket{}
	steps := []struct {
		at    time.Time
		class uptime.Class
	}{{from, uptime.Operational}, {now, uptime.Operational}}
	if !major.IsZero() {
		steps = slices.Insert(steps, 1, struct {
			at    time.Time
			class uptime.Class
		}{major, uptime.Major}, struct {
			at    time.Time
			class uptime.Class
		}{major.Add(2 * time.Hour), uptime.Operational})
	}
	for _, st := range steps {
		for _, b := range cur.Move(id, st.at, st.class, time.UTC, uptime.DefaultWeights()) {
			days[b.Day] = b
		}
	}
	ch := health.Changes{Components: []health.ComponentState{{ComponentID: id, Status: status.Operational, Uptime: cur, Seq: 1}}}
	var bs []uptime.Bucket
	for _, b := range days {
		ch.Buckets = append(ch.Buckets, health.DayBucket{Bucket: b, Seq: 1})
		bs = append(bs, b)
	}
	if err := s.ApplyChanges(t.Context(), ch, nil); err != nil {
		t.Fatal(err)
	}
	return bs, cur
}

// TestMetricsFrozenMonthsOfARemadeComponent keeps a component's frozen
// September in memory, then deletes the component (its months and buckets
// go with it) and makes it again under the same ID: the new one is served
// its own history, none of the kept months. On the way, b, whose
// September is not frozen, is read after a's: the guess that September is
// frozen for b too is wrong, and b's September is read from its buckets.
func TestMetricsFrozenMonthsOfARemadeComponent(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s, err := sqlstore.Open(ctx, sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	page := catalog.Page{ID: "main", Name: "Main", TimeZone: "Etc/UTC"}
	withA := catalog.Catalog{Pages: []catalog.Page{page}, Components: []catalog.Component{
		{ID: "a", PageID: "main", Name: "A"}, {ID: "b", PageID: "main", Name: "B", Position: 1}}}
	if err := s.SyncCatalog(ctx, withA, now.AddDate(0, -4, 0)); err != nil {
		t.Fatal(err)
	}
	trackFrom(t, s, "b", time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 9, 20, 8, 0, 0, 0, time.UTC), now)
	bs, cur := trackFrom(t, s, "a", time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 9, 10, 8, 0, 0, 0, time.UTC), now)
	var months []uptime.FrozenMonth
	for _, m := range []uptime.Month{202609, 202610} {
		tot, ok := uptime.Freeze(bs, cur, m, now, time.UTC, uptime.DefaultWeights())
		if !ok {
			t.Fatalf("cannot freeze %s", m)
		}
		months = append(months, uptime.FrozenMonth{ComponentID: "a", Month: m, Totals: tot, FrozenAt: now})
	}
	if _, err := s.FreezeMonths(ctx, months); err != nil {
		t.Fatal(err)
	}
	a, err := api.New(api.Options{Store: s, Keys: testKeyAuth{}, Registerer: prometheus.NewRegistry(),
		Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	get := func(id string) (impact float64, frozen bool) {
		t.Helper()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet,
			"/api/v1/components/"+id+"/metrics?include_calculation=true&timeframe_start=2026-09-01&timeframe_end=2026-10-31", nil)
		req.Header.Set("Authorization", "Bearer reader")
		a.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("metrics: %d %s", rec.Code, rec.Body)
		}
		body := decode[struct {
			Data struct {
				Impact struct{ Seconds float64 } `json:"total_impact_time"`
				Notes  []string                  `json:"notes"`
			} `json:"calculation_data_in_timeframe"`
		}](t, rec.Body.Bytes())
		return body.Data.Impact.Seconds, slices.ContainsFunc(body.Data.Notes, func(n string) bool {
			return strings.HasPrefix(n, "Closed months served as they were frozen")
		})
	}
	for i := range 2 { // read from the store, then kept
		if impact, frozen := get("a"); impact != 7200 || !frozen {
			t.Fatalf("read %d: impact %v s, frozen %v; want the 2 h outage of the frozen September", i, impact, frozen)
		}
	}
	if impact, frozen := get("b"); impact != 7200 || frozen {
		t.Fatalf("b: impact %v s, frozen %v; want the 2 h outage of its September's buckets", impact, frozen)
	}
	// Deleted and made again at once, so that no read sees it gone.
	withoutA := catalog.Catalog{Pages: withA.Pages, Components: withA.Components[1:]}
	if err := s.SyncCatalog(ctx, withoutA, now); err != nil {
		t.Fatal(err)
	}
	if err := s.SyncCatalog(ctx, withA, now); err != nil {
		t.Fatal(err)
	}
	trackFrom(t, s, "a", now.Add(-time.Hour), time.Time{}, now)
	if impact, frozen := get("a"); impact != 0 || frozen {
		t.Fatalf("the remade component: impact %v s, frozen months %v; want neither", impact, frozen)
	}
}
