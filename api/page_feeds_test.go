package api_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
)

// feedStore is the history fixture with acme reachable as acme.example.com.
func feedStore() *fakeStore {
	s := withHistory()
	s.pages[1].Subdomain = "acme"
	return s
}

// goldenFile compares body with testdata/NAME.
func goldenFile(t *testing.T, name string, body []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
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

// TestFeeds: both feeds of the Host's page, read back by gofeed: its
// public incidents (latest public update, absolute links, tag: GUIDs) and
// maintenance windows but cancelled and private ones, newest first.
func TestFeeds(t *testing.T) {
	s := newServerWith(t, api.Options{Store: feedStore(), Maintenances: maintenanceFixture()})
	cases := []struct {
		path, golden, contentType, feedType string
	}{
		{"/history.rss", "feed.golden.rss", "application/rss+xml; charset=utf-8", "rss"},
		{"/history.atom", "feed.golden.atom", "application/atom+xml; charset=utf-8", "atom"},
	}
	for _, tc := range cases {
		t.Run(tc.feedType, func(t *testing.T) {
			rec := getPage(t, s.handler, "acme.example.com", tc.path, nil)
			if rec.Code != 200 || rec.Header().Get("Content-Type") != tc.contentType {
				t.Fatalf("code %d, type %q:\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			goldenFile(t, tc.golden, rec.Body.Bytes())
			f, err := gofeed.NewParser().Parse(bytes.NewReader(rec.Body.Bytes()))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if f.FeedType != tc.feedType || f.Title != "Acme status" || f.Link != "http://acme.example.com/" ||
				f.FeedLink != "http://acme.example.com"+tc.path {
				t.Errorf("feed %s %q link %q self %q", f.FeedType, f.Title, f.Link, f.FeedLink)
			}
			var got []string
			for _, it := range f.Items {
				got = append(got, it.GUID+" "+it.Title+" "+it.Link)
			}
			// By their latest public change: an update posted, a start or end.
			want := []string{
				"tag:statusd,2026:acme/maintenances/2 Maintenance: CDN migration http://acme.example.com/maintenances/2",
				"tag:statusd,2026:acme/incidents/7 API unreachable from us-east http://acme.example.com/incidents/7",
				"tag:statusd,2026:acme/incidents/5 Database slow http://acme.example.com/incidents/5",
				"tag:statusd,2026:acme/maintenances/1 Maintenance: Web server patch http://acme.example.com/maintenances/1",
				"tag:statusd,2026:acme/maintenances/3 Maintenance: Database upgrade http://acme.example.com/maintenances/3",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("items:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if len(f.Items) > 1 && !strings.Contains(f.Items[1].Description, "A bad deploy; rolling back.") {
				t.Errorf("the incident shows no latest update: %q", f.Items[1].Description)
			}
			body := rec.Body.String()
			for _, bad := range []string{"Private:", "vendor ticket", "Cancelled", "Login errors"} {
				if strings.Contains(body, bad) {
					t.Errorf("the feed shows %q", bad)
				}
			}
		})
	}
}

// TestFeedIDsDoNotDependOnTheHost: the same item has the same GUID from any
// host; links use the custom domain, over https, when the page has one.
func TestFeedIDsDoNotDependOnTheHost(t *testing.T) {
	s := newServerWith(t, api.Options{Store: feedStore()})
	guids := func(host string) (string, []string) {
		rec := getPage(t, s.handler, host, "/history.rss", nil)
		f, err := gofeed.NewParser().Parse(rec.Body)
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		var out []string
		for _, it := range f.Items {
			out = append(out, it.GUID)
		}
		return f.Items[0].Link, out
	}
	link, a := guids("acme.example.com")
	_, b := guids("ACME.other.example:8443")
	if link != "http://acme.example.com/incidents/7" || strings.Join(a, " ") != strings.Join(b, " ") {
		t.Errorf("link %q; guids %v and %v", link, a, b)
	}
	store := feedStore()
	store.pages[1].CustomDomain = "status.acme.test"
	s = newServerWith(t, api.Options{Store: store})
	link, c := guids("acme.example.com")
	if link != "https://status.acme.test/incidents/7" || strings.Join(a, " ") != strings.Join(c, " ") {
		t.Errorf("with a custom domain: link %q, guids %v", link, c)
	}
}

// TestPublicDocsCaching: feeds, badges and the widget carry an ETag and
// answer 304 for it, with their own Cache-Control and content type.
func TestPublicDocsCaching(t *testing.T) {
	s := newServerWith(t, api.Options{Store: feedStore()})
	cases := []struct {
		path, contentType, cache, cors string
	}{
		{"/history.rss", "application/rss+xml; charset=utf-8", "public, max-age=60", "*"},
		{"/history.atom", "application/atom+xml; charset=utf-8", "public, max-age=60", "*"},
		{"/badge.svg", "image/svg+xml; charset=utf-8", "public, max-age=60, s-maxage=60", ""},
		{"/components/db/badge.svg?type=uptime&window=30d", "image/svg+xml; charset=utf-8", "public, max-age=60, s-maxage=60", ""},
		{"/widget.js", "text/javascript; charset=utf-8", "public, max-age=3600", ""},
		{"/widget.json", "application/json; charset=utf-8", "public, max-age=30", "*"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			rec := getPage(t, s.handler, "acme.example.com", tc.path, nil)
			h := rec.Header()
			if rec.Code != 200 || h.Get("Content-Type") != tc.contentType || h.Get("Cache-Control") != tc.cache ||
				h.Get("Access-Control-Allow-Origin") != tc.cors || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("code %d, headers %v", rec.Code, h)
			}
			etag := h.Get("ETag")
			again := getPage(t, s.handler, "acme.example.com", tc.path, map[string]string{"If-None-Match": etag})
			if etag == "" || again.Code != http.StatusNotModified || again.Body.Len() != 0 {
				t.Errorf("ETag %q: second answer %d with %d bytes", etag, again.Code, again.Body.Len())
			}
		})
	}
}

// TestPublicDocsRefuse: hidden pages, unknown components, bad parameters,
// bad hosts and a failing store answer 4xx or 503 in plain text with a
// message; never a 500.
func TestPublicDocsRefuse(t *testing.T) {
	store := feedStore()
	store.pages = append(store.pages,
		catalog.Page{ID: "gone", Name: "Gone", Subdomain: "gone", Disabled: true, TimeZone: "Etc/UTC"},
		catalog.Page{ID: "priv", Name: "Secret Corp", CustomDomain: "status.secret.test", Private: true, TimeZone: "Etc/UTC"})
	store.comps = append(store.comps, catalog.Component{ID: "vault", PageID: "priv", Name: "Secret vault"})
	s := newServerWith(t, api.Options{Store: store})
	empty := newServerWith(t, api.Options{Store: &fakeStore{}})
	down := newServerWith(t, api.Options{Store: &fakeStore{fail: errors.New("disk on fire")}})
	routes := []string{"/history.rss", "/history.atom", "/badge.svg", "/components/db/badge.svg", "/widget.js", "/widget.json"}
	type tc struct {
		name, host, path string
		h                http.Handler
		code             int
		want             string
	}
	var cases []tc
	for _, r := range routes {
		cases = append(cases,
			tc{"disabled page " + r, "gone.example.com", r, s.handler, 404, "no status page here"},
			tc{"private page " + r, "status.secret.test", r, s.handler, 404, "no status page here"},
			tc{"no page at all " + r, "", r, empty.handler, 404, "no status page here"},
			tc{"store down " + r, "", r, down.handler, 503, "temporarily unavailable"})
	}
	cases = append(cases,
		tc{"private page's component", "acme.example.com", "/components/vault/badge.svg", s.handler, 404, `no component "vault"`},
		tc{"unknown component", "acme.example.com", "/components/nope/badge.svg", s.handler, 404, `no component "nope"`},
		tc{"bad type", "acme.example.com", "/badge.svg?type=latency", s.handler, 400, "parameter type"},
		tc{"bad window", "acme.example.com", "/components/db/badge.svg?type=uptime&window=1y", s.handler, 400, "parameter window"},
		tc{"bad style", "acme.example.com", "/badge.svg?style=plastic", s.handler, 400, "parameter style"},
		tc{"long label", "acme.example.com", "/badge.svg?label=" + strings.Repeat("x", 100), s.handler, 400, "parameter label"},
		tc{"label twice", "acme.example.com", "/badge.svg?label=a&label=b", s.handler, 400, "parameter label"},
		tc{"malformed query", "acme.example.com", "/badge.svg?label=%zz", s.handler, 400, "query string"},
		tc{"bad host for feed links", "acme.example.com/<x>", "/history.rss", s.handler, 400, "Host header"},
		tc{"bad host for widget links", "a b", "/widget.json", s.handler, 400, "Host header"},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := getPage(t, c.h, c.host, c.path, nil)
			if rec.Code != c.code || !strings.Contains(strings.ToLower(rec.Body.String()), strings.ToLower(c.want)) {
				t.Fatalf("code %d, want %d with %q: %s", rec.Code, c.code, c.want, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			if strings.Contains(rec.Body.String(), "Secret") || strings.Contains(rec.Body.String(), "disk on fire") {
				t.Errorf("leaked: %s", rec.Body)
			}
		})
	}
}

// TestMarkupIsTextEverywhere: an incident title and update with a script
// tag and an ampersand reach every reader as that text, never as markup:
// RSS, Atom, widget.json and a badge's label.
func TestMarkupIsTextEverywhere(t *testing.T) {
	const evil = `<script>alert(1)</script> & co`
	store := feedStore()
	store.incidents[0].Name = evil
	store.incidents[0].Updates[0].Body = evil + " body"
	for i := range store.comps {
		if store.comps[i].ID == "db" {
			store.comps[i].Name = evil
		}
	}
	s := newServerWith(t, api.Options{Store: store})
	for _, path := range []string{"/history.rss", "/history.atom"} {
		rec := getPage(t, s.handler, "acme.example.com", path, nil)
		if strings.Contains(rec.Body.String(), "<script") || !strings.Contains(rec.Body.String(), "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co") {
			t.Errorf("%s: not escaped:\n%s", path, rec.Body)
		}
		f, err := gofeed.NewParser().Parse(rec.Body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var found bool
		for _, it := range f.Items {
			if it.Title == evil && strings.Contains(it.Description, evil+" body") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: the parsed feed has no item titled %q with its update", path, evil)
		}
	}

	rec := getPage(t, s.handler, "acme.example.com", "/widget.json", nil)
	if strings.Contains(rec.Body.String(), "<") || strings.Contains(rec.Body.String(), "&") {
		t.Errorf("widget.json holds raw < or &: %s", rec.Body)
	}
	var w struct {
		Incidents []struct{ Name string } `json:"incidents"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &w); err != nil || len(w.Incidents) != 1 || w.Incidents[0].Name != evil {
		t.Errorf("widget incidents %+v (%v), want the title as text", w.Incidents, err)
	}

	for _, path := range []string{"/badge.svg?label=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%26+co", "/components/db/badge.svg"} {
		rec := getPage(t, s.handler, "acme.example.com", path, nil)
		var svg struct {
			Title string `xml:"title"`
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), &svg); err != nil {
			t.Fatalf("%s: not well-formed: %v\n%s", path, err, rec.Body)
		}
		if strings.Contains(rec.Body.String(), "<script") || !strings.HasPrefix(svg.Title, evil+": ") {
			t.Errorf("%s: title %q:\n%s", path, svg.Title, rec.Body)
		}
	}
}

// TestWidgetData: widget.json's shape, open to every origin, the page's
// status and its active public incidents and maintenance only.
func TestWidgetData(t *testing.T) {
	store := feedStore()
	store.incidents = append(store.incidents, incident.Incident{ID: 8, PageID: "acme", Name: "private incident 5522",
		Status: incident.Investigating, Private: true, CreatedAt: at(20), UpdatedAt: at(20)})
	s := newServerWith(t, api.Options{Store: store, Maintenances: maintenanceFixture()})
	rec := getPage(t, s.handler, "acme.example.com", "/widget.json", map[string]string{"Origin": "https://shop.example"})
	if rec.Code != 200 || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("code %d, CORS %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	type item struct{ Name, Status, URL string }
	var got struct {
		Page struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		} `json:"page"`
		Status struct {
			Indicator   string `json:"indicator"`
			Description string `json:"description"`
			Class       string `json:"class"`
		} `json:"status"`
		Incidents    []item `json:"incidents"`
		Maintenances []item `json:"maintenances"`
	}
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Page.Name != "Acme" || got.Page.URL != "http://acme.example.com/" ||
		got.Status.Indicator != "major" || got.Status.Description != "Partial System Outage" || got.Status.Class != "partial" {
		t.Errorf("page %+v status %+v", got.Page, got.Status)
	}
	wantInc := []item{{"API unreachable from us-east", "Identified", "http://acme.example.com/incidents/7"}}
	wantMaint := []item{{"CDN migration", "In progress", "http://acme.example.com/"}}
	if !equalItems(got.Incidents, wantInc) || !equalItems(got.Maintenances, wantMaint) {
		t.Errorf("incidents %+v maintenances %+v", got.Incidents, got.Maintenances)
	}
}

func equalItems[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestWidgetScript: the script is served as JavaScript, parses (node
// --check, where node is installed), fetches widget.json relative to its
// own URL and writes no HTML.
func TestWidgetScript(t *testing.T) {
	s := newServerWith(t, api.Options{Store: feedStore()})
	rec := getPage(t, s.handler, "acme.example.com", "/widget.js", nil)
	js := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(js, "document.currentScript") || !strings.Contains(js, `"widget.json"`) {
		t.Fatalf("code %d:\n%.300s", rec.Code, js)
	}
	if regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(`).MatchString(js) {
		t.Error("the script writes HTML or evaluates code")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the script's syntax is not checked (the rest of this test ran)")
	}
	path := filepath.Join(t.TempDir(), "widget.js")
	if err := os.WriteFile(path, rec.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, "--check", path).CombinedOutput(); err != nil {
		t.Errorf("node --check: %v\n%s", err, out)
	}
}

// FuzzPublicDocRequest: no host, path or query makes the feeds, badges or
// widget answer 5xx.
func FuzzPublicDocRequest(f *testing.F) {
	for _, seed := range [][2]string{{"acme.example.com", "/badge.svg?type=uptime&window=24h"},
		{"", "/components/api/badge.svg?label=%3Cb%3E"}, {"a b", "/history.rss"}, {"[::1]:80", "/widget.json"},
		{"acme.example.com", "/components/%2e%2e/badge.svg?style=flat-square"}} {
		f.Add(seed[0], seed[1])
	}
	s := newServerWith(f, api.Options{Store: feedStore(), Maintenances: maintenanceFixture()})
	f.Fuzz(func(t *testing.T, host, target string) {
		r, err := http.NewRequest(http.MethodGet, "http://127.0.0.1"+target, nil)
		if err != nil || !strings.HasPrefix(target, "/") {
			return
		}
		r.Host = host
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("GET %q on host %q: %d\n%s", target, host, rec.Code, rec.Body)
		}
	})
}
