package config

import (
	"strings"
	"time"

	"github.com/statusd/statusd/catalog"
)

// Export configures the static copy of the public pages (package
// staticexport): `statusd export` writes it once, and with OnChange the
// aggregator and standalone write it again whenever what the pages show
// changes.
type Export struct {
	// Dir is where the pages are written, one directory per page.
	Dir string `yaml:"dir"`
	// OnChange exports at start and on every change, at most once per
	// MinInterval.
	OnChange    bool          `yaml:"on_change"`
	MinInterval time.Duration `yaml:"min_interval"`
	// Domain is the installation's domain: a page with a subdomain but
	// neither a custom domain nor a URL with a host is asked for as
	// SUBDOMAIN.DOMAIN.
	Domain string `yaml:"domain"`
}

// DefaultExportMinInterval is the default of Export.MinInterval.
const DefaultExportMinInterval = 5 * time.Second

func (e Export) validate() problems {
	var p problems
	if e.OnChange && strings.TrimSpace(e.Dir) == "" {
		p.add("dir", "is required when on_change is true")
	}
	p.durationBetween("min_interval", e.MinInterval, time.Second, time.Hour, "1s and 1h")
	if e.Domain != "" && !catalog.ValidHostname(strings.TrimSuffix(e.Domain, ".")) {
		p.add("domain", "must be a lower-case host name such as status.example.net, got %q", e.Domain)
	}
	return p
}
