package chstore

import (
	"context"
	"fmt"
	"time"

	"github.com/statusd/statusd/result"
)

const insertResults = `INSERT INTO {db}.results (time, scheduled_ms, started_ms, result_id, check_id, component_id,
	agent_id, region, check_version, duration_us, dns_us, connect_us, tls_us, first_byte_us, transfer_us,
	success, status_code, error_class, message, kafka_partition, kafka_offset,
	rcode, packet_loss, rtt_min_us, rtt_avg_us, rtt_max_us, cert_expiry_ms, cert_days_left, degraded)`

// maxInsertRows caps one insert block; WriteResults splits larger batches.
// ClickHouse takes blocks of a million rows, but a bounded block bounds the
// memory of client and server.
const maxInsertRows = 50_000

// WriteResults inserts the results, dropping duplicates of a result ID
// within rs, and returns how many it wrote. It does not look for results
// stored before: exactly once across batches is the caller's, by source
// offset (see StoredOffsets and the package comment). A result without an
// ID or a time is an error, and nothing is written.
func (s *Store) WriteResults(ctx context.Context, rs []result.Result) (int, error) {
	fresh := make([]result.Result, 0, len(rs))
	seen := make(map[string]bool, len(rs))
	for i, r := range rs {
		if r.ID == "" {
			return 0, fmt.Errorf("write results: result %d (check %s): id is required", i, r.CheckID)
		}
		if r.Started.IsZero() && r.Scheduled.IsZero() {
			return 0, fmt.Errorf("write results: result %s: scheduled or started time is required", r.ID)
		}
		if !seen[r.ID] {
			seen[r.ID] = true
			fresh = append(fresh, r)
		}
	}
	for start := 0; start < len(fresh); start += maxInsertRows {
		if err := s.insert(ctx, fresh[start:min(start+maxInsertRows, len(fresh))]); err != nil {
			return start, err
		}
	}
	return len(fresh), nil
}

// StoredOffsets returns, sorted, the source offsets of a partition within
// [from, to] that have rows, from the results_offsets table (ordered by
// partition and offset, so the look-up reads a few granules). The
// aggregator asks once when it takes a partition, and after a failed
// insert, never per batch.
func (s *Store) StoredOffsets(ctx context.Context, partition int, from, to int64) ([]int64, error) {
	rows, err := s.conn.Query(ctx, s.q(`SELECT DISTINCT kafka_offset FROM {db}.results_offsets
		WHERE kafka_partition = ? AND kafka_offset >= ? AND kafka_offset <= ? ORDER BY kafka_offset`),
		int32(partition), from, to)
	if err != nil {
		return nil, fmt.Errorf("find stored offsets of partition %d: %w", partition, err)
	}
	var out []int64
	for rows.Next() {
		var o int64
		if err := rows.Scan(&o); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan stored offset: %w", err))
		}
		out = append(out, o)
	}
	if err := closeRows(rows, rows.Err()); err != nil {
		return nil, fmt.Errorf("find stored offsets of partition %d: %w", partition, err)
	}
	return out, nil
}

// rowTime is the partitioning time of a result: when it started, or its
// tick if it never started.
func rowTime(r result.Result) time.Time {
	if r.Started.IsZero() {
		return r.Scheduled.Truncate(time.Second)
	}
	return r.Started.Truncate(time.Second)
}

type rowCloser interface{ Close() error }

func closeRows(rows rowCloser, err error) error {
	if cerr := rows.Close(); cerr != nil && err == nil {
		return fmt.Errorf("close rows: %w", cerr)
	}
	return err
}

// insert writes the results as one block, column by column: appending
// whole columns costs a fraction of appending row by row.
func (s *Store) insert(ctx context.Context, rs []result.Result) error {
	batch, err := s.conn.PrepareBatch(ctx, s.q(insertResults))
	if err != nil {
		return fmt.Errorf("prepare results batch: %w", err)
	}
	n := len(rs)
	var (
		times                                 = make([]time.Time, n)
		scheduled, started, version, offset   = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		ids, checks, comps, agents, regions   = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		dur, dns, connect, tlsUS, first, xfer = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		success, degraded                     = make([]uint8, n), make([]uint8, n)
		codes, partitions, daysLeft           = make([]int32, n), make([]int32, n), make([]int32, n)
		classes, messages, rcodes             = make([]string, n), make([]string, n), make([]string, n)
		loss                                  = make([]float64, n)
		rttMin, rttAvg, rttMax, certExpiry    = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	)
	for i, r := range rs {
		times[i], scheduled[i], started[i] = rowTime(r), ms(r.Scheduled), ms(r.Started)
		ids[i], checks[i], comps[i], agents[i], regions[i] = r.ID, r.CheckID, r.ComponentID, r.AgentID, r.Region
		version[i], dur[i] = r.CheckVersion, r.Duration.Microseconds()
		dns[i], connect[i], tlsUS[i] = r.Phases.DNS.Microseconds(), r.Phases.Connect.Microseconds(), r.Phases.TLS.Microseconds()
		first[i], xfer[i] = r.Phases.FirstByte.Microseconds(), r.Phases.Transfer.Microseconds()
		if r.Success {
			success[i] = 1
		}
		codes[i], classes[i], messages[i] = int32(r.StatusCode), string(r.ErrorClass), r.Message
		partitions[i], offset[i] = int32(r.Partition), r.Offset
		rcodes[i], loss[i], daysLeft[i] = r.RCode, r.PacketLoss, int32(r.CertDaysLeft)
		rttMin[i], rttAvg[i], rttMax[i] = r.RTTMin.Microseconds(), r.RTTAvg.Microseconds(), r.RTTMax.Microseconds()
		certExpiry[i] = ms(r.CertExpiry)
		if r.Degraded {
			degraded[i] = 1
		}
	}
	columns := []any{times, scheduled, started, ids, checks, comps, agents, regions, version, dur, dns, connect,
		tlsUS, first, xfer, success, codes, classes, messages, partitions, offset,
		rcodes, loss, rttMin, rttAvg, rttMax, certExpiry, daysLeft, degraded}
	for i, col := range columns {
		if err := batch.Column(i).Append(col); err != nil {
			return fmt.Errorf("append results column %d: %w", i, classify(abort(batch, err), true))
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send %d results: %w", len(rs), classify(err, false))
	}
	return nil
}

type aborter interface{ Abort() error }

// abort gives up a batch, keeping err as the cause.
func abort(b aborter, err error) error {
	if aerr := b.Abort(); aerr != nil {
		return fmt.Errorf("%w (abort batch: %v)", err, aerr)
	}
	return err
}

// ms is Unix milliseconds, 0 for the zero time.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// CountResults returns the number of result rows and of distinct result
// IDs; they differ only if a duplicate was inserted and not yet merged.
func (s *Store) CountResults(ctx context.Context) (rows int64, distinctIDs int64, err error) {
	var n, distinct uint64
	if err := s.conn.QueryRow(ctx, s.q(`SELECT count(), uniqExact(result_id) FROM {db}.results`)).
		Scan(&n, &distinct); err != nil {
		return 0, 0, fmt.Errorf("count results: %w", err)
	}
	return int64(n), int64(distinct), nil
}

// RollupTotal returns how many results the per-minute rollup counts.
func (s *Store) RollupTotal(ctx context.Context) (int64, error) {
	var n uint64
	if err := s.conn.QueryRow(ctx, s.q(`SELECT sum(total) FROM {db}.results_1m`)).Scan(&n); err != nil {
		return 0, fmt.Errorf("sum the rollup: %w", err)
	}
	return int64(n), nil
}
