package api_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// getPage answers one GET of the HTML page for host.
func getPage(t testing.TB, h http.Handler, host, target string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if host != "" {
		r.Host = host
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// goldenHTML compares body with testdata/NAME.golden.html.
func goldenHTML(t *testing.T, name string, body []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.html")
	if *update {
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatalf("write golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if !bytes.Equal(body, want) {
		t.Errorf("%s differs from %s (run with -update to accept):\n%s", name, path, body)
	}
}

func setState(s *fakeStore, id string, f func(*health.ComponentState)) {
	for i := range s.states {
		if s.states[i].ComponentID == id {
			f(&s.states[i])
		}
	}
}

func TestPageHTMLGolden(t *testing.T) {
	operational := func() *fakeStore {
		s := withHistory()
		s.incidents = nil
		s.pages[1].Branding = catalog.Branding{BrandColor: "#5b2a86", DarkTheme: true}
		for i := range s.states {
			s.states[i].Status, s.states[i].FailingRegions, s.states[i].NoData, s.states[i].Stale = status.Operational, nil, false, false
		}
		return s
	}
	major := func() *fakeStore {
		s := withHistory()
		s.pages[1].Alert = catalog.PlatformAlert{Enabled: true, Title: "Heads up", Message: "Our provider has trouble."}
		setState(s, "api", func(st *health.ComponentState) {
			st.Status, st.FailingRegions = status.MajorOutage, []string{"eu-west", "us-east"}
		})
		return s
	}
	maint := func() *fakeStore {
		s := withHistory()
		s.incidents = nil
		setState(s, "cdn", func(st *health.ComponentState) { st.Status, st.NoData = status.UnderMaintenance, false })
		return s
	}
	cases := []struct {
		name   string
		store  *fakeStore
		maint  bool
		target string
		code   int
	}{
		{"page_operational", operational(), false, "/", 200},
		{"page_partial_outage", withHistory(), false, "/", 200},
		{"page_major_outage", major(), false, "/", 200},
		{"page_maintenance", maint(), true, "/", 200},
		{"page_history", withHistory(), false, "/history", 200},
		{"page_incident", withHistory(), false, "/incidents/5", 200},
		{"page_incident_unknown", withHistory(), false, "/incidents/9", 404}, // beta's, not acme's
		{"page_maintenance_window", maint(), true, "/maintenances/2", 200},
		{"page_history_maintenance", maint(), true, "/history", 200},
		{"page_maintenance_unknown", maint(), true, "/maintenances/6", 404}, // beta's, not acme's
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := api.Options{Store: tc.store}
			if tc.maint {
				opts.Maintenances = maintenanceFixture()
			}
			s := newServerWith(t, opts)
			rec := getPage(t, s.handler, "", tc.target, nil)
			if rec.Code != tc.code {
				t.Fatalf("code = %d, want %d\n%s", rec.Code, tc.code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("content type = %q", ct)
			}
			goldenHTML(t, tc.name, rec.Body.Bytes())
		})
	}
}

func TestPageHTMLCaching(t *testing.T) {
	store := withHistory()
	s := newServerWith(t, api.Options{Store: store})
	first := getPage(t, s.handler, "", "/", nil)
	etag := first.Header().Get("ETag")
	if first.Code != 200 || etag == "" || first.Header().Get("Cache-Control") != "public, max-age=5" {
		t.Fatalf("first: code %d, ETag %q, Cache-Control %q", first.Code, etag, first.Header().Get("Cache-Control"))
	}
	cases := []struct {
		name   string
		header map[string]string
		code   int
		gzip   bool
	}{
		{"same etag", map[string]string{"If-None-Match": etag}, 304, false},
		{"weak same etag in a list", map[string]string{"If-None-Match": `"x", W/` + etag}, 304, false},
		{"other etag", map[string]string{"If-None-Match": `"other"`}, 200, false},
		{"gzip", map[string]string{"Accept-Encoding": "br, gzip"}, 200, true},
		{"gzip refused", map[string]string{"Accept-Encoding": "gzip;q=0"}, 200, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := getPage(t, s.handler, "", "/", tc.header)
			if rec.Code != tc.code {
				t.Fatalf("code = %d, want %d", rec.Code, tc.code)
			}
			if tc.code == 304 {
				if rec.Body.Len() != 0 {
					t.Errorf("304 with a body of %d bytes", rec.Body.Len())
				}
				return
			}
			body := rec.Body.Bytes()
			if got := rec.Header().Get("Content-Encoding") == "gzip"; got != tc.gzip {
				t.Fatalf("gzipped = %v, want %v", got, tc.gzip)
			}
			if tc.gzip {
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, first.Body.Bytes()) {
				t.Error("body differs from the first answer's")
			}
		})
	}
	// A status change shows at the next snapshot, with a new ETag.
	setState(store, "db", func(st *health.ComponentState) { st.Status = status.MajorOutage })
	next := getPage(t, s.handler, "", "/", map[string]string{"If-None-Match": etag})
	if next.Code != 200 || next.Header().Get("ETag") == etag || !strings.Contains(next.Body.String(), "Major System Outage") {
		t.Errorf("after a change: code %d, ETag %q (was %q), banner shown: %v", next.Code, next.Header().Get("ETag"), etag,
			strings.Contains(next.Body.String(), "Major System Outage"))
	}
}

func TestPageHTMLHostRouting(t *testing.T) {
	store := fixture()
	store.pages[0].CustomDomain, store.pages[0].Subdomain = "status.beta.test", "beta"
	store.pages[1].Subdomain = "acme"
	store.pages = append(store.pages,
		catalog.Page{ID: "gone", Name: "Gone", Subdomain: "gone", Disabled: true, TimeZone: "Etc/UTC"},
		catalog.Page{ID: "priv", Name: "Secret Corp", CustomDomain: "status.secret.test", Private: true, TimeZone: "Etc/UTC"})
	s := newServerWith(t, api.Options{Store: store})
	cases := []struct {
		name, host string
		code       int
		want       string
	}{
		{"custom domain", "status.beta.test", 200, "<title>Beta status</title>"},
		{"custom domain with port and dot", "STATUS.BETA.TEST.:8080", 200, "<title>Beta status</title>"},
		{"subdomain", "beta.example.com", 200, "<title>Beta status</title>"},
		{"subdomain of acme", "acme.example.com", 200, "<title>Acme status</title>"},
		{"address: the first page", "127.0.0.1:8080", 200, "<title>Acme status</title>"},
		{"unknown host: the first page", "elsewhere.test", 200, "<title>Acme status</title>"},
		{"disabled page", "gone.example.com", 404, "Page not found"},
		{"private page", "status.secret.test", 404, "Page not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := getPage(t, s.handler, tc.host, "/", nil)
			if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("code = %d, want %d with %q:\n%s", rec.Code, tc.code, tc.want, rec.Body)
			}
			if strings.Contains(rec.Body.String(), "Secret Corp") {
				t.Error("the private page's name leaked")
			}
		})
	}
}

