// Package htmlpage renders the public HTML status page: the home page
// (overall banner, components with their uptime bars, active incidents,
// maintenance), the history, one incident and one maintenance window. It knows nothing of
// the catalog or the store: the caller hands it plain view data, words
// and CSS class names already chosen, and it writes HTML with html/template
// (so every text is escaped), a small embedded stylesheet and a little
// script (styled tooltips for the uptime bars, relative times); everything
// is usable without the script. Doc serves a rendered page with an ETag, 304s and
// gzip.
package htmlpage

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
)

//go:embed assets/*.html assets/style.css assets/page.js
var assets embed.FS

// Theme is a page's branding. Colours are "#rrggbb" or empty for the
// theme's own; Dark forces the dark theme, else the visitor's
// prefers-color-scheme decides.
type Theme struct {
	Brand, Background, Text string
	Dark                    bool
}

// Header is what every page of a site shows: its name, branding and the
// platform alert (empty AlertTitle and AlertMessage for none).
type Header struct {
	Name         string
	Theme        Theme
	RobotsMeta   string
	AlertTitle   string
	AlertMessage string
	// Feeds links the site's /history.rss and /history.atom from the head.
	Feeds bool
	// Now is when the data shown last changed (RFC 3339), never the
	// render time, so that renders of the same data are the same bytes
	// (and ETag). The page's script tells relative times from the
	// visitor's clock, but from no earlier than Now; "" for the visitor's
	// clock alone.
	Now string
}

// Status is a status in words, with the class that colours it: one of
// ok, degraded, partial, major, maintenance, nodata.
type Status struct {
	Word  string
	Class string
}

// Bar is one day of a component's uptime bars. A page holds 90 of them
// per component, so each is written as one short element: its title and,
// unless it has the colour most of its list has, a one-letter class.
type Bar struct {
	Class string // as Status.Class
	Label string // the title, tooltip and accessible label: date, uptime, outages, incidents; short
}

// barClasses are the bars' CSS classes, short since a page has thousands
// of bars.
var barClasses = map[string]string{"ok": "o", "degraded": "d", "partial": "p", "major": "m", "maintenance": "u", "nodata": "n"}

// CSS is the bar's class in the page's markup.
func (b Bar) CSS() string { return barClasses[b.Class] }

// BarsDefault is the class most of the component's bars have (the
// earliest such on a tie): its list is coloured so, and only the other
// bars carry a class of their own.
func (c Component) BarsDefault() string {
	n := map[string]int{}
	best := ""
	for _, b := range c.Bars {
		n[b.Class]++
		if n[b.Class] > n[best] {
			best = b.Class
		}
	}
	return best
}

// BarsCSS is the class of the component's list of bars: BarsDefault's.
func (c Component) BarsCSS() string { return barClasses[c.BarsDefault()] }

// Component is a component (or group) as the page shows it.
type Component struct {
	Name           string
	Description    string
	Status         Status
	FailingRegions []string // shown for a partial outage
	Bars           []Bar    // oldest first
	BarsLabel      string   // the bars' accessible summary: what the days' colours say, in words
	Uptime         string   // the uptime over the bars' days in words, "" for no data
	Days           int      // how many days the bars cover
	Children       []Component
}

// Update is one public message posted to an incident or maintenance.
type Update struct {
	Status string
	Body   string
	At     string // in words, in the page's time zone
	Time   string // RFC 3339, for <time datetime>
}

// Incident is an incident with its public updates, newest first.
type Incident struct {
	URL      string
	Name     string
	Status   string
	Impact   Status
	Started  string
	Resolved string // "" while open
	Body     string
	Updates  []Update
}

// Maintenance is a maintenance window with its public updates, newest
// first.
type Maintenance struct {
	URL        string // its own page; "" for none
	Title      string
	Status     string
	Window     string
	Components []string
	Body       string // shown on its own page
	Updates    []Update
}

