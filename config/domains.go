package config

import (
	"fmt"

	"github.com/statusd/statusd/catalog"
	"strings"
	"time"
)

// Domains configures the checks of pages' custom domains (package
// domains/recheck): each must be a CNAME to CNAMETarget.
type Domains struct {
	// CNAMETarget is the host name every custom domain must point at,
	// e.g. status.example.net; empty checks nothing.
	CNAMETarget string `yaml:"cname_target"`
	// Interval is how often a verified domain is checked again,
	// UnverifiedInterval any other.
	Interval           time.Duration `yaml:"interval"`
	UnverifiedInterval time.Duration `yaml:"unverified_interval"`
	// RootServers are where DNS walks start, host:port; empty means the
	// IANA root servers.
	RootServers []string `yaml:"root_servers"`
}

// Defaults of Domains.
const (
	DefaultDomainInterval           = 10 * time.Minute
	DefaultDomainUnverifiedInterval = time.Minute
)

func (d Domains) validate() problems {
	var p problems
	if d.CNAMETarget != "" {
		if h := strings.TrimSuffix(d.CNAMETarget, "."); !catalog.ValidHostname(h) {
			p.add("cname_target", "must be a lower-case host name such as status.example.net, got %q", d.CNAMETarget)
		}
	}
	p.durationBetween("interval", d.Interval, time.Minute, 24*time.Hour, "1m and 24h")
	p.durationBetween("unverified_interval", d.UnverifiedInterval, 10*time.Second, d.Interval, fmt.Sprintf("10s and interval (%s)", d.Interval))
	for i, s := range d.RootServers {
		p.hostPort(fmt.Sprintf("root_servers[%d]", i), s, false)
	}
	return p
}
