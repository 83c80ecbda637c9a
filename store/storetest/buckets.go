package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/uptime"
)

// BucketStore is what RunBucketSuite exercises: a state store that keeps
// day buckets.
type BucketStore interface {
	StateStore
	DayBuckets(ctx context.Context, ids []string, from, to uptime.Day) ([]uptime.Bucket, error)
	PruneDayBuckets(ctx context.Context, before uptime.Day) (int64, error)
}

// RunBucketSuite runs the day-bucket cases, each against a fresh, empty,
// migrated store from open.
func RunBucketSuite(t *testing.T, open func(t *testing.T) BucketStore) {
	for _, tc := range bucketCases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

func bucket(id string, day uptime.Day, seq int64, major int64) health.DayBucket {
	return health.DayBucket{Bucket: uptime.Bucket{ComponentID: id, Day: day, Totals: uptime.Totals{
		Major: major, Partial: 2, Degraded: 3, Maintenance: 4, NoData: 5, Observed: major + 100, Impact: major + 1,
		Outages: 1}}, Partition: 1, Seq: seq}
}

func buckets(t *testing.T, s BucketStore, ids []string, from, to uptime.Day) []uptime.Bucket {
	t.Helper()
	bs, err := s.DayBuckets(t.Context(), ids, from, to)
	must(t, "day buckets", err)
	return bs
}

var bucketCases = []struct {
	name string
	run  func(t *testing.T, s BucketStore)
}{
	{"buckets/round trip by component and days", func(t *testing.T, s BucketStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		ch := health.Changes{Buckets: []health.DayBucket{bucket("api", 20250301, 1, 10), bucket("api", 20250302, 1, 20),
			bucket("web", 20250302, 1, 30), bucket("ghost", 20250302, 1, 40)}}
		must(t, "apply", s.ApplyChanges(t.Context(), ch, nil))
		equal(t, "api and ghost on 2 March", buckets(t, s, []string{"api", "ghost"}, 20250302, 20250302),
			[]uptime.Bucket{ch.Buckets[1].Bucket})
		equal(t, "everything", buckets(t, s, []string{"web", "api"}, 20250101, 20251231),
			[]uptime.Bucket{ch.Buckets[0].Bucket, ch.Buckets[1].Bucket, ch.Buckets[2].Bucket})
		equal(t, "none asked", buckets(t, s, nil, 20250101, 20251231), []uptime.Bucket(nil))
	}},
	{"buckets/an older write loses, the same seq rewrites", func(t *testing.T, s BucketStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		for _, b := range []health.DayBucket{bucket("api", 20250301, 7, 10), bucket("api", 20250301, 6, 99),
			bucket("api", 20250301, 7, 11)} {
			must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Buckets: []health.DayBucket{b}}, nil))
		}
		equal(t, "bucket", buckets(t, s, []string{"api"}, 20250301, 20250301),
			[]uptime.Bucket{bucket("api", 20250301, 7, 11).Bucket})
	}},
	{"buckets/the cursor rides with the component state", func(t *testing.T, s BucketStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		st := fullState("api", 2, 5, status.MajorOutage)
		var cur uptime.Cursor
		cur.Move("api", at(10), uptime.Operational, time.UTC, uptime.DefaultWeights())
		cur.Move("api", at(20), uptime.Major, time.UTC, uptime.DefaultWeights())
		st.Uptime = cur
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Components: []health.ComponentState{st}}, nil))
		_, comps, err := s.LoadPartition(t.Context(), "results", 2)
		must(t, "load partition", err)
		equal(t, "component states of partition 2", comps, []health.ComponentState{st})
	}},
	{"buckets/a fenced batch writes no bucket", func(t *testing.T, s BucketStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		ch := health.Changes{Buckets: []health.DayBucket{bucket("api", 20250301, 1, 10)}}
		err := s.ApplyChanges(t.Context(), ch, []health.Mark{{Topic: "results", Partition: 1, Prev: 41, Applied: 50, At: at(1)}})
		if !errors.Is(err, health.ErrFenced) {
			t.Fatalf("apply with a watermark not where it was left: %v, want ErrFenced", err)
		}
		equal(t, "buckets", buckets(t, s, []string{"api"}, 20250101, 20251231), []uptime.Bucket(nil))
	}},
	{"buckets/prune before a day", func(t *testing.T, s BucketStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		ch := health.Changes{Buckets: []health.DayBucket{bucket("api", 20240201, 1, 10), bucket("api", 20250301, 1, 20),
			bucket("web", 20240301, 1, 30)}}
		must(t, "apply", s.ApplyChanges(t.Context(), ch, nil))
		n, err := s.PruneDayBuckets(t.Context(), 20240302)
		must(t, "prune", err)
		if n != 2 {
			t.Errorf("pruned %d buckets, want 2", n)
		}
		equal(t, "left", buckets(t, s, []string{"api", "web"}, 20000101, 20991231), []uptime.Bucket{ch.Buckets[1].Bucket})
	}},
}
