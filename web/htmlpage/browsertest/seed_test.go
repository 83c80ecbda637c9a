package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/store/sqlstore"
	"github.com/statusd/statusd/uptime"
)

// now is the seeded page's clock: fixed, so that every run and its
// screenshots show the same days.
var now = time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)

const (
	pageZone = "Europe/Berlin"
	interval = 30 * time.Second
)

var regions = []string{"ap-south", "eu-west", "us-east"}

// site is one seeded statusd: its store, evaluator and served URL, and a
// write key for the operators' API.
type site struct {
	t     *testing.T
	store *sqlstore.Store
	eval  *health.Evaluator
	cat   catalog.Catalog
	url   string
	key   string
	seq   int64
	tick  int
}

func pageCatalog() catalog.Catalog {
	check := func(comp string) catalog.Check {
		return catalog.Check{ID: comp + "-http", ComponentID: comp, Type: catalog.TypeHTTP, Interval: interval,
			Timeout: 5 * time.Second, FailureThreshold: 2, SuccessThreshold: 1,
			HTTP: &catalog.HTTPSpec{URL: "https://" + comp + ".acme.test/health"}}
	}
	return catalog.Catalog{
		Pages: []catalog.Page{{ID: "acme", Name: "Acme Cloud", TimeZone: pageZone, URL: "https://status.acme.test",
			Branding: catalog.Branding{BrandColor: "#5b2a86"}}},
		Components: []catalog.Component{
			{ID: "platform", PageID: "acme", IsGroup: true, Name: "Platform", Position: 1},
			{ID: "api", PageID: "acme", GroupID: "platform", Name: "API", Description: "The public REST API", Position: 1},
			{ID: "dashboard", PageID: "acme", GroupID: "platform", Name: "Dashboard", Position: 2},
			{ID: "website", PageID: "acme", Name: "Website", Position: 2},
			{ID: "search", PageID: "acme", Name: "Search", Position: 3,
				StartDate: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)},
		},
		Checks: []catalog.Check{check("api"), check("dashboard"), check("website"), check("search")},
	}
}

