package config

import (
	"maps"
	"slices"
	"time"

	"github.com/statusd/statusd/catalog"
)

// DefaultTimeZone is the time zone of a page that names none.
const DefaultTimeZone = "Etc/UTC"

// Page is a status page as written in the file, with the fields of the
// API's pages and their names. The platform alert is not declared: it is
// set and cleared through the API.
type Page struct {
	ID           string `yaml:"id"`
	Name         string `yaml:"name"`
	URL          string `yaml:"url"`
	TimeZone     string `yaml:"time_zone"`
	Subdomain    string `yaml:"subdomain"`
	CustomDomain string `yaml:"custom_domain"`
	// A private page needs a password or an ip_allowlist. The password is
	// given as its bcrypt hash, never in plain text.
	Private      bool     `yaml:"private"`
	PasswordHash string   `yaml:"password_hash"`
	IPAllowlist  []string `yaml:"ip_allowlist"`
	// Enabled false disables the page at every start; true, the default,
	// leaves it as the API's enable and disable last set it.
	Enabled       *bool    `yaml:"enabled"`
	Branding      Branding `yaml:"branding"`
	Links         Links    `yaml:"links"`
	RobotsMeta    string   `yaml:"robots_meta"`
	AnalyticsID   string   `yaml:"analytics_id"`
	Subscriptions *bool    `yaml:"subscriptions"` // true when left out
	// Components are shown on the page in this order.
	Components []Component `yaml:"components"`
}

// Branding is how a page looks; colours are "#rrggbb".
type Branding struct {
	LogoURL         string `yaml:"logo_url"`
	FaviconURL      string `yaml:"favicon_url"`
	BrandColor      string `yaml:"brand_color"`
	BackgroundColor string `yaml:"background_color"`
	TextColor       string `yaml:"text_color"`
	DarkTheme       bool   `yaml:"dark_theme"`
	HidePoweredBy   bool   `yaml:"hide_powered_by"`
}

// Links are a page's links to the operator's sites.
type Links struct {
	Website string `yaml:"website"`
	Support string `yaml:"support"`
	Privacy string `yaml:"privacy"`
}

// Component is a component as written in the file. A component with
// components of its own is a group; a group has no checks.
type Component struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Quorum      int    `yaml:"quorum"`
	// ShowUptime false hides the uptime bars; StartDate (YYYY-MM-DD) is
	// the first day they show; OnlyShowIfDegraded hides the component
	// while it is operational.
	ShowUptime         *bool  `yaml:"show_uptime"` // true when left out
	StartDate          string `yaml:"start_date"`
	OnlyShowIfDegraded bool   `yaml:"only_show_if_degraded"`
	// AlsoOn lists other pages of the file the component is shown on too,
	// after their own components.
	AlsoOn     []string    `yaml:"also_on"`
	SLO        *SLO        `yaml:"slo"`
	Checks     []Check     `yaml:"checks"`
	Components []Component `yaml:"components"`
}

// SLO is a component's availability objective as written in the file.
type SLO struct {
	Target     float64 `yaml:"target"`      // percent, for example 99.9
	WindowDays int     `yaml:"window_days"` // 30 when left out
}

// DefaultSLOWindowDays is the window of an SLO that names none.
const DefaultSLOWindowDays = catalog.DefaultSLOWindowDays

// startDateLayout is how start_date is written.
const startDateLayout = "2006-01-02"

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
//
// A component's also_on pages follow its primary page, each at the end of
// that page's own components in file order.
func (c *Config) Catalog() catalog.Catalog {
	var cat catalog.Catalog
	self := c.HTTP.Addr
	count := map[string]int{}    // components on each page
	alsoOn := map[int][]string{} // index in cat.Components → its also_on
	for _, p := range c.Pages {
		cat.Pages = append(cat.Pages, p.catalog(self))
		position := 0
		var walk func(comps []Component, groupID string)
		walk = func(comps []Component, groupID string) {
			for _, comp := range comps {
				position++
				if len(comp.AlsoOn) > 0 {
					alsoOn[len(cat.Components)] = comp.AlsoOn
				}
				cat.Components = append(cat.Components, comp.catalog(p.ID, groupID, position))
				for _, ch := range comp.Checks {
					cat.Checks = append(cat.Checks, ch.catalog(comp.ID, c.Defaults, self))
				}
				walk(comp.Components, comp.ID)
			}
		}
		walk(p.Components, "")
		count[p.ID] = position
	}
	for _, i := range slices.Sorted(maps.Keys(alsoOn)) {
		others, comp := alsoOn[i], &cat.Components[i]
		comp.Pages = []catalog.Placement{{PageID: comp.PageID, Position: comp.Position}}
		for _, other := range others {
			count[other]++
			comp.Pages = append(comp.Pages, catalog.Placement{PageID: other, Position: count[other]})
		}
	}
	return cat
}

// catalog returns the page, its URL resolved against self when a path.
func (p Page) catalog(self string) catalog.Page {
	tz := p.TimeZone
	if tz == "" {
		tz = DefaultTimeZone
	}
	b, l := p.Branding, p.Links
	return catalog.Page{ID: p.ID, Name: p.Name, URL: selfURL(p.URL, self), TimeZone: tz,
		Subdomain: p.Subdomain, CustomDomain: p.CustomDomain, Private: p.Private,
		PasswordHash: p.PasswordHash, AllowedCIDRs: slices.Clone(p.IPAllowlist),
		Disabled: p.Enabled != nil && !*p.Enabled,
		Branding: catalog.Branding{LogoURL: b.LogoURL, FaviconURL: b.FaviconURL, BrandColor: b.BrandColor,
			BackgroundColor: b.BackgroundColor, TextColor: b.TextColor, DarkTheme: b.DarkTheme, HidePoweredBy: b.HidePoweredBy},
		Links:      catalog.Links{Website: l.Website, Support: l.Support, Privacy: l.Privacy},
		RobotsMeta: p.RobotsMeta, AnalyticsID: p.AnalyticsID,
		NoSubscriptions: p.Subscriptions != nil && !*p.Subscriptions,
	}
}

// catalog returns the component on its primary page; Catalog adds the
// also_on pages. A start_date that is not a date is left out (the
// validator reports it).
func (c Component) catalog(pageID, groupID string, position int) catalog.Component {
	start, _ := time.Parse(startDateLayout, c.StartDate)
	out := catalog.Component{
		ID: c.ID, PageID: pageID, GroupID: groupID, IsGroup: c.IsGroup(),
		Name: c.Name, Description: c.Description, Position: position, Quorum: c.Quorum,
		HideUptime: c.ShowUptime != nil && !*c.ShowUptime, StartDate: start,
		OnlyShowIfDegraded: c.OnlyShowIfDegraded,
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
