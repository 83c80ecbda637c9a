package api_test

import (
	"cmp"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/uptime"
)

// TestPageHTMLETagStable: a page (or v2 document) rendered again for a later snapshot of
// the same data is the same bytes, so its ETag holds and a revalidation
// is a 304 however often the snapshot is replaced; a change of what the
// page shows is a new ETag.
func TestPageHTMLETagStable(t *testing.T) {
	for _, target := range []string{"/", "/history", "/incidents/5", "/api/v2/summary.json", "/api/v2/incidents.json"} {
		t.Run(cmp.Or(strings.TrimPrefix(target, "/"), "home"), func(t *testing.T) {
			// Tracked since 1 November, two hours of major outage on the
			// 10th, none going on: today's uptime does not move with the
			// clock (an outage going on would, rightly, change the page).
			base := fixture()
			history{{day(1, 0, 0), uptime.Operational}, {day(10, 12, 0), uptime.Major}, {day(10, 14, 0), uptime.Operational}}.play(base, "api")
			for i := range base.states {
				base.states[i].Status, base.states[i].FailingRegions = status.Operational, nil
			}
			store := &versionedStore{fakeStore: base}
			now := start
			var mu sync.Mutex
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
			s := newServerWith(t, api.Options{Store: store, Clock: clock})
			first := getPage(t, s.handler, "", target, nil)
			etag := first.Header().Get("ETag")
			if first.Code != http.StatusOK || etag == "" {
				t.Fatalf("first: code %d, ETag %q", first.Code, etag)
			}
			for i := range 3 {
				reads := store.reads.Load()
				advance(1500 * time.Millisecond) // past ReadMaxAge: a new snapshot, rendered again
				again := getPage(t, s.handler, "", target, map[string]string{"If-None-Match": etag})
				if store.reads.Load() == reads {
					t.Fatalf("render %d: the page was not rendered again", i+2)
				}
				if again.Code != http.StatusNotModified || again.Header().Get("ETag") != etag {
					body := getPage(t, s.handler, "", target, nil).Body.String()
					t.Fatalf("render %d, %v later: code %d, ETag %q, want 304 and %q; body:\n%s", i+2,
						time.Duration(i+1)*1500*time.Millisecond, again.Code, again.Header().Get("ETag"), etag, body)
				}
			}
			// What the page shows changes: a new ETag at the next snapshot.
			setState(store.fakeStore, "db", func(st *health.ComponentState) {
				st.Status, st.Since = status.MajorOutage, clock()
			})
			for i := range store.incidents {
				store.incidents[i].Name += " (renamed)"
			}
			store.bump()
			advance(time.Second)
			next := getPage(t, s.handler, "", target, map[string]string{"If-None-Match": etag})
			if next.Code != http.StatusOK || next.Header().Get("ETag") == etag {
				t.Errorf("after a change: code %d, ETag %q (was %q)", next.Code, next.Header().Get("ETag"), etag)
			}
		})
	}
}

// TestMetricsBoundPerRoute: the request series bound once per route and
// code count every answer exactly, under concurrent first uses, and the
// histogram counts them all; a route and code never answered has no
// series.
func TestMetricsBoundPerRoute(t *testing.T) {
	s := newServerWith(t, api.Options{Store: &versionedStore{fakeStore: fixture()}})
	etag := getPage(t, s.handler, "", "/api/v2/summary.json", nil).Header().Get("ETag")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				h := map[string]string{}
				if (g+i)%2 == 0 {
					h["If-None-Match"] = etag
				}
				getPage(t, s.handler, "", "/api/v2/summary.json", h)
				getPage(t, s.handler, "", "/", nil)
			}
		})
	}
	wg.Wait()
	tests := []struct {
		route, code string
		want        float64
	}{
		{"/api/v2/summary.json", "200", 1 + 200},
		{"/api/v2/summary.json", "304", 200},
		{"/", "200", 400},
		{"/", "304", 0},
	}
	for _, tt := range tests {
		if got := counter(t, s, tt.route, tt.code); got != tt.want {
			t.Errorf("statusd_http_requests_total{route=%q,code=%q} = %v, want %v", tt.route, tt.code, got, tt.want)
		}
	}
	_, body := s.do(t, http.MethodGet, "/metrics")
	for _, want := range []string{`statusd_http_request_duration_seconds_count{route="/api/v2/summary.json"} 401`,
		`statusd_http_request_duration_seconds_count{route="/"} 400`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(string(body), `route="/history"`) {
		t.Error("/metrics has series of /history, which no request asked")
	}
}