func TestPageHTMLEscapesAndHidesPrivate(t *testing.T) {
	store := withHistory()
	store.pages[1].Alert = catalog.PlatformAlert{Enabled: true, Title: "<b>alert</b>", Message: "<img src=x onerror=alert(1)>"}
	store.pages[1].Branding.BrandColor = "red;}</style><script>alert(1)</script>"
	store.incidents[0].Name = `<script>alert("title")</script>`
	store.incidents[0].Updates[0].Body = `<script>alert("body")</script>`
	store.incidents[0].Updates = append(store.incidents[0].Updates,
		incident.Update{ID: 79, Status: incident.Identified, Body: "private note 4411", Private: true, CreatedAt: at(46)})
	store.incidents = append(store.incidents, incident.Incident{ID: 8, PageID: "acme", Name: "private incident 5522",
		Status: incident.Investigating, Private: true, CreatedAt: at(20), UpdatedAt: at(20)},
		incident.Incident{ID: 6, PageID: "acme", Name: "deleted incident 6633", Status: incident.Resolved,
			CreatedAt: at(-900), UpdatedAt: at(-800), ResolvedAt: at(-800), DeletedAt: at(-10)})
	s := newServerWith(t, api.Options{Store: store})
	for _, target := range []string{"/", "/history", "/incidents/7"} {
		body := getPage(t, s.handler, "", target, nil).Body.String()
		for _, bad := range []string{"<script>alert", "<img", "<b>alert", "private note", "private incident", "deleted incident"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s shows %q", target, bad)
			}
		}
		if target != "/history" && !strings.Contains(body, "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;") {
			t.Errorf("%s does not show the title as text:\n%s", target, body)
		}
	}
	if body := getPage(t, s.handler, "", "/incidents/7", nil).Body.String(); !strings.Contains(body, "&lt;script&gt;alert(&#34;body&#34;)") {
		t.Errorf("the update's body is not shown as text:\n%s", body)
	}
	for _, target := range []string{"/incidents/8", "/incidents/6", "/incidents/0", "/incidents/x", "/incidents/99999999999999999999"} {
		if rec := getPage(t, s.handler, "", target, nil); rec.Code != 404 || !strings.Contains(rec.Body.String(), "not found") {
			t.Errorf("%s: code %d, want a 404 page", target, rec.Code)
		}
	}
}

