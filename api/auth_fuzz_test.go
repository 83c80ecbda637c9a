package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/statusd/statusd/api"
)

// FuzzAuthenticate sends arbitrary Authorization headers, query strings,
// content types and bodies to an admin route: the answer is never a server
// error or a panic, always a JSON error body or a page of keys, and never
// shows a key. Seeds: testdata/fuzz/FuzzAuthenticate.
func FuzzAuthenticate(f *testing.F) {
	e := newAuthEnv(f, api.Options{RateLimit: 100000, RateBurst: 100000})
	admin := e.keys["admin"]
	f.Add("Bearer "+admin, "", "", "")
	f.Add("", "api_key="+admin, "", "")
	f.Add("", "", "application/json", `{"api_key":"`+admin+`"}`)
	f.Add("", "", "application/x-www-form-urlencoded", "api_key="+admin)
	f.Add("Basic Og==", "api_key=%", "application/json; charset=utf-8", `{"api_key":`)
	f.Fuzz(func(t *testing.T, header, query, ctype, body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/keys", strings.NewReader(body))
		req.URL.RawQuery = query
		if header != "" {
			req.Header["Authorization"] = []string{header}
		}
		if ctype != "" {
			req.Header["Content-Type"] = []string{ctype}
		}
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		switch rec.Code {
		case 201, 401, 403, 413, 422:
		default:
			t.Fatalf("header %q query %q type %q body %q: status %d: %s", header, query, ctype, body, rec.Code, rec.Body)
		}
		var out map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("body is not JSON: %v: %s", err, rec.Body)
		}
		if _, ok := out["data"]; !ok && rec.Code == 201 {
			t.Fatalf("201 without data: %s", rec.Body)
		}
		if _, ok := out["error"]; !ok && rec.Code != 201 {
			t.Fatalf("%d without error: %s", rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), admin) {
			t.Fatalf("the answer shows the key: %s", rec.Body)
		}
	})
}
