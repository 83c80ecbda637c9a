package staticexport_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/maintenance"
	"github.com/statusd/statusd/staticexport"
	"github.com/statusd/statusd/store/sqlstore"
	"github.com/statusd/statusd/web/htmlpage"
)

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

const (
	evilTitle = `<script>alert(1)</script> *x*`
	secret    = "SECRET-7731" // in every text of the private and disabled pages
)

// site is a SQLite store with four pages behind the API's handler:
// acme (public, custom domain), beta (public, subdomain under
// example.net), priv (private, open to every address) and gone
// (disabled).
type site struct {
	t       *testing.T
	store   *sqlstore.Store
	handler http.Handler
	cat     catalog.Catalog
	ids     map[string]int64 // incidents by name
}

func siteCatalog() catalog.Catalog {
	return catalog.Catalog{
		Pages: []catalog.Page{
			{ID: "acme", Name: "Acme", URL: "https://status.acme.test", CustomDomain: "status.acme.test", TimeZone: "Etc/UTC"},
			{ID: "beta", Name: "Beta", URL: "/", Subdomain: "beta", TimeZone: "Etc/UTC"},
			{ID: "priv", Name: "Priv " + secret, Subdomain: "priv", Private: true, AllowedCIDRs: []string{"0.0.0.0/0", "::/0"},
				TimeZone: "Etc/UTC"},
			{ID: "gone", Name: "Gone " + secret, Subdomain: "gone", Disabled: true, TimeZone: "Etc/UTC"},
		},
		Components: []catalog.Component{
			{ID: "api", PageID: "acme", Name: "API", Position: 1},
			{ID: "web", PageID: "acme", Name: "Website", Position: 2},
			{ID: "app", PageID: "beta", Name: "App", Position: 1},
			{ID: "vault", PageID: "priv", Name: "Vault " + secret, Position: 1},
			{ID: "old", PageID: "gone", Name: "Old " + secret, Position: 1},
		},
	}
}

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
	s := &site{t: t, store: st, cat: siteCatalog(), ids: map[string]int64{}}
	s.sync()
	a, err := api.New(api.Options{Store: st, Entities: st, Statuses: st, Incidents: st, Maintenances: st,
		Registerer: prometheus.NewRegistry(), Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	s.handler = a.Handler()
	s.incident("acme", evilTitle, "<img src=x onerror=alert(2)> _down_", incident.Identified)
	s.incident("acme", "Database slow", "Slow queries.", incident.Resolved)
	s.incident("priv", "Vault incident "+secret, "Body "+secret, incident.Investigating)
	s.incident("gone", "Old incident "+secret, "Body "+secret, incident.Investigating)
	s.maintenance("acme", "Disk swap", maintenance.Scheduled, false, 24*time.Hour)     // upcoming: the home page links it
	s.maintenance("acme", "Kernel patch", maintenance.Completed, false, -48*time.Hour) // done: the history links it
	s.maintenance("acme", "Rehearsal "+secret, maintenance.Scheduled, true, 48*time.Hour)
	return s
}

// maintenance stores a window of page starting at now+start, for two hours.
func (s *site) maintenance(page, title string, st maintenance.Status, private bool, start time.Duration) {
	s.t.Helper()
	ctx := auth.WithPrincipal(s.t.Context(), auth.Principal{Kind: auth.KindCLI, ID: "test", Scope: auth.ScopeAdmin})
	w := maintenance.Window{PageID: page, Title: title, Body: "Details of " + title, Status: st, Private: private,
		StartsAt: now.Add(start), EndsAt: now.Add(start + 2*time.Hour), ComponentIDs: []string{"web"},
		CreatedAt: now.Add(-72 * time.Hour), UpdatedAt: now.Add(-72 * time.Hour)}
	if st == maintenance.Completed {
		w.StartedAt, w.CompletedAt = w.StartsAt, w.EndsAt
	}
	w, err := s.store.CreateMaintenance(ctx, w)
	if err != nil {
		s.t.Fatal(err)
	}
	s.ids[title] = w.ID
}

func (s *site) sync() {
	s.t.Helper()
	if err := s.store.SyncCatalog(s.t.Context(), s.cat, now.Add(-24*time.Hour)); err != nil {
		s.t.Fatal(err)
	}
}

func (s *site) incident(page, name, body string, st incident.Status) {
	s.t.Helper()
	in := incident.Incident{PageID: page, Name: name, Status: st, Impact: incident.ImpactMajor,
		CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-30 * time.Minute),
		Updates: []incident.Update{{Status: st, Body: body, CreatedAt: now.Add(-time.Hour)}}}
	id, err := s.store.CreateIncident(s.t.Context(), in)
	if err != nil {
		s.t.Fatal(err)
	}
	s.ids[name] = id
}