// TestPublicPageByHost: the page a v2 document and the HTML page are of,
// by Host (the index built once per catalog), path and ?page.
func TestPublicPageByHost(t *testing.T) {
	store := fixture()
	store.pages[0].CustomDomain, store.pages[0].Subdomain = "status.beta.test", "beta"
	store.pages[1].Subdomain = "acme"
	// A later page claims beta's domain, and a subdomain that an IPv4
	// address's first label would match.
	store.pages = append(store.pages, catalog.Page{ID: "late", Name: "Late", CustomDomain: "status.beta.test", Subdomain: "192",
		TimeZone: "Etc/UTC"})
	s := newServerWith(t, api.Options{Store: &versionedStore{fakeStore: store}})
	tests := []struct {
		name, host, target string
		code               int
		want               string
	}{
		{"custom domain", "status.beta.test", "/api/v2/status.json", 200, `"name":"Beta"`},
		{"custom domain in capitals, port and dot", "Status.Beta.Test.:443", "/api/v2/status.json", 200, `"name":"Beta"`},
		{"first page to claim a domain keeps it", "status.beta.test", "/", 200, "<title>Beta status</title>"},
		{"subdomain", "acme.example.com", "/api/v2/status.json", 200, `"name":"Acme"`},
		{"a host of one label has no subdomain", "beta", "/api/v2/status.json", 200, `"name":"Acme"`},
		{"IPv4 address: the first page (by ID)", "192.0.2.1:8080", "/", 200, "<title>Acme status</title>"},
		{"subdomain 192", "192.example.com", "/", 200, "<title>Late status</title>"},
		{"IPv6 address", "[2001:db8::1]:8080", "/api/v2/status.json", 200, `"name":"Acme"`},
		{"path wins", "status.beta.test", "/pages/acme/api/v2/status.json", 200, `"name":"Acme"`},
		{"query wins", "status.beta.test", "/api/v2/status.json?page=acme", 200, `"name":"Acme"`},
		{"unknown page", "", "/pages/nope/api/v2/status.json", 404, `page \"nope\" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := getPage(t, s.handler, tt.host, tt.target, nil)
			if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("code %d, want %d with %s; body:\n%.300s", rec.Code, tt.code, tt.want, rec.Body)
			}
		})
	}
}

// FuzzPublicHost: no Host makes the public page or summary.json answer
// 5xx, and the page a Host names does not depend on its letters' case.
func FuzzPublicHost(f *testing.F) {
	for _, seed := range []string{"status.beta.test", "STATUS.BETA.TEST.:8080", "acme.example.com", "[::1]:80", "[fe80::1%eth0]:1",
		"192.0.2.1", "::", ":", "a:b:c", "[", "]", ".", "1.2.3.4.5", "192.example.com"} {
		f.Add(seed)
	}
	store := fixture()
	store.pages[0].CustomDomain, store.pages[0].Subdomain = "status.beta.test", "beta"
	store.pages[1].Subdomain = "acme"
	s := newServerWith(f, api.Options{Store: &versionedStore{fakeStore: store}})
	f.Fuzz(func(t *testing.T, host string) {
		for _, target := range []string{"/", "/api/v2/status.json"} {
			a := getPage(t, s.handler, host, target, nil)
			if a.Code >= 500 {
				t.Fatalf("GET %s on host %q: %d\n%s", target, host, a.Code, a.Body)
			}
			if lower := strings.ToLower(host); lower != host && a.Code == http.StatusOK {
				if b := getPage(t, s.handler, lower, target, nil); b.Header().Get("ETag") != a.Header().Get("ETag") {
					t.Fatalf("GET %s: host %q and %q answer different documents", target, host, lower)
				}
			}
		}
	})
}
