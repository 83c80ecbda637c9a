package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/uptime"
)

// BucketReader reads day buckets; the API serves metrics when its Store
// is one.
type BucketReader interface {
	// DayBuckets lists the buckets of the components for the days from..to.
	DayBuckets(ctx context.Context, ids []string, from, to uptime.Day) ([]uptime.Bucket, error)
}

// Timeframes of the metrics endpoint.
const (
	defaultTimeframeDays = 30
	maxTimeframeMonths   = 12
	summaryDays          = 30
)

// metricsQuery is a parsed metrics request.
type metricsQuery struct {
	from, to uptime.Day
	calc     bool
}

// parseMetricsQuery reads timeframe_start, timeframe_end (the last 30
// days up to today by default) and include_calculation; fields names each
// invalid one.
func parseMetricsQuery(q url.Values, today uptime.Day) (metricsQuery, map[string]string) {
	fields := map[string]string{}
	m := metricsQuery{to: today}
	if s := q.Get("timeframe_end"); s != "" {
		d, err := uptime.ParseDay(s)
		switch {
		case err != nil:
			fields["timeframe_end"] = err.Error()
		case d > today:
			fields["timeframe_end"] = fmt.Sprintf("must not be after today (%s)", today)
		default:
			m.to = d
		}
	}
	m.from = m.to.AddDays(-(defaultTimeframeDays - 1))
	y, mo, d := today.Date()
	earliest := uptime.DateDay(y, mo-maxTimeframeMonths, d)
	if s := q.Get("timeframe_start"); s != "" {
		d, err := uptime.ParseDay(s)
		switch {
		case err != nil:
			fields["timeframe_start"] = err.Error()
		case d < earliest:
			fields["timeframe_start"] = fmt.Sprintf("must be at most %d months ago (%s or later)", maxTimeframeMonths, earliest)
		case d > m.to && fields["timeframe_end"] == "":
			fields["timeframe_start"] = fmt.Sprintf("must not be after timeframe_end (%s)", m.to)
		default:
			m.from = d
		}
	} else if m.from < earliest {
		m.from = earliest
	}
	switch q.Get("include_calculation") {
	case "", "false", "0":
	case "true", "1":
		m.calc = true
	default:
		fields["include_calculation"] = "must be true or false"
	}
	return m, fields
}

// scope is what a metrics figure is computed over: a component and the
// leaves it combines (itself, or a group's members with checks).
type scope struct {
	comp   catalog.Component
	leaves []string
	loc    *time.Location
}

// scopes finds each of ids with its leaves and its page's time zone.
func (a *API) scopes(comps []catalog.Component, pages []catalog.Page, ids []string) map[string]scope {
	zone := map[string]string{}
	for _, p := range pages {
		zone[p.ID] = p.TimeZone
	}
	children := map[string][]catalog.Component{}
	byID := map[string]catalog.Component{}
	for _, c := range comps {
		children[c.GroupID] = append(children[c.GroupID], c)
		byID[c.ID] = c
	}
	out := make(map[string]scope, len(ids))
	for _, id := range ids {
		c, ok := byID[id]
		if !ok {
			continue
		}
		sc := scope{comp: c, loc: a.location(zone[c.PageID])}
		var walk func(c catalog.Component, depth int)
		walk = func(c catalog.Component, depth int) {
			if !c.IsGroup {
				sc.leaves = append(sc.leaves, c.ID)
				return
			}
			for _, ch := range children[c.ID] {
				if depth < 16 { // groups nest; a cycle in bad data must not loop
					walk(ch, depth+1)
				}
			}
		}
		walk(c, 0)
		out[id] = sc
	}
	return out
}

// ScopeReader reads what one component's metrics are computed over; the
// metrics and timeseries endpoints read only that when the Store is one,
// instead of listing every component and page.
type ScopeReader interface {
	// ComponentScope returns the component, its primary page's time zone
	// and its leaves (itself, or a group's members with checks); a
	// *catalog.NotFoundError when there is no such component.
	ComponentScope(ctx context.Context, id string) (c catalog.Component, timeZone string, leaves []string, err error)
}

// snapScope finds one component of a snapshot with its leaves and its
// page's time zone; false when the snapshot has no such component.
func (a *API) snapScope(snap *readmodel.Snapshot, id string) (scope, bool) {
	c, ok := snap.Component(id)
	if !ok {
		return scope{}, false
	}
	p, _ := snap.Page(c.PageID)
	sc := scope{comp: c, loc: a.location(p.TimeZone)}
	var walk func(c catalog.Component, depth int)
	walk = func(c catalog.Component, depth int) {
		if !c.IsGroup {
			sc.leaves = append(sc.leaves, c.ID)
			return
		}
		for _, m := range snap.Members(c.ID) {
			if depth < 16 { // groups nest; a cycle in bad data must not loop
				walk(m, depth+1)
			}
		}
	}
	walk(c, 0)
	return sc, true
}

// scopeOf finds one component with its leaves and its page's time zone;
// false when there is no such component.
func (a *API) scopeOf(ctx context.Context, id string) (scope, bool, error) {
	if sr, ok := a.store.(ScopeReader); ok {
		c, tz, leaves, err := sr.ComponentScope(ctx, id)
		var nf *catalog.NotFoundError
		if errors.As(err, &nf) {
			return scope{}, false, nil
		}
		if err != nil {
			return scope{}, false, fmt.Errorf("read component scope: %w", err)
		}
		return scope{comp: c, leaves: leaves, loc: a.location(tz)}, true, nil
	}
	comps, err := a.store.Components(ctx, "")
	if err != nil {
		return scope{}, false, fmt.Errorf("list components: %w", err)
	}
	pages, err := a.store.Pages(ctx)
	if err != nil {
		return scope{}, false, fmt.Errorf("list pages: %w", err)
	}
	sc, ok := a.scopes(comps, pages, []string{id})[id]
	return sc, ok, nil
}