// act runs an operator's action on an incident.
func (s *site) act(name string, a incident.Action) {
	s.t.Helper()
	ctx := auth.WithPrincipal(s.t.Context(), auth.Principal{Kind: auth.KindCLI, ID: "test", Scope: auth.ScopeAdmin})
	if _, err := s.store.ActOnIncident(ctx, "acme", s.ids[name], a, now); err != nil {
		s.t.Fatal(err)
	}
}

func (s *site) exporter() *staticexport.Exporter {
	s.t.Helper()
	e, err := staticexport.New(staticexport.Options{Handler: s.handler, Pages: s.store, Domain: "example.net"})
	if err != nil {
		s.t.Fatal(err)
	}
	return e
}

// live is what the handler answers a visitor of host for path.
func (s *site) live(host, path string, md bool) []byte {
	s.t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Host = host
	if md {
		r.Header.Set("Accept", "text/markdown")
	}
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	if w.Code != 200 {
		s.t.Fatalf("GET %s on %s: %d", path, host, w.Code)
	}
	return w.Body.Bytes()
}

// files lists the files under dir, relative, with slashes.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func pageFiles(incidents, maintenances []int64, components ...string) []string {
	out := []string{"api/v2/components.json", "api/v2/incidents.json", "api/v2/incidents/unresolved.json",
		"api/v2/scheduled-maintenances.json", "api/v2/scheduled-maintenances/active.json",
		"api/v2/scheduled-maintenances/upcoming.json", "api/v2/status.json", "api/v2/summary.json",
		"badge.svg", "history.atom", "history.rss", "history/index.html", "history/index.md", "index.html", "index.md",
		"widget.js", "widget.json"}
	for _, c := range components {
		out = append(out, "components/"+c+"/badge.svg")
	}
	for _, id := range incidents {
		out = append(out, "incidents/"+strconv.FormatInt(id, 10)+"/index.html", "incidents/"+strconv.FormatInt(id, 10)+"/index.md")
	}
	for _, id := range maintenances {
		out = append(out, "maintenances/"+strconv.FormatInt(id, 10)+"/index.html", "maintenances/"+strconv.FormatInt(id, 10)+"/index.md")
	}
	slices.Sort(out)
	return out
}

// livePath is the request that a file of the export answers.
func livePath(file string) (path string, md bool) {
	switch {
	case file == "index.html":
		return "/", false
	case file == "index.md":
		return "/", true
	case strings.HasSuffix(file, "/index.html"):
		return "/" + strings.TrimSuffix(file, "/index.html"), false
	case strings.HasSuffix(file, "/index.md"):
		return "/" + strings.TrimSuffix(file, "/index.md"), true
	}
	return "/" + file, false
}

