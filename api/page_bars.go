package api

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/api/rollup"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/uptime"
	"github.com/statusd/statusd/web/htmlpage"
)

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
	byComp, cursors, err := v.daysOf(ctx, br, all, from, today)
	if err != nil {
		return nil, err
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

// daysOf reads the day buckets of ids over from..to, with a day of margin
// each side as the metrics endpoint reads, by component, and their
// cursors from the snapshot.
func (v *pageView) daysOf(ctx context.Context, br BucketReader, ids []string, from, to uptime.Day) (map[string][]uptime.Bucket, map[string]uptime.Cursor, error) {
	bs, err := br.DayBuckets(ctx, ids, from.AddDays(-1), to.AddDays(1))
	if err != nil {
		return nil, nil, fmt.Errorf("read day buckets: %w", err)
	}
	byComp := map[string][]uptime.Bucket{}
	for _, b := range bs {
		byComp[b.ComponentID] = append(byComp[b.ComponentID], b)
	}
	cursors := map[string]uptime.Cursor{}
	for _, s := range v.snap.ComponentStatesOf(ids) {
		cursors[s.ComponentID] = s.Uptime
	}
	return byComp, cursors, nil
}
