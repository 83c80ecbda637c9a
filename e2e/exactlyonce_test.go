package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/wire"
)

// exactlyOnceComponents and exactlyOnceTicks size the known result set:
// components × 3 regions × ticks results in each of its two halves.
const (
	exactlyOnceComponents = 24
	exactlyOnceTicks      = 10
)

// TestExactlyOnceForcedRedelivery forces every result to be delivered to
// aggregators that already stored it, and two aggregators to consume the
// same partitions at once:
//
//  1. a known set of results is on a fresh results topic; aggregator A
//     (group A) stores it and stops;
//  2. group A's committed offsets are reset to the start of every
//     partition (read back to prove it);
//  3. A restarts and aggregator B (group B, same databases and topics)
//     starts beside it; a second set of results is written while both run.
//
// ClickHouse must then hold every result exactly once, counted on raw rows
// (no FINAL, no OPTIMIZE: a merge of the ReplacingMergeTree could fold a
// duplicate away later, but the rollup would have counted it forever), the
// rollup must sum to the same numbers as the results written, and each row
// must carry the Kafka position its result was written at.
func TestExactlyOnceForcedRedelivery(t *testing.T) {
	st := newStack(t)
	comps := numberedComponents("eo", exactlyOnceComponents, "http://127.0.0.1:9/unused", simRegionNames())
	config := st.writeConfig(t, comps)
	topic := st.resultsTopic()
	createTopic(t, st.kafka, topic, resultsPartitions)
	w := newResultWriter(t, st.kafka, topic)
	log := newResultLog()
	// Ticks in the recent past: no aggregator may take them for the future.
	first := time.Now().Truncate(interval).Add(-4 * exactlyOnceTicks * interval)
	ok := func(i int, region string, k int) bool { return (7*i+3*k+len(region))%5 != 0 } // a fifth fail
	write := func(k int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), kafkaTimeout)
		defer cancel()
		tick := first.Add(time.Duration(k) * interval)
		for _, r := range simRegions {
			if err := produce(ctx, w, log, tickResults(comps, r, tick, k, ok)); err != nil {
				t.Fatal(err)
			}
		}
	}
	ch := openSeries(t, st)

	for k := range exactlyOnceTicks {
		write(k)
	}
	n1, _ := log.totals()
	groupA, groupB := testenv.Name("eo-a-"), testenv.Name("eo-b-")
	a := startAggregator(t, "aggregator-a", config, groupA)
	if rows := ch.waitComplete(t, 30*time.Second, n1); rows != uint64(n1) {
		t.Errorf("after the first consumption ClickHouse holds %d rows for %d results", rows, n1)
	}
	a.stop(syscall.SIGTERM)
	ch.witnessInserts(t) // from here on every insert is seen, merged or not
	resetGroupOffsets(t, st.kafka, groupA, topic)
	t.Logf("group %s: committed offsets reset to 0 on all %d partitions (read back)", groupA, resultsPartitions)

	a.restart(t)
	b := spawnAggregator(t, "aggregator-b", config, groupB)
	a.waitReady(t)
	b.waitReady(t)
	// Both replay the first set; let them finish so that both consume the
	// second set live. Under the design of issue 6, B may be held off the
	// partitions A owns and never commit: the wait is bounded, not required.
	ends := endOffsets(t, st.kafka, topic)
	replayed := pollUntil(8*time.Second, func() bool {
		return caughtUp(t, st.kafka, groupA, topic, ends) && caughtUp(t, st.kafka, groupB, topic, ends)
	})
	t.Logf("both groups committed the end of the first set before the second was written: %v", replayed)

	for k := exactlyOnceTicks; k < 2*exactlyOnceTicks; k++ {
		write(k)
		time.Sleep(150 * time.Millisecond) // spread the writes over several batches of both aggregators
	}
	n, wantSuccesses := log.totals()
	afterConsumption := ch.waitComplete(t, 30*time.Second, n)
	settled := ch.waitSettled(t, 15*time.Second, func() bool {
		ends := endOffsets(t, st.kafka, topic)
		return caughtUp(t, st.kafka, groupA, topic, ends) && caughtUp(t, st.kafka, groupB, topic, ends)
	})
	a.stop(syscall.SIGTERM)
	b.stop(syscall.SIGTERM)
	rows, distinct := ch.counts(t)
	inserted, insertedDistinct := ch.insertedSince(t)
	t.Logf("MEASURED results written %d; ClickHouse rows right after consumption %d, once settled %d, after both stopped %d; distinct %d",
		n, afterConsumption, settled, rows, distinct)
	t.Logf("MEASURED rows inserted after the offset reset %d (%d distinct) for the %d results written after it", inserted, insertedDistinct, n-n1)

	if afterConsumption != uint64(n) || rows != uint64(n) || distinct != uint64(n) {
		t.Errorf("ClickHouse holds %d rows (%d right after consumption) with %d distinct result ids for %d results written: want all equal",
			rows, afterConsumption, distinct, n)
	}
	if inserted != uint64(n-n1) || insertedDistinct != uint64(n-n1) {
		t.Errorf("after the offset reset %d rows (%d distinct results) were inserted, want once each of the %d results written after it:"+
			" a result was stored again or twice (merges may have hidden it from count())", inserted, insertedDistinct, n-n1)
	}
	checkRowsPerResult(t, ch, log.ids())
	total, rollupSuccesses := ch.rollup(t)
	if total != uint64(n) {
		t.Errorf("results_1m sum(total) = %d, want the %d results written", total, n)
	}
	if raw := ch.rawSuccesses(t); !maps.Equal(raw, wantSuccesses) {
		t.Errorf("raw successes per component differ from those written:\n%s", diffCounts(raw, wantSuccesses))
	}
	if !maps.Equal(rollupSuccesses, wantSuccesses) {
		t.Errorf("results_1m successes per component differ from those written:\n%s", diffCounts(rollupSuccesses, wantSuccesses))
	}
	checkKafkaPositions(t, ch, readTopic(t, st.kafka, topic))
}

