package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/statusd/statusd/uptime"
)

// FrozenStore is what RunFrozenSuite exercises: a state store that keeps
// the frozen totals of closed months.
type FrozenStore interface {
	StateStore
	FreezeMonths(ctx context.Context, ms []uptime.FrozenMonth) (int64, error)
	FrozenMonths(ctx context.Context, ids []string, from, to uptime.Month) ([]uptime.FrozenMonth, error)
	MarkFrozenMismatch(ctx context.Context, id string, m uptime.Month, recomputed uptime.Totals, at time.Time) (bool, error)
	PruneFrozenMonths(ctx context.Context, before uptime.Month) (int64, error)
}

// RunFrozenSuite runs the frozen-month cases, each against a fresh, empty,
// migrated store from open.
func RunFrozenSuite(t *testing.T, open func(t *testing.T) FrozenStore) {
	for _, tc := range frozenCases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

func frozenMonth(id string, m uptime.Month, major int64) uptime.FrozenMonth {
	return uptime.FrozenMonth{ComponentID: id, Month: m, FrozenAt: at(60 * 24 * 40), Totals: uptime.Totals{
		Major: major, Partial: 2, Degraded: 3, Maintenance: 4, NoData: 5, Observed: major + 100, Impact: major + 1,
		Outages: 2}}
}

func frozen(t *testing.T, s FrozenStore, ids []string, from, to uptime.Month) []uptime.FrozenMonth {
	t.Helper()
	ms, err := s.FrozenMonths(t.Context(), ids, from, to)
	must(t, "frozen months", err)
	return ms
}

func freeze(t *testing.T, s FrozenStore, ms []uptime.FrozenMonth, want int64) {
	t.Helper()
	n, err := s.FreezeMonths(t.Context(), ms)
	must(t, "freeze months", err)
	if n != want {
		t.Errorf("froze %d months, want %d", n, want)
	}
}

var frozenCases = []struct {
	name string
	run  func(t *testing.T, s FrozenStore)
}{
	{"frozen/round trip by component and months", func(t *testing.T, s FrozenStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		ms := []uptime.FrozenMonth{frozenMonth("api", 202502, 10), frozenMonth("api", 202503, 20),
			frozenMonth("web", 202503, 30), frozenMonth("ghost", 202503, 40)}
		freeze(t, s, ms, 3)
		equal(t, "api and ghost in March", frozen(t, s, []string{"api", "ghost"}, 202503, 202503), ms[1:2])
		equal(t, "everything", frozen(t, s, []string{"web", "api"}, 202401, 202512), ms[:3])
		equal(t, "none asked", frozen(t, s, nil, 202401, 202512), []uptime.FrozenMonth(nil))
	}},
	{"frozen/a month is written once", func(t *testing.T, s FrozenStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		first := frozenMonth("api", 202503, 10)
		freeze(t, s, []uptime.FrozenMonth{first}, 1)
		freeze(t, s, []uptime.FrozenMonth{frozenMonth("api", 202503, 99), frozenMonth("api", 202504, 5)}, 1)
		equal(t, "months", frozen(t, s, []string{"api"}, 202501, 202512),
			[]uptime.FrozenMonth{first, frozenMonth("api", 202504, 5)})
	}},
	{"frozen/a mismatch is marked once and changes nothing served", func(t *testing.T, s FrozenStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		m := frozenMonth("api", 202503, 10)
		freeze(t, s, []uptime.FrozenMonth{m}, 1)
		for i, want := range []bool{true, false} {
			first, err := s.MarkFrozenMismatch(t.Context(), "api", 202503, uptime.Totals{Major: 77}, at(i))
			must(t, "mark mismatch", err)
			if first != want {
				t.Errorf("mark %d: first %v, want %v", i+1, first, want)
			}
		}
		first, err := s.MarkFrozenMismatch(t.Context(), "api", 202504, uptime.Totals{Major: 77}, at(0))
		must(t, "mark a month never frozen", err)
		if first {
			t.Error("marked a month that was never frozen")
		}
		equal(t, "months", frozen(t, s, []string{"api"}, 202501, 202512), []uptime.FrozenMonth{m})
	}},
	{"frozen/prune before a month", func(t *testing.T, s FrozenStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		ms := []uptime.FrozenMonth{frozenMonth("api", 202402, 1), frozenMonth("web", 202403, 2), frozenMonth("api", 202503, 3)}
		freeze(t, s, ms, 3)
		n, err := s.PruneFrozenMonths(t.Context(), 202404)
		must(t, "prune", err)
		if n != 2 {
			t.Errorf("pruned %d months, want 2", n)
		}
		equal(t, "left", frozen(t, s, []string{"api", "web"}, 200001, 209912), ms[2:])
	}},
}
