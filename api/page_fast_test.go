package api_test

import (
	"cmp"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/uptime"
)

// TestPageHTMLETagStable: a page rendered again for a later snapshot of
// the same data is the same bytes, so its ETag holds and a revalidation
// is a 304 however often the snapshot is replaced; a change of what the
// page shows is a new ETag.
func TestPageHTMLETagStable(t *testing.T) {
	for _, target := range []string{"/", "/history", "/incidents/5"} {
		t.Run(cmp.Or(strings.TrimPrefix(target, "/"), "home"), func(t *testing.T) {
			// Tracked since 1 November, two hours of major outage on the
			// 10th, none going on: today's uptime does not move with the
			// clock (an outage going on would, rightly, change the page).
			base := fixture()
			history{{day(1, 0, 0), uptime.Operational}, {day(10, 12, 0), uptime.Major}, {day(10, 14, 0), uptime.Operational}}.play(base, "api")
			for i := range base.states {
				base.states[i].Status, base.states[i].FailingRegions = status.Operational, nil
			}
			store := &versionedStore{fakeStore: base}
			now := start
			var mu sync.Mutex
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
			s := newServerWith(t, api.Options{Store: store, Clock: clock})
			first := getPage(t, s.handler, "", target, nil)
			etag := first.Header().Get("ETag")
			if first.Code != http.StatusOK || etag == "" {
				t.Fatalf("first: code %d, ETag %q", first.Code, etag)
			}
			for i := range 3 {
				reads := store.reads.Load()
				advance(1500 * time.Millisecond) // past ReadMaxAge: a new snapshot, rendered again
				again := getPage(t, s.handler, "", target, map[string]string{"If-None-Match": etag})
				if store.reads.Load() == reads {
					t.Fatalf("render %d: the page was not rendered again", i+2)
				}
				if again.Code != http.StatusNotModified || again.Header().Get("ETag") != etag {
					body := getPage(t, s.handler, "", target, nil).Body.String()
					t.Fatalf("render %d, %v later: code %d, ETag %q, want 304 and %q; body:\n%s", i+2,
						time.Duration(i+1)*1500*time.Millisecond, again.Code, again.Header().Get("ETag"), etag, body)
				}
			}
			// What the page shows changes: a new ETag at the next snapshot.
			setState(store.fakeStore, "db", func(st *health.ComponentState) {
				st.Status, st.Since = status.MajorOutage, clock()
			})
			for i := range store.incidents {
				store.incidents[i].Name += " (renamed)"
			}
			store.bump()
			advance(time.Second)
			next := getPage(t, s.handler, "", target, map[string]string{"If-None-Match": etag})
			if next.Code != http.StatusOK || next.Header().Get("ETag") == etag {
				t.Errorf("after a change: code %d, ETag %q (was %q)", next.Code, next.Header().Get("ETag"), etag)
			}
		})
	}
}
