package chstore

import (
	"reflect"
	"strings"
	"testing"

	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/store/storetest"
)

// open returns a migrated store on a fresh database.
func open(t testing.TB) *Store {
	t.Helper()
	addr, db := testenv.ClickHouse(t)
	s, err := Open(t.Context(), Options{Addr: []string{addr}, Database: db})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

func TestResultSuite(t *testing.T) {
	storetest.RunResultSuite(t, func(t *testing.T) storetest.ResultStore { return open(t) }, false)
}

func TestMigrateIsIdempotent(t *testing.T) {
	s := open(t)
	if _, err := s.WriteResults(t.Context(), storetest.MakeResults("m-", 10, storetest.T0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	if rows, _, err := s.CountResults(t.Context()); err != nil || rows != 10 {
		t.Errorf("after a second migrate: %d rows (err %v), want 10", rows, err)
	}
}

// TestResultColumns checks that every field of a result lands in its
// column.
func TestResultColumns(t *testing.T) {
	s := open(t)
	rs := storetest.MakeResults("col-", 8, storetest.T0)
	r := rs[7] // a failure: every field set
	if _, err := s.WriteResults(t.Context(), rs); err != nil {
		t.Fatal(err)
	}
	var got struct {
		time                           int64
		sched, start, ver              int64
		id, check, comp, agent, region string
		dur, dns, conn, tls, fb, xfer  int64
		success                        uint8
		code                           int32
		class, msg                     string
	}
	if err := s.conn.QueryRow(t.Context(), s.q(`SELECT toInt64(time), scheduled_ms, started_ms, result_id, check_id,
		component_id, agent_id, region, check_version, duration_us, dns_us, connect_us, tls_us, first_byte_us,
		transfer_us, success, status_code, error_class, message FROM {db}.results WHERE result_id = ?`), r.ID).
		Scan(&got.time, &got.sched, &got.start, &got.id, &got.check, &got.comp, &got.agent, &got.region, &got.ver,
			&got.dur, &got.dns, &got.conn, &got.tls, &got.fb, &got.xfer, &got.success, &got.code, &got.class, &got.msg); err != nil {
		t.Fatal(err)
	}
	want := []any{r.Started.Unix(), r.Scheduled.UnixMilli(), r.Started.UnixMilli(), r.ID, r.CheckID, r.ComponentID,
		r.AgentID, r.Region, r.CheckVersion, r.Duration.Microseconds(), r.Phases.DNS.Microseconds(),
		r.Phases.Connect.Microseconds(), r.Phases.TLS.Microseconds(), r.Phases.FirstByte.Microseconds(),
		r.Phases.Transfer.Microseconds(), uint8(0), int32(r.StatusCode), string(r.ErrorClass), r.Message}
	gotList := []any{got.time, got.sched, got.start, got.id, got.check, got.comp, got.agent, got.region, got.ver,
		got.dur, got.dns, got.conn, got.tls, got.fb, got.xfer, got.success, got.code, got.class, got.msg}
	if !reflect.DeepEqual(gotList, want) {
		t.Errorf("columns:\n got %v\nwant %v", gotList, want)
	}
	var m struct {
		rcode                       string
		loss                        float64
		rttMin, rttAvg, rttMax, exp int64
		days                        int32
		degraded                    uint8
	}
	if err := s.conn.QueryRow(t.Context(), s.q(`SELECT rcode, packet_loss, rtt_min_us, rtt_avg_us, rtt_max_us,
		cert_expiry_ms, cert_days_left, degraded FROM {db}.results WHERE result_id = ?`), r.ID).
		Scan(&m.rcode, &m.loss, &m.rttMin, &m.rttAvg, &m.rttMax, &m.exp, &m.days, &m.degraded); err != nil {
		t.Fatal(err)
	}
	var degraded uint8
	if r.Degraded {
		degraded = 1
	}
	gotM := []any{m.rcode, m.loss, m.rttMin, m.rttAvg, m.rttMax, m.exp, m.days, m.degraded}
	wantM := []any{r.RCode, r.PacketLoss, r.RTTMin.Microseconds(), r.RTTAvg.Microseconds(), r.RTTMax.Microseconds(),
		r.CertExpiry.UnixMilli(), int32(r.CertDaysLeft), degraded}
	if !reflect.DeepEqual(gotM, wantM) {
		t.Errorf("measure columns:\n got %v\nwant %v", gotM, wantM)
	}
}

// TestRollup checks that the per-minute rollup counts each row once.
func TestRollup(t *testing.T) {
	s := open(t)
	rs := storetest.MakeResults("roll-", 300, storetest.T0)
	for _, b := range [][]result.Result{rs[:120], rs[120:]} {
		if _, err := s.WriteResults(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	var wantOK uint64
	for _, r := range rs {
		if r.Success {
			wantOK++
		}
	}
	var total, ok uint64
	if err := s.conn.QueryRow(t.Context(), s.q(`SELECT sum(total), sum(successes) FROM {db}.results_1m`)).
		Scan(&total, &ok); err != nil {
		t.Fatal(err)
	}
	if total != uint64(len(rs)) || ok != wantOK {
		t.Errorf("rollup: %d results, %d successes; want %d and %d", total, ok, len(rs), wantOK)
	}
}

// TestStoredOffsets checks that the offsets of written rows can be found
// by partition and range, across day partitions.
func TestStoredOffsets(t *testing.T) {
	s := open(t)
	rs := storetest.MakeResults("off-", 3000, storetest.T0) // one per minute: three days
	for i := range rs {
		rs[i].Partition, rs[i].Offset = i%3, int64(1000+i/3)
	}
	if _, err := s.WriteResults(t.Context(), rs[:2400]); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		partition int
		from, to  int64
		want      []int64
	}{
		{1, 1795, 1801, []int64{1795, 1796, 1797, 1798, 1799}},
		{2, 0, 1002, []int64{1000, 1001, 1002}},
		{0, 1800, 5000, nil},
		{7, 0, 5000, nil},
	} {
		got, err := s.StoredOffsets(t.Context(), tc.partition, tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("stored offsets of partition %d in [%d, %d] = %v, want %v", tc.partition, tc.from, tc.to, got, tc.want)
		}
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  Options
		field string
	}{
		{"no address", Options{Database: "x"}, "addr"},
		{"database with a quote", Options{Addr: []string{"127.0.0.1:1"}, Database: "x`; DROP"}, "database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.Context(), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("open %+v: error %v, want one naming %s", tc.opts, err, tc.field)
			}
		})
	}
}

func BenchmarkWriteResults(b *testing.B) {
	storetest.RunWriteBenchmark(b, open(b), 1000)
}

// TestMigrateUpgradesAnOldTable starts from the results table of the first
// release, without the offset and measure columns: Migrate adds them, and
// results are written and found by offset.
func TestMigrateUpgradesAnOldTable(t *testing.T) {
	addr, db := testenv.ClickHouse(t)
	s, err := Open(t.Context(), Options{Addr: []string{addr}, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := s.conn.Exec(t.Context(), s.q(`CREATE TABLE {db}.results (
		time DateTime, scheduled_ms Int64, started_ms Int64, result_id String, check_id String, component_id String,
		agent_id String, region String, check_version Int64, duration_us Int64, dns_us Int64, connect_us Int64,
		tls_us Int64, first_byte_us Int64, transfer_us Int64, success UInt8, status_code Int32, error_class String,
		message String) ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMMDD(time)
		ORDER BY (component_id, check_id, time, result_id)`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate an old table: %v", err)
	}
	rs := storetest.MakeResults("old-", 5, storetest.T0)
	for i := range rs {
		rs[i].Partition, rs[i].Offset = 3, int64(10+i)
	}
	if _, err := s.WriteResults(t.Context(), rs); err != nil {
		t.Fatal(err)
	}
	got, err := s.StoredOffsets(t.Context(), 3, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []int64{10, 11, 12, 13, 14}) {
		t.Errorf("stored offsets after the upgrade = %v, want 10..14", got)
	}
}

func TestSeriesSuite(t *testing.T) {
	storetest.RunSeriesSuite(t, func(t *testing.T) storetest.SeriesStore { return open(t) })
}
