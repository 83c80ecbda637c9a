package sqlstore

import (
	"context"
	"database/sql"
	"reflect"
	"slices"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/catalog/checkdef"
)

// The entity kinds, as the audit log and errors name them.
const (
	kindPage      = "page"
	kindComponent = "component"
	kindCheck     = "check"
)

// kind is how the one write path (put and remove, used by both the API's
// writes and the configuration sync) handles one kind of entity.
type kind[T any] struct {
	name    string
	id      func(T) string
	managed func(T) string
	get     func(ctx context.Context, q querier, id string) (T, bool, error)
	list    func(ctx context.Context, q querier) ([]T, error)
	// same reports whether storing next over prev would change nothing.
	same func(prev, next T) bool
	// view is the entity as the audit log records it.
	view func(T) any
	// validate checks the entity on its own, for the API's writes; the
	// configuration file is validated when it is loaded.
	validate func(T) []catalog.FieldError
	// refs checks what the entity refers to, before it is saved.
	refs func(ctx context.Context, tx *sql.Tx, v T) error
	save func(ctx context.Context, tx *sql.Tx, v T, now time.Time) error
	del  func(ctx context.Context, tx *sql.Tx, id string) error
}

func (s *Store) pageKind() kind[catalog.Page] {
	return kind[catalog.Page]{
		name: kindPage, id: func(p catalog.Page) string { return p.ID }, managed: func(p catalog.Page) string { return p.Managed },
		get: s.page, list: s.pages,
		same:     func(a, b catalog.Page) bool { return reflect.DeepEqual(normPage(a), normPage(b)) },
		view:     func(p catalog.Page) any { return newPageAudit(p) },
		validate: func(p catalog.Page) []catalog.FieldError { return p.Validate() },
		refs:     func(context.Context, *sql.Tx, catalog.Page) error { return nil },
		save:     s.savePage, del: s.deletePage,
	}
}

func (s *Store) componentKind() kind[catalog.Component] {
	return kind[catalog.Component]{
		name: kindComponent, id: func(c catalog.Component) string { return c.ID },
		managed: func(c catalog.Component) string { return c.Managed },
		get:     s.component,
		list:    func(ctx context.Context, q querier) ([]catalog.Component, error) { return s.components(ctx, q, "") },
		same: func(a, b catalog.Component) bool {
			a.Normalize()
			b.Normalize()
			return reflect.DeepEqual(a, b)
		},
		view:     func(c catalog.Component) any { return newComponentAudit(c) },
		validate: func(c catalog.Component) []catalog.FieldError { return c.Validate() },
		refs:     s.componentRefs, save: s.saveComponent, del: s.deleteComponent,
	}
}

func (s *Store) checkKind() kind[catalog.Check] {
	return kind[catalog.Check]{
		name: kindCheck, id: func(c catalog.Check) string { return c.ID }, managed: func(c catalog.Check) string { return c.Managed },
		get:  s.check,
		list: func(ctx context.Context, q querier) ([]catalog.Check, error) { return s.checks(ctx, q, "") },
		same: func(a, b catalog.Check) bool {
			ea, errA := checkdef.Encode(a)
			eb, errB := checkdef.Encode(b)
			return errA == nil && errB == nil && string(ea) == string(eb) && a.Managed == b.Managed
		},
		view: func(c catalog.Check) any {
			return checkAudit{Check: checkdef.From(c), Version: c.Version, Managed: c.Managed}
		},
		validate: func(c catalog.Check) []catalog.FieldError { return c.Validate() },
		refs:     s.checkRefs,
		save: func(ctx context.Context, tx *sql.Tx, c catalog.Check, now time.Time) error {
			_, err := s.saveCheck(ctx, tx, c, now)
			return err
		},
		del: s.deleteCheck,
	}
}

// normPage makes empty and nil lists equal.
func normPage(p catalog.Page) catalog.Page {
	if len(p.AllowedCIDRs) == 0 {
		p.AllowedCIDRs = nil
	}
	return p
}

