package config

import (
	"maps"
	"slices"
	"time"

	"github.com/statusd/statusd/catalog"
)

// DefaultTimeZone is the time zone of a page that names none.
const DefaultTimeZone = "Etc/UTC"

// Page is a status page as written in the file.
type Page struct {
	ID       string `yaml:"id"`
	Name     string `yaml:"name"`
	URL      string `yaml:"url"`
	TimeZone string `yaml:"time_zone"`
	// Components are shown on the page in this order.
	Components []Component `yaml:"components"`
}

// Component is a component as written in the file. A component with
// components of its own is a group; a group has no checks.
type Component struct {
	ID          string      `yaml:"id"`
	Name        string      `yaml:"name"`
	Description string      `yaml:"description"`
	Quorum      int         `yaml:"quorum"`
	SLO         *SLO        `yaml:"slo"`
	Checks      []Check     `yaml:"checks"`
	Components  []Component `yaml:"components"`
}

// SLO is a component's availability objective as written in the file.
type SLO struct {
	Target     float64 `yaml:"target"`      // percent, for example 99.9
	WindowDays int     `yaml:"window_days"` // 30 when left out
}

// DefaultSLOWindowDays is the window of an SLO that names none.
const DefaultSLOWindowDays = 30

// IsGroup reports whether c is a group of components.
func (c Component) IsGroup() bool { return len(c.Components) > 0 }

// Check is a check as written in the file; zero fields take the values of
// the defaults section, then of the catalog.
type Check struct {
	ID               string        `yaml:"id"`
	Type             catalog.Type  `yaml:"type"` // when left out, the type of the only type block given
	Interval         time.Duration `yaml:"interval"`
	Timeout          time.Duration `yaml:"timeout"`
	Regions          []string      `yaml:"regions"`
	FailureThreshold int           `yaml:"failure_threshold"`
	SuccessThreshold int           `yaml:"success_threshold"`
	DegradedLatency  time.Duration `yaml:"degraded_latency"`
	IncidentOn       string        `yaml:"incident_on"` // major (default) or partial
	HTTP             *HTTPCheck    `yaml:"http"`
	DNS              *DNSCheck     `yaml:"dns"`
	TCP              *TCPCheck     `yaml:"tcp"`
	TLS              *TLSCheck     `yaml:"tls"`
	ICMP             *ICMPCheck    `yaml:"icmp"`
}

// HTTPCheck is the http block of a check.
type HTTPCheck struct {
	URL                string            `yaml:"url"`
	Method             string            `yaml:"method"`
	Headers            map[string]string `yaml:"headers"`
	Body               string            `yaml:"body"`
	ExpectedStatus     []int             `yaml:"expected_status"`
	BodyRegex          string            `yaml:"body_regex"`
	BodyNotRegex       string            `yaml:"body_not_regex"`
	HeaderMatches      []HeaderMatch     `yaml:"header_matches"`
	MaxBodyBytes       int64             `yaml:"max_body_bytes"`
	FollowRedirects    *bool             `yaml:"follow_redirects"` // true when left out
	MaxRedirects       int               `yaml:"max_redirects"`
	InsecureSkipVerify bool              `yaml:"insecure_skip_verify"`
	CAFile             string            `yaml:"ca_file"`
	ClientCertFile     string            `yaml:"client_cert_file"`
	ClientKeyFile      string            `yaml:"client_key_file"`
	IPFamily           int               `yaml:"ip_family"`   // 4 or 6 first; either when left out
	IPFallback         *bool             `yaml:"ip_fallback"` // true when left out
	// CertExpiryThresholdDays: fewer days left make the run degraded.
	CertExpiryThresholdDays int   `yaml:"cert_expiry_threshold_days"`
	Traceparent             *bool `yaml:"traceparent"` // true when left out
}

// HeaderMatch is one entry of an http block's header_matches.
type HeaderMatch struct {
	Name         string `yaml:"name"`
	Regex        string `yaml:"regex"`
	MustNotMatch bool   `yaml:"must_not_match"`
}

