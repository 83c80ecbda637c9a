package api

import (
	"context"
	"time"

	"github.com/statusd/statusd/audit"
	"github.com/statusd/statusd/catalog"
)

// PageReader reads pages.
type PageReader interface {
	// Page returns one page, or a *catalog.NotFoundError.
	Page(ctx context.Context, id string) (catalog.Page, error)
}

// PageWriter creates, replaces and deletes pages. Every write takes the
// principal from ctx, records it in the audit log and fails with
// catalog's typed errors (not found, conflict, invalid).
type PageWriter interface {
	CreatePage(ctx context.Context, p catalog.Page, now time.Time) (catalog.Page, error)
	UpdatePage(ctx context.Context, p catalog.Page, now time.Time) (catalog.Page, error)
	DeletePage(ctx context.Context, id string, now time.Time) error
}

// PageSwitcher enables or disables a page and sets or clears its alert.
type PageSwitcher interface {
	SetPageEnabled(ctx context.Context, id string, enabled bool, now time.Time) (catalog.Page, error)
	SetPlatformAlert(ctx context.Context, id string, a catalog.PlatformAlert, now time.Time) (catalog.Page, error)
}

// ComponentReader reads one component with its pages.
type ComponentReader interface {
	Component(ctx context.Context, id string) (catalog.Component, error)
}

// ComponentWriter creates, replaces and deletes components and groups.
type ComponentWriter interface {
	CreateComponent(ctx context.Context, c catalog.Component, now time.Time) (catalog.Component, error)
	UpdateComponent(ctx context.Context, c catalog.Component, now time.Time) (catalog.Component, error)
	DeleteComponent(ctx context.Context, id string, now time.Time) error
}

// CheckReader reads checks.
type CheckReader interface {
	Checks(ctx context.Context) ([]catalog.Check, error)
	// ChecksOf lists the checks of one component, by ID.
	ChecksOf(ctx context.Context, componentID string) ([]catalog.Check, error)
	Check(ctx context.Context, id string) (catalog.Check, error)
}

// CheckWriter creates, replaces and deletes checks.
type CheckWriter interface {
	CreateCheck(ctx context.Context, c catalog.Check, now time.Time) (catalog.Check, error)
	UpdateCheck(ctx context.Context, c catalog.Check, now time.Time) (catalog.Check, error)
	DeleteCheck(ctx context.Context, id string, now time.Time) error
}

// AuditReader lists the audit log, newest first, with the total selected.
type AuditReader interface {
	AuditLog(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error)
}

// EntityStore is every store the operators' routes use; sqlstore.Store
// is one.
type EntityStore interface {
	PageReader
	PageWriter
	PageSwitcher
	ComponentReader
	ComponentWriter
	CheckReader
	CheckWriter
	AuditReader
}
