package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/statusd/statusd/health"
)

// statesPerRead bounds the IDs of one ComponentStatesByID query.
const statesPerRead = 500

// ComponentStateVersions lists the row version of every component state.
// It moves with every write of the row, so a reader that holds the states
// of an earlier read re-reads (ComponentStatesByID) only those whose
// version moved; one narrow scan, nothing decoded.
func (s *Store) ComponentStateVersions(ctx context.Context) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT component_id, rv FROM component_states`)
	if err != nil {
		return nil, fmt.Errorf("list component state versions: %w", err)
	}
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var rv int64
		if err := rows.Scan(&id, &rv); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan component state version: %w", err))
		}
		out[id] = rv
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list component state versions: %w", err)
	}
	return out, nil
}

// ComponentStatesByID lists the states of ids that have one (of every
// component for nil ids), sorted by component ID, each with its row
// version (ComponentStateVersions) at the same index.
func (s *Store) ComponentStatesByID(ctx context.Context, ids []string) ([]health.ComponentState, []int64, error) {
	const head = `SELECT ` + componentStateColumns + `, rv FROM component_states`
	if ids == nil {
		return s.scanComponentStates(ctx, true, head+` ORDER BY component_id`)
	}
	var (
		states []health.ComponentState
		rvs    []int64
	)
	for start := 0; start < len(ids); start += statesPerRead {
		part := ids[start:min(start+statesPerRead, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		st, rv, err := s.scanComponentStates(ctx, true, head+` WHERE component_id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, nil, err
		}
		states, rvs = append(states, st...), append(rvs, rv...)
	}
	sortStates(states, rvs)
	return states, rvs, nil
}

// sortStates sorts states by component ID, keeping rvs beside them.
func sortStates(states []health.ComponentState, rvs []int64) {
	type pair struct {
		st health.ComponentState
		rv int64
	}
	ps := make([]pair, len(states))
	for i := range states {
		ps[i] = pair{states[i], rvs[i]}
	}
	slices.SortFunc(ps, func(a, b pair) int { return strings.Compare(a.st.ComponentID, b.st.ComponentID) })
	for i, p := range ps {
		states[i], rvs[i] = p.st, p.rv
	}
}
