package main

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/config"
	"github.com/statusd/statusd/domains/cnamecheck"
	"github.com/statusd/statusd/domains/recheck"
)

// newDomainRecheck returns the runner that checks the pages' custom
// domains against domains.cname_target, walking DNS from the configured
// root servers (the IANA ones by default).
func newDomainRecheck(cfg *config.Config, store recheck.Store, reg prometheus.Registerer,
	logger *slog.Logger) (*recheck.Runner, error) {
	logger = logger.With("component", "domains")
	checker, err := cnamecheck.New(cnamecheck.Options{Roots: cfg.Domains.RootServers, Logger: logger})
	if err != nil {
		return nil, err
	}
	return recheck.New(recheck.Options{Store: store, Checker: checker, Target: cfg.Domains.CNAMETarget,
		Interval: cfg.Domains.Interval, UnverifiedInterval: cfg.Domains.UnverifiedInterval, Registerer: reg, Logger: logger})
}
