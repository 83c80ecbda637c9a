package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/api"
)

type keyJSON struct {
	ID         string  `json:"id"`
	AdminID    string  `json:"admin_id"`
	Name       string  `json:"name"`
	Scope      string  `json:"scope"`
	PageID     *string `json:"page_id"`
	LastUsedAt *string `json:"last_used_at"`
	RevokedAt  *string `json:"revoked_at"`
	Key        string  `json:"key"`
}

type errorJSON struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

func TestKeysRoutes(t *testing.T) {
	e := newAuthEnv(t, api.Options{})
	admin, acme := e.keys["admin"], e.keys["acme-admin"]

	// An admin key creates a page key, shown once; it works at once.
	code, h, body := e.call(t, e.request(t, "POST", "/api/v1/keys", admin, `{"scope":"write","page_id":"beta","name":"CI"}`))
	if code != http.StatusCreated {
		t.Fatalf("create: status %d: %s", code, body)
	}
	created := decode[struct{ Data keyJSON }](t, body).Data
	if created.Key == "" || !strings.HasPrefix(created.Key, "sd_"+created.ID+"_") || created.Scope != "write" ||
		created.PageID == nil || *created.PageID != "beta" || created.AdminID != e.admin.ID || created.Name != "CI" {
		t.Fatalf("created key %+v", created)
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", h.Get("Cache-Control"))
	}
	if code, _, body := e.call(t, e.request(t, "GET", "/api/v1/keys/"+created.ID, created.Key, "")); code != http.StatusForbidden {
		t.Fatalf("the new write key on an admin route: status %d, want 403: %s", code, body)
	}
	code, _, body = e.call(t, e.request(t, "GET", "/api/v1/keys/"+created.ID, admin, ""))
	if got := decode[struct{ Data keyJSON }](t, body).Data; code != 200 || got.Key != "" || got.ID != created.ID {
		t.Fatalf("get: status %d: %s", code, body)
	}

	tests := []struct {
		name, key, body string
		want            int
		wantInBody      string
	}{
		{"page key grants another page", acme, `{"scope":"read","page_id":"beta"}`, 403, `a key for page \"acme\" can only grant keys for that page`},
		{"page key grants every page", acme, `{"scope":"read","page_id":""}`, 403, "can only grant keys for that page"},
		{"page key grants its page by default", acme, `{"scope":"admin"}`, 201, `"page_id":"acme"`},
		{"unknown scope", admin, `{"scope":"root"}`, 422, `"scope":"must be one of read, write, admin; got \"root\""`},
		{"unknown page", admin, `{"scope":"read","page_id":"nope"}`, 422, `"page_id":"no page has this id"`},
		{"unknown admin", admin, `{"scope":"read","admin_id":"adm_nobody"}`, 422, `"admin_id":"no admin has this id"`},
		{"unknown field", admin, `{"scope":"read","secret":"x"}`, 422, `"secret":"is not a known field"`},
		{"wrong type", admin, `{"scope":3}`, 422, `"scope":"must be a JSON string"`},
		{"not JSON", admin, `{"scope":`, 422, `"body":"must be one JSON object"`},
		{"two values", admin, `{"scope":"read"} {}`, 422, `"body"`},
		{"key in the body too", "", `{"api_key":"` + admin + `","scope":"read"}`, 201, `"scope":"read"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := e.call(t, e.request(t, "POST", "/api/v1/keys", tt.key, tt.body))
			if code != tt.want || !strings.Contains(string(body), tt.wantInBody) {
				t.Fatalf("status %d, want %d with %s: %s", code, tt.want, tt.wantInBody, body)
			}
		})
	}

	// A page key sees and revokes only the keys of its page.
	code, _, body = e.call(t, e.request(t, "GET", "/api/v1/keys", acme, ""))
	for _, k := range decode[struct{ Data []keyJSON }](t, body).Data {
		if k.PageID == nil || *k.PageID != "acme" {
			t.Errorf("a page key lists key %+v of another page", k)
		}
	}
	if code != 200 {
		t.Fatalf("list with a page key: %d", code)
	}
	for _, id := range []string{e.ids["admin"], created.ID} {
		if code, _, body := e.call(t, e.request(t, "DELETE", "/api/v1/keys/"+id, acme, "")); code != http.StatusNotFound {
			t.Fatalf("page key revokes key %s of another page: status %d: %s", id, code, body)
		}
	}

	// Revoke: 204, then the key is refused and listed as revoked.
	for range 2 {
		if code, _, body := e.call(t, e.request(t, "DELETE", "/api/v1/keys/"+created.ID, admin, "")); code != http.StatusNoContent {
			t.Fatalf("revoke: status %d: %s", code, body)
		}
	}
	if code, _, _ := e.call(t, e.request(t, "GET", "/api/v2/summary.json", created.Key, "")); code != 200 {
		t.Fatalf("public route with a revoked key: %d, want 200 (public routes ignore keys)", code)
	}
	code, _, body = e.call(t, e.request(t, "GET", "/api/v1/keys/"+created.ID, admin, ""))
	if k := decode[struct{ Data keyJSON }](t, body).Data; code != 200 || k.RevokedAt == nil {
		t.Fatalf("revoked key: %d %s", code, body)
	}
	long := strings.Repeat("x", 300)
	code, _, body = e.call(t, e.request(t, "DELETE", "/api/v1/keys/"+long, admin, ""))
	if code != http.StatusNotFound || strings.Contains(string(body), long) {
		t.Fatalf("unknown key: status %d, the long id must be cut: %s", code, body)
	}

	// The admin key's use was recorded.
	code, _, body = e.call(t, e.request(t, "GET", "/api/v1/keys/"+e.ids["admin"], admin, ""))
	if k := decode[struct{ Data keyJSON }](t, body).Data; code != 200 || k.LastUsedAt == nil {
		t.Fatalf("admin key after use: %d %s", code, body)
	}
}

func TestAdminsRoutes(t *testing.T) {
	e := newAuthEnv(t, api.Options{})
	admin := e.keys["admin"]
	type adminJSON struct {
		ID, Email, Name string
		Disabled        bool
	}
	code, _, body := e.call(t, e.request(t, "POST", "/api/v1/admins", admin, `{"email":"dev@example.com","name":"Dev"}`))
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	dev := decode[struct{ Data adminJSON }](t, body).Data
	if dev.Email != "dev@example.com" || dev.Name != "Dev" || dev.Disabled || !strings.HasPrefix(dev.ID, "adm_") {
		t.Fatalf("created %+v", dev)
	}
	// A key of dev's, made by the admin key.
	code, _, body = e.call(t, e.request(t, "POST", "/api/v1/keys", admin, `{"scope":"admin","admin_id":"`+dev.ID+`"}`))
	if code != http.StatusCreated {
		t.Fatalf("create key for dev: %d %s", code, body)
	}
	devKey := decode[struct{ Data keyJSON }](t, body).Data.Key

	tests := []struct {
		name, key, method, path, body string
		want                          int
		wantInBody                    string
	}{
		{"list", admin, "GET", "/api/v1/admins", "", 200, `"email":"dev@example.com"`},
		{"get", admin, "GET", "/api/v1/admins/" + dev.ID, "", 200, `"name":"Dev"`},
		{"get unknown", admin, "GET", "/api/v1/admins/adm_nobody", "", 404, `admin \"adm_nobody\" not found`},
		{"duplicate email", admin, "POST", "/api/v1/admins", `{"email":"DEV@example.com","name":"Again"}`, 409, "another admin has the email DEV@example.com"},
		{"invalid", admin, "POST", "/api/v1/admins", `{"email":"nope","name":""}`, 422, `"name":"is required"`},
		{"page key cannot create admins", e.keys["acme-admin"], "POST", "/api/v1/admins", `{"email":"x@example.com","name":"X"}`, 403, "cannot change admins"},
		{"write key cannot list admins", e.keys["write"], "GET", "/api/v1/admins", "", 403, "needs admin"},
		{"rename", admin, "PATCH", "/api/v1/admins/" + dev.ID, `{"name":"Developer"}`, 200, `"name":"Developer"`},
		{"patch to a taken email", admin, "PATCH", "/api/v1/admins/" + dev.ID, `{"email":"OPS@example.com"}`, 409, "another admin"},
		{"patch invalid", admin, "PATCH", "/api/v1/admins/" + dev.ID, `{"email":"x"}`, 422, `"email"`},
		{"patch unknown", admin, "PATCH", "/api/v1/admins/adm_nobody", `{"name":"N"}`, 404, "not found"},
		{"dev's key works", devKey, "GET", "/api/v1/admins", "", 200, `"data"`},
		{"disable", admin, "PATCH", "/api/v1/admins/" + dev.ID, `{"disabled":true}`, 200, `"disabled":true`},
		{"a disabled admin's key is refused", devKey, "GET", "/api/v1/admins", "", 401, "unauthorized"},
		{"delete", admin, "DELETE", "/api/v1/admins/" + dev.ID, "", 204, ""},
		{"delete again", admin, "DELETE", "/api/v1/admins/" + dev.ID, "", 404, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := e.call(t, e.request(t, tt.method, tt.path, tt.key, tt.body))
			if code != tt.want || !strings.Contains(string(body), tt.wantInBody) {
				t.Fatalf("status %d, want %d with %s: %s", code, tt.want, tt.wantInBody, body)
			}
			if code >= 400 {
				var eb errorJSON
				if err := json.Unmarshal(body, &eb); err != nil || eb.Error.Code == "" {
					t.Fatalf("error body is not {\"error\":...}: %s", body)
				}
			}
		})
	}
	code, _, body = e.call(t, e.request(t, "GET", "/api/v1/keys", admin, ""))
	if code != 200 || strings.Contains(string(body), dev.ID) {
		t.Fatalf("keys of a deleted admin are listed: %s", body)
	}
}

