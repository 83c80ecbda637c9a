package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/api"
)

// TestPageLogin: the password form, what a sign-in answers and the
// cookie it sets.
func TestPageLogin(t *testing.T) {
	post := func(form url.Values, header map[string]string) visit {
		return visit{method: http.MethodPost, target: "/login", form: form, header: header}
	}
	right := func(next string) url.Values { return url.Values{"password": {acmePassword}, "next": {next}} }
	cases := []struct {
		name     string
		visit    visit
		code     int
		location string // for a 303
		cookie   bool
		text     string // in the body
	}{
		{"the form", visit{target: "/incidents/5"}, 401, "", false, `<input type="hidden" name="next" value="/incidents/5">`},
		{"right password", post(right("/history"), nil), 303, "/history", true, ""},
		{"right password, same origin", post(right("/"), map[string]string{"Origin": "https://" + acmeHost}), 303, "/", true, ""},
		{"right password, same-site referer", post(right("/"), map[string]string{"Referer": "https://" + acmeHost + "/x"}), 303, "/", true, ""},
		{"wrong password", post(url.Values{"password": {"guess"}, "next": {"/history"}}, nil), 401, "", false,
			"That password is not right."},
		{"wrong password keeps next", post(url.Values{"password": {"guess"}, "next": {"/history"}}, nil), 401, "", false,
			`name="next" value="/history"`},
		{"too long a password", post(url.Values{"password": {acmePassword + strings.Repeat("x", 100)}}, nil), 401, "", false, "not right"},
		{"no password", post(url.Values{"next": {"/"}}, nil), 401, "", false, "Enter the password."},
		{"another site's form", post(right("/"), map[string]string{"Origin": "https://evil.test"}), 403, "", false, "another site"},
		{"another site's referer", post(right("/"), map[string]string{"Referer": "https://evil.test/"}), 403, "", false, "another site"},
		{"opaque origin", post(right("/"), map[string]string{"Origin": "null"}), 403, "", false, ""},
		{"escaped next stays escaped", post(right("/%0d%0aSet-Cookie:x=1"), nil), 303, "/%0d%0aSet-Cookie:x=1", true, ""},
		{"next without its fragment", post(right("/incidents/5?a=b#top"), nil), 303, "/incidents/5?a=b", true, ""},
		{"form too large", post(url.Values{"password": {strings.Repeat("x", 9000)}}, nil), 413, "", false, ""},
	}
	for _, next := range []string{"//evil.test/", "https://evil.test/", "/\\evil.test", "\\\\evil.test", "evil.test",
		"/\r\nSet-Cookie:x=1", "javascript:alert(1)", "/\t/evil.test", ""} {
		cases = append(cases, struct {
			name     string
			visit    visit
			code     int
			location string
			cookie   bool
			text     string
		}{fmt.Sprintf("next %q stays here", next), post(right(next), nil), 303, "/", true, ""})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newPrivateEnv(t, api.Options{})
			rec := e.send(tc.visit)
			if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.text) {
				t.Fatalf("%d, want %d with %q: %.400s", rec.Code, tc.code, tc.text, rec.Body)
			}
			if got := rec.Header().Get("Location"); got != tc.location {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
			var cookies []*http.Cookie
			for _, c := range rec.Result().Cookies() {
				if c.Value != "" {
					cookies = append(cookies, c)
				}
			}
			if !tc.cookie {
				if len(cookies) != 0 {
					t.Errorf("a cookie was set: %v", cookies)
				}
				return
			}
			if len(cookies) != 1 {
				t.Fatalf("cookies %v, want one", cookies)
			}
			c := cookies[0]
			if c.Name != "statusd_page_acme" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" ||
				c.Secure || c.MaxAge != 7*24*3600 || c.Domain != "" {
				t.Errorf("cookie %+v: want statusd_page_acme, HttpOnly, SameSite=Lax, Path=/, Max-Age 7 days, not Secure over plain HTTP", c)
			}
			e.checkSurfaces(t, "acme", visit{cookies: []*http.Cookie{c}}, true, 0, 0)
		})
	}
}

