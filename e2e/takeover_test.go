package e2e

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/statusd/statusd/internal/testenv"
)

// takeoverBound is how soon after one of two aggregators dies the other
// must serve the components it owned.
const takeoverBound = 30 * time.Second

// componentsPerPartition returns one component per results partition:
// the first IDs prefix-000, prefix-001 … that land on each partition.
func componentsPerPartition(prefix string, url string, regions []string) []componentSpec {
	var out []componentSpec
	taken := map[int]bool{}
	for j := 0; len(taken) < resultsPartitions; j++ {
		c := numberedComponents(prefix, j+1, url, regions)[j]
		if p := partitionOf(c.id, resultsPartitions); !taken[p] {
			taken[p] = true
			out = append(out, c)
		}
	}
	return out
}

// TestTwoAggregatorsTakeover runs two aggregators in one consumer group
// while three simulated agents stream, and SIGKILLs one. Right after the
// kill, one component on every partition starts failing in every region:
// the survivor must own every partition and show all of them in major
// outage within takeoverBound. Throughout, both APIs are polled every
// 100 ms: no component's status_since or updated_at may go backwards, nor
// be older than the state persisted in PostgreSQL just before the request.
func TestTwoAggregatorsTakeover(t *testing.T) {
	st := newStack(t)
	regions := simRegionNames()
	probes := componentsPerPartition("tk-probe", "http://127.0.0.1:9/unused", regions)
	comps := append(probes, numberedComponents("tk-other", resultsPartitions, "http://127.0.0.1:9/unused", regions)...)
	config := st.writeConfig(t, comps)
	group := testenv.Name("tk-")
	createTopic(t, st.kafka, st.resultsTopic(), resultsPartitions)
	a := startAggregator(t, "aggregator-a", config, group)
	b := startAggregator(t, "aggregator-b", config, group)
	ch := openSeries(t, st)
	ch.witnessInserts(t)

	var failFrom atomic.Int64 // tick from which the probe components fail
	failFrom.Store(math.MaxInt64)
	s := newStream(comps, math.MaxInt32, func(i int, _ string, k int) bool {
		return i >= len(probes) || int64(k) < failFrom.Load()
	})
	stream := s.start(t, newResultWriter(t, st.kafka, st.resultsTopic()))
	key := operatorKey(t, config)
	watchA, watchB := watchAPI(t, a, st, key), watchAPI(t, b, st, key)

	var before map[string][]int // member ID → partitions
	waitFor(t, 30*time.Second, "both aggregators to own partitions", func() bool {
		before = groupAssignments(t, st.kafka, group, st.resultsTopic())
		return len(before) == 2 && !slices.ContainsFunc(slices.Collect(maps.Values(before)), func(ps []int) bool { return len(ps) == 0 })
	})
	waitFor(t, 20*time.Second, "both APIs to show every component operational", func() bool {
		return allStatus(a, componentIDs(comps), "operational") && allStatus(b, componentIDs(comps), "operational")
	})
	time.Sleep(time.Until(s.tickTime(s.tickAt(time.Now()) + 3))) // a few steady ticks under watch
	if now := groupAssignments(t, st.kafka, group, st.resultsTopic()); !maps.EqualFunc(now, before, slices.Equal) {
		t.Fatalf("the group rebalanced before the kill: %v, then %v", before, now)
	}

	watchA.dying.Store(true)
	killed := time.Now()
	failFrom.Store(int64(s.tickAt(killed) + 1))
	a.stop(syscall.SIGKILL)
	seen := map[string]time.Duration{}
	took := waitFor(t, takeoverBound, "the survivor to show every probe component in major_outage", func() bool {
		st, err := componentStatuses(b.base())
		for _, c := range probes {
			if _, ok := seen[c.id]; !ok && err == nil && st[c.id] == "major_outage" {
				seen[c.id] = time.Since(killed)
			}
		}
		return len(seen) == len(probes)
	})
	var after map[string][]int
	owned := waitFor(t, takeoverBound-took, "the survivor to own every partition", func() bool {
		after = groupAssignments(t, st.kafka, group, st.resultsTopic())
		return len(after) == 1 && len(slices.Collect(maps.Values(after))[0]) == resultsPartitions
	}) + took
	killedOwned := map[int]bool{} // the partitions of the member that is gone
	for member, ps := range before {
		if _, ok := after[member]; !ok {
			for _, p := range ps {
				killedOwned[p] = true
			}
		}
	}
	var takeover time.Duration
	for _, c := range probes {
		if killedOwned[partitionOf(c.id, resultsPartitions)] {
			takeover = max(takeover, seen[c.id])
		}
	}
	if len(killedOwned) == 0 {
		t.Fatalf("no member of %v left the group after the kill (now %v)", before, after)
	}
	floor := s.tickTime(int(failFrom.Load()) + failureThreshold - 1).Add(simRegions[1].phase).Sub(killed)
	t.Logf("MEASURED takeover: the killed aggregator's components (partitions %v) in major_outage on the survivor %s after the SIGKILL (bound %s; detection alone needs %s); sole owner of all partitions when checked at %s",
		slices.Sorted(maps.Keys(killedOwned)), takeover.Round(time.Millisecond), takeoverBound, floor.Round(time.Millisecond), owned.Round(time.Millisecond))
	t.Logf("MEASURED per probe component (partition: time to major_outage, * = owned by the killed one): %s", takeoverTimes(probes, seen, killedOwned))

	time.Sleep(time.Until(s.tickTime(s.tickAt(time.Now()) + 2))) // keep watching the survivor
	if err := stream.stop(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	for _, w := range []*apiWatch{watchA, watchB} {
		w.stop(t)
	}
	n, _ := s.log.totals()
	ch.waitComplete(t, 30*time.Second, n)
	ch.waitSettled(t, 10*time.Second, func() bool { return false })
	checkRowsPerResult(t, ch, s.log.ids())
	if inserted, distinct := ch.insertedSince(t); inserted != uint64(n) || distinct != uint64(n) {
		t.Errorf("%d rows (%d distinct results) were inserted for the %d results written: a result was stored twice; %s",
			inserted, distinct, n, twiceWhen(s, ch.insertedTwice(t), killed))
	}
}

// twiceWhen says which ticks the results stored twice belong to, next to
// the tick of the kill.
func twiceWhen(s *stream, twice map[string]uint64, killed time.Time) string {
	ticks := map[int]int{}
	for id := range twice {
		r := s.log.get(id)
		ticks[s.tickAt(r.Scheduled)]++
	}
	return fmt.Sprintf("results stored twice per tick %v; the SIGKILL was in tick %d", ticks, s.tickAt(killed))
}

// allStatus reports whether the aggregator's API shows every id at want.
func allStatus(a *aggregatorProc, ids []string, want string) bool {
	st, err := componentStatuses(a.base())
	if err != nil {
		return false
	}
	for _, id := range ids {
		if st[id] != want {
			return false
		}
	}
	return true
}

func takeoverTimes(probes []componentSpec, seen map[string]time.Duration, killedOwned map[int]bool) string {
	out := make([]string, resultsPartitions)
	for _, c := range probes {
		p, mark := partitionOf(c.id, resultsPartitions), ""
		if killedOwned[p] {
			mark = "*"
		}
		out[p] = fmt.Sprintf("%d%s: %s", p, mark, seen[c.id].Round(100*time.Millisecond))
	}
	return strings.Join(out, ", ")
}

// apiWatch polls one aggregator's /api/v1/components every 100 ms and
// records each time a component's status_since or updated_at went
// backwards, or was older than PostgreSQL held just before the request.
type apiWatch struct {
	agg      *aggregatorProc
	key      string // a read key: /api/v1 needs one
	entities *entities
	dying    atomic.Bool // set before the process is killed: errors after it are expected
	cancel   context.CancelFunc
	done     chan struct{}

	// Owned by the polling goroutine until done is closed.
	last       map[string]apiState
	polls      int
	failures   []string
	violations []string
}

// apiState is what an API served for a component; Unix ms, since 0 when
// null.
type apiState struct {
	status         string
	since, updated int64
}

func watchAPI(t *testing.T, a *aggregatorProc, st *stack, key string) *apiWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &apiWatch{agg: a, key: key, entities: openEntities(t, st), cancel: cancel, done: make(chan struct{}), last: map[string]apiState{}}
	go w.run(ctx)
	t.Cleanup(cancel)
	return w
}