// newSite opens a fresh store, syncs the catalog, writes 90 days of
// history (day buckets as the aggregator writes them, a backfilled
// incident through the API) and serves the API on a loopback port.
func newSite(t *testing.T) *site {
	t.Helper()
	ctx := t.Context()
	st, err := sqlstore.Open(ctx, sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "statusd.db")})
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
	s := &site{t: t, store: st, cat: pageCatalog()}
	if err := st.SyncCatalog(ctx, s.cat, now.Add(-100*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	s.key = writeKey(t, st)
	authn, err := auth.NewAuthenticator(auth.AuthenticatorOptions{Keys: st, Clock: time.Now, Changes: st.CatalogVersion})
	if err != nil {
		t.Fatal(err)
	}
	a, err := api.New(api.Options{Store: st, Entities: st, Statuses: st, Incidents: st, Maintenances: st, Keys: authn,
		Registerer: prometheus.NewRegistry(), RateLimit: 1000, RateBurst: 1000, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	s.url = "http://" + ln.Addr().String()
	s.eval = health.NewEvaluator(health.Options{Catalog: s.cat})
	s.history()
	return s
}

// writeKey creates an admin and a write key and returns the key.
func writeKey(t *testing.T, st *sqlstore.Store) string {
	t.Helper()
	ctx := auth.WithPrincipal(t.Context(), auth.Principal{Kind: auth.KindCLI, ID: "browsertest", Scope: auth.ScopeAdmin})
	admin, errs := auth.NewAdmin("ops@acme.test", "Ops", now)
	if errs != nil {
		t.Fatal(errs)
	}
	if err := st.CreateAdmin(ctx, admin); err != nil {
		t.Fatal(err)
	}
	key, secret, err := auth.NewKey(auth.KeyRequest{AdminID: admin.ID, Scope: auth.ScopeWrite, Name: "browser"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	return secret
}

// day is the page's day n days before today.
func day(n int) uptime.Day {
	loc, _ := time.LoadLocation(pageZone)
	return uptime.DayOf(now, loc).AddDays(-n)
}

// history writes the past 89 days' buckets of every leaf (from its start
// date), with a major outage on the API 12 days ago, a partial one on the
// website 40 days ago and a slow hour on the dashboard 5 days ago, and
// the API's outage as a backfilled incident.
func (s *site) history() {
	const dayMS = int64(24 * time.Hour / time.Millisecond)
	bad := map[string]map[int]uptime.Totals{
		"api":       {12: {Major: 45 * 60e3, Impact: 45 * 60e3, Outages: 1}},
		"website":   {40: {Partial: 3 * 3600e3, Impact: 0.3 * 3 * 3600e3, Outages: 1}},
		"dashboard": {5: {Degraded: 3600e3}},
	}
	var ch health.Changes
	for _, c := range s.cat.Components {
		if c.IsGroup {
			continue
		}
		for n := 89; n >= 1; n-- {
			d := day(n)
			if y, m, dd := c.StartDate.Date(); !c.StartDate.IsZero() && d < uptime.DateDay(y, m, dd) {
				continue
			}
			tot := bad[c.ID][n]
			tot.Observed = dayMS
			s.seq++
			ch.Buckets = append(ch.Buckets, health.DayBucket{Bucket: uptime.Bucket{ComponentID: c.ID, Day: d, Totals: tot}, Seq: s.seq})
		}
	}
	if err := s.store.ApplyChanges(s.t.Context(), ch, nil); err != nil {
		s.t.Fatalf("write day buckets: %v", err)
	}
	loc, _ := time.LoadLocation(pageZone)
	start := day(12).Start(loc).Add(9 * time.Hour)
	s.api("POST", "/api/v1/incidents", map[string]any{"page_id": "acme", "title": "Elevated API error rates",
		"impact": "major", "status": "resolved", "body": "Requests to the API failed for 45 minutes after a database failover.",
		"components": []map[string]string{{"component_id": "api", "status": "major_outage"}},
		"started_at": start.Format(time.RFC3339), "resolved_at": start.Add(45 * time.Minute).Format(time.RFC3339),
		"backfilled": true}, nil)
}

// probe feeds the evaluator ticks rounds of results from every region,
// ending at now, failing the components' checks in the regions named,
// and stores each round's changes as the aggregator does.
func (s *site) probe(ticks int, failing map[string][]string) {
	s.t.Helper()
	for i := ticks - 1; i >= 0; i-- {
		at := now.Add(-time.Duration(i) * interval)
		var rs []result.Result
		for _, c := range s.cat.Checks {
			for _, r := range regions {
				ok := !slices.Contains(failing[c.ComponentID], r)
				res := result.Result{ID: fmt.Sprintf("%s-%s-%d", c.ID, r, s.tick), CheckID: c.ID, ComponentID: c.ComponentID,
					AgentID: "agent-" + r, Region: r, Scheduled: at, Started: at, Duration: 80 * time.Millisecond,
					Success: ok, StatusCode: 200}
				if !ok {
					res.StatusCode, res.ErrorClass, res.Message = 503, result.ErrHTTPStatus, "HTTP 503 Service Unavailable"
				}
				rs = append(rs, res)
			}
		}
		s.tick++
		ch, _ := s.eval.Evaluate(rs, at.Add(time.Second), func(string) bool { return true })
		s.seq++
		for j := range ch.Components {
			ch.Components[j].Seq = s.seq
		}
		for j := range ch.Buckets {
			ch.Buckets[j].Seq = s.seq
		}
		if err := s.store.ApplyChanges(s.t.Context(), ch, nil); err != nil {
			s.t.Fatalf("store the evaluator's changes: %v", err)
		}
		s.eval.Commit(ch)
	}
}

// api calls the operators' API with the write key; out, if not nil,
// receives the JSON answer. Anything but a 2xx fails the test.
func (s *site) api(method, path string, body, out any) {
	s.t.Helper()
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		in = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(s.t.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, in)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		s.t.Fatalf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}
