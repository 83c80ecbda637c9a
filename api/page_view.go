package api

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/api/rollup"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/web/htmlpage"
)

// pageBarDays is how many days of uptime bars the page shows; pageHistory
// how many incidents the history (and an incident's own page) looks at.
const (
	pageBarDays = 90
	pageHistory = 500
	timeLayout  = "Jan 2, 2006 15:04 MST"
)

// pageView builds the view data of one page from a snapshot.
type pageView struct {
	a    *API
	snap *readmodel.Snapshot
	page catalog.Page
	loc  *time.Location
	now  time.Time
}

func (a *API) newPageView(snap *readmodel.Snapshot, p catalog.Page) *pageView {
	return &pageView{a: a, snap: snap, page: p, loc: a.location(p.TimeZone), now: a.clock()}
}

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// pageHeader is the branding and alert of p; a colour that is not
// #rrggbb is left to the theme.
func pageHeader(p catalog.Page) htmlpage.Header {
	colour := func(s string) string {
		if hexColour.MatchString(s) {
			return s
		}
		return ""
	}
	b := p.Branding
	h := htmlpage.Header{Name: p.Name, RobotsMeta: p.RobotsMeta, Feeds: p.ID != "", Theme: htmlpage.Theme{
		Brand: colour(b.BrandColor), Background: colour(b.BackgroundColor), Text: colour(b.TextColor), Dark: b.DarkTheme}}
	if p.Alert.Enabled {
		h.AlertTitle, h.AlertMessage = p.Alert.Title, p.Alert.Message
	}
	if h.Name == "" {
		h.Name = "Status"
	}
	return h
}

// header is the page's header for data last changed at changed (zero
// when unknown): never the clock, so that two renders of the same data
// are the same bytes and keep their ETag.
func (v *pageView) header(changed time.Time) htmlpage.Header {
	h := pageHeader(v.page)
	if !changed.IsZero() {
		h.Now = machineTime(changed)
	}
	return h
}

