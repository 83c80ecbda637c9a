package api_test

import "testing"

var overrideSeeds = []string{`{"status":"major_outage"}`, `{"status":"operational"}`, `{"status":""}`, `{"status":7}`, `[]`, `null`}

func FuzzSetOverride(f *testing.F) {
	fuzzWrite(f, "PUT", "/api/v1/components/{id}/override", overrideSeeds...)
}
func FuzzClearOverride(f *testing.F) { fuzzWrite(f, "DELETE", "/api/v1/components/{id}/override", "") }

// FuzzHistory fuzzes the query of the history listing: from, to, limit and
// cursor come in the fuzzed query string.
func FuzzHistory(f *testing.F) {
	f.Add("", "from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&limit=5", "own-c", "")
	f.Add("", "cursor=1700000000000.3&limit=1000", "web", "")
	f.Add("", "cursor=-1.0&limit=1001&from=yesterday", "web", "")
	fuzzWrite(f, "GET", "/api/v1/components/{id}/history", "")
}
