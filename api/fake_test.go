package api_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // goldens show New York times whatever the machine has

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/uptime"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fakeStore is an in-memory Store; fail makes every method fail with it,
// panicMsg makes every method panic with it.
type fakeStore struct {
	pages     []catalog.Page
	comps     []catalog.Component
	states    []health.ComponentState
	incidents []incident.Incident
	buckets   []uptime.Bucket
	fail      error
	panicMsg  string
}

func (s *fakeStore) check() error {
	if s.panicMsg != "" {
		panic(s.panicMsg)
	}
	return s.fail
}

func (s *fakeStore) Pages(context.Context) ([]catalog.Page, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	out := slices.Clone(s.pages)
	slices.SortFunc(out, func(a, b catalog.Page) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (s *fakeStore) Components(_ context.Context, pageID string) ([]catalog.Component, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var out []catalog.Component
	for _, c := range s.comps {
		if pageID == "" || c.PageID == pageID {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b catalog.Component) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (s *fakeStore) ComponentStates(context.Context) ([]health.ComponentState, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return slices.Clone(s.states), nil
}

func (s *fakeStore) ComponentStatesOf(_ context.Context, ids []string) ([]health.ComponentState, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var out []health.ComponentState
	for _, st := range s.states {
		if slices.Contains(ids, st.ComponentID) {
			out = append(out, st)
		}
	}
	return out, nil
}

func (s *fakeStore) Incidents(_ context.Context, pageID string, unresolvedOnly bool, limit int) ([]incident.Incident, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var out []incident.Incident
	for _, in := range s.incidents {
		if in.PageID == pageID && (!unresolvedOnly || in.Status.Open()) {
			out = append(out, in)
		}
	}
	slices.SortFunc(out, func(a, b incident.Incident) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out[:min(limit, len(out))], nil
}

func (s *fakeStore) DayBuckets(_ context.Context, ids []string, from, to uptime.Day) ([]uptime.Bucket, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var out []uptime.Bucket
	for _, b := range s.buckets {
		if slices.Contains(ids, b.ComponentID) && b.Day >= from && b.Day <= to {
			out = append(out, b)
		}
	}
	return out, nil
}

// history plays a component's classes of time into day buckets and the
// cursor, in UTC: each step switches to its class at its time.
type history []struct {
	at    time.Time
	class uptime.Class
}

func (h history) play(s *fakeStore, id string) {
	var cur uptime.Cursor
	last := map[uptime.Day]int{}
	for _, st := range h {
		for _, b := range cur.Move(id, st.at, st.class, time.UTC, uptime.DefaultWeights()) {
			if i, ok := last[b.Day]; ok {
				s.buckets[i] = b
				continue
			}
			last[b.Day] = len(s.buckets)
			s.buckets = append(s.buckets, b)
		}
	}
	for i := range s.states {
		if s.states[i].ComponentID == id {
			s.states[i].Uptime = cur
		}
	}
}

func day(d int, hour, minute int) time.Time {
	return time.Date(2026, 11, d, hour, minute, 0, 0, time.UTC)
}

// withHistory is the fixture with day buckets: api has been tracked since
// 1 November (two hours of major outage on the 10th, half an hour partial
// on the 20th, partial again since at(30)) and declares an SLO of 99.9 %
// over 30 days; web operational since the 15th, stale since at(-600).
func withHistory() *fakeStore {
	s := fixture()
	history{{day(1, 0, 0), uptime.Operational}, {day(10, 12, 0), uptime.Major}, {day(10, 14, 0), uptime.Operational},
		{day(20, 8, 0), uptime.Partial}, {day(20, 8, 30), uptime.Operational}, {at(30), uptime.Partial}}.play(s, "api")
	history{{day(15, 0, 0), uptime.Operational}, {at(-600), uptime.NoData}}.play(s, "web")
	for i := range s.comps {
		if s.comps[i].ID == "api" || s.comps[i].ID == "core" {
			s.comps[i].SLO = catalog.SLO{Target: 99.9, WindowDays: 30}
		}
	}
	return s
}

var (
	t0    = time.Date(2026, 11, 23, 10, 0, 0, 123e6, time.UTC)
	start = t0.Add(6 * time.Hour) // the API's origin in tests
)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// fixture is two pages: acme (UTC) with a group of two components, two
// more components and incidents; beta (New York) with one component.
func fixture() *fakeStore {
	return &fakeStore{
		pages: []catalog.Page{
			{ID: "beta", Name: "Beta", URL: "https://status.beta.test/", TimeZone: "America/New_York"},
			{ID: "acme", Name: "Acme", URL: "https://status.acme.test", TimeZone: "Etc/UTC"},
		},
		comps: []catalog.Component{
			{ID: "core", PageID: "acme", IsGroup: true, Name: "Core", Position: 1},
			{ID: "api", PageID: "acme", GroupID: "core", Name: "API", Description: "Public REST API", Position: 2},
			{ID: "web", PageID: "acme", GroupID: "core", Name: "Website", Position: 3},
			{ID: "db", PageID: "acme", Name: "Database", Position: 4},
			{ID: "cdn", PageID: "acme", Name: "CDN", Position: 5},
			{ID: "app", PageID: "beta", Name: "App", Position: 1},
		},
		states: []health.ComponentState{
			{ComponentID: "api", Status: status.PartialOutage, Since: at(30), UpdatedAt: at(35), FailingRegions: []string{"us-east"},
				Regions: []health.RegionView{
					{Region: "eu-west", Voting: true, Since: at(-10)},
					{Region: "us-east", Voting: true, Failing: true, Since: at(30), ErrorClass: result.ErrTimeout,
						LastError: "dial tcp 10.0.0.7:443: i/o timeout"},
					{Region: "ap-south"},
				}},
			{ComponentID: "web", Status: status.Operational, Stale: true, Since: at(-600), UpdatedAt: at(-600)},
			{ComponentID: "cdn", Status: status.Operational, NoData: true, UpdatedAt: at(-5)},
			{ComponentID: "db", Status: status.DegradedPerformance, Since: at(40), UpdatedAt: at(40)},
			{ComponentID: "app", Status: status.Operational, Since: at(-60), UpdatedAt: at(-60)},
		},
		incidents: []incident.Incident{
			{ID: 7, PageID: "acme", Name: "API unreachable from us-east", Status: incident.Identified, Impact: incident.ImpactMajor,
				Automatic: true, ComponentIDs: []string{"api"}, CreatedAt: at(30), UpdatedAt: at(45),
				Updates: []incident.Update{
					{ID: 71, Status: incident.Identified, Body: "A bad deploy; rolling back.", CreatedAt: at(45)},
					{ID: 70, Status: incident.Investigating, Body: "API failing in us-east.", CreatedAt: at(30)},
				}},
			{ID: 5, PageID: "acme", Name: "Database slow", Status: incident.Resolved, Impact: incident.ImpactMinor,
				ComponentIDs: []string{"db", "gone"}, CreatedAt: at(-300), UpdatedAt: at(-200), ResolvedAt: at(-200),
				Updates: []incident.Update{
					{ID: 52, Status: incident.Resolved, Body: "Fixed.", CreatedAt: at(-200)},
					{ID: 51, Status: incident.Monitoring, Body: "Watching.", CreatedAt: at(-250)},
					{ID: 50, Status: incident.Investigating, Body: "Slow queries.", CreatedAt: at(-300)},
				}},
			{ID: 9, PageID: "beta", Name: "Login errors", Status: incident.Investigating,
				ComponentIDs: []string{"app"}, CreatedAt: at(50), UpdatedAt: at(50),
				Updates: []incident.Update{{ID: 90, Status: incident.Investigating, Body: "Looking.", CreatedAt: at(50)}}},
		},
	}
}

// server is an API under test with its log and metrics.
type server struct {
	handler http.Handler
	log     *bytes.Buffer
	reg     *prometheus.Registry
}

func newServer(t testing.TB, store api.Store, ready func() bool) server {
	t.Helper()
	return newServerWith(t, api.Options{Store: store, Ready: ready})
}

// newServerWith serves opts with the test's logger, registry, version and
// clock, and the keys of testKeys unless opts names an authenticator. The
// clock stands still, so a rate limit would never refill: unless opts sets
// one, it is out of reach.
func newServerWith(t testing.TB, opts api.Options) server {
	t.Helper()
	if opts.Keys == nil {
		opts.Keys = testKeyAuth{}
	}
	if opts.RateLimit == 0 && opts.RateBurst == 0 {
		opts.RateLimit, opts.RateBurst = 1e6, 1e9
	}
	logs := &bytes.Buffer{}
	reg := prometheus.NewRegistry()
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Registerer = reg
	opts.Version = "1.2.3"
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return start }
	}
	a, err := api.New(opts)
	if err != nil {
		t.Fatalf("new api: %v", err)
	}
	return server{handler: a.Handler(), log: logs, reg: reg}
}

// readKey is the global read key do sends: every /api/v1 route but
// openapi.json needs one.
const readKey = "reader"

// do answers one request, sent with readKey, and returns the response with
// its body read.
func (s server) do(t testing.TB, method, target string) (*http.Response, []byte) {
	t.Helper()
	return s.doAs(t, readKey, method, target)
}

// doAs is do with key, or with no key for "".
func (s server) doAs(t testing.TB, key, method, target string) (*http.Response, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(method, target, nil)
	if key != "" {
		r.Header.Set("Authorization", "Bearer "+key)
	}
	s.handler.ServeHTTP(rec, r)
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatalf("close body: %v", err)
	}
	return resp, body
}

// decode unmarshals a JSON body, failing the test on anything else.
func decode[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body is not the JSON expected: %v\n%s", err, body)
	}
	return v
}

// golden compares body, indented, with testdata/name.golden.json, or
// rewrites that file under -update.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	var got bytes.Buffer
	if err := json.Indent(&got, body, "", "  "); err != nil {
		t.Fatalf("indent body: %v\n%s", err, body)
	}
	got.WriteByte('\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatalf("write golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("%s differs from %s (run with -update to accept):\n%s", name, path, got.String())
	}
}

var errSecret = errors.New(`pq: password authentication failed for user "statusd-secret" at 10.0.0.7`)