func TestExportWritesEveryPublicFile(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	res, err := s.exporter().Export(t.Context(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pages) != 2 {
		t.Fatalf("exported %+v, want acme and beta", res.Pages)
	}
	if got := files(t, dir); !slices.Equal(topDirs(got), []string{".statusd-export.json", "acme", "beta"}) {
		t.Fatalf("top level: %v; a private or disabled page was exported", topDirs(got))
	}
	acme := []int64{s.ids[evilTitle], s.ids["Database slow"]}
	for _, tc := range []struct {
		page, host string
		want       []string
	}{
		{"acme", "status.acme.test", pageFiles(acme, []int64{s.ids["Disk swap"], s.ids["Kernel patch"]}, "api", "web")},
		{"beta", "beta.example.net", pageFiles(nil, nil, "app")},
	} {
		t.Run(tc.page, func(t *testing.T) {
			got := files(t, filepath.Join(dir, tc.page))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("files:\n%v\nwant:\n%v", got, tc.want)
			}
			for _, f := range got {
				b, err := os.ReadFile(filepath.Join(dir, tc.page, filepath.FromSlash(f)))
				if err != nil {
					t.Fatal(err)
				}
				path, md := livePath(f)
				if live := s.live(tc.host, path, md); !bytes.Equal(b, live) {
					t.Errorf("%s differs from GET %s (md %v) on %s", f, path, md, tc.host)
				}
				if bytes.Contains(b, []byte(secret)) {
					t.Errorf("%s holds text of the private or disabled page", f)
				}
			}
		})
	}
}

func topDirs(files []string) []string {
	var out []string
	for _, f := range files {
		top, _, _ := strings.Cut(f, "/")
		if !slices.Contains(out, top) {
			out = append(out, top)
		}
	}
	return out
}

func TestExportKeepsMarkupAsText(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	if _, err := s.exporter().Export(t.Context(), dir, "acme"); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(s.ids[evilTitle], 10)
	for _, f := range []string{"index.html", "history/index.html", "incidents/" + id + "/index.html"} {
		b := read(t, dir, "acme", f)
		if bytes.Contains(b, []byte("<script>alert")) || bytes.Contains(b, []byte("<img")) {
			t.Errorf("%s: markup of an incident is HTML:\n%s", f, b)
		}
		if !bytes.Contains(b, []byte("&lt;script&gt;alert(1)&lt;/script&gt; *x*")) {
			t.Errorf("%s: the title is not shown as text", f)
		}
	}
	for _, f := range []string{"index.md", "history/index.md", "incidents/" + id + "/index.md"} {
		b := read(t, dir, "acme", f)
		if !bytes.Contains(b, []byte(`\<script\>alert(1)\</script\> \*x\*`)) {
			t.Errorf("%s: the title is not literal Markdown text:\n%s", f, b)
		}
		if i := htmlpage.UnescapedMarkdown(b, '<'); i >= 0 {
			t.Errorf("%s: unescaped < at %d:\n%s", f, i, b)
		}
	}
	if b := read(t, dir, "acme", "incidents/"+id+"/index.md"); !bytes.Contains(b, []byte(`\<img src=x onerror=alert(2)\> \_down\_`)) {
		t.Errorf("the update's body is not literal text:\n%s", b)
	}
}

