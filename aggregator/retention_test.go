package aggregator

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/store/sqlstore"
	"github.com/statusd/statusd/uptime"
)

// TestPruneFrozenMonths: the hourly retention deletes the frozen months
// wholly before the day-bucket cut and keeps the month the cut falls in.
func TestPruneFrozenMonths(t *testing.T) {
	s, err := sqlstore.Open(t.Context(), sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	a := newFreezer(t, s, prometheus.NewRegistry())
	a.opts.Buckets, a.opts.BucketRetention = s, 400*24*time.Hour
	if err := s.SyncCatalog(t.Context(), freezeCatalog(), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var ms []uptime.FrozenMonth
	for _, m := range []uptime.Month{202409, 202410, 202411, 202412} {
		ms = append(ms, uptime.FrozenMonth{ComponentID: "c0", Month: m, FrozenAt: time.Unix(0, 0),
			Totals: uptime.Totals{Observed: 1000}})
	}
	if _, err := s.FreezeMonths(t.Context(), ms); err != nil {
		t.Fatal(err)
	}
	// 400 days before 2025-12-01 12:00 UTC is 2024-10-27, a day earlier the cut: 2024-10-26.
	a.prune(t.Context(), time.Date(2025, 12, 1, 12, 0, 0, 0, time.UTC))
	got, err := s.FrozenMonths(t.Context(), []string{"c0"}, 202401, 202512)
	if err != nil {
		t.Fatal(err)
	}
	var months []uptime.Month
	for _, m := range got {
		months = append(months, m.Month)
	}
	if want := []uptime.Month{202410, 202411, 202412}; !slices.Equal(months, want) {
		t.Errorf("frozen months after pruning: %v, want %v", months, want)
	}
}
