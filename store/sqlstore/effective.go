package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/statusd/statusd/componentstatus"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/maintenance"
	"github.com/statusd/statusd/status"
)

// effectiveStep is one move of a component's inputs within a transaction:
// a probe status change at At (Probe set), or a person's input already
// written in the transaction (Probe nil: the stored probe status holds).
type effectiveStep struct {
	ComponentID string
	Probe       *status.Status
	At          time.Time
}

// effectivePerQuery bounds the IN lists of the effective-status reads.
const effectivePerQuery = 500

// moveEffective re-decides the status the components of steps show, step
// by step in order, and appends a history entry for every change of it.
// Components that no longer exist are skipped. The public view decides:
// a private incident's claim does not move the shown status.
func (s *Store) moveEffective(ctx context.Context, tx *sql.Tx, steps []effectiveStep) error {
	if len(steps) == 0 {
		return nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, st := range steps {
		if !seen[st.ComponentID] {
			seen[st.ComponentID] = true
			ids = append(ids, st.ComponentID)
		}
	}
	inputs := make(map[string]*componentstatus.Inputs, len(ids))
	shown := make(map[string]componentstatus.Effective, len(ids))
	for start := 0; start < len(ids); start += effectivePerQuery {
		chunk := ids[start:min(start+effectivePerQuery, len(ids))]
		if err := s.loadEffectiveInputs(ctx, tx, chunk, inputs, shown); err != nil {
			return err
		}
	}
	dirty := map[string]bool{}
	var changes []historyRow
	for _, st := range steps {
		in, ok := inputs[st.ComponentID]
		if !ok {
			continue // deleted meanwhile
		}
		if st.Probe != nil {
			in.Probe = *st.Probe
		}
		prev, next := shown[st.ComponentID], componentstatus.Resolve(*in)
		if next.Source == componentstatus.SourceProbe && next.Status == status.UnderMaintenance {
			// The evaluator reports a maintenance window as the probes'
			// status (so that its time counts as maintenance): the window
			// decides it, not the probes.
			next.Source = componentstatus.SourceMaintenance
		}
		if ch, moved := componentstatus.Diff(prev, next, st.At); moved {
			changes = append(changes, historyRow{componentID: st.ComponentID, Change: ch})
		}
		if next != prev {
			shown[st.ComponentID], dirty[st.ComponentID] = next, true
		}
	}
	var put []string
	for _, id := range ids {
		if dirty[id] {
			put = append(put, id)
		}
	}
	for start := 0; start < len(put); start += effectivePerQuery {
		if err := s.putEffective(ctx, tx, put[start:min(start+effectivePerQuery, len(put))], shown); err != nil {
			return err
		}
	}
	return s.appendHistory(ctx, tx, changes)
}

// loadEffectiveInputs reads, for the components of ids that exist, what
// decides their shown status (into inputs) and the status they show now
// (into shown; absent when never decided).
func (s *Store) loadEffectiveInputs(ctx context.Context, tx *sql.Tx, ids []string,
	inputs map[string]*componentstatus.Inputs, shown map[string]componentstatus.Effective) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := placeholders(len(ids))
	rows, err := tx.QueryContext(ctx, s.d.rebind(`
		SELECT c.id, COALESCE(cs.status, ''), COALESCE(cs.no_data, TRUE),
			COALESCE(o.status, ''), COALESCE(o.since, 0), COALESCE(o.by_principal, ''),
			COALESCE(e.status, ''), COALESCE(e.source, ''), COALESCE(e.ref_id, 0), COALESCE(e.since, 0),
			COALESCE(e.probe, '')
		FROM components c
		LEFT JOIN component_states cs ON cs.component_id = c.id
		LEFT JOIN component_overrides o ON o.component_id = c.id
		LEFT JOIN component_effective e ON e.component_id = c.id
		WHERE c.id IN (`+in+`)`), args...)
	if err != nil {
		return fmt.Errorf("load status inputs: %w", err)
	}
	for rows.Next() {
		var (
			id, probe, over, by, eStatus, eSource, eProbe string
			noData                                        bool
			overSince, ref, eSince                        int64
		)
		if err := rows.Scan(&id, &probe, &noData, &over, &overSince, &by, &eStatus, &eSource, &ref, &eSince, &eProbe); err != nil {
			return closeRows(rows, fmt.Errorf("scan status inputs: %w", err))
		}
		cur := &componentstatus.Inputs{}
		if !noData {
			cur.Probe = status.Status(probe)
		}
		if over != "" {
			cur.Override = &componentstatus.Override{Status: status.Status(over), Since: fromMS(overSince), By: by}
		}
		inputs[id] = cur
		if eSource != "" {
			shown[id] = componentstatus.Effective{Status: status.Status(eStatus), Source: componentstatus.Source(eSource),
				RefID: ref, Since: fromMS(eSince), Probe: status.Status(eProbe)}
		}
	}
	if err := closeRows(rows, nil); err != nil {
		return fmt.Errorf("load status inputs: %w", err)
	}
	claims, err := s.claimsOf(ctx, tx, ids)
	if err != nil {
		return err
	}
	for id, cs := range claims {
		if cur, ok := inputs[id]; ok {
			cur.Claims = cs
		}
	}
	return nil
}

