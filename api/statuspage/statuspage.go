// Package statuspage owns the documents of Atlassian Statuspage's public v2
// API (summary.json, status.json, components.json, incidents.json,
// scheduled-maintenances.json), field
// for field as Statuspage writes them, and builds them from statusd's domain
// types so that tools and widgets written for Statuspage read statusd.
//
// Timestamps are RFC 3339 with milliseconds, in the page's time zone
// ("2026-11-23T10:01:02.123Z" in UTC, "2026-11-23T05:01:02.123-05:00" in
// New York), a component's start_date a civil date ("2026-11-01"). Absent
// values are JSON null, as Statuspage sends them; ids are strings; every
// key Statuspage sends is always present. The reference documents under
// testdata/atlassian, real captures of Statuspage pages, are what the
// goldens are checked against (atlassian_test.go).
package statuspage

import (
	"strconv"
	"strings"
	"time"

	"github.com/statusd/statusd/api/rollup"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// TimeLayout is how every timestamp is written.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// Page is the page block that heads every document.
type Page struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	TimeZone  string `json:"time_zone"`
	UpdatedAt string `json:"updated_at"`
}

// Component is a component or a component group.
type Component struct {
	ID                 string        `json:"id"`
	Name               string        `json:"name"`
	Status             status.Status `json:"status"`
	CreatedAt          string        `json:"created_at"`
	UpdatedAt          string        `json:"updated_at"`
	Position           int           `json:"position"`
	Description        *string       `json:"description"`
	Showcase           bool          `json:"showcase"`
	StartDate          *string       `json:"start_date"`
	GroupID            *string       `json:"group_id"`
	PageID             string        `json:"page_id"`
	Group              bool          `json:"group"`
	OnlyShowIfDegraded bool          `json:"only_show_if_degraded"`
	// Components lists the IDs of a group's children; absent on others.
	Components []string `json:"components,omitzero"`
}

// Incident is an incident with its updates and affected components.
type Incident struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	Status          incident.Status  `json:"status"`
	CreatedAt       string           `json:"created_at"`
	UpdatedAt       string           `json:"updated_at"`
	MonitoringAt    *string          `json:"monitoring_at"`
	ResolvedAt      *string          `json:"resolved_at"`
	Impact          incident.Impact  `json:"impact"`
	Shortlink       string           `json:"shortlink"`
	StartedAt       string           `json:"started_at"`
	PageID          string           `json:"page_id"`
	IncidentUpdates []IncidentUpdate `json:"incident_updates"`
	Components      []Component      `json:"components"`
	// ReminderIntervals is always null, as on Statuspage's public incidents.
	// A published postmortem shows as status "postmortem"; its text is on
	// the HTML page and /api/v1 (the public v2 documents carry no body).
	ReminderIntervals *string `json:"reminder_intervals"`
}

// IncidentUpdate is one message posted to an incident.
type IncidentUpdate struct {
	ID         string          `json:"id"`
	Status     incident.Status `json:"status"`
	Body       string          `json:"body"`
	IncidentID string          `json:"incident_id"`
	CreatedAt  string          `json:"created_at"`
	UpdatedAt  string          `json:"updated_at"`
	DisplayAt  string          `json:"display_at"`
	// AffectedComponents are the component transitions the update
	// announced; null when none, as Statuspage sends it.
	AffectedComponents   []AffectedComponent `json:"affected_components"`
	DeliverNotifications bool                `json:"deliver_notifications"`
	CustomTweet          *string             `json:"custom_tweet"`
	TweetID              *string             `json:"tweet_id"` // statusd posts no tweets: always null
}

// AffectedComponent is a component transition announced by an update.
type AffectedComponent struct {
	Code      string        `json:"code"`
	Name      string        `json:"name"`
	OldStatus status.Status `json:"old_status"`
	NewStatus status.Status `json:"new_status"`
}

// Status is the page-wide indicator.
type Status struct {
	Indicator   status.Indicator `json:"indicator"`
	Description string           `json:"description"`
}

// Summary is summary.json.
type Summary struct {
	Page       Page        `json:"page"`
	Components []Component `json:"components"`
	Incidents  []Incident  `json:"incidents"`
	// ScheduledMaintenances are the upcoming and active ones; Summary
	// leaves it empty for the caller to fill (MaintenanceList).
	ScheduledMaintenances []Maintenance `json:"scheduled_maintenances"`
	Status                Status        `json:"status"`
}

// StatusDoc is status.json.
type StatusDoc struct {
	Page   Page   `json:"page"`
	Status Status `json:"status"`
}

// ComponentsDoc is components.json.
type ComponentsDoc struct {
	Page       Page        `json:"page"`
	Components []Component `json:"components"`
}

// IncidentsDoc is incidents.json and incidents/unresolved.json.
type IncidentsDoc struct {
	Page      Page       `json:"page"`
	Incidents []Incident `json:"incidents"`
}

// View renders one page's documents in the page's time zone.
type View struct {
	page       Page
	pageURL    string
	loc        *time.Location
	components []Component
	byID       map[string]int
	status     Status
}

// NewView prepares the documents of page p, whose components (and only
// those) are comps, last updated at updated; loc is the page's time zone.
func NewView(p catalog.Page, loc *time.Location, comps []rollup.Component, updated time.Time) *View {
	url := PublicURL(p)
	v := &View{
		page:    Page{ID: p.ID, Name: p.Name, URL: url, TimeZone: p.TimeZone, UpdatedAt: stamp(updated, loc)},
		pageURL: url, loc: loc,
		components: make([]Component, len(comps)),
		byID:       make(map[string]int, len(comps)),
	}
	for i, c := range comps {
		v.components[i] = v.component(c)
		v.byID[c.ID] = i
	}
	worst, noData := rollup.Worst(comps)
	ind, desc := status.Summarize(worst)
	if noData {
		desc = "No data yet" // not "All Systems Operational" before a single verdict
	}
	v.status = Status{Indicator: ind, Description: desc}
	return v
}