// lastChange is the newest of the times: when what a page shows last
// changed.
func lastChange(times ...time.Time) time.Time {
	var out time.Time
	for _, t := range times {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// incidentsChanged is when the public incidents of list last changed.
func incidentsChanged(list []incident.Incident) time.Time {
	var out time.Time
	for _, in := range list {
		if public(in) {
			out = lastChange(out, in.UpdatedAt, in.Started(), in.ResolvedAt)
		}
	}
	return out
}

// statusesChanged is when the shown status of a component last changed.
func statusesChanged(shown []rollup.Component) time.Time {
	var out time.Time
	for _, c := range shown {
		out = lastChange(out, c.Since)
	}
	return out
}

// statusWords is a component status in words and its class.
func statusWords(s status.Status, noData bool) htmlpage.Status {
	switch {
	case noData:
		return htmlpage.Status{Word: "No data", Class: "nodata"}
	case s == status.MajorOutage:
		return htmlpage.Status{Word: "Major outage", Class: "major"}
	case s == status.PartialOutage:
		return htmlpage.Status{Word: "Partial outage", Class: "partial"}
	case s == status.DegradedPerformance:
		return htmlpage.Status{Word: "Degraded performance", Class: "degraded"}
	case s == status.UnderMaintenance:
		return htmlpage.Status{Word: "Under maintenance", Class: "maintenance"}
	default:
		return htmlpage.Status{Word: "Operational", Class: "ok"}
	}
}

func (v *pageView) home(ctx context.Context) (htmlpage.Home, error) {
	comps := v.snap.Components(v.page.ID)
	shown := rollup.Components(comps, v.snap.ComponentStatesOf(ids(comps)), v.snap.Shown(), v.a.origin)
	recent, err := v.a.store.Incidents(ctx, v.page.ID, false, pageHistory)
	if err != nil {
		return htmlpage.Home{}, fmt.Errorf("list incidents: %w", err)
	}
	bars, err := v.bars(ctx, shown, recent)
	if err != nil {
		return htmlpage.Home{}, err
	}
	worst, noData := rollup.Worst(shown)
	_, words := status.Summarize(worst)
	overall := statusWords(worst, false)
	if noData {
		words, overall.Class = "No data yet", "nodata"
	}
	overall.Word = words
	h := htmlpage.Home{Overall: overall}
	h.Components = v.tree(shown, bars)
	open, err := v.a.store.Incidents(ctx, v.page.ID, true, incidentsLimit)
	if err != nil {
		return htmlpage.Home{}, fmt.Errorf("list unresolved incidents: %w", err)
	}
	for _, in := range open {
		if public(in) {
			h.Incidents = append(h.Incidents, v.incidentCard(in, true))
		}
	}
	var maintChanged time.Time
	if h.Maintenances, maintChanged, err = v.maintenances(ctx); err != nil {
		return htmlpage.Home{}, err
	}
	// "Updated" is when what the page shows last changed, not the render.
	changed := lastChange(statusesChanged(shown), incidentsChanged(recent), incidentsChanged(open), maintChanged)
	h.Header = v.header(changed)
	if !changed.IsZero() {
		h.Updated, h.UpdatedTime = v.stamp(changed), machineTime(changed)
	}
	return h, nil
}

func ids(comps []catalog.Component) []string {
	out := make([]string, len(comps))
	for i, c := range comps {
		out[i] = c.ID
	}
	return out
}

// tree nests the shown components under their groups, in page order.
func (v *pageView) tree(shown []rollup.Component, bars map[string]bars) []htmlpage.Component {
	byID := make(map[string]rollup.Component, len(shown))
	for _, c := range shown {
		byID[c.ID] = c
	}
	var build func(c rollup.Component, depth int) (htmlpage.Component, bool)
	build = func(c rollup.Component, depth int) (htmlpage.Component, bool) {
		out := htmlpage.Component{Name: c.Name, Description: c.Description, Status: statusWords(c.Status, c.NoData)}
		if c.Status == status.PartialOutage && !c.NoData {
			out.FailingRegions = c.FailingRegions
		}
		if b, ok := bars[c.ID]; ok && !c.HideUptime {
			out.Bars, out.BarsLabel, out.Uptime, out.Days = b.days, b.summary, b.uptime, pageBarDays
		}
		for _, id := range c.Children {
			if ch, ok := byID[id]; ok && depth < 8 {
				if n, shows := build(ch, depth+1); shows {
					out.Children = append(out.Children, n)
				}
			}
		}
		return out, !hiddenWhileOperational(c) || len(out.Children) > 0
	}
	var out []htmlpage.Component
	for _, c := range shown {
		if _, grouped := byID[c.GroupID]; !grouped {
			if n, shows := build(c, 0); shows {
				out = append(out, n)
			}
		}
	}
	return out
}

// hiddenWhileOperational reports whether the page leaves c out: it is set
// to show only when degraded (Statuspage's only_show_if_degraded) and is
// operational, or has no data; a group so set shows while a member does.
func hiddenWhileOperational(c rollup.Component) bool {
	return c.OnlyShowIfDegraded && (c.NoData || c.Status == status.Operational)
}

// public reports whether an incident may be shown on the public page.
func public(in incident.Incident) bool { return !in.Private && in.DeletedAt.IsZero() }

func impactWords(i incident.Impact) htmlpage.Status {
	switch i {
	case incident.ImpactCritical:
		return htmlpage.Status{Word: "Critical", Class: "major"}
	case incident.ImpactMajor:
		return htmlpage.Status{Word: "Major", Class: "partial"}
	case incident.ImpactMinor:
		return htmlpage.Status{Word: "Minor", Class: "degraded"}
	default:
		return htmlpage.Status{Word: "None", Class: "nodata"}
	}
}

// incidentCard is an incident with its public updates when full.
func (v *pageView) incidentCard(in incident.Incident, full bool) htmlpage.Incident {
	st := string(in.Status)
	if in.CustomStatus != "" {
		st = in.CustomStatus
	}
	out := htmlpage.Incident{URL: "/incidents/" + strconv.FormatInt(in.ID, 10), Name: in.Name, Status: words(st),
		Impact: impactWords(in.Impact), Started: v.stamp(in.Started())}
	if !in.ResolvedAt.IsZero() {
		out.Resolved = v.stamp(in.ResolvedAt)
	}
	if !full {
		return out
	}
	out.Body = in.Body
	for _, u := range in.Updates {
		if u.Private {
			continue
		}
		st := string(u.Status)
		if u.CustomStatus != "" {
			st = u.CustomStatus
		}
		out.Updates = append(out.Updates, htmlpage.Update{Status: words(st), Body: u.Body, At: v.stamp(u.Display()), Time: machineTime(u.Display())})
	}
	return out
}

// words turns a status name into words: "under_maintenance" → "Under maintenance".
func words(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (v *pageView) stamp(t time.Time) string { return t.In(v.loc).Format(timeLayout) }

// machineTime is t for a <time datetime> attribute, from which the page's
// script writes relative times.
func machineTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// history groups the page's public incidents by the month they started,
// and its completed maintenance windows by the month they began; newest
// month first.
func (v *pageView) history(ctx context.Context) (htmlpage.History, error) {
	list, err := v.a.store.Incidents(ctx, v.page.ID, false, pageHistory)
	if err != nil {
		return htmlpage.History{}, fmt.Errorf("list incidents: %w", err)
	}
	windows, maintChanged, err := v.historyMaintenances(ctx)
	if err != nil {
		return htmlpage.History{}, err
	}
	h := htmlpage.History{Header: v.header(lastChange(incidentsChanged(list), maintChanged))}
	months := map[string]*htmlpage.Month{}
	month := func(t time.Time) *htmlpage.Month {
		t = t.In(v.loc)
		id := t.Format("2006-01")
		if m, ok := months[id]; ok {
			return m
		}
		m := &htmlpage.Month{ID: id, Name: t.Format("January 2006")}
		months[id] = m
		return m
	}
	for _, in := range list {
		if public(in) {
			m := month(in.Started())
			m.Incidents = append(m.Incidents, v.incidentCard(in, false))
		}
	}
	for _, w := range windows {
		began := w.StartedAt
		if began.IsZero() {
			began = w.StartsAt
		}
		m := month(began)
		m.Maintenances = append(m.Maintenances, v.maintenanceCard(w, nil, false))
	}
	for _, m := range months {
		h.Months = append(h.Months, *m)
	}
	// "2026-11" sorts as text; the newest month first.
	slices.SortFunc(h.Months, func(a, b htmlpage.Month) int { return strings.Compare(b.ID, a.ID) })
	return h, nil
}

// incident finds one public incident of the page: read by its ID where the
// API has the incident store, so that an incident of any age is found;
// else among the page's newest.
func (v *pageView) incident(ctx context.Context, id int64) (htmlpage.IncidentPage, bool, error) {
	if v.a.incidents != nil {
		in, err := v.a.incidents.Incident(ctx, id)
		var nf *catalog.NotFoundError
		switch {
		case errors.As(err, &nf):
			return htmlpage.IncidentPage{}, false, nil
		case err != nil:
			return htmlpage.IncidentPage{}, false, fmt.Errorf("read incident %d: %w", id, err)
		case in.PageID != v.page.ID || !public(in):
			return htmlpage.IncidentPage{}, false, nil
		}
		return htmlpage.IncidentPage{Header: v.header(lastChange(in.UpdatedAt, in.ResolvedAt)), Incident: v.incidentCard(in, true)}, true, nil
	}
	list, err := v.a.store.Incidents(ctx, v.page.ID, false, pageHistory)
	if err != nil {
		return htmlpage.IncidentPage{}, false, fmt.Errorf("list incidents: %w", err)
	}
	for _, in := range list {
		if in.ID == id && public(in) {
			return htmlpage.IncidentPage{Header: v.header(lastChange(in.UpdatedAt, in.ResolvedAt)), Incident: v.incidentCard(in, true)}, true, nil
		}
	}
	return htmlpage.IncidentPage{}, false, nil
}
