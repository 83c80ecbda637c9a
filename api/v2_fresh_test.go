package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/api/statuspage"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// versionedStore is a fakeStore that versions what it holds, as the SQL
// store does, so that the API keeps its read model between requests:
// bump moves the stored version (another process's write), and reads
// counts the incident reads, which the read model does not hold.
type versionedStore struct {
	*fakeStore
	stored atomic.Int64
	reads  atomic.Int64
}

func (s *versionedStore) StoredVersions(context.Context) (all, catalog, frozen int64, err error) {
	return s.stored.Load(), 0, 0, nil
}

func (s *versionedStore) CatalogVersion() uint64 { return 0 }

func (s *versionedStore) bump() { s.stored.Add(1) }

func (s *versionedStore) Incidents(ctx context.Context, pageID string, unresolvedOnly bool, limit int) ([]incident.Incident, error) {
	s.reads.Add(1)
	return s.fakeStore.Incidents(ctx, pageID, unresolvedOnly, limit)
}

// TestV2ServedFromMemoryAndFresh: with a versioned store, repeated reads
// of summary.json cost no store read and answer 304 to the ETag; a write
// of another process (the stored version moves) shows once publicLag
// (100 ms) has passed, and a change nothing announces within the read
// model's MaxAge (1 s).
func TestV2ServedFromMemoryAndFresh(t *testing.T) {
	store := &versionedStore{fakeStore: fixture()}
	now := start
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	s := newServerWith(t, api.Options{Store: store, Clock: clock})
	get := func(etag string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/api/v2/summary.json", nil)
		if etag != "" {
			r.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, r)
		return rec
	}
	first := get("")
	etag := first.Header().Get("ETag")
	if first.Code != 200 || etag == "" || first.Header().Get("Cache-Control") != "public, max-age=5" ||
		first.Header().Get("Access-Control-Allow-Origin") != "*" || first.Header().Get("Vary") != "Accept-Encoding" {
		t.Fatalf("first: %d, headers %v", first.Code, first.Header())
	}
	reads := store.reads.Load()
	for range 5 {
		if rec := get(""); rec.Code != 200 || rec.Body.String() != first.Body.String() {
			t.Fatalf("again: %d", rec.Code)
		}
	}
	if rec := get(etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d with %d bytes, want 304 and none", rec.Code, rec.Body.Len())
	}
	if got := store.reads.Load(); got != reads {
		t.Errorf("repeated reads read the store %d more times, want 0", got-reads)
	}

	// Another process resolves nothing but degrades db: the stored version moves.
	setState(store.fakeStore, "db", func(st *health.ComponentState) { st.Status = status.MajorOutage })
	store.bump()
	advance(150 * time.Millisecond)
	// The first request past the lag sees the move and reads the next
	// snapshot in the background: it shows once that read is done, which
	// takes no test time (the clock stands still) but a moment of real time.
	for deadline := time.Now().Add(5 * time.Second); ; {
		rec := get(etag)
		if rec.Code == 200 && strings.Contains(rec.Body.String(), `"indicator":"critical"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a stored write and 150 ms: still %d %s", rec.Code, rec.Body)
		}
		time.Sleep(time.Millisecond)
	}

	// A change no counter announces shows within 1 s.
	etag = get("").Header().Get("ETag")
	setState(store.fakeStore, "db", func(st *health.ComponentState) { st.Status = status.Operational })
	if rec := get(etag); rec.Code != http.StatusNotModified {
		t.Errorf("an unannounced change showed at once (%d): the answer is not served from memory", rec.Code)
	}
	advance(time.Second)
	if rec := get(etag); rec.Code != 200 || strings.Contains(rec.Body.String(), `"indicator":"critical"`) {
		t.Errorf("after 1 s: %d, critical still shown: %v", rec.Code, strings.Contains(rec.Body.String(), `"indicator":"critical"`))
	}
}

// TestV2PageSelectionAndCORS: path > ?page > Host > first page, and the
// preflight is open.
func TestV2PageSelectionAndCORS(t *testing.T) {
	store := fixture()
	store.pages[0].CustomDomain = "status.beta.test"
	s := newServer(t, store, nil)
	tests := []struct{ name, host, target, wantPage string }{
		{"first page without anything", "127.0.0.1:8080", "/api/v2/status.json", "acme"},
		{"host's custom domain", "status.beta.test", "/api/v2/status.json", "beta"},
		{"query over host", "status.beta.test", "/api/v2/status.json?page=acme", "acme"},
		{"path over query", "127.0.0.1", "/pages/beta/api/v2/status.json?page=acme", "beta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tt.target, nil)
			r.Host = tt.host
			rec := httptest.NewRecorder()
			s.handler.ServeHTTP(rec, r)
			doc := decode[statuspage.StatusDoc](t, rec.Body.Bytes())
			if rec.Code != 200 || doc.Page.ID != tt.wantPage {
				t.Errorf("%d page %q, want %q", rec.Code, doc.Page.ID, tt.wantPage)
			}
		})
	}
	r := httptest.NewRequest(http.MethodOptions, "/api/v2/summary.json", nil)
	r.Header.Set("Origin", "https://example.test")
	r.Header.Set("Access-Control-Request-Method", "GET")
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, r)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(rec.Header().Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight: %d %v", rec.Code, rec.Header())
	}
}
