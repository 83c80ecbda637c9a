package api

import (
	"context"
	"fmt"

	"github.com/statusd/statusd/uptime"
)

// FrozenReader reads the frozen totals of closed months; the metrics
// endpoint serves each closed month a timeframe covers whole from them
// when the Store is one, as they were frozen.
type FrozenReader interface {
	FrozenMonths(ctx context.Context, ids []string, from, to uptime.Month) ([]uptime.FrozenMonth, error)
}

// frozenMonths reads the frozen months of ids over the days from..to, by
// component; none when the store keeps none.
func (a *API) frozenMonths(ctx context.Context, ids []string, from, to uptime.Day) (map[string][]uptime.FrozenMonth, error) {
	fr, ok := a.store.(FrozenReader)
	if !ok || len(ids) == 0 {
		return nil, nil
	}
	ms, err := fr.FrozenMonths(ctx, ids, uptime.MonthOf(from), uptime.MonthOf(to))
	if err != nil {
		return nil, fmt.Errorf("read frozen months: %w", err)
	}
	out := map[string][]uptime.FrozenMonth{}
	for _, m := range ms {
		out[m.ComponentID] = append(out[m.ComponentID], m)
	}
	return out, nil
}
