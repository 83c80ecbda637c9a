package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
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

// countingStore is a SQL store that counts its day-bucket reads.
type countingStore struct {
	*sqlstore.Store
	reads atomic.Int64
}

func (s *countingStore) DayBuckets(ctx context.Context, ids []string, from, to uptime.Day) ([]uptime.Bucket, error) {
	s.reads.Add(1)
	return s.Store.DayBuckets(ctx, ids, from, to)
}

func (s *countingStore) DayBucketsIn(ctx context.Context, ids []string, spans [][2]uptime.Day) ([]uptime.Bucket, error) {
	s.reads.Add(1)
	return s.Store.DayBucketsIn(ctx, ids, spans)
}

// TestMetricsKeepClosedDays: a second measure of a component reads no day
// bucket from the store (its closed days are kept, api/daycache), yet the
// cursor's day, not closed at the first read, is read once it closes: an
// outage on that day, written when the day ended, counts.
func TestMetricsKeepClosedDays(t *testing.T) {
	ctx := t.Context()
	st, err := sqlstore.Open(ctx, sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := &countingStore{Store: st}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if err := s.SyncCatalog(ctx, catalog.Catalog{Pages: []catalog.Page{{ID: "main", Name: "Main", TimeZone: "Etc/UTC"}},
		Components: []catalog.Component{{ID: "a", PageID: "main", Name: "A"}, {ID: "b", PageID: "main", Name: "B", Position: 1}}}, start); err != nil {
		t.Fatal(err)
	}
	// The probes' history of a, written as the evaluator writes it: the
	// buckets of the days each step closes and the cursor, step by step.
	// b has the same history as a.
	curs := map[string]*uptime.Cursor{"a": {}, "b": {}}
	seq := int64(0)
	step := func(at time.Time, class uptime.Class) {
		t.Helper()
		seq++
		ch := health.Changes{}
		for _, id := range []string{"a", "b"} {
			cur := curs[id]
			for _, b := range cur.Move(id, at, class, time.UTC, uptime.DefaultWeights()) {
				ch.Buckets = append(ch.Buckets, health.DayBucket{Bucket: b, Seq: seq})
			}
			ch.Components = append(ch.Components, health.ComponentState{ComponentID: id, Status: status.Operational, Uptime: *cur, Seq: seq})
		}
		if err := s.ApplyChanges(ctx, ch, nil); err != nil {
			t.Fatal(err)
		}
	}
	step(start, uptime.Operational)
	step(time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC), uptime.Major)
	step(time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC), uptime.Operational)
	var now atomic.Pointer[time.Time]
	setNow := func(t time.Time) { now.Store(&t) }
	setNow(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	var reg *prometheus.Registry
	newAPI := func() *api.API {
		t.Helper()
		reg = prometheus.NewRegistry()
		a, err := api.New(api.Options{Store: s, Keys: testKeyAuth{}, Registerer: reg,
			Clock: func() time.Time { return *now.Load() }})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := newAPI()
	warmReg := reg
	getOf := func(a *api.API, id, end string) []byte {
		t.Helper()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet,
			"/api/v1/components/"+id+"/metrics?include_calculation=true&timeframe_start=2026-11-01&timeframe_end="+end, nil)
		req.Header.Set("Authorization", "Bearer reader")
		a.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("metrics: %d %s", rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	get := func(a *api.API, end string) []byte { return getOf(a, "a", end) }
	// impact measures with a and checks the answer equals a cold one's,
	// from an API that kept nothing.
	impact := func(end string) float64 {
		t.Helper()
		body := get(a, end)
		if cold := get(newAPI(), end); string(body) != string(cold) {
			t.Errorf("to %s: the answer with kept days differs from a cold one:\n got %s\nwant %s", end, body, cold)
		}
		return decode[struct {
			Data struct {
				Impact struct{ Seconds float64 } `json:"total_impact_time"`
			} `json:"calculation_data_in_timeframe"`
		}](t, body).Data.Impact.Seconds
	}
	if got := impact("2026-11-23"); got != 7200 {
		t.Fatalf("first measure: impact %v s, want 7200", got)
	}
	reads := s.reads.Load()
	get(a, "2026-11-23")
	if got := s.reads.Load() - reads; got != 0 {
		t.Errorf("a second measure read day buckets %d times, want 0: closed days are kept", got)
	}
	if got := counterValue(t, warmReg, "statusd_api_day_bucket_reads_total", "from", "memory"); got != 2 {
		t.Errorf("components taken from memory: %v, want 2 (the first measure, after its sweep, and the second)", got)
	}
	if got, want := string(getOf(a, "b", "2026-11-23")), string(getOf(newAPI(), "b", "2026-11-23")); got != want {
		t.Errorf("b from kept days differs from a cold answer:\n got %s\nwant %s", got, want)
	}
	if got := s.reads.Load() - reads; got != 1 { // the cold API's read
		t.Errorf("measuring b read day buckets %d times, want 1 (the cold API's): a's first measure swept b's days", got)
	}

	// An outage late on the 23rd, the cursor's day at the first reads;
	// the 23rd closes when the 24th begins.
	step(time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC), uptime.Major)
	step(time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC), uptime.Operational)
	step(time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC), uptime.Operational)
	setNow(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	if got := impact("2026-11-23"); got != 7200+3600 {
		t.Errorf("after the 23rd closed: impact %v s, want %d (its outage counts)", got, 7200+3600)
	}
}

// counterValue is the value of the counter name{label=value} gathered
// from reg, 0 when it has none.
func counterValue(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if mf.GetName() == name && lp.GetName() == label && lp.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
