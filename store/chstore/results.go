package chstore

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/statusd/statusd/result"
)

const insertResults = `INSERT INTO {db}.results (time, scheduled_ms, started_ms, result_id, check_id, component_id,
	agent_id, region, check_version, duration_us, dns_us, connect_us, tls_us, first_byte_us, transfer_us,
	success, status_code, error_class, message)`

// WriteResults stores the results not stored yet, exactly once by result
// ID (see the package comment), and returns how many it wrote. A result
// without an ID is an error.
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
	if len(fresh) == 0 {
		return 0, nil
	}
	stored, err := s.storedIDs(ctx, fresh)
	if err != nil {
		return 0, err
	}
	if len(stored) > 0 {
		kept := fresh[:0]
		for _, r := range fresh {
			if !stored[r.ID] {
				kept = append(kept, r)
			}
		}
		fresh = kept
		s.log.DebugContext(ctx, "skipped stored results", "count", len(stored))
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	if err := s.insert(ctx, fresh); err != nil {
		return 0, err
	}
	return len(fresh), nil
}

// rowTime is the partitioning time of a result: when it started, or its
// tick if it never started.
func rowTime(r result.Result) time.Time {
	if r.Started.IsZero() {
		return r.Scheduled.Truncate(time.Second)
	}
	return r.Started.Truncate(time.Second)
}

// storedIDs returns which of the results' IDs are already stored, looking
// only at their components and time window.
func (s *Store) storedIDs(ctx context.Context, rs []result.Result) (map[string]bool, error) {
	var (
		ids      = make([]any, 0, len(rs))
		comps    []any
		seenComp = map[string]bool{}
		first    = rowTime(rs[0])
		last     = first
	)
	for _, r := range rs {
		ids = append(ids, r.ID)
		if !seenComp[r.ComponentID] {
			seenComp[r.ComponentID] = true
			comps = append(comps, r.ComponentID)
		}
		t := rowTime(r)
		if t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	rows, err := s.conn.Query(ctx, s.q(`SELECT result_id FROM {db}.results
		WHERE component_id IN ? AND time >= toDateTime(?) AND time <= toDateTime(?) AND result_id IN ?`),
		clickhouse.GroupSet{Value: comps}, first.Unix(), last.Unix(), clickhouse.GroupSet{Value: ids})
	if err != nil {
		return nil, fmt.Errorf("find stored results: %w", err)
	}
	stored := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan stored result id: %w", err))
		}
		stored[id] = true
	}
	if err := closeRows(rows, rows.Err()); err != nil {
		return nil, fmt.Errorf("find stored results: %w", err)
	}
	return stored, nil
}

type rowCloser interface{ Close() error }

func closeRows(rows rowCloser, err error) error {
	if cerr := rows.Close(); cerr != nil && err == nil {
		return fmt.Errorf("close rows: %w", cerr)
	}
	return err
}

// insert writes the results as one block.
func (s *Store) insert(ctx context.Context, rs []result.Result) error {
	batch, err := s.conn.PrepareBatch(ctx, s.q(insertResults))
	if err != nil {
		return fmt.Errorf("prepare results batch: %w", err)
	}
	for _, r := range rs {
		var success uint8
		if r.Success {
			success = 1
		}
		if err := batch.Append(rowTime(r), ms(r.Scheduled), ms(r.Started), r.ID, r.CheckID, r.ComponentID,
			r.AgentID, r.Region, r.CheckVersion, r.Duration.Microseconds(), r.Phases.DNS.Microseconds(),
			r.Phases.Connect.Microseconds(), r.Phases.TLS.Microseconds(), r.Phases.FirstByte.Microseconds(),
			r.Phases.Transfer.Microseconds(), success, int32(r.StatusCode), string(r.ErrorClass), r.Message); err != nil {
			return fmt.Errorf("append result %s: %w", r.ID, abort(batch, err))
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send %d results: %w", len(rs), err)
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