func TestRateLimit(t *testing.T) {
	e := newAuthEnv(t, api.Options{RateLimit: 2, RateBurst: 3})
	get := func(key string) (int, http.Header, []byte) {
		return e.call(t, e.request(t, "GET", "/api/v1/keys", key, ""))
	}
	for i := range 3 {
		if code, _, body := get(e.keys["admin"]); code != 200 {
			t.Fatalf("request %d of the burst: %d %s", i+1, code, body)
		}
	}
	code, h, body := get(e.keys["admin"])
	if code != http.StatusTooManyRequests || h.Get("Retry-After") != "1" {
		t.Fatalf("over the burst: status %d, Retry-After %q; want 429, 1: %s", code, h.Get("Retry-After"), body)
	}
	if eb := decode[errorJSON](t, body); eb.Error.Code != "rate_limited" {
		t.Fatalf("429 body %s", body)
	}
	if code, _, _ := get(e.keys["acme-admin"]); code != 200 {
		t.Fatalf("another key is limited by the first: %d", code)
	}
	if code, _, _ := get("sd_aaaaaaaaaaaa_" + strings.Repeat("b", 32)); code != 401 {
		t.Fatalf("unknown key while another is limited: %d, want 401", code)
	}
	e.advance(500 * time.Millisecond) // one token at 2/s
	if code, _, _ := get(e.keys["admin"]); code != 200 {
		t.Fatalf("after the refill: %d", code)
	}
	if code, _, _ := get(e.keys["admin"]); code != 429 {
		t.Fatalf("one token only: %d", code)
	}
}

