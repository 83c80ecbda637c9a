package api_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/domains/cnamecheck"
	"github.com/statusd/statusd/domains/recheck"
	"github.com/statusd/statusd/store/sqlstore"
)

// domainService is the real runner over st, checking against pages.example.net
// with a root server that refuses every query (a closed UDP port), so
// every check is indeterminate at once.
func domainService(t *testing.T, st *sqlstore.Store) *recheck.Runner {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := pc.LocalAddr().String()
	if err := pc.Close(); err != nil {
		t.Fatal(err)
	}
	checker, err := cnamecheck.New(cnamecheck.Options{Roots: []string{closed}, Timeout: time.Second,
		Clock: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	r, err := recheck.New(recheck.Options{Store: st, Checker: checker, Target: "pages.example.net",
		Registerer: prometheus.NewRegistry(), Clock: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// domainExamples run on the "ops" server: page beta has a custom domain,
// acme none.
func domainExamples() []example {
	ex := func(name, method, path, key string, want int, bad bool) example {
		return example{name: name, srv: "ops", method: method, path: path, key: key, want: want, badRequest: bad}
	}
	return []example{
		ex("domain pending", "GET", "/api/v1/pages/beta/domain", "read", 200, false),
		ex("check domain", "POST", "/api/v1/pages/beta/domain/check", "write", 200, false),
		ex("domain checked", "GET", "/api/v1/pages/beta/domain", "beta-write", 200, false),
		ex("no domain", "GET", "/api/v1/pages/acme/domain", "read", 200, false),
		ex("check no domain", "POST", "/api/v1/pages/acme/domain/check", "write", 409, false),
		ex("domain of an unknown page", "GET", "/api/v1/pages/nope/domain", "read", 404, false),
		ex("domain of a bad page ID", "GET", "/api/v1/pages/Bad%21/domain", "read", 404, false),
		ex("check domain of an unknown page", "POST", "/api/v1/pages/nope/domain/check", "write", 404, false),
		ex("domain of another page", "GET", "/api/v1/pages/acme/domain", "beta-write", 403, false),
		ex("check domain with a read key", "POST", "/api/v1/pages/beta/domain/check", "read", 403, false),
		ex("domain without a key", "GET", "/api/v1/pages/beta/domain", "", 401, true),
	}
}

// TestPageDomain: the domain report's shape before and after a check, and
// for a page without a domain.
func TestPageDomain(t *testing.T) {
	e := newOpenAPIEnv(t)
	get := func(method, path string) map[string]any {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, e.url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+e.keys["write"])
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
		var out struct{ Data map[string]any }
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, body)
		}
		return out.Data
	}
	before := get("GET", "/api/v1/pages/beta/domain")
	if before["status"] != "pending" || before["checked_at"] != nil || len(before["history"].([]any)) != 0 ||
		before["expected_target"] != "pages.example.net" || before["domain"] != "status.beta.test" {
		t.Errorf("before a check: %v", before)
	}
	after := get("POST", "/api/v1/pages/beta/domain/check")
	reason, _ := after["reason"].(string)
	if after["status"] != "indeterminate" || after["last_result"] != "indeterminate" || !strings.Contains(reason, "connection refused") ||
		after["checked_at"] != start.UTC().Format("2006-01-02T15:04:05.000Z07:00") || len(after["history"].([]any)) != 1 {
		t.Errorf("after a check: %v", after)
	}
	none := get("GET", "/api/v1/pages/acme/domain")
	if none["domain"] != nil || none["status"] != nil || none["page_id"] != "acme" {
		t.Errorf("a page without a domain: %v", none)
	}
}
