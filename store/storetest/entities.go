package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/audit"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/probes/tcpprobe"
)

// EntityStore is what RunEntitySuite exercises: the operators' writes.
type EntityStore interface {
	StateStore
	Page(ctx context.Context, id string) (catalog.Page, error)
	CreatePage(ctx context.Context, p catalog.Page, now time.Time) (catalog.Page, error)
	UpdatePage(ctx context.Context, p catalog.Page, now time.Time) (catalog.Page, error)
	DeletePage(ctx context.Context, id string, now time.Time) error
	SetPageEnabled(ctx context.Context, id string, enabled bool, now time.Time) (catalog.Page, error)
	SetPlatformAlert(ctx context.Context, id string, a catalog.PlatformAlert, now time.Time) (catalog.Page, error)
	Component(ctx context.Context, id string) (catalog.Component, error)
	CreateComponent(ctx context.Context, c catalog.Component, now time.Time) (catalog.Component, error)
	UpdateComponent(ctx context.Context, c catalog.Component, now time.Time) (catalog.Component, error)
	DeleteComponent(ctx context.Context, id string, now time.Time) error
	Check(ctx context.Context, id string) (catalog.Check, error)
	CreateCheck(ctx context.Context, c catalog.Check, now time.Time) (catalog.Check, error)
	UpdateCheck(ctx context.Context, c catalog.Check, now time.Time) (catalog.Check, error)
	DeleteCheck(ctx context.Context, id string, now time.Time) error
	AuditLog(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error)
	// CatalogVersion moves with every committed write of the catalog,
	// and with no other.
	CatalogVersion() uint64
}