// TestPageLoginRateLimit: one address gets loginBurst tries, right or
// wrong, then 429 with Retry-After; another address is not held back, and
// the tries come back with time.
func TestPageLoginRateLimit(t *testing.T) {
	e := newPrivateEnv(t, api.Options{})
	for i := range 5 {
		if rec, _ := e.login(acmeHost, "guess", strangerIP); rec.Code != 401 {
			t.Fatalf("try %d: %d, want 401", i+1, rec.Code)
		}
	}
	rec, c := e.login(acmeHost, acmePassword, strangerIP)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "12" || c != nil ||
		!strings.Contains(rec.Body.String(), "Too many attempts") {
		t.Fatalf("6th try: %d, Retry-After %q, cookie %v; want 429, 12, none: %.300s", rec.Code, rec.Header().Get("Retry-After"), c, rec.Body)
	}
	if rec, c := e.login(acmeHost, acmePassword, "203.0.113.9"); rec.Code != 303 || c == nil {
		t.Errorf("another address: %d, cookie %v; want 303 with one", rec.Code, c)
	}
	// IPv6: one /64 is one client.
	for i := range 5 {
		e.login(acmeHost, "guess", fmt.Sprintf("2001:db8:1:2::%x", i+1))
	}
	if rec, _ := e.login(acmeHost, acmePassword, "2001:db8:1:2::99"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("6th try from the same /64: %d, want 429", rec.Code)
	}
	e.advance(12 * 1e9)
	if rec, c := e.login(acmeHost, acmePassword, strangerIP); rec.Code != 303 || c == nil {
		t.Errorf("12 s later: %d, cookie %v; want 303 with one", rec.Code, c)
	}
}

// TestPageLogout: logout clears the cookie.
func TestPageLogout(t *testing.T) {
	e := newPrivateEnv(t, api.Options{})
	rec := e.send(visit{method: http.MethodPost, target: "/logout", form: url.Values{}})
	if rec.Code != 303 || rec.Header().Get("Location") != "/" {
		t.Fatalf("logout: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	cs := rec.Result().Cookies()
	if len(cs) != 1 || cs[0].Name != "statusd_page_acme" || cs[0].MaxAge >= 0 || cs[0].Value != "" {
		t.Errorf("logout cookies %+v, want statusd_page_acme cleared", cs)
	}
}

// TestPageLoginOverTLS signs in over real listeners: over TLS, or plain
// HTTP behind a trusted proxy that says it terminated TLS, the cookie is
// Secure; over plain HTTP, or with that header from anyone else, not. The
// cookie then opens every surface over the same connection kind.
func TestPageLoginOverTLS(t *testing.T) {
	cases := []struct {
		name    string
		tls     bool
		proxies []string
		header  map[string]string
		secure  bool
	}{
		{"TLS", true, nil, nil, true},
		{"plain HTTP", false, nil, nil, false},
		{"X-Forwarded-Proto from an untrusted peer", false, nil, map[string]string{"X-Forwarded-Proto": "https"}, false},
		{"X-Forwarded-Proto from a trusted proxy", false, []string{"127.0.0.1"}, map[string]string{"X-Forwarded-Proto": "https"}, true},
		{"X-Forwarded-Proto http from a trusted proxy", false, []string{"127.0.0.0/8"}, map[string]string{"X-Forwarded-Proto": "http"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newPrivateEnv(t, api.Options{TrustedProxies: tc.proxies})
			srv := httptest.NewUnstartedServer(e.handler)
			if tc.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			t.Cleanup(srv.Close)
			client := srv.Client()
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			do := func(method, path string, body io.Reader, cookie *http.Cookie) *http.Response {
				t.Helper()
				r, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, body)
				if err != nil {
					t.Fatal(err)
				}
				r.Host = acmeHost
				if body != nil {
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				for k, v := range tc.header {
					r.Header.Set(k, v)
				}
				if cookie != nil {
					r.AddCookie(cookie)
				}
				resp, err := client.Do(r)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, resp.Body); err != nil {
					t.Fatal(err)
				}
				if err := resp.Body.Close(); err != nil {
					t.Fatal(err)
				}
				return resp
			}
			resp := do(http.MethodPost, "/login", strings.NewReader(url.Values{"password": {acmePassword}}.Encode()), nil)
			cs := resp.Cookies()
			if resp.StatusCode != 303 || len(cs) != 1 {
				t.Fatalf("login: %d, cookies %v", resp.StatusCode, cs)
			}
			if (resp.TLS != nil) != tc.tls || cs[0].Secure != tc.secure || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteLaxMode {
				t.Errorf("cookie %+v over TLS %v: want Secure %v, HttpOnly, SameSite=Lax", cs[0], resp.TLS != nil, tc.secure)
			}
			for _, s := range pageSurfaces("acme") {
				if resp := do(http.MethodGet, s.path, nil, nil); resp.StatusCode != 401 {
					t.Errorf("%s without the cookie: %d, want 401", s.path, resp.StatusCode)
				}
				if resp := do(http.MethodGet, s.path, nil, cs[0]); resp.StatusCode != 200 {
					t.Errorf("%s with the cookie: %d, want 200", s.path, resp.StatusCode)
				}
			}
		})
	}
}

// TestTrustedProxyClientIP: the allowlist sees the client a trusted proxy
// forwards, and only from a trusted proxy.
func TestTrustedProxyClientIP(t *testing.T) {
	e := newPrivateEnv(t, api.Options{TrustedProxies: []string{"203.0.113.0/24"}})
	for _, tc := range []struct {
		name, remote, xff string
		code              int
	}{
		{"forwarded allowlisted client", "203.0.113.5", allowedIP, 200},
		{"forwarded stranger", "203.0.113.5", strangerIP, 401},
		{"forwarded allowlisted client, spoofed first hop", "203.0.113.5", allowedIP + ", " + strangerIP, 401},
		{"untrusted peer forwarding", strangerIP, allowedIP, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.send(visit{target: "/", remote: tc.remote, header: map[string]string{"X-Forwarded-For": tc.xff}})
			if rec.Code != tc.code {
				t.Errorf("%d, want %d", rec.Code, tc.code)
			}
		})
	}
}

