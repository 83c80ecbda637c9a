package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
)

// TestReadsSeeWrites checks that the read model behind the native reads
// shows a write through the API to the very next read, and a state the
// aggregator wrote (ApplyChanges) once the read model's max age passed.
func TestReadsSeeWrites(t *testing.T) {
	s := newOpsServer(t, 0)
	var mu sync.Mutex
	now := start
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s.server = newServerWith(t, api.Options{Store: s.store, Entities: s.store, Keys: testKeyAuth{}, RateLimit: 1e6,
		RateBurst: 1e9, Clock: clock})
	field := func(target, path string) any {
		t.Helper()
		code, body := s.req(t, "GET", target, "reader", "")
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d %v", target, code, body)
		}
		var v any = body
		for _, k := range splitPath(path) {
			switch x := v.(type) {
			case map[string]any:
				v = x[k]
			case []any:
				var i int
				fmt.Sscan(k, &i)
				if i >= len(x) {
					return nil
				}
				v = x[i]
			}
		}
		return v
	}
	write := func(method, target, body string, want int) {
		t.Helper()
		if code, got := s.req(t, method, target, "writer", body); code != want {
			t.Fatalf("%s %s: %d %v, want %d", method, target, code, got, want)
		}
	}
	steps := []struct {
		name         string
		do           func()
		target, path string
		want         any
	}{
		{"before", func() {}, "/api/v1/components/web", "data.name", "Web"},
		{"a new component is listed at once", func() {
			write("POST", "/api/v1/pages", `{"id":"beta","name":"Beta"}`, http.StatusCreated)
			write("POST", "/api/v1/components", `{"id":"db","name":"DB","page_id":"beta","position":1}`, http.StatusCreated)
		}, "/api/v1/components?page_id=beta", "meta.total", float64(1)},
		{"and shown at once", func() {}, "/api/v1/components/db", "data.name", "DB"},
		{"a rename is shown at once", func() {
			write("PATCH", "/api/v1/components/db", `{"name":"Database"}`, http.StatusOK)
		}, "/api/v1/components?page_id=beta", "data.0.name", "Database"},
		{"a new check is listed at once", func() {
			write("POST", "/api/v1/checks", `{"id":"db-tcp","component_id":"db","interval":"10m","tcp":{"address":"127.0.0.1:9"}}`,
				http.StatusCreated)
		}, "/api/v1/checks?component_id=db", "meta.total_count", float64(1)},
		{"and audited at once", func() {}, "/api/v1/audit", "data.0.entity_id", "db-tcp"},
		{"a deleted component is gone at once", func() {
			write("DELETE", "/api/v1/checks/db-tcp", "", http.StatusNoContent)
			write("DELETE", "/api/v1/components/db", "", http.StatusNoContent)
		}, "/api/v1/components?page_id=beta", "meta.total", float64(0)},
		{"a state the aggregator wrote, by any process, is seen at the next read", func() {
			if err := s.store.ApplyChanges(t.Context(), health.Changes{Components: []health.ComponentState{
				{ComponentID: "web", Status: status.MajorOutage, Since: start, UpdatedAt: start}}}, nil); err != nil {
				t.Fatal(err)
			}
		}, "/api/v1/components/web", "data.status", string(status.MajorOutage)},
		{"and so is its recovery, with no time passing", func() {
			if err := s.store.ApplyChanges(t.Context(), health.Changes{Components: []health.ComponentState{
				{ComponentID: "web", Status: status.Operational, Since: start, UpdatedAt: start, Seq: 1}}}, nil); err != nil {
				t.Fatal(err)
			}
		}, "/api/v1/components/web", "data.status", string(status.Operational)},
		{"in the list too", func() {}, "/api/v1/components?page_id=acme", "data.0.status", string(status.Operational)},
	}
	for _, st := range steps {
		st.do()
		if got := field(st.target, st.path); got != st.want {
			t.Errorf("%s: %s %s = %v, want %v", st.name, st.target, st.path, got, st.want)
		}
	}
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '.' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return out
}
