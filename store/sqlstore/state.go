package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
)

// The component state upsert writes many rows per statement. It inserts
// only the components that still exist (a catalog sync may have removed one
// while the batch was evaluated, and that must not fail the batch), and
// updates only where the stored state is not newer (seq) than the write.
// VALUES names its columns column1, column2, … on both backends; the casts
// give PostgreSQL the types of the parameters.
const (
	upsertComponentStatesHead = `
	INSERT INTO component_states (component_id, status, since, updated_at, failing_regions, no_data, stale,
		regions, incident_open, incident_worst, incident_resolved_at, kafka_partition, seq, uptime)
	SELECT column1, column2, column3, column4, column5, column6, column7, column8, column9, column10,
		column11, column12, column13, column14
	FROM (VALUES `
	upsertComponentStatesRow = `(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT),
		CAST(? AS TEXT), CAST(? AS BOOLEAN), CAST(? AS BOOLEAN), CAST(? AS TEXT), CAST(? AS BOOLEAN),
		CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS TEXT))`
	upsertComponentStatesTail = `) AS v
	WHERE EXISTS (SELECT 1 FROM components c WHERE c.id = v.column1)
	ON CONFLICT (component_id) DO UPDATE SET status = excluded.status, since = excluded.since,
		updated_at = excluded.updated_at, failing_regions = excluded.failing_regions,
		no_data = excluded.no_data, stale = excluded.stale, regions = excluded.regions,
		incident_open = excluded.incident_open, incident_worst = excluded.incident_worst,
		incident_resolved_at = excluded.incident_resolved_at, kafka_partition = excluded.kafka_partition,
		seq = excluded.seq, uptime = excluded.uptime, rv = component_states.rv + 1
	WHERE component_states.seq <= excluded.seq`
	// statesPerUpsert × 14 parameters stays under both backends' limits.
	statesPerUpsert = 500
)

const componentStateColumns = `component_id, status, since, updated_at, failing_regions, no_data, stale,
	regions, incident_open, incident_worst, incident_resolved_at, kafka_partition, seq, uptime`

// ComponentStates lists the state of every component that has one, sorted
// by component ID.
func (s *Store) ComponentStates(ctx context.Context) ([]health.ComponentState, error) {
	return s.componentStates(ctx, `SELECT `+componentStateColumns+` FROM component_states ORDER BY component_id`)
}

// ComponentStatesOf lists the states of the given components that have
// one, sorted by component ID.
func (s *Store) ComponentStatesOf(ctx context.Context, ids []string) ([]health.ComponentState, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return s.componentStates(ctx, `SELECT `+componentStateColumns+` FROM component_states
		WHERE component_id IN (`+placeholders(len(ids))+`) ORDER BY component_id`, args...)
}

func (s *Store) componentStates(ctx context.Context, query string, args ...any) ([]health.ComponentState, error) {
	out, _, err := s.scanComponentStates(ctx, false, query, args...)
	return out, err
}

// scanComponentStates runs query, which selects componentStateColumns and,
// withRV, the row version last; it returns the states and their versions.
func (s *Store) scanComponentStates(ctx context.Context, withRV bool, query string, args ...any) ([]health.ComponentState, []int64, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(query), args...)
	if err != nil {
		return nil, nil, fmt.Errorf("load component states: %w", err)
	}
	var (
		out []health.ComponentState
		rvs []int64
	)
	for rows.Next() {
		var (
			cs                       health.ComponentState
			st, failing, views, wrst string
			cursor                   string
			since, updated, resolved int64
			rv                       int64
		)
		dest := []any{&cs.ComponentID, &st, &since, &updated, &failing, &cs.NoData, &cs.Stale, &views,
			&cs.IncidentOpen, &wrst, &resolved, &cs.Partition, &cs.Seq, &cursor}
		if withRV {
			dest = append(dest, &rv)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, closeRows(rows, fmt.Errorf("scan component state: %w", err))
		}
		cs.Status, cs.Since, cs.UpdatedAt = status.Status(st), fromMS(since), fromMS(updated)
		cs.IncidentWorst, cs.IncidentResolvedAt = status.Status(wrst), fromMS(resolved)
		if failing != "" {
			cs.FailingRegions = strings.Split(failing, ",")
		}
		if err := json.Unmarshal([]byte(views), &cs.Regions); err != nil {
			return nil, nil, closeRows(rows, fmt.Errorf("decode regions of component %s: %w", cs.ComponentID, err))
		}
		if err := json.Unmarshal([]byte(cursor), &cs.Uptime); err != nil {
			return nil, nil, closeRows(rows, fmt.Errorf("decode bucket cursor of component %s: %w", cs.ComponentID, err))
		}
		out = append(out, cs)
		if withRV {
			rvs = append(rvs, rv)
		}
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, nil, fmt.Errorf("load component states: %w", err)
	}
	return out, rvs, nil
}