// TestNewRejectsPrivatePageOptions: bad session and proxy options fail New.
func TestNewRejectsPrivatePageOptions(t *testing.T) {
	for name, opts := range map[string]api.Options{
		"short session key":        {SessionKey: []byte("too short")},
		"negative session max age": {SessionMaxAge: -1},
		"proxy not an address":     {TrustedProxies: []string{"proxy.local"}},
	} {
		t.Run(name, func(t *testing.T) {
			opts.Store, opts.Registerer = fixture(), prometheus.NewRegistry()
			if _, err := api.New(opts); err == nil {
				t.Error("accepted")
			}
		})
	}
}

// FuzzPageSession: no cookie value opens a private page without the
// key, and no sign-in form gets a 5xx, a cookie for a wrong password or a
// redirect off the site. Each input comes from its own address, so the
// rate limit does not hide the password check.
func FuzzPageSession(f *testing.F) {
	for _, seed := range [][3]string{
		{"v1.1800000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", acmePassword, "/history"},
		{"v1.99999999999999999999.x", "guess", "//evil.test"},
		{"v1..", "", "/\\evil.test"}, {"", acmePassword + "x", "https://evil.test/"}, {"v2.1.=", "\x00", "/%2F%2Fevil.test"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	e := newPrivateEnv(f, api.Options{})
	var n int
	f.Fuzz(func(t *testing.T, cookie, password, next string) {
		n++
		remote := fmt.Sprintf("2001:db8:%x:%x::1", n>>16&0xffff, n&0xffff)
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host, r.RemoteAddr = acmeHost, "["+remote+"]:1"
		r.Header.Set("Cookie", "statusd_page_acme="+cookie)
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, r)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("cookie %q: %d, want 401", cookie, rec.Code)
		}
		rec = e.send(visit{method: http.MethodPost, target: "/login", remote: remote,
			form: url.Values{"password": {password}, "next": {next}}})
		loc := rec.Header().Get("Location")
		switch {
		case rec.Code >= 500:
			t.Fatalf("login: %d", rec.Code)
		case rec.Code == http.StatusSeeOther && password != acmePassword:
			t.Fatalf("password %q signed in", password)
		case rec.Code == http.StatusSeeOther && (!strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") ||
			strings.ContainsAny(loc, "\\\r\n\t")):
			t.Fatalf("next %q redirects to %q", next, loc)
		case rec.Code != http.StatusSeeOther && len(rec.Result().Cookies()) > 0:
			t.Fatalf("a failed sign-in set a cookie")
		}
	})
}
