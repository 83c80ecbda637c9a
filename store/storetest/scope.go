package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/uptime"
)

// ScopeStore is what RunScopeSuite exercises: the narrow reads of the
// metrics endpoint, one component's scope and the day buckets of spans.
type ScopeStore interface {
	StateStore
	ComponentScope(ctx context.Context, id string) (c catalog.Component, timeZone string, leaves []string, err error)
	DayBucketsIn(ctx context.Context, ids []string, spans [][2]uptime.Day) ([]uptime.Bucket, error)
}

// RunScopeSuite runs the scope cases, each against a fresh, empty,
// migrated store from open.
func RunScopeSuite(t *testing.T, open func(t *testing.T) ScopeStore) {
	for _, tc := range scopeCases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

// nestedCatalog is the fixture with a group holding a leaf and a group,
// on two pages.
func nestedCatalog() catalog.Catalog {
	c := fixture()
	for _, comp := range []catalog.Component{
		{ID: "edge", PageID: "beta", IsGroup: true, Name: "Edge", Position: 5},
		{ID: "cdn", PageID: "beta", GroupID: "edge", IsGroup: true, Name: "CDN", Position: 1},
		{ID: "lb", PageID: "beta", GroupID: "edge", Name: "Balancer", Position: 0},
		{ID: "pop-b", PageID: "beta", GroupID: "cdn", Name: "PoP B", Position: 1},
		{ID: "pop-a", PageID: "beta", GroupID: "cdn", Name: "PoP A", Position: 1},
		{ID: "empty", PageID: "beta", IsGroup: true, Name: "Empty", Position: 6},
	} {
		comp.Normalize()
		c.Components = append(c.Components, comp)
	}
	return c
}

var scopeCases = []struct {
	name string
	run  func(t *testing.T, s ScopeStore)
}{
	{"scope/each component as listed, with its zone and leaves", func(t *testing.T, s ScopeStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), nestedCatalog(), at(0)))
		all, err := s.Components(t.Context(), "")
		must(t, "list components", err)
		tests := map[string]struct {
			tz     string
			leaves []string
		}{
			"web":   {"Etc/UTC", []string{"web"}},
			"core":  {"Etc/UTC", []string{"db"}},
			"docs":  {"Europe/Berlin", []string{"docs"}},
			"edge":  {"Europe/Berlin", []string{"lb", "pop-a", "pop-b"}},
			"cdn":   {"Europe/Berlin", []string{"pop-a", "pop-b"}},
			"empty": {"Europe/Berlin", nil},
		}
		for _, want := range all {
			c, tz, leaves, err := s.ComponentScope(t.Context(), want.ID)
			must(t, "scope of "+want.ID, err)
			equal(t, want.ID+" component", c, want)
			if w, ok := tests[want.ID]; ok {
				equal(t, want.ID+" time zone", tz, w.tz)
				equal(t, want.ID+" leaves", leaves, w.leaves)
			}
		}
	}},
	{"scope/unknown component is not found", func(t *testing.T, s ScopeStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		_, _, _, err := s.ComponentScope(t.Context(), "nope")
		var nf *catalog.NotFoundError
		if !errors.As(err, &nf) {
			t.Fatalf("scope of an unknown component: %v, want a *catalog.NotFoundError", err)
		}
	}},
	{"scope/day buckets of several spans in one read", func(t *testing.T, s ScopeStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		var ch health.Changes
		for _, d := range []uptime.Day{20250301, 20250302, 20250310, 20250320, 20250321} {
			ch.Buckets = append(ch.Buckets, bucket("api", d, 1, 10), bucket("web", d, 1, 20))
		}
		must(t, "apply", s.ApplyChanges(t.Context(), ch, nil))
		bs, err := s.DayBucketsIn(t.Context(), []string{"api"}, [][2]uptime.Day{{20250301, 20250301}, {20250315, 20250331}})
		must(t, "day buckets in spans", err)
		var days []uptime.Day
		for _, b := range bs {
			equal(t, "component", b.ComponentID, "api")
			days = append(days, b.Day)
		}
		equal(t, "days", days, []uptime.Day{20250301, 20250320, 20250321})
		bs, err = s.DayBucketsIn(t.Context(), []string{"api"}, nil)
		must(t, "day buckets of no span", err)
		equal(t, "no span", len(bs), 0)
	}},
}