// pageAudit is a page as the audit log records it: never its password
// hash, only whether it has one.
type pageAudit struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	URL           string        `json:"url"`
	TimeZone      string        `json:"time_zone"`
	Subdomain     string        `json:"subdomain"`
	CustomDomain  string        `json:"custom_domain"`
	Private       bool          `json:"private"`
	PasswordSet   bool          `json:"password_set"`
	IPAllowlist   []string      `json:"ip_allowlist"`
	Enabled       bool          `json:"enabled"`
	Branding      brandingAudit `json:"branding"`
	Links         linksAudit    `json:"links"`
	RobotsMeta    string        `json:"robots_meta"`
	AnalyticsID   string        `json:"analytics_id"`
	Subscriptions bool          `json:"subscriptions"`
	Alert         alertAudit    `json:"platform_alert"`
	Managed       string        `json:"managed"`
}

type brandingAudit struct {
	LogoURL         string `json:"logo_url"`
	FaviconURL      string `json:"favicon_url"`
	BrandColor      string `json:"brand_color"`
	BackgroundColor string `json:"background_color"`
	TextColor       string `json:"text_color"`
	DarkTheme       bool   `json:"dark_theme"`
	HidePoweredBy   bool   `json:"hide_powered_by"`
}

type linksAudit struct {
	Website string `json:"website"`
	Support string `json:"support"`
	Privacy string `json:"privacy"`
}

type alertAudit struct {
	Enabled bool   `json:"enabled"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

func newPageAudit(p catalog.Page) pageAudit {
	b, l := p.Branding, p.Links
	return pageAudit{ID: p.ID, Name: p.Name, URL: p.URL, TimeZone: p.TimeZone, Subdomain: p.Subdomain,
		CustomDomain: p.CustomDomain, Private: p.Private, PasswordSet: p.PasswordHash != "",
		IPAllowlist: slices.Clone(p.AllowedCIDRs), Enabled: !p.Disabled,
		Branding: brandingAudit{LogoURL: b.LogoURL, FaviconURL: b.FaviconURL, BrandColor: b.BrandColor,
			BackgroundColor: b.BackgroundColor, TextColor: b.TextColor, DarkTheme: b.DarkTheme, HidePoweredBy: b.HidePoweredBy},
		Links:      linksAudit{Website: l.Website, Support: l.Support, Privacy: l.Privacy},
		RobotsMeta: p.RobotsMeta, AnalyticsID: p.AnalyticsID, Subscriptions: !p.NoSubscriptions,
		Alert: alertAudit(p.Alert), Managed: p.Managed}
}

// componentAudit is a component as the audit log records it.
type componentAudit struct {
	ID                 string           `json:"id"`
	GroupID            string           `json:"group_id"`
	IsGroup            bool             `json:"is_group"`
	Name               string           `json:"name"`
	Description        string           `json:"description"`
	Quorum             int              `json:"quorum"`
	Pages              []placementAudit `json:"pages"`
	HideUptime         bool             `json:"hide_uptime"`
	StartDate          string           `json:"start_date"`
	OnlyShowIfDegraded bool             `json:"only_show_if_degraded"`
	Managed            string           `json:"managed"`
	SLO                *sloAudit        `json:"slo,omitempty"`
}

type sloAudit struct {
	Target     float64 `json:"target"`
	WindowDays int     `json:"window_days"`
}

type placementAudit struct {
	PageID   string `json:"page_id"`
	Position int    `json:"position"`
}

func newComponentAudit(c catalog.Component) componentAudit {
	out := componentAudit{ID: c.ID, GroupID: c.GroupID, IsGroup: c.IsGroup, Name: c.Name, Description: c.Description,
		Quorum: c.Quorum, HideUptime: c.HideUptime, OnlyShowIfDegraded: c.OnlyShowIfDegraded, Managed: c.Managed}
	if !c.StartDate.IsZero() {
		out.StartDate = c.StartDate.UTC().Format(time.DateOnly)
	}
	if c.SLO.Set() {
		out.SLO = &sloAudit{Target: c.SLO.Target, WindowDays: c.SLO.WindowDays}
	}
	for _, p := range c.Placements() {
		out.Pages = append(out.Pages, placementAudit(p))
	}
	return out
}

// checkAudit is a check as the audit log records it: its definition as
// stored, with its version.
type checkAudit struct {
	checkdef.Check
	Version int64  `json:"version"`
	Managed string `json:"managed"`
}
