// Package widget is the embeddable status widget: a dependency-free
// script (widget.js) that a customer puts on their own pages, their 404
// and 500 pages included, with one script tag, and the small JSON document
// (widget.json) it reads from the origin it was loaded from. The script
// writes text only (textContent), never HTML, so nothing in the JSON is
// ever markup. It knows nothing of pages or incidents: the caller fills
// Data.
package widget

import (
	_ "embed" // the script
	"slices"
)

//go:embed widget.js
var script []byte

// ContentTypeScript and ContentTypeJSON are the media types of widget.js
// and widget.json.
const (
	ContentTypeScript = "text/javascript; charset=utf-8"
	ContentTypeJSON   = "application/json; charset=utf-8"
)

// Script returns widget.js.
func Script() []byte { return slices.Clone(script) }

// Data is widget.json.
type Data struct {
	Page         Page   `json:"page"`
	Status       Status `json:"status"`
	Incidents    []Item `json:"incidents"`
	Maintenances []Item `json:"maintenances"`
}

// Page is the status page the widget links to; URL is absolute.
type Page struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Status is the page's overall status: Statuspage's indicator (none,
// minor, major, critical) and description, and the class that colours
// it (ok, degraded, partial, major, maintenance, nodata).
type Status struct {
	Indicator   string `json:"indicator"`
	Description string `json:"description"`
	Class       string `json:"class"`
}

// Item is an active incident or maintenance window; URL is absolute.
type Item struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	URL    string `json:"url"`
}
