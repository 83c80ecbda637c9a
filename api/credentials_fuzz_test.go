package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/statusd/statusd/api"
)

// fuzzCredentials sends arbitrary bodies, query strings and ids to one
// write route of /api/v1/keys or /api/v1/admins with an admin key: no
// answer is a server error, a panic, or anything but JSON. A second
// admin, "other", gives updates and deletes a real target. Seeds:
// testdata/fuzz/<target>/.
func fuzzCredentials(f *testing.F, method, path string, seeds ...string) {
	e := newAuthEnv(f, api.Options{RateLimit: 1e6, RateBurst: 1e9}) // no 429 while fuzzing
	code, _, body := e.call(f, e.request(f, "POST", "/api/v1/admins", e.keys["admin"],
		`{"email":"other@example.com","name":"Other"}`))
	if code != http.StatusCreated {
		f.Fatalf("create admin: status %d: %s", code, body)
	}
	var created struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &created); err != nil {
		f.Fatal(err)
	}
	for _, b := range seeds {
		for _, id := range []string{created.Data.ID, e.ids["read"], "adm_nobody", "k_nobody"} {
			f.Add(b, "", id, "application/json")
		}
	}
	f.Add(`{"name":"`+strings.Repeat("é", 5000)+`"}`, "api_key=x&page=-1", strings.Repeat("%", 300), "text/plain")
	admin := e.keys["admin"]
	f.Fuzz(func(t *testing.T, body, query, id, contentType string) {
		target := strings.ReplaceAll(path, "{id}", escapeSegment(id))
		req := httptest.NewRequest(method, "/", strings.NewReader(body))
		req.URL.Path, req.URL.RawQuery = target, query
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d: %s", method, target, body, rec.Code, rec.Body)
		}
		if rec.Code != http.StatusNoContent && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s %q: status %d, body is not JSON: %q", method, target, body, rec.Code, rec.Body)
		}
	})
}

var (
	keySeeds = []string{`{"name":"ci","scope":"read"}`, `{"name":"ci","scope":"admin","page_id":"acme"}`,
		`{"scope":"root"}`, `{"admin_id":"adm_nobody","scope":"write"}`, `{"name":7}`, `[]`, `{`}
	adminSeeds = []string{`{"email":"new@example.com","name":"New"}`, `{"email":"OPS@example.com","name":"Dup"}`,
		`{"email":"not an email"}`, `{"disabled":true}`, `{"name":null}`, `{"email":"` + strings.Repeat("a", 400) + `@x.y"}`}
)

func FuzzCreateKey(f *testing.F)   { fuzzCredentials(f, "POST", "/api/v1/keys", keySeeds...) }
func FuzzRevokeKey(f *testing.F)   { fuzzCredentials(f, "DELETE", "/api/v1/keys/{id}", "") }
func FuzzCreateAdmin(f *testing.F) { fuzzCredentials(f, "POST", "/api/v1/admins", adminSeeds...) }
func FuzzPatchAdmin(f *testing.F)  { fuzzCredentials(f, "PATCH", "/api/v1/admins/{id}", adminSeeds...) }
func FuzzDeleteAdmin(f *testing.F) { fuzzCredentials(f, "DELETE", "/api/v1/admins/{id}", "") }