func (w *apiWatch) run(ctx context.Context) {
	defer close(w.done)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := w.poll(ctx); err != nil && ctx.Err() == nil {
			if w.dying.Load() {
				return
			}
			w.failures = append(w.failures, err.Error())
		}
	}
}

func (w *apiWatch) poll(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	persisted, err := w.entities.componentStates(ctx)
	if err != nil {
		return err
	}
	served, err := v1States(ctx, w.agg.base(), w.key)
	if err != nil {
		return err
	}
	w.polls++
	w.violations = append(w.violations, regressions(w.last, persisted, served)...)
	for id, got := range served {
		if got.since != 0 {
			w.last[id] = got
		}
	}
	return nil
}

// regressions compares what an API served with what it served before
// (last) and with what PostgreSQL held just before the request: a
// component's status_since and updated_at may only move forward.
func regressions(last map[string]apiState, persisted map[string]componentRow, served map[string]apiState) []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(served)) {
		got := served[id]
		p, stored := persisted[id]
		if got.since == 0 {
			if stored && p.since > 0 {
				out = append(out, fmt.Sprintf("%s: served no status_since while PostgreSQL held %s since %s", id, p.status, msTime(p.since)))
			}
			continue
		}
		if prev, ok := last[id]; ok && (got.since < prev.since || got.updated < prev.updated) {
			out = append(out, fmt.Sprintf("%s went backwards: served %s since %s updated %s after %s since %s updated %s", id,
				got.status, msTime(got.since), msTime(got.updated), prev.status, msTime(prev.since), msTime(prev.updated)))
		}
		if stored && (got.since < p.since || got.updated < p.updatedAt) {
			out = append(out, fmt.Sprintf("%s: served %s since %s updated %s, older than PostgreSQL's %s since %s updated %s", id,
				got.status, msTime(got.since), msTime(got.updated), p.status, msTime(p.since), msTime(p.updatedAt)))
		}
	}
	return out
}

