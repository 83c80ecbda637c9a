package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/store/sqlstore"
)

// lockedBuffer is a log buffer the server's goroutines may share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// authEnv is a real API server over a SQLite store with two pages, an
// admin and named keys, on a clock the test moves.
type authEnv struct {
	url     string
	handler http.Handler
	store   *sqlstore.Store
	logs    *lockedBuffer
	admin   auth.Admin
	keys    map[string]string // name → the key as a client sends it
	ids     map[string]string // name → key ID

	mu  sync.Mutex
	now time.Time
}

func (e *authEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *authEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// setupPrincipal makes the admin and keys newAuthEnv starts with.
var setupPrincipal = auth.Principal{Kind: auth.KindCLI, ID: "setup", Scope: auth.ScopeAdmin}

func newAuthEnv(t testing.TB, opts api.Options) *authEnv {
	t.Helper()
	// The setup's writes are the host's, as statusd admin and key would be.
	ctx := auth.WithPrincipal(t.Context(), setupPrincipal)
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
	if err := st.SyncCatalog(ctx, catalog.Catalog{Pages: []catalog.Page{
		{ID: "acme", Name: "Acme", TimeZone: "Etc/UTC"}, {ID: "beta", Name: "Beta", TimeZone: "Etc/UTC"}}}, t0); err != nil {
		t.Fatal(err)
	}
	e := &authEnv{store: st, logs: &lockedBuffer{}, now: start, keys: map[string]string{}, ids: map[string]string{}}
	admin, errs := auth.NewAdmin("ops@example.com", "Ops", t0)
	if errs != nil {
		t.Fatal(errs)
	}
	if err := st.CreateAdmin(ctx, admin); err != nil {
		t.Fatal(err)
	}
	e.admin = admin
	for _, k := range []struct {
		name   string
		scope  auth.Scope
		page   string
		revoke bool
	}{
		{"admin", auth.ScopeAdmin, "", false},
		{"write", auth.ScopeWrite, "", false},
		{"read", auth.ScopeRead, "", false},
		{"acme-admin", auth.ScopeAdmin, "acme", false},
		{"revoked", auth.ScopeAdmin, "", true},
	} {
		key, secret, err := auth.NewKey(auth.KeyRequest{AdminID: admin.ID, Scope: k.scope, PageID: k.page, Name: k.name}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateKey(ctx, key); err != nil {
			t.Fatal(err)
		}
		if k.revoke {
			if _, err := st.RevokeKey(ctx, key.ID, t0); err != nil {
				t.Fatal(err)
			}
		}
		e.keys[k.name], e.ids[k.name] = secret, key.ID
	}
	authn, err := auth.NewAuthenticator(auth.AuthenticatorOptions{Keys: st, Clock: e.clock, Changes: st.CatalogVersion})
	if err != nil {
		t.Fatal(err)
	}
	opts.Store, opts.Keys, opts.KeyStore, opts.AdminStore, opts.Entities = st, authn, st, st, st
	opts.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Registerer, opts.Clock = prometheus.NewRegistry(), e.clock
	a, err := api.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.handler = a.Handler()
	srv := httptest.NewServer(e.handler)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

// call sends a request and returns the status, headers and body.
func (e *authEnv) call(t testing.TB, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

// request builds a request to path; key, when set, goes as Bearer.
func (e *authEnv) request(t testing.TB, method, path, key, body string) *http.Request {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, e.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return req
}

func TestAuthenticateWays(t *testing.T) {
	e := newAuthEnv(t, api.Options{})
	admin := e.keys["admin"]
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	tests := []struct {
		name    string
		header  string // Authorization
		query   string
		ctype   string
		body    string
		method  string
		want    int
		wantLen int // keys listed on 200
	}{
		{name: "bearer", header: "Bearer " + admin, want: 200},
		{name: "bearer, lower-case scheme", header: "bearer " + admin, want: 200},
		{name: "basic, key as user", header: basic(admin, "x"), want: 200},
		{name: "basic, subdomain as password (Freshstatus)", header: basic(admin, "acme"), want: 200},
		{name: "basic, no password", header: "Basic " + base64.StdEncoding.EncodeToString([]byte(admin)), want: 200},
		{name: "query", query: "api_key=" + url.QueryEscape(admin) + "&per_page=2", want: 200, wantLen: 2},
		{name: "query, escaped name", query: "api%5Fkey=" + admin, want: 200},
		{name: "JSON body (StatusHub)", ctype: "application/json", body: `{"api_key":"` + admin + `","per_page":1}`, want: 200},
		{name: "form body", ctype: "application/x-www-form-urlencoded", body: "x=1&api_key=" + admin, method: "GET", want: 200},
		{name: "no key", want: 401},
		{name: "malformed", header: "Bearer hunter2", want: 401},
		{name: "unknown", header: "Bearer sd_aaaaaaaaaaaa_" + strings.Repeat("b", 32), want: 401},
		{name: "revoked", header: "Bearer " + e.keys["revoked"], want: 401},
		{name: "other scheme", header: "Token " + admin, want: 401},
		{name: "basic, bad base64", header: "Basic !!!", want: 401},
		{name: "empty bearer, key in query", header: "Bearer ", query: "api_key=" + admin, want: 401},
		{name: "JSON body, key not a string", ctype: "application/json", body: `{"api_key":42}`, want: 401},
		{name: "JSON body, not an object", ctype: "application/json", body: `["` + admin + `"]`, want: 401},
		{name: "body of another type", ctype: "text/plain", body: `{"api_key":"` + admin + `"}`, want: 401},
		{name: "body over 1 MiB", ctype: "application/json", body: `{"api_key":"` + admin + `","x":"` + strings.Repeat("a", 1<<20) + `"}`, want: 413},
		{name: "read key on an admin route", header: "Bearer " + e.keys["read"], want: 403},
		{name: "write key on an admin route", header: "Bearer " + e.keys["write"], want: 403},
	}
	var unauthorized []byte
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := e.request(t, "GET", "/api/v1/keys?"+tt.query, "", "")
			if tt.body != "" {
				req = e.request(t, "GET", "/api/v1/keys?"+tt.query, "", tt.body)
				req.Header.Set("Content-Type", tt.ctype)
			}
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			code, h, body := e.call(t, req)
			if code != tt.want {
				t.Fatalf("status %d, want %d: %s", code, tt.want, body)
			}
			var got struct {
				Data  []map[string]any `json:"data"`
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body is not JSON: %v: %s", err, body)
			}
			switch code {
			case 200:
				if want := max(tt.wantLen, 1); len(got.Data) < want {
					t.Fatalf("%d keys listed, want at least %d", len(got.Data), want)
				}
				for _, k := range got.Data {
					if _, ok := k["key"]; ok {
						t.Fatalf("a listed key shows its secret: %v", k)
					}
				}
			case 401:
				if h.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
				if unauthorized == nil {
					unauthorized = body
				} else if !bytes.Equal(body, unauthorized) {
					t.Errorf("401 bodies differ, telling why:\n%s\n%s", body, unauthorized)
				}
			case 403:
				if got.Error.Code != "forbidden" || !strings.Contains(got.Error.Message, "needs admin") {
					t.Errorf("403 body %s", body)
				}
			}
			if strings.Contains(string(body), admin) {
				t.Errorf("the answer shows the key: %s", body)
			}
		})
	}
}
