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
	"github.com/statusd/statusd/health"
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

// figures is what one scope holds over a timeframe and over its SLO
// window.
type figures struct {
	sum    uptime.Summary
	window *uptime.Summary
	recent [2][2]int64 // impact, available over 1 h and 6 h
	since  time.Time   // when the first leaf was first tracked; zero if none
}

// measure reads the buckets and cursors of the scopes and sums each over
// the days from..to (and its SLO window, ending today).
func (a *API) measure(ctx context.Context, br BucketReader, statesOf statesReader, scs []scope, from, to uptime.Day,
	now time.Time) ([]figures, error) {
	var ids []string
	lo, hi := from, to
	for _, sc := range scs {
		ids = append(ids, sc.leaves...)
		if slo := sc.comp.SLO; slo.Set() {
			today := uptime.DayOf(now, sc.loc)
			lo, hi = min(lo, today.AddDays(-(slo.WindowDays-1))), max(hi, today)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	// The states are read beside the frozen months and buckets: one round
	// trip less to wait for.
	var (
		states    []health.ComponentState
		statesErr error
		done      = make(chan struct{})
	)
	go func() {
		defer close(done)
		states, statesErr = statesOf(ctx, ids)
	}()
	frozen, err := a.frozenMonths(ctx, ids, from, to)
	var bs []uptime.Bucket
	if err == nil {
		// A day of margin each side: the pages' days are not UTC's.
		bs, err = readSpans(ctx, br, ids, bucketSpans(scs, ids, frozen, lo.AddDays(-1), hi.AddDays(1), from, to, now))
	}
	<-done
	if statesErr != nil {
		return nil, fmt.Errorf("read component states: %w", statesErr)
	}
	if err != nil {
		return nil, err
	}
	cursors := map[string]uptime.Cursor{}
	for _, s := range states {
		cursors[s.ComponentID] = s.Uptime
	}
	byComp := map[string][]uptime.Bucket{}
	for _, b := range bs {
		byComp[b.ComponentID] = append(byComp[b.ComponentID], b)
	}
	out := make([]figures, len(scs))
	for i, sc := range scs {
		var sums, windows []uptime.Summary
		f := &out[i]
		for _, id := range sc.leaves {
			cur := cursors[id]
			sums = append(sums, uptime.SumFrozen(byComp[id], frozen[id], cur, from, to, now, sc.loc, a.weights))
			if slo := sc.comp.SLO; slo.Set() {
				today := uptime.DayOf(now, sc.loc)
				windows = append(windows, uptime.Sum(byComp[id], cur, today.AddDays(-(slo.WindowDays-1)), today, now, sc.loc, a.weights))
				for k, d := range []time.Duration{time.Hour, 6 * time.Hour} {
					impact, available := cur.Window(now, d, a.weights)
					f.recent[k][0] += impact
					f.recent[k][1] += available
				}
			}
			if cur.Tracking() && (f.since.IsZero() || cur.Start.Before(f.since)) {
				f.since = cur.Start
			}
		}
		f.sum = uptime.Combine(sums)
		if len(sums) == 0 { // a group without members: the timeframe, all without data
			s := uptime.Sum(nil, uptime.Cursor{}, from, to, now, sc.loc, a.weights)
			f.sum = s
		}
		if windows != nil {
			w := uptime.Combine(windows)
			f.window = &w
		}
	}
	return out, nil
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
	sc, ok, err := a.scopeOf(ctx, id)
	if err != nil {
		a.storeFailed(c, err)
		return
	}
	if !ok {
		abortError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("component %q not found", catalog.Truncate(id)))
		return
	}
	if !maySee(c, sc.comp) {
		return
	}
	now := a.clock()
	q, fields := parseMetricsQuery(c.Request.URL.Query(), uptime.DayOf(now, sc.loc))
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	fs, err := a.measure(ctx, br, a.store.ComponentStatesOf, []scope{sc}, q.from, q.to, now)
	if err != nil {
		a.storeFailed(c, err)
		return
	}
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
	comps, pages := snap.Components(""), snap.Pages()
	ids := make([]string, len(data))
	for i, d := range data {
		ids[i] = d.ID
	}
	byID := a.scopes(comps, pages, ids)
	now := a.clock()
	// One read per time zone: the days differ between zones.
	byZone := map[*time.Location][]scope{}
	for _, id := range ids {
		if sc, ok := byID[id]; ok {
			byZone[sc.loc] = append(byZone[sc.loc], sc)
		}
	}
	out := map[string]*metricsSummary{}
	for loc, scs := range byZone {
		today := uptime.DayOf(now, loc)
		from := today.AddDays(-(summaryDays - 1))
		fs, err := a.measure(ctx, br, snapshotStates(snap), scs, from, today, now)
		if err != nil {
			return err
		}
		for i, sc := range scs {
			out[sc.comp.ID] = newMetricsSummary(sc, metricsQuery{from: from, to: today}, fs[i], now)
		}
	}
	for i := range data {
		data[i].MetricsSummary = out[data[i].ID]
	}
	return nil
}
