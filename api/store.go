package api

import (
	"context"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
)

// Store is what the API reads. Every method is a read; an error is shown to
// the client as 503 without its text and logged.
type Store interface {
	// Pages lists every status page, sorted by ID.
	Pages(ctx context.Context) ([]catalog.Page, error)
	// Components lists the components of a page ("" for every page), sorted
	// by position, then ID.
	Components(ctx context.Context, pageID string) ([]catalog.Component, error)
	// ComponentStates lists the current state of every component that has one.
	ComponentStates(ctx context.Context) ([]health.ComponentState, error)
	// ComponentStatesOf lists the states of the given components that have one.
	ComponentStatesOf(ctx context.Context, ids []string) ([]health.ComponentState, error)
	// Incidents lists up to limit incidents of a page, newest first, each with
	// its updates newest first; unresolvedOnly leaves out resolved ones.
	Incidents(ctx context.Context, pageID string, unresolvedOnly bool, limit int) ([]incident.Incident, error)
}
