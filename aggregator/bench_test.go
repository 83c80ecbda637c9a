package aggregator

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/wire"
)

// BenchmarkPipeline runs the whole pipeline in process (decode, state,
// ClickHouse insert, PostgreSQL commit) over 10,000 components × 3 regions
// × 10 ticks, with the source in memory: the aggregator's own cost, without
// Kafka. make bench-aggregator measures the process end to end.
func BenchmarkPipeline(b *testing.B) {
	const comps, ticks = 10_000, 10
	cat := catalog.Catalog{Pages: []catalog.Page{{ID: "main", Name: "Main", TimeZone: "Etc/UTC"}}}
	for i := range comps {
		id := fmt.Sprintf("c%05d", i)
		cat.Components = append(cat.Components, catalog.Component{ID: id, PageID: "main", Name: id})
		cat.Checks = append(cat.Checks, catalog.Check{ID: "k-" + id, ComponentID: id, Type: catalog.TypeHTTP,
			Interval: interval, Timeout: time.Second, FailureThreshold: 3, SuccessThreshold: 2,
			HTTP: &catalog.HTTPSpec{URL: "http://127.0.0.1:1/", Method: "GET"}})
	}
	l := &memLog{}
	for n := 1; n <= ticks; n++ {
		for i := range comps {
			for _, region := range regions {
				at := base.Add(time.Duration(n) * interval)
				v, err := wire.EncodeResult(result.Result{ID: fmt.Sprintf("%d-%s-%d", i, region, n), CheckID: fmt.Sprintf("k-c%05d", i),
					ComponentID: fmt.Sprintf("c%05d", i), AgentID: "agent-" + region, Region: region, Scheduled: at,
					Started: at, Duration: time.Millisecond, Success: (i+n)%97 != 0})
				if err != nil {
					b.Fatal(err)
				}
				l.parts[i%partitions] = append(l.parts[i%partitions], v)
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		st := newStores(b)
		if err := st.entities.SyncCatalog(b.Context(), cat, base); err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(b.Context())
		a, err := New(Options{
			Source: &logSource{log: l, idle: cancel}, Results: st.series, State: st.entities,
			Lock: func(ctx context.Context, topic string, ps []int) (Lock, error) {
				return st.entities.LockPartitions(ctx, topic, ps)
			},
			Catalog:   func(context.Context) (catalog.Catalog, error) { return cat, nil },
			BatchSize: 20_000, SnapshotInterval: DefaultSnapshotInterval,
			Clock:      func() time.Time { return base.Add((ticks + 1) * interval) },
			Registerer: prometheus.NewRegistry(),
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if err := a.Run(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(l.size())/time.Since(start).Seconds(), "results/s")
	}
}