// claimsOf returns the claims of open incidents and active maintenance on
// the components of ids.
func (s *Store) claimsOf(ctx context.Context, tx *sql.Tx, ids []string) (map[string][]componentstatus.Claim, error) {
	out := map[string][]componentstatus.Claim{}
	if err := s.maintenanceClaims(ctx, tx, ids, out); err != nil {
		return nil, err
	}
	if err := s.incidentClaims(ctx, tx, ids, out); err != nil {
		return nil, err
	}
	return out, nil
}

// incidentClaims adds the claims of the open incidents that set the
// status of a component of ids (incident.Incident.Claims decides).
func (s *Store) incidentClaims(ctx context.Context, tx *sql.Tx, ids []string, out map[string][]componentstatus.Claim) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.QueryContext(ctx, s.d.rebind(`
		SELECT DISTINCT ic.incident_id FROM incident_components ic JOIN incidents i ON i.id = ic.incident_id
		WHERE ic.status <> '' AND i.resolved_at IS NULL AND i.deleted_at = 0
			AND ic.component_id IN (`+placeholders(len(ids))+`)`), args...)
	if err != nil {
		return fmt.Errorf("load incident claims: %w", err)
	}
	var incidents []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return closeRows(rows, fmt.Errorf("scan incident claim: %w", err))
		}
		incidents = append(incidents, id)
	}
	if err := closeRows(rows, nil); err != nil {
		return fmt.Errorf("load incident claims: %w", err)
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	for _, id := range incidents {
		in, err := s.incidentIn(ctx, tx, id, false)
		if err != nil {
			return fmt.Errorf("load incident claims: %w", err)
		}
		for _, c := range in.Claims() {
			if want[c.ComponentID] {
				out[c.ComponentID] = append(out[c.ComponentID], c)
			}
		}
	}
	return nil
}