func FuzzPageRequest(f *testing.F) {
	for _, seed := range [][2]string{{"", "/"}, {"status.beta.test:80", "/history"}, {"[::1]:8080", "/incidents/5"},
		{"a..b.", "/incidents/-1"}, {"x", "/incidents/%00"}} {
		f.Add(seed[0], seed[1])
	}
	store := withHistory()
	store.pages[0].CustomDomain = "status.beta.test"
	s := newServerWith(f, api.Options{Store: store})
	f.Fuzz(func(t *testing.T, host, path string) {
		r, err := http.NewRequest(http.MethodGet, "http://127.0.0.1"+path, nil)
		if err != nil || !strings.HasPrefix(path, "/") {
			return
		}
		r.Host = host
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("GET %q on host %q: %d\n%s", path, host, rec.Code, rec.Body)
		}
	})
}

// TestIncidentPageReadsByID: with the incident store, an incident's page
// is read by its ID (any age), and a private one is a 404 page.
func TestIncidentPageReadsByID(t *testing.T) {
	s := newOpsServer(t, 0)
	open := func(body string) string {
		t.Helper()
		code, out := s.req(t, "POST", "/api/v1/incidents", "writer", body)
		if code != http.StatusCreated {
			t.Fatalf("open: status %d: %v", code, out)
		}
		return fmt.Sprint(out["data"].(map[string]any)["id"])
	}
	shown := open(`{"page_id":"acme","title":"Checkout <b>down</b>","body":"Looking."}`)
	hidden := open(`{"page_id":"acme","title":"Internal only","body":"Shh.","private":true}`)
	for _, tt := range []struct {
		id   string
		code int
		text string
	}{{shown, http.StatusOK, "Checkout &lt;b&gt;down&lt;/b&gt;"}, {hidden, http.StatusNotFound, ""}, {"424242", http.StatusNotFound, ""}} {
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/incidents/"+tt.id, nil))
		if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.text) || strings.Contains(rec.Body.String(), "Internal only") {
			t.Errorf("/incidents/%s: status %d, want %d with %q: %.300s", tt.id, rec.Code, tt.code, tt.text, rec.Body)
		}
	}
}

