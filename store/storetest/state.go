package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/status"
)

// stateCase is one named case of the state suite, run on a fresh store.
type stateCase struct {
	name string
	run  func(t *testing.T, s StateStore)
}

// RunStateSuite runs the state-store cases, each against a fresh, empty,
// migrated store from open.
func RunStateSuite(t *testing.T, open func(t *testing.T) StateStore) {
	var cases []stateCase
	cases = append(cases, catalogCases...)
	cases = append(cases, stateCases...)
	cases = append(cases, incidentCases...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

// fixtureFile is the configuration file the fixture comes from.
const fixtureFile = "/etc/statusd/statusd.yaml"

// fixture is a catalog of two pages, managed by fixtureFile, each
// component normalized (Pages set) as the store returns it; it returns
// fresh slices each call.
func fixture() catalog.Catalog {
	c := rawFixture()
	c.SetManaged(fixtureFile)
	for i := range c.Components {
		c.Components[i].Normalize()
	}
	return c
}

func rawFixture() catalog.Catalog {
	check := func(id, comp, url string) catalog.Check {
		return catalog.Check{
			ID: id, ComponentID: comp, Type: catalog.TypeHTTP,
			Interval: 30 * time.Second, Timeout: 10 * time.Second, Regions: []string{"eu-west", "us-east"},
			FailureThreshold: 3, SuccessThreshold: 2, DegradedLatency: 2 * time.Second,
			HTTP: &catalog.HTTPSpec{URL: url, Method: "GET", Headers: map[string]string{"Accept": "text/html", "X-Probe": "statusd"},
				ExpectedStatus: []int{200, 204}, BodyRegex: "ok"},
		}
	}
	return catalog.Catalog{
		Pages: []catalog.Page{
			{ID: "acme", Name: "Acme", URL: "https://status.acme.test", TimeZone: "Etc/UTC"},
			{ID: "beta", Name: "Beta", URL: "https://status.beta.test", TimeZone: "Europe/Berlin"},
		},
		Components: []catalog.Component{
			{ID: "web", PageID: "acme", Name: "Website", Description: "The public site", Position: 1,
				SLO: catalog.SLO{Target: 99.95, WindowDays: 28}},
			{ID: "api", PageID: "acme", Name: "API", Position: 2},
			{ID: "core", PageID: "acme", IsGroup: true, Name: "Core", Position: 2},
			{ID: "db", PageID: "acme", GroupID: "core", Name: "Database", Position: 3, Quorum: 2},
			{ID: "docs", PageID: "beta", Name: "Docs", Position: 1},
		},
		Checks: []catalog.Check{
			check("web-home", "web", "https://acme.test/"),
			check("api-health", "api", "https://api.acme.test/healthz"),
			check("docs-home", "docs", "https://docs.beta.test/"),
		},
	}
}

// versions maps check IDs to their stored versions.
func versions(t *testing.T, s StateStore) map[string]int64 {
	t.Helper()
	cs, err := s.Checks(t.Context())
	must(t, "list checks", err)
	out := map[string]int64{}
	for _, c := range cs {
		out[c.ID] = c.Version
	}
	return out
}

var catalogCases = []stateCase{
	{"catalog/insert", func(t *testing.T, s StateStore) {
		c := fixture()
		must(t, "sync", s.SyncCatalog(t.Context(), c, at(0)))
		pages, err := s.Pages(t.Context())
		must(t, "pages", err)
		equal(t, "pages", pages, c.Pages)
		byID := map[string]catalog.Component{}
		for _, co := range c.Components {
			byID[co.ID] = co
		}
		pick := func(ids ...string) []catalog.Component {
			var out []catalog.Component
			for _, id := range ids {
				out = append(out, byID[id])
			}
			return out
		}
		for _, q := range []struct {
			page string
			want []catalog.Component
		}{
			{"", pick("docs", "web", "api", "core", "db")},
			{"acme", pick("web", "api", "core", "db")},
			{"beta", pick("docs")},
			{"none", nil},
		} {
			got, err := s.Components(t.Context(), q.page)
			must(t, "components", err)
			equal(t, "components of page "+q.page, got, q.want)
		}
		want := []catalog.Check{c.Checks[1], c.Checks[2], c.Checks[0]}
		for i := range want {
			want[i].Version = 1
		}
		checks, err := s.Checks(t.Context())
		must(t, "checks", err)
		equal(t, "checks", checks, want)
	}},
	{"catalog/changed check bumps version", func(t *testing.T, s StateStore) {
		c := fixture()
		must(t, "sync", s.SyncCatalog(t.Context(), c, at(0)))
		c.Checks[0].Timeout = 5 * time.Second
		must(t, "sync", s.SyncCatalog(t.Context(), c, at(1)))
		equal(t, "versions", versions(t, s), map[string]int64{"web-home": 2, "api-health": 1, "docs-home": 1})
		c.Checks[0].HTTP.Headers["X-Probe"] = "other"
		c.Checks[1].Regions = []string{"eu-west"}
		c.Components[0].Name = "Site" // a component change is not a check change
		must(t, "sync", s.SyncCatalog(t.Context(), c, at(2)))
		equal(t, "versions", versions(t, s), map[string]int64{"web-home": 3, "api-health": 2, "docs-home": 1})
		checks, err := s.Checks(t.Context())
		must(t, "checks", err)
		equal(t, "stored header", checks[2].HTTP.Headers["X-Probe"], "other")
		equal(t, "stored timeout", checks[2].Timeout, 5*time.Second)
	}},
	{"catalog/unchanged keeps version", func(t *testing.T, s StateStore) {
		c := fixture()
		c.Checks[2].Regions = nil
		must(t, "sync", s.SyncCatalog(t.Context(), c, at(0)))
		again := fixture()
		again.Checks[2].Regions = []string{} // empty is the same as nil
		again.Checks[0].Version = 42         // the caller's version is not part of the definition
		again.Checks[1].HTTP.Headers = map[string]string{"X-Probe": "statusd", "Accept": "text/html"}
		again.Checks = append(again.Checks[1:], again.Checks[0]) // order does not matter
		for i := 0; i < 2; i++ {
			must(t, "sync", s.SyncCatalog(t.Context(), again, at(1+i)))
		}
		equal(t, "versions", versions(t, s), map[string]int64{"web-home": 1, "api-health": 1, "docs-home": 1})
	}},
	{"catalog/removal deletes with states", func(t *testing.T, s StateStore) {
		c := fixture()
		must(t, "sync", s.SyncCatalog(t.Context(), c, at(0)))
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{
			Components: []health.ComponentState{
				{ComponentID: "docs", Status: status.Operational, Since: at(1), UpdatedAt: at(1)},
				{ComponentID: "web", Status: status.Operational, Since: at(1), UpdatedAt: at(1)},
			},
		}, nil))
		c.Pages = c.Pages[:1]                   // beta
		c.Components = c.Components[:4]         // docs
		c.Checks = []catalog.Check{c.Checks[0]} // docs-home, api-health
		must(t, "sync", s.SyncCatalog(t.Context(), c, at(2)))
		equal(t, "versions", versions(t, s), map[string]int64{"web-home": 1})
		pages, err := s.Pages(t.Context())
		must(t, "pages", err)
		equal(t, "pages", pages, c.Pages)
		comps, err := s.Components(t.Context(), "")
		must(t, "components", err)
		equal(t, "components", len(comps), 4)
		equal(t, "component states", stored(t, s), []health.ComponentState{
			{ComponentID: "web", Status: status.Operational, Since: at(1), UpdatedAt: at(1), Regions: []health.RegionView{}}})
	}},
	{"catalog/probed components start with no data", func(t *testing.T, s StateStore) {
		c := fixture()
		must(t, "sync", s.SyncCatalog(t.Context(), c, at(0)))
		placeholder := func(id string) health.ComponentState {
			return health.ComponentState{ComponentID: id, Status: status.Operational, NoData: true, UpdatedAt: at(0),
				Regions: []health.RegionView{}, Partition: -1, Seq: -1}
		}
		all, err := s.ComponentStates(t.Context())
		must(t, "component states", err)
		// api, docs and web have checks; core, db have none and no state.
		equal(t, "component states", all, []health.ComponentState{placeholder("api"), placeholder("docs"), placeholder("web")})
		web := health.ComponentState{ComponentID: "web", Status: status.MajorOutage, Since: at(1), UpdatedAt: at(1),
			Regions: []health.RegionView{}, Partition: 2, Seq: 0}
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Components: []health.ComponentState{web}}, nil))
		must(t, "sync again", s.SyncCatalog(t.Context(), c, at(2)))
		all, err = s.ComponentStates(t.Context())
		must(t, "component states", err)
		equal(t, "component states", all, []health.ComponentState{placeholder("api"), placeholder("docs"), web})
	}},
	{"catalog/updates fields", func(t *testing.T, s StateStore) {
		c := fixture()
		must(t, "sync", s.SyncCatalog(t.Context(), c, at(0)))
		c.Pages[1].Name = "Beta Inc."
		c.Components[1].GroupID, c.Components[1].Position, c.Components[1].Description = "core", 9, "moved"
		c.Components[1].Pages = nil
		c.Components[1].Normalize()
		must(t, "sync", s.SyncCatalog(t.Context(), c, at(1)))
		pages, err := s.Pages(t.Context())
		must(t, "pages", err)
		equal(t, "pages", pages, c.Pages)
		comps, err := s.Components(t.Context(), "acme")
		must(t, "components", err)
		equal(t, "components", comps, []catalog.Component{c.Components[0], c.Components[2], c.Components[3], c.Components[1]})
	}},
	{"catalog/rejects a dangling reference", func(t *testing.T, s StateStore) {
		c := fixture()
		c.Components[4].PageID, c.Components[4].Pages = "gamma", nil
		if err := s.SyncCatalog(t.Context(), c, at(0)); err == nil {
			t.Fatalf("sync of a component on an unknown page: no error")
		}
		c = fixture()
		c.Checks = append(c.Checks, c.Checks[0])
		if err := s.SyncCatalog(t.Context(), c, at(0)); err == nil {
			t.Fatalf("sync with a check ID used twice: no error")
		}
		pages, err := s.Pages(t.Context())
		must(t, "pages", err)
		equal(t, "pages after rejected syncs", len(pages), 0)
	}},
}