func TestKeysNeverLogged(t *testing.T) {
	e := newAuthEnv(t, api.Options{})
	admin := e.keys["admin"]
	for _, path := range []string{
		"/api/v1/keys?api_key=" + admin,
		"/api/v1/keys?per_page=5&api_key=" + admin + "&page=1",
		"/api/v1/admins?api_key=" + e.keys["read"],     // 403
		"/api/v1/keys?api_key=" + e.keys["revoked"],    // 401
		"/api/v2/summary.json?api_key=" + admin,        // a public route
		"/api/v1/nowhere?api%5Fkey=" + admin,           // no route
		"/api/v1/keys?api_key=" + admin + "%zz&page=1", // a bad escape
	} {
		code, _, body := e.call(t, e.request(t, "GET", path, "", ""))
		if code >= 500 {
			t.Fatalf("%s: status %d: %s", path, code, body)
		}
	}
	e.call(t, e.request(t, "POST", "/api/v1/keys", "", `{"api_key":"`+admin+`","scope":"read"}`))
	logs := e.logs.String()
	for name, secret := range e.keys {
		if strings.Contains(logs, secret) || strings.Contains(logs, secret[len(secret)-32:]) {
			t.Errorf("the %s key is in the log:\n%s", name, logs)
		}
	}
	if !strings.Contains(logs, "api_key=REDACTED") || !strings.Contains(logs, "per_page=5") {
		t.Errorf("the log does not show the redacted query:\n%s", logs)
	}
}