// TestPageOnlyShowIfDegraded: a component set to show only when degraded
// is left out of the page while operational and shown once it is not; a
// group so set shows while one of its members shows.
func TestPageOnlyShowIfDegraded(t *testing.T) {
	cases := []struct {
		name  string
		setup func(s *fakeStore)
		shown []string
		gone  []string
	}{
		{"operational: left out", func(s *fakeStore) {}, []string{"CDN"}, []string{"Database"}},
		{"degraded: shown", func(s *fakeStore) {
			setState(s, "db", func(st *health.ComponentState) { st.Status = status.DegradedPerformance })
		}, []string{"Database", "CDN"}, nil},
		{"a group so set, its members operational: left out", func(s *fakeStore) {
			onlyIfDegraded(s, "core")
			onlyIfDegraded(s, "api")
			onlyIfDegraded(s, "web")
		}, []string{"CDN"}, []string{"Core", "Public REST API", "Website"}},
		{"a group so set, a member down: the group and that member", func(s *fakeStore) {
			onlyIfDegraded(s, "core")
			onlyIfDegraded(s, "api")
			onlyIfDegraded(s, "web")
			setState(s, "api", func(st *health.ComponentState) { st.Status = status.MajorOutage })
		}, []string{"Core", "Public REST API"}, []string{"Website"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := fixture()
			store.incidents = nil
			onlyIfDegraded(store, "db")
			for _, id := range []string{"db", "api"} {
				setState(store, id, func(st *health.ComponentState) { st.Status = status.Operational })
			}
			tc.setup(store)
			s := newServerWith(t, api.Options{Store: store})
			body := getPage(t, s.handler, "status.acme.test", "/", nil).Body.String()
			main := body[strings.Index(body, "<main"):]
			for _, want := range tc.shown {
				if !strings.Contains(main, want) {
					t.Errorf("%q is not shown", want)
				}
			}
			for _, gone := range tc.gone {
				if strings.Contains(main, gone) {
					t.Errorf("%q is shown", gone)
				}
			}
		})
	}
}

// onlyIfDegraded sets component id of s to show only when degraded.
func onlyIfDegraded(s *fakeStore, id string) {
	for i := range s.comps {
		if s.comps[i].ID == id {
			s.comps[i].OnlyShowIfDegraded = true
		}
	}
}

// TestMaintenancePages: every public window of the page has its own page,
// whatever its status, without its private updates; the history lists
// the completed ones in the month they began; a private window, another
// page's and an unknown or malformed ID are a 404 page.
func TestMaintenancePages(t *testing.T) {
	s := newServerWith(t, api.Options{Store: withHistory(), Maintenances: maintenanceFixture()})
	for _, tc := range []struct {
		target string
		code   int
		want   []string
	}{
		{"/maintenances/1", 200, []string{"Web server patch", "Completed", "Kernel patch.", "Done.", "Details.", "Affects: Web"}},
		{"/maintenances/2", 200, []string{"CDN migration", "In progress", "Moving traffic."}},
		{"/maintenances/3", 200, []string{"Database upgrade", "Scheduled", "Affects: Database, API"}},
		{"/maintenances/5", 200, []string{"Cancelled: network work", "Postponed."}},
		{"/maintenances/4", 404, []string{"Maintenance not found"}}, // private
		{"/maintenances/6", 404, []string{"Maintenance not found"}}, // beta's
		{"/maintenances/99", 404, []string{"Maintenance not found"}},
		{"/maintenances/0", 404, []string{"Maintenance not found"}},
		{"/maintenances/x", 404, []string{"Maintenance not found"}},
	} {
		rec := getPage(t, s.handler, "", tc.target, nil)
		body := rec.Body.String()
		if rec.Code != tc.code {
			t.Errorf("%s: code %d, want %d", tc.target, rec.Code, tc.code)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s does not show %q:\n%s", tc.target, w, body)
			}
		}
		for _, bad := range []string{"vendor ticket", "internal rehearsal", "not for customers"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s shows %q", tc.target, bad)
			}
		}
	}
	history := getPage(t, s.handler, "", "/history", nil).Body.String()
	if !strings.Contains(history, `<a href="/maintenances/1">Web server patch</a>`) {
		t.Errorf("the history does not link the completed window:\n%s", history)
	}
	for _, other := range []string{"/maintenances/2", "/maintenances/3", "/maintenances/5"} {
		if strings.Contains(history, other) {
			t.Errorf("the history lists %s, which is not completed", other)
		}
	}
	home := getPage(t, s.handler, "", "/", nil).Body.String()
	if !strings.Contains(home, `<a href="/maintenances/3">Database upgrade</a>`) {
		t.Errorf("the home page does not link the upcoming window:\n%s", home)
	}
}