// stored lists the component states the aggregator wrote, leaving out the
// no-data placeholders the catalog sync writes (partition -1).
func stored(t *testing.T, s StateStore) []health.ComponentState {
	t.Helper()
	all, err := s.ComponentStates(t.Context())
	must(t, "component states", err)
	var out []health.ComponentState
	for _, c := range all {
		if c.Partition != -1 {
			out = append(out, c)
		}
	}
	return out
}

// fullState is a component state with every field set.
func fullState(id string, partition int, seq int64, st status.Status) health.ComponentState {
	return health.ComponentState{
		ComponentID: id, Status: st, Stale: true, Since: at(3), UpdatedAt: at(4),
		FailingRegions: []string{"eu-west", "us-east"},
		Regions: []health.RegionView{
			{Region: "ap-south", Voting: true, Since: at(1)},
			{Region: "eu-west", Voting: true, Failing: true, Since: at(3), ErrorClass: result.ErrTimeout, LastError: "dial tcp: i/o timeout"},
		},
		IncidentOpen: true, IncidentWorst: status.MajorOutage, IncidentResolvedAt: at(2),
		Partition: partition, Seq: seq,
	}
}

var stateCases = []stateCase{
	{"state/round trip by partition", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		api, db := fullState("api", 3, 17, status.PartialOutage), fullState("db", 5, 2, status.MajorOutage)
		web := health.ComponentState{ComponentID: "web", Status: status.Operational, NoData: true, Since: at(2),
			UpdatedAt: at(2), Regions: []health.RegionView{}, Partition: 3, Seq: 4}
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Components: []health.ComponentState{api, db, web}}, nil))
		cp, comps, err := s.LoadPartition(t.Context(), "results", 3)
		must(t, "load partition", err)
		equal(t, "checkpoint", cp, health.Checkpoint{Topic: "results", Partition: 3, Applied: -1, SnapshotOffset: -1})
		equal(t, "component states of partition 3", comps, []health.ComponentState{api, web})
		equal(t, "component states", stored(t, s), []health.ComponentState{api, db, web})
		some, err := s.ComponentStatesOf(t.Context(), []string{"web", "db", "ghost"})
		must(t, "component states of some", err)
		equal(t, "component states of db, web and ghost", some, []health.ComponentState{db, web})
	}},
	{"state/an older write loses", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		newer := fullState("api", 1, 20, status.MajorOutage)
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Components: []health.ComponentState{newer}}, nil))
		older := fullState("api", 1, 19, status.Operational)
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Components: []health.ComponentState{older}}, nil))
		same := fullState("api", 1, 20, status.PartialOutage) // a sweep writes at the same seq
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Components: []health.ComponentState{same}}, nil))
		equal(t, "component states", stored(t, s), []health.ComponentState{same})
	}},
	{"state/many components in one batch", func(t *testing.T, s StateStore) {
		c := fixture()
		var want []health.ComponentState
		for i := range 1203 {
			id := fmt.Sprintf("bulk-%04d", i)
			c.Components = append(c.Components, catalog.Component{ID: id, PageID: "acme", Name: id, Position: 10 + i})
			want = append(want, fullState(id, i%12, int64(i), status.PartialOutage))
		}
		must(t, "sync", s.SyncCatalog(t.Context(), c, at(0)))
		ghost := fullState("ghost", 1, 1, status.MajorOutage)
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{Components: append(slices.Clone(want), ghost)}, nil))
		equal(t, "component states", stored(t, s), want)
	}},
	{"state/unknown component is skipped", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		must(t, "apply", s.ApplyChanges(t.Context(), health.Changes{
			Components: []health.ComponentState{{ComponentID: "ghost", Status: status.MajorOutage, Since: at(1), UpdatedAt: at(1)}},
		}, nil))
		equal(t, "component states", len(stored(t, s)), 0)
	}},
	{"state/watermarks move forward only", func(t *testing.T, s StateStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		snap := []health.CheckState{
			{CheckID: "api-health", Region: "eu-west", Verdict: health.Down, Since: at(1), ConsecutiveFailures: 4,
				LastTick: at(3), Received: at(3).Add(time.Second), ErrorClass: result.ErrTimeout, Message: "timeout"},
			{CheckID: "api-health", Region: "us-east", Verdict: health.Up, Degraded: true, ConsecutiveSuccesses: 7,
				LastTick: at(3), Received: at(3)},
		}
		must(t, "first mark", s.ApplyChanges(t.Context(), health.Changes{}, []health.Mark{
			{Topic: "results", Partition: 2, Prev: -1, Applied: 9, Snapshot: snap, At: at(3)},
			{Topic: "results", Partition: 4, Prev: -1, Applied: 0, At: at(3)},
		}))
		must(t, "second mark", s.ApplyChanges(t.Context(), health.Changes{}, []health.Mark{
			{Topic: "results", Partition: 2, Prev: 9, Applied: 20, At: at(4)}}))
		cp, _, err := s.LoadPartition(t.Context(), "results", 2)
		must(t, "load partition", err)
		equal(t, "checkpoint", cp, health.Checkpoint{Topic: "results", Partition: 2, Applied: 20, SnapshotOffset: 9, Checks: snap, At: at(4)})
		cp, _, err = s.LoadPartition(t.Context(), "results", 4)
		must(t, "load partition", err)
		equal(t, "checkpoint without snapshot", cp, health.Checkpoint{Topic: "results", Partition: 4, Applied: 0,
			SnapshotOffset: -1, Checks: []health.CheckState{}, At: at(3)})
		for _, m := range []health.Mark{
			{Topic: "results", Partition: 2, Prev: 9, Applied: 30, At: at(5)},
			{Topic: "results", Partition: 2, Prev: -1, Applied: 30, At: at(5)},
		} {
			err := s.ApplyChanges(t.Context(), health.Changes{
				Components: []health.ComponentState{fullState("api", 2, 30, status.MajorOutage)}}, []health.Mark{m})
			if !errors.Is(err, health.ErrFenced) {
				t.Fatalf("mark from %d while the watermark is at 20: err = %v, want ErrFenced", m.Prev, err)
			}
		}
		equal(t, "component states after fenced writes", len(stored(t, s)), 0)
		must(t, "third mark with snapshot", s.ApplyChanges(t.Context(), health.Changes{}, []health.Mark{
			{Topic: "results", Partition: 2, Prev: 20, Applied: 31, Snapshot: snap[:1], At: at(6)}}))
		cp, _, err = s.LoadPartition(t.Context(), "results", 2)
		must(t, "load partition", err)
		equal(t, "checkpoint", cp, health.Checkpoint{Topic: "results", Partition: 2, Applied: 31, SnapshotOffset: 31, Checks: snap[:1], At: at(6)})
	}},
}