// RunEntitySuite runs the entity-store cases, each against a fresh, empty,
// migrated store from open.
func RunEntitySuite(t *testing.T, open func(t *testing.T) EntityStore) {
	for _, tc := range append(entityCases, versionCase, readVersionsCase) {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

type entityCase struct {
	name string
	run  func(t *testing.T, s EntityStore)
}

// operator is the principal of the suite's API writes.
var operator = auth.Principal{Kind: auth.KindKey, ID: "k_test", AdminID: "a1", Scope: auth.ScopeWrite}

func asOperator(t *testing.T) context.Context { return auth.WithPrincipal(t.Context(), operator) }

// fullPage has every field set.
func fullPage(t *testing.T) catalog.Page {
	p := catalog.Page{ID: "ops", Name: "Ops <b>&</b>", URL: "https://status.ops.test", TimeZone: "Europe/Paris",
		Subdomain: "ops", CustomDomain: "status.ops.test", Private: true, AllowedCIDRs: []string{"192.0.2.0/24", "2001:db8::/32"},
		Branding: catalog.Branding{LogoURL: "https://ops.test/logo.png", FaviconURL: "https://ops.test/f.ico", BrandColor: "#112233",
			BackgroundColor: "#ffffff", TextColor: "#000000", DarkTheme: true, HidePoweredBy: true},
		Links:      catalog.Links{Website: "https://ops.test", Support: "https://ops.test/help", Privacy: "https://ops.test/privacy"},
		RobotsMeta: "noindex", AnalyticsID: "G-123", NoSubscriptions: true, Disabled: true,
		Alert: catalog.PlatformAlert{Enabled: true, Title: "Heads up", Message: "Migrating"}}
	must(t, "set password", p.SetPassword("correct horse"))
	return p
}

func wantErr[E error](t *testing.T, what string, err error) E {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Fatalf("%s: error %v, want a %T", what, err, target)
	}
	return target
}

// auditReader is a store with an audit log.
type auditReader interface {
	AuditLog(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error)
}

func auditOf(t *testing.T, s auditReader, f audit.Filter) []audit.Entry {
	t.Helper()
	es, _, err := s.AuditLog(t.Context(), f)
	must(t, "audit log", err)
	return es
}

var entityCases = []entityCase{
	{"page/round trip with audit", func(t *testing.T, s EntityStore) {
		ctx := asOperator(t)
		p := fullPage(t)
		got, err := s.CreatePage(ctx, p, at(0))
		must(t, "create", err)
		equal(t, "created", got, p)
		if !got.PasswordMatches("correct horse") || got.PasswordMatches("wrong") {
			t.Errorf("stored password hash does not check the password")
		}
		p.Name, p.AllowedCIDRs = "Ops", nil
		got, err = s.UpdatePage(ctx, p, at(1))
		must(t, "update", err)
		equal(t, "updated", got, p)
		must(t, "delete", s.DeletePage(ctx, "ops", at(2)))
		_, err = s.Page(t.Context(), "ops")
		wantErr[*catalog.NotFoundError](t, "get deleted", err)
		es := auditOf(t, s, audit.Filter{Kind: "page", EntityID: "ops"})
		equal(t, "audit entries", len(es), 3)
		var actions []string
		for _, e := range es {
			actions = append(actions, e.Action)
			equal(t, "principal", e.Principal, "key:k_test")
			if strings.Contains(string(e.Before)+string(e.After), p.PasswordHash) {
				t.Errorf("audit entry %d holds the password hash", e.ID)
			}
		}
		equal(t, "actions, newest first", actions, []string{"delete", "update", "create"})
		equal(t, "delete after", string(es[0].After), "null")
		equal(t, "create before", string(es[2].Before), "null")
		if !strings.Contains(string(es[1].After), `"name":"Ops"`) || !strings.Contains(string(es[1].Before), `"name":"Ops \u003cb\u003e\u0026\u003c/b\u003e"`) {
			t.Errorf("update entry before %s after %s", es[1].Before, es[1].After)
		}
	}},
	{"page/unique domains", func(t *testing.T, s EntityStore) {
		ctx := asOperator(t)
		_, err := s.CreatePage(ctx, fullPage(t), at(0))
		must(t, "create", err)
		for _, tc := range []struct {
			field string
			page  catalog.Page
		}{
			{"subdomain", catalog.Page{ID: "other", Name: "O", TimeZone: "Etc/UTC", Subdomain: "ops"}},
			{"custom_domain", catalog.Page{ID: "other", Name: "O", TimeZone: "Etc/UTC", CustomDomain: "status.ops.test"}},
		} {
			_, err := s.CreatePage(ctx, tc.page, at(1))
			c := wantErr[*catalog.ConflictError](t, tc.field, err)
			equal(t, "conflict field", c.Field, tc.field)
		}
		_, err = s.CreatePage(ctx, catalog.Page{ID: "ops", Name: "Again", TimeZone: "Etc/UTC"}, at(1))
		wantErr[*catalog.ConflictError](t, "same id", err)
		_, err = s.UpdatePage(ctx, catalog.Page{ID: "nope", Name: "N", TimeZone: "Etc/UTC"}, at(1))
		wantErr[*catalog.NotFoundError](t, "update unknown", err)
		pages, err := s.Pages(t.Context())
		must(t, "pages", err)
		equal(t, "pages after refused writes", len(pages), 1)
		equal(t, "audit entries", len(auditOf(t, s, audit.Filter{})), 1)
	}},
	{"page/invalid is refused", func(t *testing.T, s EntityStore) {
		_, err := s.CreatePage(asOperator(t), catalog.Page{ID: "Bad ID", TimeZone: "Mars/Base", Subdomain: "-x"}, at(0))
		inv := wantErr[*catalog.InvalidError](t, "create", err)
		var fields []string
		for _, f := range inv.Fields {
			fields = append(fields, f.Field)
		}
		equal(t, "fields", fields, []string{"id", "name", "time_zone", "subdomain"})
	}},
	{"page/enable and alert", func(t *testing.T, s EntityStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		ctx := asOperator(t)
		p, err := s.SetPageEnabled(ctx, "acme", false, at(1))
		must(t, "disable", err)
		equal(t, "disabled", p.Disabled, true)
		alert := catalog.PlatformAlert{Enabled: true, Title: "Maintenance", Message: "Tonight"}
		_, err = s.SetPlatformAlert(ctx, "acme", alert, at(2))
		must(t, "set alert", err)
		must(t, "sync again", s.SyncCatalog(t.Context(), fixture(), at(3)))
		p, err = s.Page(t.Context(), "acme")
		must(t, "page", err)
		equal(t, "alert kept by the sync", p.Alert, alert)
		equal(t, "disabled kept by the sync", p.Disabled, true)
		p, err = s.SetPlatformAlert(ctx, "acme", catalog.PlatformAlert{}, at(4))
		must(t, "clear alert", err)
		equal(t, "cleared", p.Alert, catalog.PlatformAlert{})
		_, err = s.SetPageEnabled(ctx, "nope", true, at(5))
		wantErr[*catalog.NotFoundError](t, "unknown page", err)
		var actions []string
		for _, e := range auditOf(t, s, audit.Filter{Principal: "key:k_test"}) {
			actions = append(actions, e.Action)
		}
		equal(t, "actions", actions, []string{"clear_platform_alert", "set_platform_alert", "disable"})
	}},
	{"managed entities are read-only", func(t *testing.T, s EntityStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		ctx := asOperator(t)
		f := fixture()
		for what, err := range map[string]error{
			"update page":      func() error { _, err := s.UpdatePage(ctx, f.Pages[0], at(1)); return err }(),
			"delete page":      s.DeletePage(ctx, "acme", at(1)),
			"update component": func() error { _, err := s.UpdateComponent(ctx, f.Components[0], at(1)); return err }(),
			"delete component": s.DeleteComponent(ctx, "web", at(1)),
			"update check":     func() error { _, err := s.UpdateCheck(ctx, f.Checks[0], at(1)); return err }(),
			"delete check":     s.DeleteCheck(ctx, "web-home", at(1)),
		} {
			c := wantErr[*catalog.ConflictError](t, what, err)
			equal(t, what+": managed by", c.Managed, fixtureFile)
			if !strings.Contains(c.Error(), fixtureFile) {
				t.Errorf("%s: error %q does not name the file", what, c)
			}
		}
	}},
	{"component/on several pages", func(t *testing.T, s EntityStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		ctx := asOperator(t)
		c := catalog.Component{ID: "cdn", Name: "CDN", Description: "edge", HideUptime: true, OnlyShowIfDegraded: true,
			StartDate: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC),
			Pages:     []catalog.Placement{{PageID: "acme", Position: 7}, {PageID: "beta", Position: 0}}}
		got, err := s.CreateComponent(ctx, c, at(1))
		must(t, "create", err)
		c.Normalize()
		equal(t, "created", got, c)
		beta, err := s.Components(t.Context(), "beta")
		must(t, "components of beta", err)
		equal(t, "components of beta", len(beta), 2)
		equal(t, "cdn as beta shows it", [2]any{beta[0].ID, beta[0].PageID}, [2]any{"cdn", "beta"})
		_, err = s.CreateComponent(ctx, catalog.Component{ID: "x", Name: "X", PageID: "gamma"}, at(2))
		wantErr[*catalog.InvalidError](t, "unknown page", err)
		_, err = s.CreateComponent(ctx, catalog.Component{ID: "x", Name: "X", PageID: "acme", GroupID: "web"}, at(2))
		wantErr[*catalog.InvalidError](t, "group that is not a group", err)
		c.Pages = c.Pages[1:]
		c.Normalize()
		got, err = s.UpdateComponent(ctx, c, at(3))
		must(t, "move to beta only", err)
		equal(t, "primary page", got.PageID, "beta")
		acme, err := s.Components(t.Context(), "acme")
		must(t, "components of acme", err)
		equal(t, "acme keeps its own", len(acme), 4)
		must(t, "delete", s.DeleteComponent(ctx, "cdn", at(4)))
		_, err = s.Component(t.Context(), "cdn")
		wantErr[*catalog.NotFoundError](t, "deleted", err)
	}},
	{"check/versions and references", func(t *testing.T, s EntityStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		ctx := asOperator(t)
		ch := catalog.Check{ID: "api-tcp", ComponentID: "api", Type: catalog.TypeTCP, TCP: tcpSpec()}
		ch.ApplyDefaults()
		got, err := s.CreateCheck(ctx, ch, at(1))
		must(t, "create", err)
		equal(t, "version", got.Version, int64(1))
		got, err = s.UpdateCheck(ctx, ch, at(2))
		must(t, "unchanged", err)
		equal(t, "version unchanged", got.Version, int64(1))
		ch.Interval = time.Minute
		got, err = s.UpdateCheck(ctx, ch, at(3))
		must(t, "changed", err)
		equal(t, "version bumped", got.Version, int64(2))
		bad := ch
		bad.ID, bad.ComponentID = "on-group", "core"
		_, err = s.CreateCheck(ctx, bad, at(4))
		wantErr[*catalog.InvalidError](t, "check on a group", err)
		bad.ComponentID = "nope"
		_, err = s.CreateCheck(ctx, bad, at(4))
		wantErr[*catalog.InvalidError](t, "check on no component", err)
		bad.ComponentID, bad.Interval = "api", 0
		_, err = s.CreateCheck(ctx, bad, at(4))
		wantErr[*catalog.InvalidError](t, "invalid check", err)
		_, err = s.Check(t.Context(), "on-group")
		wantErr[*catalog.NotFoundError](t, "refused check stored", err)
		must(t, "sync keeps API checks", s.SyncCatalog(t.Context(), fixture(), at(5)))
		_, err = s.Check(t.Context(), "api-tcp")
		must(t, "API check after sync", err)
		must(t, "delete", s.DeleteCheck(ctx, "api-tcp", at(6)))
		equal(t, "audit of the check", len(auditOf(t, s, audit.Filter{Kind: "check", EntityID: "api-tcp"})), 3)
	}},
	{"write without a principal is refused", func(t *testing.T, s EntityStore) {
		if _, err := s.CreatePage(t.Context(), catalog.Page{ID: "p", Name: "P", TimeZone: "Etc/UTC"}, at(0)); err == nil {
			t.Fatal("write without a principal: no error")
		}
		pages, err := s.Pages(t.Context())
		must(t, "pages", err)
		equal(t, "pages", len(pages), 0)
	}},
	{"sync audits and resolves what it removes", func(t *testing.T, s EntityStore) {
		must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
		id, err := s.CreateIncident(t.Context(), incident.Incident{Name: "Docs down", Status: incident.Investigating,
			Impact: incident.ImpactMajor, ComponentIDs: []string{"docs"}, CreatedAt: at(1),
			Updates: []incident.Update{{Status: incident.Investigating, Body: "looking", CreatedAt: at(1)}}})
		must(t, "create incident", err)
		keep, err := s.CreateIncident(t.Context(), incident.Incident{Name: "Web slow", Status: incident.Investigating,
			Impact: incident.ImpactMinor, ComponentIDs: []string{"web"}, CreatedAt: at(1)})
		must(t, "create incident", err)
		c := fixture()
		c.Pages, c.Components, c.Checks = c.Pages[:1], c.Components[:4], c.Checks[:2] // beta, docs, docs-home go
		must(t, "sync", s.SyncCatalog(t.Context(), c, at(2)))
		incs, err := s.Incidents(t.Context(), "beta", false, 10)
		must(t, "incidents", err)
		if len(incs) != 1 || incs[0].ID != id || incs[0].Status != incident.Resolved || !strings.Contains(incs[0].Updates[0].Body, fixtureFile) {
			t.Fatalf("incident of the removed page: %+v", incs)
		}
		open, err := s.Incidents(t.Context(), "acme", true, 10)
		must(t, "open incidents", err)
		if len(open) != 1 || open[0].ID != keep {
			t.Errorf("open incidents of the kept page: %+v", open)
		}
		var got []string
		for _, e := range auditOf(t, s, audit.Filter{Principal: "config:" + fixtureFile, Since: at(2)}) {
			got = append(got, e.Action+" "+e.Kind+" "+e.EntityID)
		}
		equal(t, "audit of the second sync", got, []string{"delete page beta", "delete component docs", "delete check docs-home"})
		_, total, err := s.AuditLog(t.Context(), audit.Filter{Kind: "component", Limit: 2, Offset: 1})
		must(t, "audit page", err)
		equal(t, "total component entries", total, 6)
	}},
}

func tcpSpec() *tcpprobe.Spec { return &tcpprobe.Spec{Address: "api.acme.test:443"} }
