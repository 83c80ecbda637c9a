package main

import (
	"context"
	"io"

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/catalog"
)

// checksFile is an agent.Feed of the checks of a local YAML file, for an
// agent run without an aggregator: it gives every check once and then
// waits for the end of the run. The agent still runs only its region's.
type checksFile struct {
	path   string
	checks []catalog.Check
}

// loadChecksFile reads the checks of the file at path, which has the shape
// and the strict validation of a configuration file (pages, components
// and their checks); on errors it prints every one of them, with its line,
// and returns false.
func loadChecksFile(path string, stderr io.Writer) (*checksFile, bool) {
	cfg, ok := loadConfig(path, stderr)
	if !ok {
		return nil, false
	}
	return &checksFile{path: path, checks: cfg.Catalog().Checks}, true
}

// Follow gives every check of the file, then waits until ctx ends.
func (f *checksFile) Follow(ctx context.Context, apply func(agent.Update)) error {
	for _, c := range f.checks {
		apply(agent.Update{ID: c.ID, Check: &c})
	}
	<-ctx.Done()
	return nil
}
