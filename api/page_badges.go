package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/api/rollup"
	"github.com/statusd/statusd/uptime"
	"github.com/statusd/statusd/web/badge"
	"github.com/statusd/statusd/web/htmlpage"
)

// badgeFact is what a badge can show of a page or one component: its
// name, shown status and uptime over each of badge.Windows (nil: no data).
type badgeFact struct {
	name   string
	status htmlpage.Status
	uptime []*int64
}

// badgeFacts are a page's, computed once per snapshot; the badges
// themselves are drawn per request (their label is free text).
type badgeFacts struct {
	page  badgeFact
	comps map[string]badgeFact
}

// badgeWords are the badge message and colour of a status class.
func badgeWords(class string) (string, string) {
	switch class {
	case "ok":
		return "operational", badge.ColourBrightGreen
	case "degraded":
		return "degraded", badge.ColourYellow
	case "partial":
		return "partial outage", badge.ColourOrange
	case "major":
		return "major outage", badge.ColourRed
	case "maintenance":
		return "maintenance", badge.ColourBlue
	default:
		return "no data", badge.ColourGrey
	}
}

// serveBadge answers /badge.svg (the page) and /components/{id}/badge.svg.
func (a *API) serveBadge(c *gin.Context) {
	snap, p, ok := a.publicPage(c)
	if !ok {
		return
	}
	q, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		plainError(c, http.StatusBadRequest, "Bad badge request: the query string is malformed.")
		return
	}
	params, err := badge.ParseParams(q)
	if err != nil {
		plainError(c, http.StatusBadRequest, "Bad badge request: "+err.Error()+".")
		return
	}
	v, err := snap.Memo(c.Request.Context(), "badge\x00"+p.ID, func(ctx context.Context, snap *readmodel.Snapshot) (any, error) {
		return a.buildBadgeFacts(ctx, snap, p.ID)
	})
	if err != nil {
		a.publicUnavailable(c, err)
		return
	}
	facts, ok := v.(*badgeFacts)
	if !ok {
		plainError(c, http.StatusNotFound, "There is no status page here.")
		return
	}
	fact, label := facts.page, params.DefaultLabel()
	if id, isComp := c.Params.Get("id"); isComp {
		if fact, ok = facts.comps[id]; !ok {
			plainError(c, http.StatusNotFound, fmt.Sprintf("There is no component %q on this page.", id))
			return
		}
		label = fact.name + " " + label
		if params.Kind == badge.KindStatus {
			label = fact.name
		}
	}
	b := badge.Badge{Label: label, Style: params.Style}
	if params.Label != "" {
		b.Label = params.Label
	}
	b.Message, b.Colour = fact.message(params)
	d, err := htmlpage.NewDocWith(http.StatusOK, b.SVG(), htmlpage.DocOptions{ContentType: badge.ContentType,
		CacheControl: badgeCacheControl, Plain: true})
	if err != nil {
		a.publicUnavailable(c, err)
		return
	}
	servePublicDoc(c, p, d, map[string]string{"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})
}

// message is the badge's message and colour for the parameters.
func (f badgeFact) message(p badge.Params) (string, string) {
	if p.Kind == badge.KindStatus {
		return badgeWords(f.status.Class)
	}
	i := slices.Index(badge.Windows, p.Window)
	if i < 0 || f.uptime[i] == nil {
		return "no data", badge.ColourGrey
	}
	return percentWords(*f.uptime[i]), badge.UptimeColour(*f.uptime[i])
}

// buildBadgeFacts computes the page's badge facts from the snapshot; nil
// when the page is gone or hidden in it.
func (a *API) buildBadgeFacts(ctx context.Context, snap *readmodel.Snapshot, pageID string) (any, error) {
	p, ok := snap.Page(pageID)
	if !ok || p.Disabled { // who may see a private page is pageAccess's decision, made before
		return nil, nil
	}
	v := a.newPageView(snap, p)
	comps := snap.Components(p.ID)
	shown := rollup.Components(comps, snap.ComponentStatesOf(ids(comps)), snap.Shown(), a.origin)
	leaves := map[string][]string{}
	var all []string
	for _, c := range shown {
		leaves[c.ID] = leafIDs(snap, c.Component, 0)
		all = append(all, leaves[c.ID]...)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	sum, err := v.windowUptimes(ctx, all)
	if err != nil {
		return nil, err
	}
	worst, noData := rollup.Worst(shown)
	out := &badgeFacts{page: badgeFact{name: p.Name, status: statusWords(worst, noData || len(shown) == 0), uptime: sum(all)},
		comps: make(map[string]badgeFact, len(shown))}
	for _, c := range shown {
		out.comps[c.ID] = badgeFact{name: c.Name, status: statusWords(c.Status, c.NoData), uptime: sum(leaves[c.ID])}
	}
	return out, nil
}

// windowUptimes reads the day buckets of the leaves over the longest of
// badge.Windows and returns what sums leaves over each window: the days
// of the page's time zone up to today, today included, combined as the
// page's bars are; a rolling window ("24h") from the leaves' cursors'
// recent history instead, time weighted alike. Without a BucketReader
// every uptime is nil (no data).
func (v *pageView) windowUptimes(ctx context.Context, all []string) (func(leaves []string) []*int64, error) {
	none := func([]string) []*int64 { return make([]*int64, len(badge.Windows)) }
	br, ok := v.a.store.(BucketReader)
	if !ok || len(all) == 0 {
		return none, nil
	}
	today := uptime.DayOf(v.now, v.loc)
	from := today.AddDays(-(badge.Windows[len(badge.Windows)-1].Days - 1))
	byComp, cursors, err := v.daysOf(ctx, br, all, from, today)
	if err != nil {
		return nil, err
	}
	return func(leaves []string) []*int64 {
		out := make([]*int64, len(badge.Windows))
		for i, w := range badge.Windows {
			if w.Rolling > 0 {
				out[i] = rollingUptime(leaves, cursors, v.now, w.Rolling, v.a.weights)
				continue
			}
			var ss []uptime.Summary
			for _, id := range leaves {
				ss = append(ss, uptime.Sum(byComp[id], cursors[id], today.AddDays(-(w.Days-1)), today, v.now, v.loc, v.a.weights))
			}
			out[i] = uptime.Compute(uptime.Combine(ss)).UptimeMilli
		}
		return out
	}, nil
}

// rollingUptime is the uptime of leaves over the last d before now, in
// thousandths of a percent, floored as every uptime figure is; nil when
// none had time that counts (no data, all maintenance, not tracked).
func rollingUptime(leaves []string, cursors map[string]uptime.Cursor, now time.Time, d time.Duration, w uptime.Weights) *int64 {
	var impact, available int64
	for _, id := range leaves {
		i, a := cursors[id].Window(now, d, w)
		impact, available = impact+i, available+a
	}
	if available <= 0 {
		return nil
	}
	up := (available - min(impact, available)) * 100_000 / available
	return &up
}
