package storetest

import (
	"testing"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
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
