package sqlstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
)

// syncBenchComponents is the size of the catalog BenchmarkSyncCatalog
// syncs: that many components, each with one HTTP check.
const syncBenchComponents = 2000

func syncBenchCatalog(n int) catalog.Catalog {
	c := catalog.Catalog{Pages: []catalog.Page{{ID: "bench", Name: "Bench", TimeZone: "Etc/UTC"}}}
	for i := range n {
		id := fmt.Sprintf("c%05d", i)
		c.Components = append(c.Components, catalog.Component{ID: id, PageID: "bench", Name: "Component " + id, Position: i + 1})
		c.Checks = append(c.Checks, catalog.Check{ID: id + "-http", ComponentID: id, Type: catalog.TypeHTTP,
			Interval: 30 * time.Second, Timeout: 10 * time.Second, FailureThreshold: 3, SuccessThreshold: 2,
			HTTP: &catalog.HTTPSpec{URL: "https://" + id + ".bench.test/", Method: "GET", ExpectedStatus: []int{200}}})
	}
	return c
}

// BenchmarkSyncCatalog syncs a catalog of 2,000 components and 2,000
// checks: "new" into an empty store (a first start), "unchanged" over the
// same catalog stored already (every restart with the same file).
func BenchmarkSyncCatalog(b *testing.B) {
	c := syncBenchCatalog(syncBenchComponents)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, be := range backends {
		b.Run(be.name+"/new", func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := open(b, be.opts(b), true)
				b.StartTimer()
				if err := s.SyncCatalog(b.Context(), c, now); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(be.name+"/unchanged", func(b *testing.B) {
			s := open(b, be.opts(b), true)
			if err := s.SyncCatalog(b.Context(), c, now); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := s.SyncCatalog(b.Context(), c, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
