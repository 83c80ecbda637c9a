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
	"github.com/statusd/statusd/maintenance"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/uptime"
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
	if h.Maintenances, maintChanged, err = v.maintenances(ctx, shown); err != nil {
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
	var build func(c rollup.Component, depth int) htmlpage.Component
	build = func(c rollup.Component, depth int) htmlpage.Component {
		out := htmlpage.Component{Name: c.Name, Description: c.Description, Status: statusWords(c.Status, c.NoData)}
		if c.Status == status.PartialOutage && !c.NoData {
			out.FailingRegions = c.FailingRegions
		}
		if b, ok := bars[c.ID]; ok && !c.HideUptime {
			out.Bars, out.BarsLabel, out.Uptime, out.Days = b.days, b.summary, b.uptime, pageBarDays
		}
		for _, id := range c.Children {
			if ch, ok := byID[id]; ok && depth < 8 {
				out.Children = append(out.Children, build(ch, depth+1))
			}
		}
		return out
	}
	var out []htmlpage.Component
	for _, c := range shown {
		if _, grouped := byID[c.GroupID]; !grouped {
			out = append(out, build(c, 0))
		}
	}
	return out
}

// bars are one component's days and its uptime over them.
type bars struct {
	days    []htmlpage.Bar
	uptime  string
	summary string
}