// checkRowsPerResult fails unless every result written has exactly one row
// and no other row exists.
func checkRowsPerResult(t *testing.T, ch *series, written map[string]bool) {
	t.Helper()
	var dup, missing, unknown []string
	perID := ch.rowsPerID(t)
	for id, n := range perID {
		switch {
		case !written[id]:
			unknown = append(unknown, id)
		case n > 1:
			dup = append(dup, fmt.Sprintf("%s×%d", id, n))
		}
	}
	for id := range written {
		if perID[id] == 0 {
			missing = append(missing, id)
		}
	}
	for _, l := range [][]string{dup, missing, unknown} {
		slices.Sort(l)
	}
	if len(dup)+len(missing)+len(unknown) > 0 {
		t.Errorf("rows per result: %d duplicated (%s), %d missing (%s), %d never written (%s)",
			len(dup), firstFew(dup), len(missing), firstFew(missing), len(unknown), firstFew(unknown))
	}
}

// checkKafkaPositions fails unless every row carries the partition and
// offset its result was written at.
func checkKafkaPositions(t *testing.T, ch *series, msgs []topicMessage) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	got, err := ch.positions(ctx)
	if err != nil {
		t.Errorf("rows must carry kafka_partition and kafka_offset: %v", err)
		return
	}
	var wrong []string
	for _, m := range msgs {
		r, err := wire.DecodeResult(m.value)
		if err != nil {
			t.Fatalf("decode the message at %d/%d: %v", m.partition, m.offset, err)
		}
		want := position{partition: int64(m.partition), offset: m.offset}
		if ps := got[r.ID]; len(ps) != 1 || ps[0] != want {
			wrong = append(wrong, fmt.Sprintf("%s at %d/%d has rows at %v", r.ID, want.partition, want.offset, ps))
		}
	}
	if len(wrong) > 0 {
		t.Errorf("%d of %d results lack one row with their Kafka position: %s", len(wrong), len(msgs), firstFew(wrong))
	}
}

// diffCounts lists the keys whose counts differ.
func diffCounts(got, want map[string]uint64) string {
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if got[k] != want[k] {
			out = append(out, fmt.Sprintf("  %s: got %d, want %d", k, got[k], want[k]))
		}
	}
	if len(out) > 10 {
		out = append(out[:10], fmt.Sprintf("  … and %d more", len(out)-10))
	}
	return strings.Join(out, "\n")
}

// firstFew joins the first five items and says how many more there are.
func firstFew(items []string) string {
	if len(items) > 5 {
		return fmt.Sprintf("%v … and %d more", items[:5], len(items)-5)
	}
	return fmt.Sprint(items)
}
