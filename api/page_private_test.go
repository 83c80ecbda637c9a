package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
)

// The private pages of privateFixture: acme (password and allowlist) on
// status.acme.test, other (password) on status.other.test, gone (disabled,
// though its password and allowlist would let the visitor in) on
// status.gone.test; beta stays public.
const (
	acmePassword  = "correct horse battery"
	otherPassword = "other page's password"
	allowedIP     = "198.51.100.7" // in acme's and gone's allowlists
	strangerIP    = "192.0.2.1"
	acmeHost      = "status.acme.test"
)

// leaks are texts of acme that a sealed answer must never show: a
// component, an incident and the platform alert.
var leaks = []string{"Database", "API unreachable", "Database slow", "alert 7788"}

// v2Docs are the v2 documents every page serves.
var v2Docs = []string{"summary.json", "status.json", "components.json", "incidents.json", "incidents/unresolved.json",
	"scheduled-maintenances.json", "scheduled-maintenances/upcoming.json", "scheduled-maintenances/active.json"}

// surface is one public answer of a page: an HTML page (served for the
// Host) or a JSON document.
type surface struct {
	path  string
	html  bool
	plain bool // a feed, badge or the widget: errors are plain text
}

// pageSurfaces lists every public surface of page id, in one place: feeds,
// badges and the widget are added here as they come, and every private
// page test covers them.
func pageSurfaces(id string) []surface {
	out := []surface{{"/", true, false}, {"/history", true, false}, {"/incidents/5", true, false}}
	for _, d := range v2Docs {
		out = append(out, surface{"/api/v2/" + d + "?page=" + id, false, false}, surface{"/pages/" + id + "/api/v2/" + d, false, false})
	}
	for _, path := range []string{"/history.rss", "/history.atom", "/badge.svg", "/badge.svg?type=uptime&window=30d",
		"/components/db/badge.svg", "/widget.js", "/widget.json"} {
		out = append(out, surface{path, false, true})
	}
	return out
}

