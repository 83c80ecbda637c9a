package aggregator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/store/sqlstore"
	"github.com/statusd/statusd/uptime"
)

// freezeCatalog is one component on a page in Berlin, whose March 2026
// has a change to summer time.
func freezeCatalog() catalog.Catalog {
	return catalog.Catalog{Pages: []catalog.Page{{ID: "main", Name: "Main", TimeZone: "Europe/Berlin"}},
		Components: []catalog.Component{{ID: "c0", PageID: "main", Name: "API"}}}
}

type noSource struct{}

func (noSource) Claim(ctx context.Context) (Claim, error) { <-ctx.Done(); return nil, ctx.Err() }

func newFreezer(t *testing.T, s *sqlstore.Store, reg *prometheus.Registry) *Aggregator {
	t.Helper()
	a, err := New(Options{Source: noSource{}, Results: s, State: s,
		Lock:    func(context.Context, string, []int) (Lock, error) { return nil, nil },
		Catalog: func(context.Context) (catalog.Catalog, error) { return freezeCatalog(), nil },
		Months:  s, MonthInputs: s, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	a.eval.SetCatalog(freezeCatalog())
	return a
}

// metricsOf asks the API for the component's figures over a timeframe at now.
func metricsOf(t *testing.T, s *sqlstore.Store, now time.Time, from, to string) map[string]any {
	t.Helper()
	h, err := api.New(api.Options{Store: s, Registerer: prometheus.NewRegistry(), Clock: func() time.Time { return now },
		Keys: readerKeys{}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet,
		"/api/v1/components/c0/metrics?include_calculation=true&timeframe_start="+from+"&timeframe_end="+to, nil)
	req.Header.Set("Authorization", "Bearer reader")
	h.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics %s..%s: %d %s", from, to, rec.Code, rec.Body)
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	return body
}

// readerKeys knows one global read key, "reader".
type readerKeys struct{}

func (readerKeys) Authenticate(_ context.Context, secret string) (auth.Principal, error) {
	if secret != "reader" {
		return auth.Principal{}, auth.ErrUnauthenticated
	}
	return auth.Principal{Kind: auth.KindKey, ID: "k_reader", Scope: auth.ScopeRead}, nil
}

func figure(body map[string]any, key, field string) any { return body[key].(map[string]any)[field] }

// TestFrozenMonthIgnoresLateChanges freezes March once it is over plus
// the grace, then changes one of its day buckets as a late result would:
// the endpoint keeps serving March as frozen, the mismatch is counted once
// (by this aggregator and by a second one), and a timeframe that covers
// March only in part shows the change.
func TestFrozenMonthIgnoresLateChanges(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlstore.Open(t.Context(), sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	ctx := t.Context()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.SyncCatalog(ctx, freezeCatalog(), time.Date(2026, 2, 1, 0, 0, 0, 0, loc)); err != nil {
		t.Fatal(err)
	}
	// Up from 1 March, a major outage on 10 March 08:00-18:00, up again;
	// a tick on 2 April closes March's last day.
	var cur uptime.Cursor
	days := map[uptime.Day]uptime.Bucket{}
	for _, st := range []struct {
		at    time.Time
		class uptime.Class
	}{{time.Date(2026, 3, 1, 0, 0, 0, 0, loc), uptime.Operational}, {time.Date(2026, 3, 10, 8, 0, 0, 0, loc), uptime.Major},
		{time.Date(2026, 3, 10, 18, 0, 0, 0, loc), uptime.Operational}, {time.Date(2026, 4, 2, 0, 0, 0, 0, loc), uptime.Operational}} {
		for _, b := range cur.Move("c0", st.at, st.class, loc, uptime.DefaultWeights()) {
			days[b.Day] = b
		}
	}
	write := func(seq int64, bs ...uptime.Bucket) {
		t.Helper()
		ch := health.Changes{Components: []health.ComponentState{{ComponentID: "c0", Status: status.Operational,
			Uptime: cur, Seq: seq}}}
		for _, b := range bs {
			ch.Buckets = append(ch.Buckets, health.DayBucket{Bucket: b, Seq: seq})
		}
		if err := s.ApplyChanges(ctx, ch, nil); err != nil {
			t.Fatal(err)
		}
	}
	var all []uptime.Bucket
	for _, b := range days {
		all = append(all, b)
	}
	write(1, all...)

	reg := prometheus.NewRegistry()
	a := newFreezer(t, s, reg)
	april := time.Date(2026, 4, 1, 0, 0, 0, 0, loc)
	frozenOf := func() []uptime.FrozenMonth {
		t.Helper()
		ms, err := s.FrozenMonths(ctx, []string{"c0"}, 202501, 202612)
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}
	if err := a.freezeMonths(ctx, []string{"c0"}, april.Add(DefaultMonthFreezeGrace-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ms := frozenOf(); len(ms) != 0 {
		t.Fatalf("froze %v within the grace period", ms)
	}
	now := april.Add(DefaultMonthFreezeGrace + time.Minute)
	if err := a.freezeMonths(ctx, []string{"c0"}, now); err != nil {
		t.Fatal(err)
	}
	ms := frozenOf()
	if len(ms) != 1 || ms[0].Month != 202603 || ms[0].Major != 10*3600_000 || ms[0].Outages != 1 ||
		ms[0].Observed != (31*24-1)*3600_000 {
		t.Fatalf("frozen months %+v, want March with 10 h of major outage in one outage over 743 h", ms)
	}
	before := metricsOf(t, s, now, "2026-03-01", "2026-03-31")
	partBefore := metricsOf(t, s, now, "2026-03-02", "2026-03-31")

	// A late result: 15 March had 2 hours of major outage after all.
	write(2, uptime.Bucket{ComponentID: "c0", Day: 20260315, Totals: uptime.Totals{Major: 2 * 3600_000,
		Observed: 24 * 3600_000, Impact: 2 * 3600_000, Outages: 1}})
	second := newFreezer(t, s, prometheus.NewRegistry())
	for i, at := range []time.Time{now.Add(time.Hour), now.Add(2 * time.Hour)} {
		if err := a.freezeMonths(ctx, []string{"c0"}, at); err != nil {
			t.Fatal(err)
		}
		if err := second.freezeMonths(ctx, []string{"c0"}, at); err != nil {
			t.Fatal(err)
		}
		if n := testutil.ToFloat64(a.m.frozenMismatches) + testutil.ToFloat64(second.m.frozenMismatches); n != 1 {
			t.Fatalf("pass %d: %v mismatches counted, want 1", i+1, n)
		}
	}
	if got := testutil.ToFloat64(a.m.frozenMonths) + testutil.ToFloat64(second.m.frozenMonths); got != 1 {
		t.Errorf("%v months frozen by the two aggregators, want 1", got)
	}
	if got := frozenOf(); len(got) != 1 || got[0] != ms[0] {
		t.Fatalf("frozen months after the change %+v, want %+v", got, ms)
	}
	after := metricsOf(t, s, now.Add(2*time.Hour), "2026-03-01", "2026-03-31")
	for _, key := range []string{"percentage_uptime", "mean_time_to_recovery", "mean_time_between_failures"} {
		b, _ := json.Marshal(before[key])
		g, _ := json.Marshal(after[key])
		if string(b) != string(g) {
			t.Errorf("%s of the frozen March changed: %s, was %s", key, g, b)
		}
	}
	if p := figure(after, "percentage_uptime", "percent"); p != 98.654 {
		t.Errorf("March uptime %v, want 98.654 (10 h of 743 h)", p)
	}
	partAfter := metricsOf(t, s, now.Add(2*time.Hour), "2026-03-02", "2026-03-31")
	if figure(partAfter, "percentage_uptime", "percent") == figure(partBefore, "percentage_uptime", "percent") {
		t.Errorf("a timeframe over part of March did not show the changed bucket: uptime %v",
			figure(partAfter, "percentage_uptime", "percent"))
	}
}

func TestFreezeDuePacesThePasses(t *testing.T) {
	a := &Aggregator{opts: Options{Months: (*sqlstore.Store)(nil), MonthInputs: (*sqlstore.Store)(nil)}}
	o := &owned{compOf: map[string]int{}}
	for i := range freezeChunk + 50 {
		o.compOf[fmt.Sprintf("c%03d", i)] = 0
	}
	t0 := time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		at   time.Time
		want int
	}{
		{"a pass starts with a full chunk", t0, freezeChunk},
		{"and goes on with the rest", t0.Add(time.Second), 50},
		{"then waits for the interval", t0.Add(2 * time.Second), 0},
		{"and starts again after it", t0.Add(freezeInterval), freezeChunk},
	}
	for _, tc := range cases {
		if got := len(a.freezeDue(o, tc.at)); got != tc.want {
			t.Fatalf("%s: %d components, want %d", tc.name, got, tc.want)
		}
	}
}