func TestAuthStoreDown(t *testing.T) {
	e := newAuthEnv(t, api.Options{})
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	code, h, body := e.call(t, e.request(t, "GET", "/api/v1/keys", e.keys["admin"], ""))
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Fatalf("store down: status %d, want 503 with Retry-After: %s", code, body)
	}
	if strings.Contains(string(body), "sql") || strings.Contains(string(body), e.ids["admin"]) {
		t.Fatalf("503 tells the cause: %s", body)
	}
}

// TestCredentialsAudited: each change of an admin or a key through the API
// is in GET /api/v1/audit, by the key that made it, without a secret or a
// hash; a key without the admin scope does not see those entries.
func TestCredentialsAudited(t *testing.T) {
	e := newAuthEnv(t, api.Options{})
	admin := e.keys["admin"]
	by := "key:" + e.ids["admin"]
	steps := []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/api/v1/admins", `{"email":"dev@example.com","name":"Dev"}`, 201},
		{"POST", "/api/v1/keys", `{"scope":"read","name":"dashboards"}`, 201},
	}
	var admID, keyID, secret string
	for _, s := range steps {
		code, _, body := e.call(t, e.request(t, s.method, s.path, admin, s.body))
		if code != s.want {
			t.Fatalf("%s %s: status %d: %s", s.method, s.path, code, body)
		}
		if strings.HasSuffix(s.path, "admins") {
			admID = decode[struct{ Data struct{ ID string } }](t, body).Data.ID
		} else {
			k := decode[struct{ Data keyJSON }](t, body).Data
			keyID, secret = k.ID, k.Key
		}
	}
	for _, s := range []struct{ method, path, body string }{
		{"PATCH", "/api/v1/admins/" + admID, `{"name":"Developer"}`},
		{"DELETE", "/api/v1/keys/" + keyID, ""},
		{"DELETE", "/api/v1/admins/" + admID, ""},
	} {
		if code, _, body := e.call(t, e.request(t, s.method, s.path, admin, s.body)); code >= 300 {
			t.Fatalf("%s %s: status %d: %s", s.method, s.path, code, body)
		}
	}

	type entryJSON struct {
		Principal, Action, Entity string
		EntityID                  string `json:"entity_id"`
	}
	code, _, body := e.call(t, e.request(t, "GET", "/api/v1/audit?principal="+by, admin, ""))
	if code != 200 {
		t.Fatalf("audit: status %d: %s", code, body)
	}
	if strings.Contains(string(body), secret) || strings.Contains(string(body), secret[len(secret)-32:]) || strings.Contains(string(body), "hash") {
		t.Fatalf("the audit log holds a secret or a hash: %s", body)
	}
	var got []string
	for _, en := range decode[struct{ Data []entryJSON }](t, body).Data {
		if en.Principal != by {
			t.Errorf("entry %s %s by %s, want %s", en.Action, en.EntityID, en.Principal, by)
		}
		got = append(got, en.Action+" "+en.Entity+" "+en.EntityID)
	}
	want := []string{"delete admin " + admID, "revoke key " + keyID, "update admin " + admID,
		"create key " + keyID, "create admin " + admID}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit entries by %s, newest first:\n%s\nwant:\n%s", by, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	code, _, body = e.call(t, e.request(t, "GET", "/api/v1/audit?entity=admin:"+admID, admin, ""))
	if code != 200 || !strings.Contains(string(body), `"before":{"id":"`+admID+`","email":"dev@example.com","name":"Developer"`) ||
		!strings.Contains(string(body), `"after":null`) {
		t.Fatalf("audit of the admin: status %d: %s", code, body)
	}
	// The setup's writes are there too, by the host.
	code, _, body = e.call(t, e.request(t, "GET", "/api/v1/audit?principal=cli:setup&entity=key", admin, ""))
	if code != 200 || !strings.Contains(string(body), `"total_count":6`) { // five keys and a revoke
		t.Fatalf("audit of the setup's keys: status %d: %s", code, body)
	}
	code, _, body = e.call(t, e.request(t, "GET", "/api/v1/audit", e.keys["read"], ""))
	if code != 200 || strings.Contains(string(body), `"entity":"admin"`) || strings.Contains(string(body), `"entity":"key"`) {
		t.Fatalf("audit with a read key: status %d: %s", code, body)
	}
}