// bars sums the day buckets of the page's leaves over the last
// pageBarDays days of the page's time zone; a group's are its leaves'.
// Days before a component's start date show no data and count for
// nothing; a day's tooltip names the public incidents that concerned it.
func (v *pageView) bars(ctx context.Context, shown []rollup.Component, incidents []incident.Incident) (map[string]bars, error) {
	br, ok := v.a.store.(BucketReader)
	if !ok {
		return nil, nil
	}
	today := uptime.DayOf(v.now, v.loc)
	from := today.AddDays(-(pageBarDays - 1))
	leaves := map[string][]string{}
	var all []string
	for _, c := range shown {
		leaves[c.ID] = leafIDs(v.snap, c.Component, 0)
		all = append(all, leaves[c.ID]...)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	// A day of margin each side, as the metrics endpoint reads.
	bs, err := br.DayBuckets(ctx, all, from.AddDays(-1), today.AddDays(1))
	if err != nil {
		return nil, fmt.Errorf("read day buckets: %w", err)
	}
	byComp := map[string][]uptime.Bucket{}
	for _, b := range bs {
		byComp[b.ComponentID] = append(byComp[b.ComponentID], b)
	}
	cursors := map[string]uptime.Cursor{}
	for _, s := range v.snap.ComponentStatesOf(all) {
		cursors[s.ComponentID] = s.Uptime
	}
	out := make(map[string]bars, len(shown))
	for _, c := range shown {
		var b bars
		var whole []uptime.Summary
		first := from
		if !c.StartDate.IsZero() {
			y, m, d := c.StartDate.UTC().Date()
			first = max(from, uptime.DateDay(y, m, d))
		}
		for d := from; d <= today; d = d.Next() {
			if d < first {
				b.days = append(b.days, v.bar(d, uptime.Summary{}, nil))
				continue
			}
			var day []uptime.Summary
			for _, id := range leaves[c.ID] {
				day = append(day, uptime.Sum(byComp[id], cursors[id], d, d, v.now, v.loc, v.a.weights))
			}
			b.days = append(b.days, v.bar(d, uptime.Combine(day), dayIncidents(incidents, c.ID, leaves[c.ID], d, v.loc)))
		}
		if first <= today {
			for _, id := range leaves[c.ID] {
				whole = append(whole, uptime.Sum(byComp[id], cursors[id], first, today, v.now, v.loc, v.a.weights))
			}
		}
		if f := uptime.Compute(uptime.Combine(whole)); f.UptimeMilli != nil {
			b.uptime = percentWords(*f.UptimeMilli)
		}
		b.summary = barsSummary(b.days, b.uptime)
		out[c.ID] = b
	}
	return out, nil
}

// leafIDs lists the components that are not groups under c (c itself
// when it is not a group).
func leafIDs(snap *readmodel.Snapshot, c catalog.Component, depth int) []string {
	if !c.IsGroup {
		return []string{c.ID}
	}
	var out []string
	for _, m := range snap.Members(c.ID) {
		if depth < 8 { // a cycle of groups ends here
			out = append(out, leafIDs(snap, m, depth+1)...)
		}
	}
	return out
}

// dayIncidents names the public incidents that concerned component id
// (or one of its leaves) on day d of loc: begun by the day's end and not
// resolved before its start.
func dayIncidents(list []incident.Incident, id string, leaves []string, d uptime.Day, loc *time.Location) []string {
	start, end := d.Start(loc), d.Next().Start(loc)
	var out []string
	for _, in := range list {
		if !public(in) || !in.Started().Before(end) || (!in.ResolvedAt.IsZero() && in.ResolvedAt.Before(start)) {
			continue
		}
		for _, c := range in.ComponentIDs {
			if c == id || slices.Contains(leaves, c) {
				out = append(out, in.Name)
				break
			}
		}
	}
	return out
}

// bar is one day: coloured by its weighted downtime (impact) against the
// time that counts; no data before tracking or without observed time. Its
// label, the tooltip, says the uptime, outages and incidents of the day.
//
// A page has 90 bars per component, so the label is short: the date
// without its year (the bars are the last 90 days, in order), the uptime,
// and only what happened: outages and incidents.
func (v *pageView) bar(d uptime.Day, s uptime.Summary, incidents []string) htmlpage.Bar {
	date := barDate(d)
	f := uptime.Compute(s)
	if f.UptimeMilli == nil {
		if s.Maintenance > 0 {
			return htmlpage.Bar{Class: "maintenance", Label: date + ": maintenance"}
		}
		return htmlpage.Bar{Class: "nodata", Label: date + ": no data"}
	}
	up := *f.UptimeMilli
	class := "ok"
	switch {
	case s.Impact == 0:
	case up >= 99_000:
		class = "degraded"
	case up >= 95_000:
		class = "partial"
	default:
		class = "major"
	}
	label := date + ": " + percentWords(up)
	if s.Outages == 1 {
		label += ", 1 outage"
	} else if s.Outages > 1 {
		label += ", " + strconv.Itoa(s.Outages) + " outages"
	}
	switch len(incidents) {
	case 0:
	case 1:
		label += "; incident: " + incidents[0]
	default:
		label += "; incidents: " + strings.Join(incidents, "; ")
	}
	return htmlpage.Bar{Class: class, Label: label}
}

// barDate is a bar's day in words: "Nov 2".
func barDate(d uptime.Day) string {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Format("Jan 2")
}

// barsSummary says in words what the colours of a component's bars say,
// for screen readers: the uptime, the days that were not fully up, the
// days of maintenance and how many had no data.
func barsSummary(days []htmlpage.Bar, uptimeWords string) string {
	var bad, maint []string
	noData := 0
	for _, b := range days {
		date, _, _ := strings.Cut(b.Label, ":")
		switch b.Class {
		case "degraded", "partial", "major":
			bad = append(bad, date)
		case "maintenance":
			maint = append(maint, date)
		case "nodata":
			noData++
		}
	}
	out := "Uptime per day, last " + strconv.Itoa(len(days)) + " days"
	if uptimeWords != "" {
		out += ": " + uptimeWords
	}
	if len(bad) == 0 && noData < len(days) {
		out += "; every day fully up"
	} else if len(bad) > 0 {
		out += "; not fully up on " + strings.Join(bad, ", ")
	}
	if len(maint) > 0 {
		out += "; maintenance on " + strings.Join(maint, ", ")
	}
	if noData > 0 {
		out += "; no data for " + strconv.Itoa(noData) + " days"
	}
	return out
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

// maintenances lists the page's public upcoming and in-progress windows,
// and when they last changed.
func (v *pageView) maintenances(ctx context.Context, shown []rollup.Component) ([]htmlpage.Maintenance, time.Time, error) {
	if v.a.maint == nil {
		return nil, time.Time{}, nil
	}
	list, _, err := v.a.maint.Maintenances(ctx, maintenance.Filter{PageID: v.page.ID, Statuses: v2SummaryStatuses,
		Public: true, Limit: maintenancesLimit})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("list maintenances: %w", err)
	}
	var changed time.Time
	names := map[string]string{}
	for _, c := range shown {
		names[c.ID] = c.Name
	}
	var out []htmlpage.Maintenance
	for _, w := range list {
		if w.Private {
			continue
		}
		changed = lastChange(changed, w.UpdatedAt)
		m := htmlpage.Maintenance{Title: w.Title, Status: words(string(w.Status)),
			Window: v.stamp(w.StartsAt) + " – " + v.stamp(w.EndsAt)}
		for _, id := range w.ComponentIDs {
			if n, ok := names[id]; ok {
				m.Components = append(m.Components, n)
			}
		}
		for _, u := range w.Updates {
			if !u.Private {
				m.Updates = append(m.Updates, htmlpage.Update{Status: words(string(u.Status)), Body: u.Body, At: v.stamp(u.CreatedAt),
					Time: machineTime(u.CreatedAt)})
			}
		}
		out = append(out, m)
	}
	return out, changed, nil
}

// history groups the page's public incidents by the month they started.
func (v *pageView) history(ctx context.Context) (htmlpage.History, error) {
	list, err := v.a.store.Incidents(ctx, v.page.ID, false, pageHistory)
	if err != nil {
		return htmlpage.History{}, fmt.Errorf("list incidents: %w", err)
	}
	h := htmlpage.History{Header: v.header(incidentsChanged(list))}
	for _, in := range list {
		if !public(in) {
			continue
		}
		t := in.Started().In(v.loc)
		id := t.Format("2006-01")
		if n := len(h.Months); n == 0 || h.Months[n-1].ID != id {
			h.Months = append(h.Months, htmlpage.Month{ID: id, Name: t.Format("January 2006")})
		}
		m := &h.Months[len(h.Months)-1]
		m.Incidents = append(m.Incidents, v.incidentCard(in, false))
	}
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
