package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzWrite sends arbitrary bodies, query strings and header values to one
// write route (path's {id} replaced by a fuzzed id): no answer is a server
// error, a panic (which recoverPanic turns into a 500) or anything but
// JSON. Seeds: testdata/fuzz/<target>/.
func fuzzWrite(f *testing.F, method, path string, seeds ...string) {
	s := newOpsServer(f, 0)
	// Entities the API owns, so that updates get past the managed check.
	for _, r := range [][2]string{
		{"/api/v1/pages", `{"id":"own","name":"Own","subdomain":"own"}`},
		{"/api/v1/components", `{"id":"own-c","name":"Own","page_id":"own"}`},
		{"/api/v1/checks", `{"id":"own-k","component_id":"own-c","tcp":{"address":"own.test:22"}}`},
	} {
		if code, body := s.req(f, "POST", r[0], "writer", r[1]); code != http.StatusCreated {
			f.Fatalf("create %s: status %d: %v", r[0], code, body)
		}
	}
	fuzzRoute(f, s, method, path, []string{"own", "own-c", "own-k", "acme"}, seeds...)
}

// fuzzRoute fuzzes one route of s with seeds for each of ids.
func fuzzRoute(f *testing.F, s opsServer, method, path string, ids []string, seeds ...string) {
	for _, b := range seeds {
		for _, id := range ids {
			f.Add(b, "", id, "application/json")
		}
	}
	f.Add(`{"id":"`+strings.Repeat("[", 20000)+`"}`, "api_key=x&page=-1", strings.Repeat("é", 300), "text/plain")
	f.Fuzz(func(t *testing.T, body, query, id, contentType string) {
		target := strings.ReplaceAll(path, "{id}", escapeSegment(id))
		req := httptest.NewRequest(method, "/", strings.NewReader(body))
		req.URL.Path, req.URL.RawQuery = target, query
		req.Header.Set("Authorization", "Bearer writer")
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d: %s", method, target, body, rec.Code, rec.Body)
		}
		if rec.Code != http.StatusNoContent && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s %q: status %d, body is not JSON: %q", method, target, body, rec.Code, rec.Body)
		}
	})
}

// escapeSegment keeps a fuzzed id one path segment.
func escapeSegment(id string) string {
	id = strings.NewReplacer("/", "_", "?", "_", "#", "_", "%", "_").Replace(id)
	if id == "" || id == "." || id == ".." {
		return "x"
	}
	return id
}

var (
	pageSeeds = []string{
		`{"id":"new","name":"New","subdomain":"new","custom_domain":"status.new.test","private":true,"password":"12345678","ip_allowlist":["10.0.0.0/8"]}`,
		`{"name":"Renamed","branding":{"brand_color":"#aabbcc","dark_theme":true},"links":{"website":"https://x.test"}}`,
		`{"platform_alert":{"enabled":true,"title":"t"},"time_zone":"Local","password":"short"}`,
		`{"id":"x","name":"\u0000","ip_allowlist":["nope",""]}`, `[]`, `null`, `{"name":1e400}`,
	}
	componentSeeds = []string{
		`{"id":"c1","name":"C1","page_id":"acme","position":3}`,
		`{"id":"g","name":"G","is_group":true,"pages":[{"page_id":"acme","position":1},{"page_id":"acme","position":2}]}`,
		`{"name":"Moved","group_id":"g","start_date":"2025-02-30","quorum":-1}`, `{"id":"c1","group_id":"c1"}`,
	}
	checkSeeds = []string{
		`{"id":"k1","component_id":"web","interval":"10s","http":{"url":"https://web.test/","headers":{"X":"y"},"expected_status":[200]}}`,
		`{"id":"k2","component_id":"web","dns":{"server":"192.0.2.1","name":"x.test","rcodes":["NOERROR"]}}`,
		`{"interval":1e300,"timeout":"-1s","icmp":{"host":"x","count":-5,"interval":"1ns"}}`,
		`{"id":"k3","component_id":"web","type":"smtp","tls":{"address":"x:443"},"tcp":{"address":"x"}}`,
		`{"regions":["EU"],"http":{"body_regex":"(","header_matches":[{"name":"","regex":"["}]}}`,
	}
	alertSeeds = []string{`{"title":"Heads up","message":"soon"}`, `{"enabled":true}`, `{"enabled":"yes"}`}
)

func FuzzCreatePage(f *testing.F)  { fuzzWrite(f, "POST", "/api/v1/pages", pageSeeds...) }
func FuzzPutPage(f *testing.F)     { fuzzWrite(f, "PUT", "/api/v1/pages/{id}", pageSeeds...) }
func FuzzPatchPage(f *testing.F)   { fuzzWrite(f, "PATCH", "/api/v1/pages/{id}", pageSeeds...) }
func FuzzDeletePage(f *testing.F)  { fuzzWrite(f, "DELETE", "/api/v1/pages/{id}", "") }
func FuzzEnablePage(f *testing.F)  { fuzzWrite(f, "POST", "/api/v1/pages/{id}/enable", "") }
func FuzzDisablePage(f *testing.F) { fuzzWrite(f, "POST", "/api/v1/pages/{id}/disable", "") }
func FuzzSetAlert(f *testing.F) {
	fuzzWrite(f, "PUT", "/api/v1/pages/{id}/platform_alert", alertSeeds...)
}
func FuzzClearAlert(f *testing.F)      { fuzzWrite(f, "DELETE", "/api/v1/pages/{id}/platform_alert", "") }
func FuzzCreateComponent(f *testing.F) { fuzzWrite(f, "POST", "/api/v1/components", componentSeeds...) }
func FuzzPutComponent(f *testing.F) {
	fuzzWrite(f, "PUT", "/api/v1/components/{id}", componentSeeds...)
}
func FuzzPatchComponent(f *testing.F) {
	fuzzWrite(f, "PATCH", "/api/v1/components/{id}", componentSeeds...)
}
func FuzzDeleteComponent(f *testing.F) { fuzzWrite(f, "DELETE", "/api/v1/components/{id}", "") }
func FuzzCreateCheck(f *testing.F)     { fuzzWrite(f, "POST", "/api/v1/checks", checkSeeds...) }
func FuzzPutCheck(f *testing.F)        { fuzzWrite(f, "PUT", "/api/v1/checks/{id}", checkSeeds...) }
func FuzzPatchCheck(f *testing.F)      { fuzzWrite(f, "PATCH", "/api/v1/checks/{id}", checkSeeds...) }
func FuzzDeleteCheck(f *testing.F)     { fuzzWrite(f, "DELETE", "/api/v1/checks/{id}", "") }
