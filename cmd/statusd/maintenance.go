package main

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/config"
	"github.com/statusd/statusd/maintenance/scheduler"
)

// newMaintenance returns the set of components in a maintenance window,
// for the evaluator, and the scheduler that keeps it and carries out the
// windows' transitions by the clock. Ended windows stay in the set as long
// as the evaluator accepts late results.
func newMaintenance(store scheduler.Store, cfg *config.Config, reg prometheus.Registerer,
	logger *slog.Logger) (*scheduler.Set, *scheduler.Scheduler, error) {
	set := scheduler.NewSet()
	sch, err := scheduler.New(scheduler.Options{Store: store, Set: set, Keep: cfg.Aggregator.MaxResultAge,
		Registerer: reg, Logger: logger.With("component", "maintenance")})
	if err != nil {
		return nil, nil, err
	}
	return set, sch, nil
}