// LoadPartition returns what the store holds of one partition of a source:
// its checkpoint (Applied is -1 when none was stored) and the states of the
// components last written from it.
func (s *Store) LoadPartition(ctx context.Context, topic string, partition int) (health.Checkpoint, []health.ComponentState, error) {
	cp := health.Checkpoint{Topic: topic, Partition: partition, Applied: -1, SnapshotOffset: -1}
	var snapshot string
	var at int64
	err := s.db.QueryRowContext(ctx, s.d.rebind(`
		SELECT applied_offset, snapshot_offset, snapshot, updated_at FROM partition_watermarks
		WHERE topic = ? AND kafka_partition = ?`), topic, partition).Scan(&cp.Applied, &cp.SnapshotOffset, &snapshot, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return cp, nil, fmt.Errorf("load watermark of %s/%d: %w", topic, partition, err)
	default:
		cp.At = fromMS(at)
		if err := json.Unmarshal([]byte(snapshot), &cp.Checks); err != nil {
			return cp, nil, fmt.Errorf("decode check states of %s/%d: %w", topic, partition, err)
		}
	}
	comps, err := s.componentStates(ctx, `SELECT `+componentStateColumns+` FROM component_states
		WHERE kafka_partition = ? ORDER BY component_id`, partition)
	if err != nil {
		return cp, nil, fmt.Errorf("partition %s/%d: %w", topic, partition, err)
	}
	return cp, comps, nil
}

// ApplyChanges persists what one batch changed and moves the partitions'
// watermarks, in one transaction: component states (a stored state with a
// higher seq wins), incident actions, and each mark, which must find the
// watermark where it left it (Prev) or the whole transaction fails with
// health.ErrFenced. Manual incidents are never changed.
func (s *Store) ApplyChanges(ctx context.Context, ch health.Changes, marks []health.Mark) error {
	if ch.Empty() && len(marks) == 0 {
		return nil
	}
	return s.inTx(ctx, "apply changes", 0, func(tx *sql.Tx) error {
		for _, m := range marks {
			if err := s.mark(ctx, tx, m); err != nil {
				return err
			}
		}
		for start := 0; start < len(ch.Components); start += statesPerUpsert {
			if err := s.upsertComponentStates(ctx, tx, ch.Components[start:min(start+statesPerUpsert, len(ch.Components))]); err != nil {
				return err
			}
		}
		for start := 0; start < len(ch.Buckets); start += bucketsPerUpsert {
			if err := s.upsertDayBuckets(ctx, tx, ch.Buckets[start:min(start+bucketsPerUpsert, len(ch.Buckets))]); err != nil {
				return err
			}
		}
		for _, a := range ch.Incidents {
			if err := s.applyIncidentAction(ctx, tx, a); err != nil {
				return err
			}
		}
		if err := s.moveEffective(ctx, tx, probeSteps(ch.Transitions)); err != nil {
			return err
		}
		if len(ch.Components) == 0 && len(ch.Buckets) == 0 && len(ch.Incidents) == 0 {
			return nil // check states and watermarks: nothing the API shows
		}
		return bumpStoredVersion(ctx, tx)
	})
}

