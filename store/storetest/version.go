package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/uptime"
)

// versionCase checks that CatalogVersion moves with each committed write of
// the catalog, its config sync included, and not with a refused write nor
// with states.
var versionCase = entityCase{"catalog version moves with committed catalog writes only", func(t *testing.T, s EntityStore) {
	ctx := asOperator(t)
	moved := func(what string, write func() error, want bool) {
		t.Helper()
		before := s.CatalogVersion()
		err := write()
		if got := s.CatalogVersion() != before; got != want {
			t.Errorf("%s (err %v): version moved %v, want %v", what, err, got, want)
		}
	}
	moved("sync", func() error {
		return s.SyncCatalog(ctx, catalog.Catalog{Pages: []catalog.Page{{ID: "acme", Name: "Acme", TimeZone: "UTC"}}}, at(0))
	}, true)
	moved("create page", func() error {
		_, err := s.CreatePage(ctx, catalog.Page{ID: "ops", Name: "Ops", TimeZone: "UTC"}, at(1))
		return err
	}, true)
	moved("create component", func() error {
		_, err := s.CreateComponent(ctx, catalog.Component{ID: "web", Name: "Web", PageID: "ops"}, at(2))
		return err
	}, true)
	moved("refused: component on no page", func() error {
		_, err := s.CreateComponent(ctx, catalog.Component{ID: "x", Name: "X", PageID: "nowhere"}, at(3))
		return err
	}, false)
	moved("state", func() error {
		return s.ApplyChanges(t.Context(), health.Changes{Components: []health.ComponentState{
			{ComponentID: "web", Status: status.MajorOutage, Since: at(4), UpdatedAt: at(4)}}}, nil)
	}, false)
	moved("delete component", func() error { return s.DeleteComponent(ctx, "web", at(5)) }, true)
}}

// readVersioner is what the read model's partial reads use
// (api/readmodel.StateVersionReader and the store's versions).
type readVersioner interface {
	StoredVersions(ctx context.Context) (all, catalog, frozen int64, err error)
	FreezeMonths(ctx context.Context, months []uptime.FrozenMonth) (int64, error)
	ComponentStateVersions(ctx context.Context) (map[string]int64, error)
	ComponentStatesByID(ctx context.Context, ids []string) ([]health.ComponentState, []int64, error)
}

// readVersionsCase checks the versions that let the read model re-read
// only what moved: the catalog's stored version moves with catalog writes
// alone, a state's row version with every write of that state, and a
// state read by ID comes with the version it was read at.
var readVersionsCase = entityCase{"read versions move with what they version", func(t *testing.T, s EntityStore) {
	ctx := asOperator(t)
	rv, ok := s.(readVersioner)
	if !ok {
		t.Fatalf("%T keeps no read versions", s)
	}
	versions := func() (all, cat int64, states map[string]int64) {
		t.Helper()
		all, cat, _, err := rv.StoredVersions(ctx)
		must(t, "stored versions", err)
		states, err = rv.ComponentStateVersions(ctx)
		must(t, "state versions", err)
		return all, cat, states
	}
	must(t, "sync", s.SyncCatalog(ctx, catalog.Catalog{Pages: []catalog.Page{{ID: "acme", Name: "Acme", TimeZone: "UTC"}}}, at(0)))
	for _, id := range []string{"web", "db"} {
		_, err := s.CreateComponent(ctx, catalog.Component{ID: id, Name: id, PageID: "acme"}, at(1))
		must(t, "create "+id, err)
		must(t, "write "+id+"'s first state", s.ApplyChanges(t.Context(), health.Changes{Components: []health.ComponentState{
			{ComponentID: id, Status: status.Operational, Since: at(1), UpdatedAt: at(1), Seq: 1}}}, nil))
	}
	all0, cat0, st0 := versions()

	must(t, "write web's state", s.ApplyChanges(t.Context(), health.Changes{Components: []health.ComponentState{
		{ComponentID: "web", Status: status.MajorOutage, Since: at(2), UpdatedAt: at(2), Seq: 2}}}, nil))
	all1, cat1, st1 := versions()
	equal(t, "catalog version after a state write", cat1, cat0)
	if all1 == all0 {
		t.Error("the stored version did not move with a state write")
	}
	if st1["web"] == st0["web"] {
		t.Errorf("web's row version stayed %d through a write of its state", st1["web"])
	}
	equal(t, "db's row version after a write of web's state", st1["db"], st0["db"])

	got, gotRV, err := rv.ComponentStatesByID(ctx, []string{"web", "nope", "db"})
	must(t, "states by ID", err)
	if len(got) != 2 || got[0].ComponentID != "db" || got[1].ComponentID != "web" || got[1].Status != status.MajorOutage {
		t.Fatalf("states by ID: %+v, want db then web in major outage", got)
	}
	equal(t, "row versions read with the states", gotRV, []int64{st1["db"], st1["web"]})
	all, allRV, err := rv.ComponentStatesByID(ctx, nil)
	must(t, "every state", err)
	equal(t, "every state's count", len(all), 2)
	equal(t, "every state's row versions", allRV, []int64{st1["db"], st1["web"]})

	_, err = s.CreateComponent(ctx, catalog.Component{ID: "api", Name: "API", PageID: "acme"}, at(3))
	must(t, "create api", err)
	all2, cat2, _ := versions()
	if cat2 == cat1 || all2 == all1 {
		t.Errorf("a catalog write moved the versions from (%d, %d) to (%d, %d); want both to move", all1, cat1, all2, cat2)
	}

	_, _, frozen0, err := rv.StoredVersions(ctx)
	must(t, "stored versions", err)
	_, err = rv.FreezeMonths(ctx, []uptime.FrozenMonth{{ComponentID: "web", Month: uptime.MonthOf(uptime.DayOf(at(0), time.UTC)), FrozenAt: at(3)}})
	must(t, "freeze a month", err)
	all3, cat3, frozen1, err := rv.StoredVersions(ctx)
	must(t, "stored versions", err)
	if frozen1 == frozen0 || all3 == all2 || cat3 != cat2 {
		t.Errorf("a freeze moved (all, catalog, frozen) from (%d, %d, %d) to (%d, %d, %d); want all and frozen to move, not catalog",
			all2, cat2, frozen0, all3, cat3, frozen1)
	}
}}
