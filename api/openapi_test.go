package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/store/sqlstore"
)

// loadOpenAPI loads the document the API serves and validates it as
// OpenAPI 3.
func loadOpenAPI(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPIDocument())
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadOpenAPI(t)
	seen := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				t.Errorf("%s %s has no operationId", method, path)
			}
			if prev, dup := seen[op.OperationID]; dup {
				t.Errorf("operationId %s is used by %s and %s %s", op.OperationID, prev, method, path)
			}
			seen[op.OperationID] = method + " " + path
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	s := newServer(t, fixture(), nil)
	resp, body := s.do(t, http.MethodGet, "/api/v1/openapi.json")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !bytes.Equal(body, api.OpenAPIDocument()) {
		t.Fatal("GET /api/v1/openapi.json is not the embedded document")
	}
}

// ginParam is a gin path parameter or catch-all, :id or *path.
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// TestOpenAPIRoutes fails when a route the API serves, with every option
// set, is missing from the document or the document names a route that
// is not served.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	e := newOpenAPIEnv(t)
	engine, ok := e.handler.(*gin.Engine)
	if !ok {
		t.Fatalf("Handler is a %T, not a *gin.Engine", e.handler)
	}
	served := map[string]bool{}
	for _, r := range engine.Routes() {
		served[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for _, r := range sortedKeys(served) {
		if !documented[r] {
			t.Errorf("route %s is served but not in openapi.json", r)
		}
	}
	for _, r := range sortedKeys(documented) {
		if !served[r] {
			t.Errorf("openapi.json names %s, which is not served", r)
		}
	}
	if len(served) < 60 {
		t.Errorf("only %d routes served: the test API is missing options", len(served))
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// openAPIEnv is the API with every option set over a fresh SQLite store:
// pages acme (managed by a configuration file) and beta, an admin with
// keys, and the fleet of fleetFixture.
type openAPIEnv struct {
	handler http.Handler
	url     string
	keys    map[string]string // name → secret
	ids     map[string]string // key name → key ID
	admins  map[string]string // "admin", "other" → admin ID
	store   *sqlstore.Store
	authn   *auth.Authenticator
}

func newOpenAPIEnv(t *testing.T) *openAPIEnv {
	t.Helper()
	ctx := auth.WithPrincipal(t.Context(), auth.Principal{Kind: auth.KindCLI, ID: "test"})
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
	cat := catalog.Catalog{
		Pages:      []catalog.Page{{ID: "acme", Name: "Acme", TimeZone: "Etc/UTC"}},
		Components: []catalog.Component{{ID: "web", PageID: "acme", Name: "Web", Position: 1}},
		Checks: []catalog.Check{{ID: "web-tcp", ComponentID: "web", Type: catalog.TypeTCP, Interval: 30e9, Timeout: 5e9,
			FailureThreshold: 1, SuccessThreshold: 1, IncidentOn: "major", TCP: tcpSpec()}},
	}
	cat.SetManaged(testConfigFile)
	if err := st.SyncCatalog(ctx, cat, start); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreatePage(auth.WithPrincipal(ctx, auth.Principal{Kind: auth.KindCLI, ID: "test"}), catalog.Page{ID: "beta", Name: "Beta", TimeZone: "Etc/UTC", CustomDomain: "status.beta.test"}, start); err != nil {
		t.Fatal(err)
	}
	e := &openAPIEnv{store: st, keys: map[string]string{}, ids: map[string]string{}, admins: map[string]string{}}
	for _, ad := range []struct{ name, email string }{{"admin", "ops@example.com"}, {"other", "other@example.com"}} {
		a, errs := auth.NewAdmin(ad.email, ad.name, start)
		if errs != nil {
			t.Fatal(errs)
		}
		if err := st.CreateAdmin(ctx, a); err != nil {
			t.Fatal(err)
		}
		e.admins[ad.name] = a.ID
	}
	for _, k := range []struct {
		name  string
		scope auth.Scope
		page  string
	}{
		{"admin", auth.ScopeAdmin, ""}, {"write", auth.ScopeWrite, ""}, {"read", auth.ScopeRead, ""},
		{"beta-write", auth.ScopeWrite, "beta"}, {"beta-admin", auth.ScopeAdmin, "beta"}, {"spare", auth.ScopeRead, ""},
	} {
		key, secret, err := auth.NewKey(auth.KeyRequest{AdminID: e.admins["admin"], Scope: k.scope, PageID: k.page, Name: k.name}, start)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateKey(ctx, key); err != nil {
			t.Fatal(err)
		}
		e.keys[k.name], e.ids[k.name] = secret, key.ID
	}
	if e.authn, err = auth.NewAuthenticator(auth.AuthenticatorOptions{Keys: st, Clock: func() time.Time { return start },
		Changes: st.CatalogVersion}); err != nil {
		t.Fatal(err)
	}
	s := newServerWith(t, api.Options{Store: st, Entities: st, Statuses: st, Incidents: st, Maintenances: st, Keys: e.authn, KeyStore: st, AdminStore: st, Series: st,
		Domains: domainService(t, st),
		Fleet:   fleetFixture(t), RateLimit: 100000, RateBurst: 100000})
	e.handler = s.handler
	srv := httptest.NewServer(e.handler)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}