// buckets returns the store's bucket reader, or answers 404 and false when
// the store keeps no buckets.
func (a *API) buckets(c *gin.Context) (BucketReader, bool) {
	br, ok := a.store.(BucketReader)
	if !ok {
		abortError(c, http.StatusNotFound, codeNotFound, "this store keeps no metrics")
	}
	return br, ok
}

func (a *API) v1ComponentMetrics(c *gin.Context) {
	br, ok := a.buckets(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	id := c.Param("id")
	now := a.clock()
	// Asking whether the snapshot at hand is current is a round trip: the
	// buckets are read meanwhile for the component as that snapshot has
	// it, and read again only if the answer is another snapshot.
	early := a.model.Current()
	a.followSnapshot(early)
	var pre chan fetched
	if early != nil {
		if sc, ok := a.snapScope(early, id); ok {
			if q, fields := parseMetricsQuery(c.Request.URL.Query(), uptime.DayOf(now, sc.loc)); len(fields) == 0 {
				pre = make(chan fetched, 1)
				go func() { pre <- a.fetch(ctx, br, early, []scope{sc}, q.from, q.to, now) }()
			}
		}
	}
	snap, err := a.model.Snapshot(ctx)
	if err != nil {
		a.storeFailed(c, err)
		return
	}
	a.followSnapshot(snap)
	sc, ok := a.snapScope(snap, id)
	if !ok {
		abortError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("component %q not found", catalog.Truncate(id)))
		return
	}
	if !maySee(c, sc.comp) {
		return
	}
	q, fields := parseMetricsQuery(c.Request.URL.Query(), uptime.DayOf(now, sc.loc))
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	var f fetched
	if pre != nil && snap == early {
		f = <-pre // read after the snapshot's states: see fetch
	} else {
		f = a.fetch(ctx, br, snap, []scope{sc}, q.from, q.to, now)
	}
	if f.err != nil {
		a.storeFailed(c, f.err)
		return
	}
	fs := a.sumUp([]scope{sc}, f, snap.ComponentStatesOf(f.ids), q.from, q.to, now)
	body := newMetricsBody(sc, q, fs[0], a.weights, now)
	if q.calc {
		notices, err := a.notices(ctx, sc, fs[0].sum)
		if err != nil {
			a.storeFailed(c, err)
			return
		}
		body.Data.Notices = notices
	}
	c.JSON(http.StatusOK, body)
}

// notices lists the incidents of the scope's components that overlap the
// timeframe, newest first.
func (a *API) notices(ctx context.Context, sc scope, s uptime.Summary) (metricsNotices, error) {
	incs, err := a.store.Incidents(ctx, sc.comp.PageID, false, maxNotices)
	if err != nil {
		return metricsNotices{}, fmt.Errorf("list incidents: %w", err)
	}
	out := metricsNotices{Items: []metricsNotice{}}
	for _, in := range incs {
		touches := slices.ContainsFunc(in.ComponentIDs, func(id string) bool {
			return id == sc.comp.ID || slices.Contains(sc.leaves, id)
		})
		if !touches || !in.CreatedAt.Before(s.End) || (!in.ResolvedAt.IsZero() && in.ResolvedAt.Before(s.Start)) {
			continue
		}
		n := metricsNotice{ID: in.ID, Name: in.Name, Status: string(in.Status), Automatic: in.Automatic,
			BeganAt: in.CreatedAt.UTC().Format(v1TimeLayout), EndedAt: v1TimePtr(in.ResolvedAt)}
		out.Items = append(out.Items, n)
	}
	out.Count = len(out.Items)
	return out, nil
}

// maxNotices caps the incidents listed with a calculation.
const maxNotices = 1000

// summaries adds the 30-day metrics summary to each listed component,
// with the components, pages and states of snap and the store's day
// buckets.
func (a *API) summaries(ctx context.Context, snap *readmodel.Snapshot, data []v1Component) error {
	br, ok := a.store.(BucketReader)
	if !ok || len(data) == 0 {
		return nil
	}
	a.followSnapshot(snap)
	now := a.clock()
	// One read per time zone: the days differ between zones.
	byZone := map[*time.Location][]scope{}
	for _, d := range data {
		if sc, ok := a.snapScope(snap, d.ID); ok {
			byZone[sc.loc] = append(byZone[sc.loc], sc)
		}
	}
	out := map[string]*metricsSummary{}
	for loc, scs := range byZone {
		today := uptime.DayOf(now, loc)
		from := today.AddDays(-(summaryDays - 1))
		f := a.fetch(ctx, br, snap, scs, from, today, now)
		if f.err != nil {
			return f.err
		}
		fs := a.sumUp(scs, f, snap.ComponentStatesOf(f.ids), from, today, now)
		for i, sc := range scs {
			out[sc.comp.ID] = newMetricsSummary(sc, metricsQuery{from: from, to: today}, fs[i], now)
		}
	}
	for i := range data {
		data[i].MetricsSummary = out[data[i].ID]
	}
	return nil
}