// stop ends the watch and fails the test for what it recorded.
func (w *apiWatch) stop(t *testing.T) {
	t.Helper()
	w.cancel()
	<-w.done
	t.Logf("MEASURED %s API: %d polls, %d failed, %d regressions", w.agg.name, w.polls, len(w.failures), len(w.violations))
	if len(w.failures) > 0 {
		t.Errorf("%s API failed %d of %d polls while it ran: %s", w.agg.name, len(w.failures), w.polls+len(w.failures), firstFew(w.failures))
	}
	if len(w.violations) > 0 {
		t.Errorf("%s API served a status older than one persisted or served before, %d times: %s", w.agg.name, len(w.violations), firstFew(w.violations))
	}
	if w.polls == 0 {
		t.Errorf("%s API was never polled successfully", w.agg.name)
	}
}

// TestRegressions shows that the API watch of the takeover test can fail.
func TestRegressions(t *testing.T) {
	served := func(status string, since, updated int64) map[string]apiState {
		return map[string]apiState{"c": {status: status, since: since, updated: updated}}
	}
	stored := func(since, updated int64) map[string]componentRow {
		return map[string]componentRow{"c": {id: "c", status: "operational", since: since, updatedAt: updated}}
	}
	tests := []struct {
		name      string
		last      map[string]apiState
		persisted map[string]componentRow
		served    map[string]apiState
		want      int
	}{
		{"first observation", nil, stored(1000, 2000), served("operational", 1000, 2000), 0},
		{"moves forward", served("operational", 1000, 2000), stored(1000, 3000), served("major_outage", 3000, 3000), 0},
		{"no data yet and nothing stored", nil, nil, served("operational", 0, 500), 0},
		{"since goes backwards", served("major_outage", 3000, 3000), nil, served("operational", 1000, 4000), 1},
		{"updated goes backwards", served("operational", 1000, 3000), nil, served("operational", 1000, 2000), 1},
		{"older than persisted", nil, stored(3000, 3000), served("operational", 1000, 2000), 1},
		{"backwards and older than persisted", served("major_outage", 3000, 3000), stored(3000, 3000), served("operational", 1000, 2000), 2},
		{"no since while a state is stored", nil, stored(1000, 2000), served("operational", 0, 2000), 1},
		{"no since while a no-data state is stored", nil, stored(0, 2000), served("operational", 0, 2000), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := regressions(tc.last, tc.persisted, tc.served); len(got) != tc.want {
				t.Errorf("regressions = %q, want %d", got, tc.want)
			}
		})
	}
}