// PublicURL is the page's url: its configured URL without a trailing
// slash, else https:// and its custom domain, else "" (Statuspage always
// sends a string).
func PublicURL(p catalog.Page) string {
	if u := strings.TrimRight(p.URL, "/"); u != "" {
		return u
	}
	if p.CustomDomain != "" {
		return "https://" + p.CustomDomain
	}
	return ""
}

// link is the shortlink of path on the page: under the page's URL, or
// the bare path (relative to the host that served the document) when the
// page has none. Statuspage's shortlink is always a string.
func (v *View) link(path string) string { return v.pageURL + path }

// PageID returns the ID of the page shown.
func (v *View) PageID() string { return v.page.ID }

// Summary returns summary.json with the page's unresolved incidents.
func (v *View) Summary(unresolved []incident.Incident) Summary {
	return Summary{
		Page: v.page, Components: v.components, Incidents: v.incidents(unresolved),
		ScheduledMaintenances: []Maintenance{}, Status: v.status,
	}
}

// Status returns status.json.
func (v *View) Status() StatusDoc { return StatusDoc{Page: v.page, Status: v.status} }

// Components returns components.json.
func (v *View) Components() ComponentsDoc {
	return ComponentsDoc{Page: v.page, Components: v.components}
}

// Incidents returns incidents.json (or unresolved.json) listing list.
func (v *View) Incidents(list []incident.Incident) IncidentsDoc {
	return IncidentsDoc{Page: v.page, Incidents: v.incidents(list)}
}

func (v *View) component(c rollup.Component) Component {
	out := Component{
		ID: c.ID, Name: c.Name, Status: c.Status,
		CreatedAt: stamp(c.CreatedAt, v.loc), UpdatedAt: stamp(c.UpdatedAt, v.loc),
		Position: c.Position, Description: optional(c.Description),
		Showcase: !c.IsGroup && !c.HideUptime, GroupID: optional(c.GroupID), PageID: c.PageID,
		Group: c.IsGroup, OnlyShowIfDegraded: c.OnlyShowIfDegraded, Components: c.Children,
	}
	if !c.StartDate.IsZero() {
		d := c.StartDate.UTC().Format(time.DateOnly) // a civil date, in no zone
		out.StartDate = &d
	}
	if c.IsGroup && out.Components == nil {
		out.Components = []string{} // a group always lists its children
	}
	return out
}

func (v *View) incidents(list []incident.Incident) []Incident {
	out := make([]Incident, len(list))
	for i, in := range list {
		out[i] = v.incident(in)
	}
	return out
}

// incident renders in, whose private updates the caller left out; a
// custom status shows as the standard one it maps onto (in.Status).
func (v *View) incident(in incident.Incident) Incident {
	id := strconv.FormatInt(in.ID, 10)
	out := Incident{
		ID: id, Name: in.Name, Status: in.Status,
		CreatedAt: stamp(in.CreatedAt, v.loc), UpdatedAt: stamp(in.UpdatedAt, v.loc),
		MonitoringAt: optionalTime(in.MonitoringAt(), v.loc), ResolvedAt: optionalTime(in.ResolvedAt, v.loc),
		Impact: in.Impact, StartedAt: stamp(in.Started(), v.loc), PageID: in.PageID,
		IncidentUpdates: make([]IncidentUpdate, 0, len(in.Updates)),
		Components:      []Component{},
	}
	if out.Impact == "" {
		out.Impact = incident.ImpactNone
	}
	out.Shortlink = v.link("/incidents/" + id)
	for _, u := range in.Updates {
		if u.Private {
			continue
		}
		out.IncidentUpdates = append(out.IncidentUpdates, v.update(id, u))
	}
	for _, cid := range in.ComponentIDs {
		if i, ok := v.byID[cid]; ok {
			out.Components = append(out.Components, v.components[i])
		}
	}
	return out
}

func (v *View) update(incidentID string, u incident.Update) IncidentUpdate {
	edited := u.UpdatedAt
	if edited.IsZero() {
		edited = u.CreatedAt
	}
	out := IncidentUpdate{
		ID: strconv.FormatInt(u.ID, 10), Status: u.Status, Body: u.Body, IncidentID: incidentID,
		CreatedAt: stamp(u.CreatedAt, v.loc), UpdatedAt: stamp(edited, v.loc), DisplayAt: stamp(u.Display(), v.loc),
		DeliverNotifications: u.Notify.Deliver, CustomTweet: optional(u.Notify.CustomTweet),
	}
	for _, c := range u.Components {
		name := c.ComponentID
		if i, ok := v.byID[c.ComponentID]; ok {
			name = v.components[i].Name
		}
		out.AffectedComponents = append(out.AffectedComponents,
			AffectedComponent{Code: c.ComponentID, Name: name, OldStatus: c.Old, NewStatus: c.New})
	}
	return out
}

// stamp writes t in loc.
func stamp(t time.Time, loc *time.Location) string { return t.In(loc).Format(TimeLayout) }

func optionalTime(t time.Time, loc *time.Location) *string {
	if t.IsZero() {
		return nil
	}
	s := stamp(t, loc)
	return &s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