// Catalog returns the pages, components and checks of c with every default
// applied. Components are listed depth first in file order, each group
// before its children; Position counts from 1 within a page. A page or
// check URL that is a path ("/healthz") is resolved against c.HTTP.Addr,
// which should name the bound address when the file gives port 0.
func (c *Config) Catalog() catalog.Catalog {
	var cat catalog.Catalog
	self := c.HTTP.Addr
	for _, p := range c.Pages {
		cat.Pages = append(cat.Pages, p.catalog(self))
		position := 0
		var walk func(comps []Component, groupID string)
		walk = func(comps []Component, groupID string) {
			for _, comp := range comps {
				position++
				cat.Components = append(cat.Components, comp.catalog(p.ID, groupID, position))
				for _, ch := range comp.Checks {
					cat.Checks = append(cat.Checks, ch.catalog(comp.ID, c.Defaults, self))
				}
				walk(comp.Components, comp.ID)
			}
		}
		walk(p.Components, "")
	}
	return cat
}

// catalog returns the page, its URL resolved against self when a path.
func (p Page) catalog(self string) catalog.Page {
	tz := p.TimeZone
	if tz == "" {
		tz = DefaultTimeZone
	}
	return catalog.Page{ID: p.ID, Name: p.Name, URL: selfURL(p.URL, self), TimeZone: tz}
}

func (c Component) catalog(pageID, groupID string, position int) catalog.Component {
	out := catalog.Component{
		ID: c.ID, PageID: pageID, GroupID: groupID, IsGroup: c.IsGroup(),
		Name: c.Name, Description: c.Description, Position: position, Quorum: c.Quorum,
	}
	if c.SLO != nil {
		out.SLO = catalog.SLO{Target: c.SLO.Target, WindowDays: c.SLO.WindowDays}
		if out.SLO.WindowDays == 0 {
			out.SLO.WindowDays = DefaultSLOWindowDays
		}
	}
	return out
}

// catalog returns the check with the defaults section, then the catalog's
// defaults, applied, and an HTTP URL that is a path resolved against self.
func (ch Check) catalog(componentID string, d Defaults, self string) catalog.Check {
	out := catalog.Check{
		ID: ch.ID, ComponentID: componentID, Type: ch.Type,
		Interval: ch.Interval, Timeout: ch.Timeout, Regions: slices.Clone(ch.Regions),
		FailureThreshold: ch.FailureThreshold, SuccessThreshold: ch.SuccessThreshold,
		DegradedLatency: ch.DegradedLatency, IncidentOn: ch.IncidentOn,
	}
	if out.Type == "" {
		out.Type = ch.blockType()
	}
	if out.Interval == 0 {
		out.Interval = d.Interval
	}
	if out.Timeout == 0 {
		out.Timeout = d.Timeout
		if out.Interval > 0 {
			// A short interval caps the default timeout rather than fail.
			out.Timeout = min(d.Timeout, out.Interval)
		}
	}
	if out.FailureThreshold == 0 {
		out.FailureThreshold = d.FailureThreshold
	}
	if out.SuccessThreshold == 0 {
		out.SuccessThreshold = d.SuccessThreshold
	}
	if h := ch.HTTP; h != nil {
		out.HTTP = h.catalog(self)
	}
	ch.probeSpecs(&out)
	out.ApplyDefaults()
	return out
}

func (h *HTTPCheck) catalog(self string) *catalog.HTTPSpec {
	off := func(b *bool) bool { return b != nil && !*b }
	spec := &catalog.HTTPSpec{
		URL: selfURL(h.URL, self), Method: h.Method, Headers: maps.Clone(h.Headers), Body: h.Body,
		ExpectedStatus: slices.Clone(h.ExpectedStatus), BodyRegex: h.BodyRegex, BodyNotRegex: h.BodyNotRegex,
		MaxBodyBytes: h.MaxBodyBytes, NoFollowRedirects: off(h.FollowRedirects), MaxRedirects: h.MaxRedirects,
		InsecureSkipVerify: h.InsecureSkipVerify, CAFile: h.CAFile,
		ClientCertFile: h.ClientCertFile, ClientKeyFile: h.ClientKeyFile,
		IPFamily: h.IPFamily, NoIPFallback: off(h.IPFallback),
		CertExpiryThresholdDays: h.CertExpiryThresholdDays, NoTraceparent: off(h.Traceparent),
	}
	for _, m := range h.HeaderMatches {
		spec.HeaderMatches = append(spec.HeaderMatches, catalog.HeaderMatch(m))
	}
	return spec
}
