package aggregator

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/uptime"
)

// exactSLO is the objective of c0 in the exactness scenario.
var exactSLO = catalog.SLO{Target: 99.9, WindowDays: 30}

// served is what the metrics endpoint answers of one component, in the
// units it answers in.
type served struct {
	UptimeMilli, MTTR, MTBF        *int64 // thousandths of a percent; seconds
	Impact, NoData, Outages        int64  // seconds, seconds, count
	SLOUptime, SLOAllowed, SLOLeft *int64 // thousandths of a percent; seconds
	FrozenNote                     bool   // the notes say closed months were served frozen
}

func (s served) String() string {
	v := func(p *int64) string {
		if p == nil {
			return "null"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("uptime %s MTTR %s MTBF %s impact %d no data %d outages %d SLO uptime %s allowed %s left %s",
		v(s.UptimeMilli), v(s.MTTR), v(s.MTBF), s.Impact, s.NoData, s.Outages, v(s.SLOUptime), v(s.SLOAllowed), v(s.SLOLeft))
}

// bruteServed is what the endpoint must answer for a component over the
// days from..to at now, from the brute-force day totals: the formulas of
// uptime.Compute and of the SLO budget, applied to them.
func bruteServed(days map[uptime.Day]uptime.Totals, slo catalog.SLO, from, to uptime.Day, loc *time.Location, now time.Time) served {
	figures := func(from, to uptime.Day) (uptime.Figures, uptime.Totals) {
		var tot uptime.Totals
		for d, t := range days {
			if d >= from && d <= to {
				tot.Add(t)
			}
		}
		start, end := from.Start(loc), to.Next().Start(loc)
		if now.Before(end) {
			end = now
		}
		total := end.Sub(start).Milliseconds()
		return uptime.Compute(uptime.Summary{Totals: tot, Total: total, Untracked: max(0, total-tot.Observed)}), tot
	}
	f, tot := figures(from, to)
	sec := func(p *int64) *int64 {
		if p == nil {
			return nil
		}
		s := *p / 1000
		return &s
	}
	out := served{UptimeMilli: f.UptimeMilli, MTTR: sec(f.MTTR), MTBF: sec(f.MTBF), Impact: tot.Impact / 1000,
		NoData: f.NoData / 1000, Outages: int64(tot.Outages)}
	if slo.Set() {
		today := uptime.DayOf(now, loc)
		w, wt := figures(today.AddDays(-(slo.WindowDays - 1)), today)
		allowed := int64(math.Floor((1 - slo.Target/100) * float64(w.Available)))
		a, l := allowed/1000, (allowed-wt.Impact)/1000
		out.SLOUptime, out.SLOAllowed, out.SLOLeft = w.UptimeMilli, &a, &l
	}
	return out
}

// fetchServed asks the endpoint for a component's figures over from..to.
func fetchServed(t *testing.T, h http.Handler, id string, from, to uptime.Day) served {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/v1/components/%s/metrics?include_calculation=true&timeframe_start=%s&timeframe_end=%s",
		id, from, to), nil)
	req.Header.Set("Authorization", "Bearer reader")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics of %s: %d %s", id, rec.Code, rec.Body)
	}
	type secs struct{ Seconds int64 }
	var b struct {
		Uptime struct{ Percent *float64 } `json:"percentage_uptime"`
		MTTR   struct{ Seconds *int64 }   `json:"mean_time_to_recovery"`
		MTBF   struct{ Seconds *int64 }   `json:"mean_time_between_failures"`
		SLO    *struct {
			Uptime struct{ Percent *float64 } `json:"percentage_uptime"`
			Budget struct {
				Allowed int64 `json:"allowed_seconds"`
				Left    int64 `json:"left_seconds"`
			} `json:"error_budget"`
		} `json:"slo"`
		Data struct {
			Impact  secs                  `json:"total_impact_time"`
			NoData  secs                  `json:"no_data_time"`
			Outages struct{ Count int64 } `json:"outages"`
			Notes   []string              `json:"notes"`
		} `json:"calculation_data_in_timeframe"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	milli := func(p *float64) *int64 {
		if p == nil {
			return nil
		}
		v := int64(math.Round(*p * 1000))
		return &v
	}
	s := served{UptimeMilli: milli(b.Uptime.Percent), MTTR: b.MTTR.Seconds, MTBF: b.MTBF.Seconds,
		Impact: b.Data.Impact.Seconds, NoData: b.Data.NoData.Seconds, Outages: b.Data.Outages.Count}
	if b.SLO != nil {
		a, l := b.SLO.Budget.Allowed, b.SLO.Budget.Left
		s.SLOUptime, s.SLOAllowed, s.SLOLeft = milli(b.SLO.Uptime.Percent), &a, &l
	}
	for _, n := range b.Data.Notes {
		s.FrozenNote = s.FrozenNote || strings.HasPrefix(n, "Closed months served as they were frozen")
	}
	return s
}

// checkServed compares the metrics endpoint's figures of every component
// over the scenario's days, and c0's SLO, with the brute force: from the
// day buckets, then with the closed months frozen by the aggregator's
// freeze, each twice on one API (the second time from the frozen months it
// keeps in memory) and once on a new API.
func checkServed(t *testing.T, st exactStores, want map[string]map[uptime.Day]uptime.Totals, loc *time.Location) {
	t.Helper()
	newAPI := func() http.Handler {
		a, err := api.New(api.Options{Store: st.entities, Registerer: prometheus.NewRegistry(),
			Clock: func() time.Time { return exactEnd }, Keys: readerKeys{}})
		if err != nil {
			t.Fatal(err)
		}
		return a.Handler()
	}
	from, to := uptime.DayOf(exactStart, loc), uptime.DayOf(exactEnd, loc)
	cat := exactCatalog()
	check := func(stage string, h http.Handler, frozen bool) {
		t.Helper()
		for _, c := range cat.Components {
			got := fetchServed(t, h, c.ID, from, to)
			w := bruteServed(want[c.ID], c.SLO, from, to, loc, exactEnd)
			w.FrozenNote = frozen
			if got.String() != w.String() || got.FrozenNote != frozen {
				t.Errorf("%s, %s:\n served %s (frozen months %v)\n  brute %s (frozen months %v)", stage, c.ID, got, got.FrozenNote, w, frozen)
			}
		}
	}
	h := newAPI()
	check("from day buckets", h, false)
	check("from day buckets, again", h, false)
	freezer, err := New(Options{Source: noSource{}, Results: st.results, State: st.entities,
		Lock:    func(context.Context, string, []int) (Lock, error) { return nil, nil },
		Catalog: func(context.Context) (catalog.Catalog, error) { return cat, nil },
		Months:  st.entities, MonthInputs: st.entities, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	freezer.eval.SetCatalog(cat)
	var ids []string
	for _, c := range cat.Components {
		ids = append(ids, c.ID)
	}
	if err := freezer.freezeMonths(t.Context(), ids, exactEnd); err != nil {
		t.Fatal(err)
	}
	ms, err := st.entities.FrozenMonths(t.Context(), ids, uptime.MonthOf(from), uptime.MonthOf(to))
	if err != nil || len(ms) != 2*len(ids) {
		t.Fatalf("frozen months %+v, %v; want September and October of each component", ms, err)
	}
	check("with frozen months, on the API that read them unfrozen", h, true)
	check("with frozen months, kept in memory", h, true)
	check("with frozen months, on a new API", newAPI(), true)
}