// Home is the status page itself.
type Home struct {
	Header
	Overall      Status
	Components   []Component
	Incidents    []Incident
	Maintenances []Maintenance
	Updated      string // when what the page shows last changed, in words; "" for never
	UpdatedTime  string // the same, RFC 3339
}

// Month is one month of the history: the incidents that started in it
// and the completed maintenance windows that began in it.
type Month struct {
	ID           string // an HTML id: "2026-11"
	Name         string
	Incidents    []Incident
	Maintenances []Maintenance
}

// History is the incident history, newest month first.
type History struct {
	Header
	Months []Month
}

// IncidentPage is one incident with all its public updates.
type IncidentPage struct {
	Header
	Incident Incident
}

// MaintenancePage is one maintenance window with all its public updates.
type MaintenancePage struct {
	Header
	Maintenance Maintenance
}

// Problem is an error page: not found, or not available.
type Problem struct {
	Header
	Title   string
	Message string
}

// Login is the password form of a private page. Next is the local path
// to go back to once signed in; Message, when set, says why the last try
// failed.
type Login struct {
	Header
	Next    string
	Message string
}

// Renderer renders the pages.
type Renderer struct {
	t *template.Template
}

// Options configure a Renderer; there is nothing to configure yet.
type Options struct{}

// New parses the embedded templates.
func New(Options) (*Renderer, error) {
	css, err := assets.ReadFile("assets/style.css")
	if err != nil {
		return nil, fmt.Errorf("read stylesheet: %w", err)
	}
	js, err := assets.ReadFile("assets/page.js")
	if err != nil {
		return nil, fmt.Errorf("read script: %w", err)
	}
	t := template.New("page").Funcs(template.FuncMap{
		// The stylesheet and script are ours, embedded, never user text.
		"stylesheet": func() template.CSS { return template.CSS(css) }, //nolint:gosec // embedded constant
		"script":     func() template.JS { return template.JS(js) },    //nolint:gosec // embedded constant
	})
	if t, err = t.ParseFS(assets, "assets/*.html"); err != nil {
		return nil, fmt.Errorf("parse page templates: %w", err)
	}
	return &Renderer{t: t}, nil
}

// page is what the layout renders: the header, a title and which body.
type page struct {
	Header
	Title string
	Kind  string
	Body  any
}

// Home renders the status page.
func (r *Renderer) Home(h Home) ([]byte, error) {
	return r.render(page{Header: h.Header, Title: h.Name + " status", Kind: "home", Body: h})
}

// History renders the incident history.
func (r *Renderer) History(h History) ([]byte, error) {
	return r.render(page{Header: h.Header, Title: "Incident history · " + h.Name, Kind: "history", Body: h})
}

// Incident renders one incident.
func (r *Renderer) Incident(p IncidentPage) ([]byte, error) {
	return r.render(page{Header: p.Header, Title: p.Incident.Name + " · " + p.Name, Kind: "incident", Body: p})
}

// Maintenance renders one maintenance window.
func (r *Renderer) Maintenance(p MaintenancePage) ([]byte, error) {
	return r.render(page{Header: p.Header, Title: p.Maintenance.Title + " · " + p.Name, Kind: "maintenance", Body: p})
}

// Problem renders an error page.
func (r *Renderer) Problem(p Problem) ([]byte, error) {
	title := p.Title
	if p.Name != "" {
		title += " · " + p.Name
	}
	return r.render(page{Header: p.Header, Title: title, Kind: "problem", Body: p})
}

// Login renders a private page's password form.
func (r *Renderer) Login(l Login) ([]byte, error) {
	return r.render(page{Header: l.Header, Title: "Sign in · " + l.Name, Kind: "login", Body: l})
}

func (r *Renderer) render(p page) ([]byte, error) {
	var b bytes.Buffer
	if err := r.t.ExecuteTemplate(&b, "layout.html", p); err != nil {
		return nil, fmt.Errorf("render %s page: %w", p.Kind, err)
	}
	return b.Bytes(), nil
}
