package frozencache

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/statusd/statusd/uptime"
)

// store is a frozen_months table that counts its reads.
type store struct {
	rows  []uptime.FrozenMonth
	reads int
	err   error
}

func (s *store) FrozenMonths(_ context.Context, ids []string, from, to uptime.Month) ([]uptime.FrozenMonth, error) {
	s.reads++
	if s.err != nil {
		return nil, s.err
	}
	var out []uptime.FrozenMonth
	for _, m := range s.rows {
		if slices.Contains(ids, m.ComponentID) && m.Month >= from && m.Month <= to {
			out = append(out, m)
		}
	}
	return out, nil
}

func frozen(id string, m uptime.Month, impact int64) uptime.FrozenMonth {
	return uptime.FrozenMonth{ComponentID: id, Month: m, Totals: uptime.Totals{Impact: impact}}
}

func months(ms []uptime.FrozenMonth) []uptime.Month {
	var out []uptime.Month
	for _, m := range ms {
		out = append(out, m.Month)
	}
	return out
}

func TestCache(t *testing.T) {
	want := []uptime.Month{202609, 202610}
	tests := []struct {
		name string
		// run acts on a cache over s after a first Load of a and b over
		// want, and checks.
		run func(t *testing.T, c *Cache, s *store, advance func(time.Duration))
	}{
		{"kept months are served without a read", func(t *testing.T, c *Cache, s *store, advance func(time.Duration)) {
			got, missing := c.Cached([]string{"a"}, want)
			if len(missing) != 0 || !slices.Equal(months(got["a"]), want) {
				t.Fatalf("cached %v, missing %v; want both months, none missing", got, missing)
			}
		}},
		{"a kept month is never read again, even if the store changed", func(t *testing.T, c *Cache, s *store, advance func(time.Duration)) {
			s.rows[0].Impact = 999 // cannot happen: a frozen month is written once
			got, _ := c.Cached([]string{"a"}, want)
			if got["a"][0].Impact != 1 {
				t.Fatalf("served %+v; want the month as first read", got["a"][0])
			}
		}},
		{"absence is kept for AbsentFor: a month frozen later is read after", func(t *testing.T, c *Cache, s *store, advance func(time.Duration)) {
			if got, missing := c.Cached([]string{"b"}, want); len(missing) != 0 || !slices.Equal(months(got["b"]), want[:1]) {
				t.Fatalf("cached %v, missing %v; want b's 2026-09 and its 2026-10 known absent", got, missing)
			}
			c.ForgetAbsent()
			if _, missing := c.Cached([]string{"b"}, want); !slices.Equal(missing, []string{"b"}) {
				t.Fatalf("after ForgetAbsent: missing %v; want b, whose 2026-10 may be frozen since", missing)
			}
			if _, err := c.Load(t.Context(), []string{"b"}, 202609, 202610); err != nil {
				t.Fatal(err)
			}
			advance(DefaultAbsentFor)
			if _, missing := c.Cached([]string{"b"}, want); !slices.Equal(missing, []string{"b"}) {
				t.Fatalf("after %s: missing %v; want b, whose 2026-10 may be frozen since", DefaultAbsentFor, missing)
			}
			s.rows = append(s.rows, frozen("b", 202610, 7))
			got, err := c.Load(t.Context(), []string{"b"}, 202609, 202610)
			if err != nil || !slices.Equal(months(got["b"]), want) {
				t.Fatalf("load %v %v; want both months of b", got, err)
			}
			if _, missing := c.Cached([]string{"b"}, want); len(missing) != 0 {
				t.Fatalf("missing %v after the load", missing)
			}
		}},
		{"seen: a month frozen for some component", func(t *testing.T, c *Cache, s *store, advance func(time.Duration)) {
			if !c.Seen(202610) || c.Seen(202611) {
				t.Fatalf("seen 2026-10 %v, 2026-11 %v; want true, false", c.Seen(202610), c.Seen(202611))
			}
		}},
		{"retain drops the components that are gone", func(t *testing.T, c *Cache, s *store, advance func(time.Duration)) {
			c.Retain(func(id string) bool { return id != "a" })
			if got, missing := c.Cached([]string{"a"}, want); len(got) != 0 || len(missing) != 1 {
				t.Fatalf("after a is gone: cached %v, missing %v", got, missing)
			}
			if c.Len() != 1 || c.Seen(202610) {
				t.Fatalf("len %d, seen 2026-10 %v; want 1 (b's 2026-09), false", c.Len(), c.Seen(202610))
			}
		}},
		{"forget drops the months no timeframe reaches", func(t *testing.T, c *Cache, s *store, advance func(time.Duration)) {
			c.Forget(202610)
			if c.Len() != 1 || c.Seen(202609) {
				t.Fatalf("len %d, seen 2026-09 %v; want a's 2026-10 alone", c.Len(), c.Seen(202609))
			}
		}},
		{"a failed read keeps nothing", func(t *testing.T, c *Cache, s *store, advance func(time.Duration)) {
			s.err = errors.New("down")
			if _, err := c.Load(t.Context(), []string{"b"}, 202609, 202610); !errors.Is(err, s.err) {
				t.Fatalf("load: %v; want the store's error", err)
			}
			if c.Len() != 3 {
				t.Fatalf("len %d; want the 3 months kept before", c.Len())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &store{rows: []uptime.FrozenMonth{frozen("a", 202609, 1), frozen("a", 202610, 2), frozen("b", 202609, 3)}}
			now := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
			c, err := New(Options{Reader: s, Clock: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Load(t.Context(), []string{"a", "b"}, 202609, 202610); err != nil {
				t.Fatal(err)
			}
			if s.reads != 1 || c.Len() != 3 {
				t.Fatalf("reads %d, len %d after the first load; want 1, 3", s.reads, c.Len())
			}
			tt.run(t, c, s, func(d time.Duration) { now = now.Add(d) })
		})
	}
}

func TestCacheBound(t *testing.T) {
	s := &store{}
	for _, id := range []string{"a", "b", "c", "d"} {
		s.rows = append(s.rows, frozen(id, 202609, 1), frozen(id, 202610, 1))
	}
	c, err := New(Options{Reader: s, MaxEntries: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Load(t.Context(), []string{"a", "b", "c", "d"}, 202609, 202610); err != nil {
		t.Fatal(err)
	}
	if n := c.Len(); n > 5 || n < 4 {
		t.Fatalf("len %d; want at most 5, whole components dropped (4)", n)
	}
}

func TestNewNeedsAReader(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Fatal("New without a Reader succeeded")
	}
}

func TestSweep(t *testing.T) {
	s := &store{}
	ids := []string{"a", "b", "c"}
	for _, id := range ids {
		s.rows = append(s.rows, frozen(id, 202609, 1), frozen(id, 202610, 1))
	}
	tests := []struct {
		name      string
		max       int
		wantSwept bool
		wantReads int
	}{
		{"fits in half the bound: one read for all", 12, true, 1},
		{"beyond half the bound: no read", 11, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.reads = 0
			c, err := New(Options{Reader: s, MaxEntries: tt.max})
			if err != nil {
				t.Fatal(err)
			}
			want := []uptime.Month{202609, 202610}
			swept, err := c.Sweep(t.Context(), len(ids), func() []string { return ids }, want)
			if err != nil || swept != tt.wantSwept || s.reads != tt.wantReads || c.Swept(want) != tt.wantSwept {
				t.Fatalf("sweep %v %v, %d reads, swept %v; want %v, %d reads", swept, err, s.reads, c.Swept(want), tt.wantSwept, tt.wantReads)
			}
			if !tt.wantSwept {
				return
			}
			if _, missing := c.Cached(ids, want); len(missing) != 0 {
				t.Fatalf("missing %v after the sweep", missing)
			}
			if again, _ := c.Sweep(t.Context(), len(ids), func() []string { return ids }, want); again || s.reads != 1 {
				t.Fatalf("a second sweep of the same months read again (%v, %d reads)", again, s.reads)
			}
			c.Forget(202610)
			if c.Swept(want) {
				t.Fatal("a forgotten month still counts as swept")
			}
		})
	}
}