func read(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestExportReplaces: a second export after changes replaces what
// changed, leaves the rest, removes a deleted incident's files and the
// directory of a page made private.
func TestExportReplaces(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	e := s.exporter()
	if _, err := e.Export(t.Context(), dir, ""); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "acme", "incidents", "999", "index.html") // as if from an older export
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	unrelated := filepath.Join(dir, "not-ours.txt")
	if err := os.WriteFile(unrelated, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	slow := strconv.FormatInt(s.ids["Database slow"], 10)
	s.act("Database slow", incident.Action{Kind: incident.KindDelete})
	s.act(evilTitle, incident.Action{Kind: incident.KindUpdate, Body: "Rolling back now", Status: "monitoring"})
	s.cat.Pages[1].Private, s.cat.Pages[1].AllowedCIDRs = true, []string{"192.0.2.0/24"}
	s.sync()

	res, err := e.Export(t.Context(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pages) != 1 || res.Pages[0].ID != "acme" || res.Pages[0].Removed != 3 || res.Pages[0].Written == 0 ||
		res.Pages[0].Written >= res.Pages[0].Files {
		t.Errorf("second export: %+v; want acme only, 3 removed, some but not all written", res.Pages)
	}
	for _, gone := range []string{"acme/incidents/" + slow + "/index.html", "acme/incidents/" + slow + "/index.md",
		"acme/incidents/999", "beta"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is still there (%v)", gone, err)
		}
	}
	if _, err := os.Stat(unrelated); err != nil {
		t.Errorf("a file the export did not write was removed: %v", err)
	}
	id := strconv.FormatInt(s.ids[evilTitle], 10)
	if b := read(t, dir, "acme", "incidents", id, "index.md"); !bytes.Contains(b, []byte("Rolling back now")) {
		t.Errorf("the incident's page was not replaced:\n%s", b)
	}
	for _, f := range files(t, dir) {
		if strings.Contains(f, ".statusd-tmp-") {
			t.Errorf("temporary file left: %s", f)
		}
	}
}

func TestExportOnePage(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	e := s.exporter()
	for _, tc := range []struct{ id, reason string }{{"priv", "is private"}, {"gone", "is disabled"}, {"nope", "does not exist"}} {
		_, err := e.Export(t.Context(), dir, tc.id)
		var ne *staticexport.NotExportedError
		if !errors.As(err, &ne) || ne.ID != tc.id || ne.Reason != tc.reason {
			t.Errorf("export %s: %v, want a NotExportedError saying %q", tc.id, err, tc.reason)
		}
	}
	if _, err := e.Export(t.Context(), dir, "beta"); err != nil {
		t.Fatal(err)
	}
	if got := topDirs(files(t, dir)); !slices.Equal(got, []string{".statusd-export.json", "beta"}) {
		t.Errorf("exported %v, want beta alone", got)
	}
}

// TestExportRefusesAWrongHost: a page whose host names another page is
// an error, not that page's copy under its name.
func TestExportRefusesAWrongHost(t *testing.T) {
	s := newSite(t)
	e, err := staticexport.New(staticexport.Options{Handler: s.handler, Pages: s.store}) // no Domain: beta has no host
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, err = e.Export(t.Context(), dir, "")
	if err == nil || !strings.Contains(err.Error(), `export page "beta": host "" serves page "acme"`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "beta")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("beta was written: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "acme", "index.html")); err != nil {
		t.Errorf("acme was not exported beside the failure: %v", err)
	}
}

// TestExportServedStatically serves the export with http.FileServer: the
// pages' own links resolve.
func TestExportServedStatically(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	if _, err := s.exporter().Export(t.Context(), dir, ""); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "acme"))))
	t.Cleanup(srv.Close)
	id := strconv.FormatInt(s.ids[evilTitle], 10)
	for _, tc := range []struct{ path, want, ctype string }{
		{"/", "<title>Acme status</title>", "text/html; charset=utf-8"},
		{"/history", "Incident history", "text/html; charset=utf-8"},
		{"/history/", "Incident history", "text/html; charset=utf-8"},
		{"/incidents/" + id, "&lt;script&gt;", "text/html; charset=utf-8"},
		{"/index.md", "# Acme status", ""},
		{"/api/v2/summary.json", `"id":"acme"`, "application/json"},
		{"/history.rss", "<rss", ""},
		{"/badge.svg", "<svg", "image/svg+xml"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := srv.Client().Get(srv.URL + tc.path) // follows /history → /history/
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			if cerr := resp.Body.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || !bytes.Contains(body, []byte(tc.want)) {
				t.Fatalf("%d, want 200 with %q:\n%.300s", resp.StatusCode, tc.want, body)
			}
			if tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tc.ctype)
			}
		})
	}
	// Every local link of the home page and the history resolves.
	for _, page := range []string{"/", "/history/"} {
		resp, err := srv.Client().Get(srv.URL + page)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		for _, m := range hrefs(body) {
			r, err := srv.Client().Get(srv.URL + m)
			if err != nil {
				t.Fatal(err)
			}
			_ = r.Body.Close()
			if r.StatusCode != 200 {
				t.Errorf("link %s on %s: %d", m, page, r.StatusCode)
			}
		}
	}
}

// hrefs are the local links (href="/…") of an HTML document.
func hrefs(body []byte) []string {
	var out []string
	for rest := string(body); ; {
		i := strings.Index(rest, `href="/`)
		if i < 0 {
			return out
		}
		rest = rest[i+len(`href="`):]
		out = append(out, rest[:strings.IndexByte(rest, '"')])
	}
}