// incidentMoved re-decides, at at, the shown status of the components an
// incident's change touches: those it concerned before and after.
func (s *Store) incidentMoved(ctx context.Context, tx *sql.Tx, before, after incident.Incident, at time.Time) error {
	var ids []string
	for _, in := range []incident.Incident{before, after} {
		for _, c := range in.Components {
			ids = append(ids, c.ComponentID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	steps := make([]effectiveStep, 0, len(ids))
	for _, id := range slices.Compact(ids) {
		steps = append(steps, effectiveStep{ComponentID: id, At: at})
	}
	return s.moveEffective(ctx, tx, steps)
}

// maintenanceClaims adds the claims of the windows in progress or
// verifying that cover the components of ids.
func (s *Store) maintenanceClaims(ctx context.Context, tx *sql.Tx, ids []string, out map[string][]componentstatus.Claim) error {
	args := make([]any, 0, len(ids)+2)
	args = append(args, string(maintenance.InProgress), string(maintenance.Verifying))
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := tx.QueryContext(ctx, s.d.rebind(`
		SELECT mc.component_id, m.id, m.started_at, m.private
		FROM maintenance_components mc JOIN maintenances m ON m.id = mc.maintenance_id
		WHERE m.status IN (?, ?) AND mc.component_id IN (`+placeholders(len(ids))+`)`), args...)
	if err != nil {
		return fmt.Errorf("load maintenance claims: %w", err)
	}
	for rows.Next() {
		var (
			c       componentstatus.Claim
			started int64
		)
		if err := rows.Scan(&c.ComponentID, &c.RefID, &started, &c.Private); err != nil {
			return closeRows(rows, fmt.Errorf("scan maintenance claim: %w", err))
		}
		c.Source, c.Status, c.Since = componentstatus.SourceMaintenance, status.UnderMaintenance, fromMS(started)
		out[c.ComponentID] = append(out[c.ComponentID], c)
	}
	if err := closeRows(rows, nil); err != nil {
		return fmt.Errorf("load maintenance claims: %w", err)
	}
	return nil
}

// windowMoved re-decides, at at, the shown status of the components a
// change of a window touches: those it covered before and after (nil
// after: deleted).
func (s *Store) windowMoved(ctx context.Context, tx *sql.Tx, before maintenance.Window, after *maintenance.Window, at time.Time) error {
	ids := slices.Clone(before.ComponentIDs)
	if after != nil {
		if after.Status == before.Status && slices.Equal(after.ComponentIDs, before.ComponentIDs) {
			return nil
		}
		ids = append(ids, after.ComponentIDs...)
	}
	slices.Sort(ids)
	steps := make([]effectiveStep, 0, len(ids))
	for _, id := range slices.Compact(ids) {
		steps = append(steps, effectiveStep{ComponentID: id, At: at})
	}
	return s.moveEffective(ctx, tx, steps)
}

// putEffective stores the shown statuses of ids in one statement.
func (s *Store) putEffective(ctx context.Context, tx *sql.Tx, ids []string, shown map[string]componentstatus.Effective) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO component_effective (component_id, status, source, ref_id, since, probe) VALUES `)
	args := make([]any, 0, 6*len(ids))
	for i, id := range ids {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?)")
		e := shown[id]
		args = append(args, id, string(e.Status), string(e.Source), e.RefID, ms(e.Since), string(e.Probe))
	}
	q.WriteString(` ON CONFLICT (component_id) DO UPDATE SET status = excluded.status, source = excluded.source,
		ref_id = excluded.ref_id, since = excluded.since, probe = excluded.probe`)
	if _, err := tx.ExecContext(ctx, s.d.rebind(q.String()), args...); err != nil {
		return fmt.Errorf("store the shown statuses of %d components: %w", len(ids), err)
	}
	return nil
}

// EffectiveStatuses returns the status every component shows and why, for
// the components that were decided at least once, by component ID.
func (s *Store) EffectiveStatuses(ctx context.Context) (map[string]componentstatus.Effective, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT component_id, status, source, ref_id, since, probe FROM component_effective`)
	if err != nil {
		return nil, fmt.Errorf("list shown statuses: %w", err)
	}
	out := map[string]componentstatus.Effective{}
	for rows.Next() {
		var (
			id, st, src, probe string
			ref, since         int64
		)
		if err := rows.Scan(&id, &st, &src, &ref, &since, &probe); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan shown status: %w", err))
		}
		out[id] = componentstatus.Effective{Status: status.Status(st), Source: componentstatus.Source(src),
			RefID: ref, Since: fromMS(since), Probe: status.Status(probe)}
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list shown statuses: %w", err)
	}
	return out, nil
}