// upsertComponentStates writes states in one statement.
func (s *Store) upsertComponentStates(ctx context.Context, tx *sql.Tx, states []health.ComponentState) error {
	var q strings.Builder
	q.WriteString(upsertComponentStatesHead)
	args := make([]any, 0, 14*len(states))
	for i, cs := range states {
		views := []byte("[]")
		if len(cs.Regions) > 0 {
			var err error
			if views, err = json.Marshal(cs.Regions); err != nil {
				return fmt.Errorf("encode regions of component %s: %w", cs.ComponentID, err)
			}
		}
		cursor := []byte("{}")
		if cs.Uptime.Tracking() {
			var err error
			if cursor, err = json.Marshal(cs.Uptime); err != nil {
				return fmt.Errorf("encode bucket cursor of component %s: %w", cs.ComponentID, err)
			}
		}
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(upsertComponentStatesRow)
		args = append(args, cs.ComponentID, string(cs.Status), ms(cs.Since), ms(cs.UpdatedAt),
			strings.Join(cs.FailingRegions, ","), cs.NoData, cs.Stale, string(views), cs.IncidentOpen,
			string(cs.IncidentWorst), ms(cs.IncidentResolvedAt), cs.Partition, cs.Seq, string(cursor))
	}
	q.WriteString(upsertComponentStatesTail)
	res, err := tx.ExecContext(ctx, s.d.rebind(q.String()), args...)
	if err != nil {
		return fmt.Errorf("upsert the states of %d components: %w", len(states), err)
	}
	if n, err := res.RowsAffected(); err == nil && n < int64(len(states)) {
		s.log.DebugContext(ctx, "kept newer or skipped unknown component states", "written", n, "states", len(states))
	}
	return nil
}

// mark moves one partition's watermark, compare-and-set on Prev.
func (s *Store) mark(ctx context.Context, tx *sql.Tx, m health.Mark) error {
	var snapshot *string
	if m.Snapshot != nil {
		b, err := json.Marshal(m.Snapshot)
		if err != nil {
			return fmt.Errorf("encode check states of %s/%d: %w", m.Topic, m.Partition, err)
		}
		str := string(b)
		snapshot = &str
	}
	now := ms(m.At)
	if m.Prev < 0 {
		if snapshot == nil {
			empty := "[]"
			snapshot = &empty
		}
		snapOffset := m.Applied
		if m.Snapshot == nil {
			snapOffset = -1
		}
		res, err := tx.ExecContext(ctx, s.d.rebind(`
			INSERT INTO partition_watermarks (topic, kafka_partition, applied_offset, snapshot_offset, snapshot, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (topic, kafka_partition) DO NOTHING`),
			m.Topic, m.Partition, m.Applied, snapOffset, *snapshot, now)
		return fenced(res, err, m)
	}
	if snapshot == nil {
		res, err := tx.ExecContext(ctx, s.d.rebind(`
			UPDATE partition_watermarks SET applied_offset = ?, updated_at = ?
			WHERE topic = ? AND kafka_partition = ? AND applied_offset = ?`),
			m.Applied, now, m.Topic, m.Partition, m.Prev)
		return fenced(res, err, m)
	}
	res, err := tx.ExecContext(ctx, s.d.rebind(`
		UPDATE partition_watermarks SET applied_offset = ?, snapshot_offset = ?, snapshot = ?, updated_at = ?
		WHERE topic = ? AND kafka_partition = ? AND applied_offset = ?`),
		m.Applied, m.Applied, *snapshot, now, m.Topic, m.Partition, m.Prev)
	return fenced(res, err, m)
}

// fenced turns a mark that changed no row into health.ErrFenced.
func fenced(res sql.Result, err error, m health.Mark) error {
	if err != nil {
		return fmt.Errorf("move watermark of %s/%d to %d: %w", m.Topic, m.Partition, m.Applied, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("move watermark of %s/%d: %w", m.Topic, m.Partition, err)
	}
	if n != 1 {
		return fmt.Errorf("move watermark of %s/%d from %d to %d: %w", m.Topic, m.Partition, m.Prev, m.Applied, health.ErrFenced)
	}
	return nil
}

// probeSteps are the shown-status steps of the probes' transitions.
func probeSteps(ts []health.Transition) []effectiveStep {
	steps := make([]effectiveStep, len(ts))
	for i, t := range ts {
		to := t.To
		steps[i] = effectiveStep{ComponentID: t.ComponentID, Probe: &to, At: t.At}
	}
	return steps
}