// hashOf is password's bcrypt hash at the lowest cost, to keep tests fast.
func hashOf(t testing.TB, password string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func privateFixture(t testing.TB) *fakeStore {
	s := fixture()
	for i := range s.pages {
		if s.pages[i].ID == "acme" {
			p := &s.pages[i]
			p.CustomDomain, p.Private, p.PasswordHash = acmeHost, true, hashOf(t, acmePassword)
			p.AllowedCIDRs = []string{"198.51.100.0/24", "2001:db8:aa::/48"}
			p.Alert = catalog.PlatformAlert{Enabled: true, Title: "Heads up", Message: "alert 7788"}
		}
	}
	s.pages = append(s.pages,
		catalog.Page{ID: "other", Name: "Other", TimeZone: "Etc/UTC", CustomDomain: "status.other.test",
			Private: true, PasswordHash: hashOf(t, otherPassword)},
		catalog.Page{ID: "gone", Name: "Gone", TimeZone: "Etc/UTC", CustomDomain: "status.gone.test", Disabled: true,
			Private: true, PasswordHash: hashOf(t, acmePassword), AllowedCIDRs: []string{"198.51.100.0/24"}})
	return s
}

// privateEnv is an API over privateFixture with a clock the test moves.
type privateEnv struct {
	t       testing.TB
	store   *fakeStore
	handler http.Handler
	mu      sync.Mutex
	now     time.Time
}

func newPrivateEnv(t testing.TB, opts api.Options) *privateEnv {
	e := &privateEnv{t: t, store: privateFixture(t), now: start}
	opts.Store, opts.ReadMaxAge = e.store, -1 // every request reads the store: a password change shows at once
	opts.Maintenances = maintenanceFixture()
	opts.Clock = func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
	e.handler = newServerWith(t, opts).handler
	return e
}

// page is the store's page id, to change.
func (e *privateEnv) page(id string) *catalog.Page {
	for i := range e.store.pages {
		if e.store.pages[i].ID == id {
			return &e.store.pages[i]
		}
	}
	e.t.Fatalf("no page %q", id)
	return nil
}

func (e *privateEnv) advance(d time.Duration) { e.mu.Lock(); e.now = e.now.Add(d); e.mu.Unlock() }

// visit is one request of a visitor.
type visit struct {
	method, host, target, remote string
	cookies                      []*http.Cookie
	form                         url.Values
	header                       map[string]string
}

func (e *privateEnv) send(v visit) *httptest.ResponseRecorder {
	var r *http.Request
	if v.form != nil {
		r = httptest.NewRequest(v.method, v.target, strings.NewReader(v.form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(cmpOr(v.method, http.MethodGet), v.target, nil)
	}
	r.Host = cmpOr(v.host, acmeHost)
	r.RemoteAddr = cmpOr(v.remote, strangerIP) + ":40000"
	if strings.Contains(v.remote, ":") {
		r.RemoteAddr = "[" + v.remote + "]:40000"
	}
	for _, c := range v.cookies {
		r.AddCookie(c)
	}
	for k, val := range v.header {
		r.Header.Set(k, val)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, r)
	return rec
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// login signs in to the page of host with password from remote and
// returns the answer and the session cookie set, if any.
func (e *privateEnv) login(host, password, remote string) (*httptest.ResponseRecorder, *http.Cookie) {
	e.t.Helper()
	rec := e.send(visit{method: http.MethodPost, host: host, target: "/login", remote: remote,
		form: url.Values{"password": {password}, "next": {"/history"}}})
	for _, c := range rec.Result().Cookies() {
		if strings.HasPrefix(c.Name, "statusd_page_") && c.Value != "" {
			return rec, c
		}
	}
	return rec, nil
}

// checkSurfaces asserts how every surface of page id answers v: open
// (200, showing the page, never in a shared cache), or sealed with
// sealedHTML and sealedJSON and nothing of the page shown.
func (e *privateEnv) checkSurfaces(t *testing.T, id string, v visit, open bool, sealedHTML, sealedJSON int) {
	t.Helper()
	for _, s := range pageSurfaces(id) {
		v.target = s.path
		rec := e.send(v)
		body := rec.Body.String()
		if open {
			if rec.Code != http.StatusOK {
				t.Errorf("%s: %d, want 200: %.300s", s.path, rec.Code, body)
			}
			if cc := rec.Header().Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
				t.Errorf("%s: Cache-Control %q, want private", s.path, cc)
			}
			continue
		}
		want := sealedJSON
		if s.html {
			want = sealedHTML
		}
		if rec.Code != want {
			t.Errorf("%s: %d, want %d: %.300s", s.path, rec.Code, want, body)
		}
		for _, leak := range leaks {
			if strings.Contains(body, leak) {
				t.Errorf("%s: a sealed answer shows %q", s.path, leak)
			}
		}
		switch {
		case s.html && want == http.StatusUnauthorized && !strings.Contains(body, `name="password"`):
			t.Errorf("%s: 401 without the password form: %.300s", s.path, body)
		case s.plain && want == http.StatusUnauthorized && !strings.Contains(body, "private"):
			t.Errorf("%s: 401 without saying the page is private: %s", s.path, body)
		case s.plain:
		case !s.html && want == http.StatusUnauthorized && !strings.Contains(body, `"code":"unauthorized"`):
			t.Errorf("%s: 401 without the API's error shape: %s", s.path, body)
		case !s.html && want == http.StatusNotFound && !strings.Contains(body, `"code":"not_found"`):
			t.Errorf("%s: 404 without the API's error shape: %s", s.path, body)
		}
	}
}

// TestPrivatePageAccess: every surface of a private page is sealed
// without a valid session or an allowlisted address, and open with one.
func TestPrivatePageAccess(t *testing.T) {
	type setup func(t *testing.T, e *privateEnv) visit
	withCookie := func(mod func(e *privateEnv, c *http.Cookie) *http.Cookie) setup {
		return func(t *testing.T, e *privateEnv) visit {
			rec, c := e.login(acmeHost, acmePassword, strangerIP)
			if c == nil {
				t.Fatalf("login set no cookie: %d %s", rec.Code, rec.Body)
			}
			return visit{cookies: []*http.Cookie{mod(e, c)}}
		}
	}
	same := func(_ *privateEnv, c *http.Cookie) *http.Cookie { return c }
	cases := []struct {
		name  string
		setup setup
		open  bool
	}{
		{"no cookie", func(*testing.T, *privateEnv) visit { return visit{} }, false},
		{"allowlisted address", func(*testing.T, *privateEnv) visit { return visit{remote: allowedIP} }, true},
		{"allowlisted IPv6 address", func(*testing.T, *privateEnv) visit { return visit{remote: "2001:db8:aa:1::5"} }, true},
		{"allowlisted IPv4-mapped address", func(*testing.T, *privateEnv) visit { return visit{remote: "::ffff:" + allowedIP} }, true},
		{"X-Forwarded-For from an untrusted peer", func(*testing.T, *privateEnv) visit {
			return visit{header: map[string]string{"X-Forwarded-For": allowedIP, "X-Real-IP": allowedIP}}
		}, false},
		{"session cookie", withCookie(same), true},
		{"a stale cookie before the session cookie", func(t *testing.T, e *privateEnv) visit {
			v := withCookie(same)(t, e)
			v.cookies = append([]*http.Cookie{{Name: "statusd_page_acme", Value: "v1.1.AAAA"}}, v.cookies...)
			return v
		}, true},
		{"tampered signature", withCookie(func(_ *privateEnv, c *http.Cookie) *http.Cookie {
			b := []byte(c.Value)
			b[len(b)-2] ^= 1 // a base64url character to another one
			return &http.Cookie{Name: c.Name, Value: string(b)}
		}), false},
		{"expiry moved", withCookie(func(_ *privateEnv, c *http.Cookie) *http.Cookie {
			parts := strings.Split(c.Value, ".")
			end, err := strconv.ParseInt(parts[1], 10, 64)
			if err != nil {
				panic(err)
			}
			parts[1] = strconv.FormatInt(end-3600, 10) // still in the future: only the signature tells
			return &http.Cookie{Name: c.Name, Value: strings.Join(parts, ".")}
		}), false},
		{"beyond the max age", withCookie(func(_ *privateEnv, c *http.Cookie) *http.Cookie {
			parts := strings.Split(c.Value, ".")
			parts[1] = "99999999999"
			return &http.Cookie{Name: c.Name, Value: strings.Join(parts, ".")}
		}), false},
		{"unsigned", withCookie(func(_ *privateEnv, c *http.Cookie) *http.Cookie {
			parts := strings.Split(c.Value, ".")
			return &http.Cookie{Name: c.Name, Value: parts[0] + "." + parts[1] + "."}
		}), false},
		{"cookie of another page", func(t *testing.T, e *privateEnv) visit {
			_, c := e.login("status.other.test", otherPassword, strangerIP)
			if c == nil || c.Name != "statusd_page_other" {
				t.Fatalf("login to other: cookie %v", c)
			}
			return visit{cookies: []*http.Cookie{{Name: "statusd_page_acme", Value: c.Value}}}
		}, false},
		{"expired", withCookie(func(e *privateEnv, c *http.Cookie) *http.Cookie {
			e.advance(api.DefaultSessionMaxAge)
			return c
		}), false},
		{"just before expiry", withCookie(func(e *privateEnv, c *http.Cookie) *http.Cookie {
			e.advance(api.DefaultSessionMaxAge - time.Second)
			return c
		}), true},
		{"after a password change", withCookie(func(e *privateEnv, c *http.Cookie) *http.Cookie {
			e.page("acme").PasswordHash = hashOf(e.t, "a new password 123")
			return c
		}), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newPrivateEnv(t, api.Options{})
			e.checkSurfaces(t, "acme", tc.setup(t, e), tc.open, http.StatusUnauthorized, http.StatusUnauthorized)
		})
	}
}

// TestHiddenPages: a disabled page is a 404 everywhere, for allowlisted
// addresses too, and so is a private page without a password to a
// visitor outside its allowlist.
func TestHiddenPages(t *testing.T) {
	e := newPrivateEnv(t, api.Options{})
	e.store.pages = append(e.store.pages, catalog.Page{ID: "lan", Name: "Lan", TimeZone: "Etc/UTC",
		CustomDomain: "status.lan.test", Private: true, AllowedCIDRs: []string{"198.51.100.0/24"}})
	for _, tc := range []struct {
		name, id, host, remote string
		open                   bool
	}{
		{"disabled, allowlisted", "gone", "status.gone.test", allowedIP, false},
		{"disabled, stranger", "gone", "status.gone.test", strangerIP, false},
		{"allowlist only, stranger", "lan", "status.lan.test", strangerIP, false},
		{"allowlist only, allowlisted", "lan", "status.lan.test", allowedIP, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := visit{host: tc.host, remote: tc.remote}
			if tc.open { // the incident of the surfaces is acme's, so only these
				for _, target := range []string{"/", "/api/v2/status.json?page=" + tc.id, "/pages/" + tc.id + "/api/v2/summary.json"} {
					v.target = target
					if rec := e.send(v); rec.Code != http.StatusOK {
						t.Errorf("%s: %d, want 200", target, rec.Code)
					}
				}
				return
			}
			e.checkSurfaces(t, tc.id, v, false, http.StatusNotFound, http.StatusNotFound)
			if rec, c := e.login(tc.host, acmePassword, tc.remote); rec.Code != http.StatusNotFound || c != nil {
				t.Errorf("login: %d, cookie %v; want 404 and none", rec.Code, c)
			}
		})
	}
}

// TestPageLoginGolden: the password form as HTML, with and without a
// failed try.
func TestPageLoginGolden(t *testing.T) {
	e := newPrivateEnv(t, api.Options{})
	goldenHTML(t, "page_login", e.send(visit{target: "/incidents/5"}).Body.Bytes())
	rec, _ := e.login(acmeHost, "guess", strangerIP)
	goldenHTML(t, "page_login_failed", rec.Body.Bytes())
}
