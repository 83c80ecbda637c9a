package api

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/maintenance"
	"github.com/statusd/statusd/web/feed"
	"github.com/statusd/statusd/web/htmlpage"
)

// feedItems is how many incidents and maintenance windows, together, a
// feed lists, newest first.
const feedItems = 50

// tagPrefix starts every feed and item ID: tag: URIs (RFC 4151) that do not
// depend on the host a feed is read from, so readers never see an item twice.
const tagPrefix = "tag:statusd,2026:"

// feedKind is RSS or Atom.
type feedKind string

const (
	feedRSS  feedKind = "rss"
	feedAtom feedKind = "atom"
)

// serveFeed answers /history.rss or /history.atom of the Host's page,
// rendered once per snapshot and base URL.
func (a *API) serveFeed(kind feedKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		snap, p, ok := a.publicPage(c)
		if !ok {
			return
		}
		base, ok := requestBase(c, p)
		if !ok {
			return
		}
		key := "feed\x00" + string(kind) + "\x00" + p.ID + "\x00" + base
		v, err := snap.Memo(c.Request.Context(), key, func(ctx context.Context, snap *readmodel.Snapshot) (any, error) {
			return a.buildFeed(ctx, snap, kind, p.ID, base)
		})
		if err != nil {
			a.publicUnavailable(c, err)
			return
		}
		d, ok := v.(*htmlpage.Doc)
		if !ok { // the page went between the lookup and the memo
			plainError(c, http.StatusNotFound, "There is no status page here.")
			return
		}
		servePublicDoc(c, p, d, map[string]string{"Access-Control-Allow-Origin": "*"})
	}
}

// buildFeed renders one feed of the snapshot; nil (no doc) when the page
// is gone or hidden in it.
func (a *API) buildFeed(ctx context.Context, snap *readmodel.Snapshot, kind feedKind, pageID, base string) (any, error) {
	p, ok := snap.Page(pageID)
	if !ok || p.Disabled { // who may see a private page is pageAccess's decision, made before
		return nil, nil
	}
	f, err := a.newPageView(snap, p).feed(ctx, base)
	if err != nil {
		return nil, err
	}
	write, ct := feed.Atom, feed.ContentTypeAtom
	if kind == feedRSS {
		write, ct = feed.RSS, feed.ContentTypeRSS
	}
	body, err := write(f)
	if err != nil {
		return nil, fmt.Errorf("build %s feed of %q: %w", kind, pageID, err)
	}
	return htmlpage.NewDocWith(http.StatusOK, body, htmlpage.DocOptions{ContentType: ct, CacheControl: feedCacheControl})
}

// feed lists the page's public incidents and maintenance windows (but
// cancelled ones), newest change first, with links under base.
func (v *pageView) feed(ctx context.Context, base string) (feed.Feed, error) {
	name := v.page.Name
	if name == "" {
		name = "Status"
	}
	f := feed.Feed{ID: tagPrefix + v.page.ID, Title: name + " status", Author: name,
		Description: "Incidents and maintenance of " + name, Link: base + "/",
		RSSURL: base + "/history.rss", AtomURL: base + "/history.atom"}
	list, err := v.a.store.Incidents(ctx, v.page.ID, false, feedItems)
	if err != nil {
		return feed.Feed{}, fmt.Errorf("list incidents: %w", err)
	}
	for _, in := range list {
		if public(in) {
			f.Items = append(f.Items, v.incidentItem(in, base))
		}
	}
	if v.a.maint != nil {
		ws, _, err := v.a.maint.Maintenances(ctx, maintenance.Filter{PageID: v.page.ID, Statuses: v2MaintenanceStatuses[v2Maintenances],
			Public: true, Limit: feedItems})
		if err != nil {
			return feed.Feed{}, fmt.Errorf("list maintenances: %w", err)
		}
		for _, w := range ws {
			if !w.Private {
				f.Items = append(f.Items, v.maintenanceItem(w, base))
			}
		}
	}
	slices.SortStableFunc(f.Items, func(x, y feed.Item) int {
		return cmp.Or(y.Updated.Compare(x.Updated), strings.Compare(x.ID, y.ID))
	})
	f.Items = f.Items[:min(len(f.Items), feedItems)]
	f.Updated = v.a.origin
	if len(f.Items) > 0 {
		f.Updated = f.Items[0].Updated
	}
	return f, nil
}

// incidentItem is an incident with its latest public update.
func (v *pageView) incidentItem(in incident.Incident, base string) feed.Item {
	id := strconv.FormatInt(in.ID, 10)
	it := feed.Item{ID: tagPrefix + v.page.ID + "/incidents/" + id, Title: in.Name, Link: base + "/incidents/" + id,
		Category: "incident", Published: in.Started(), Updated: lastChange(in.Started(), in.ResolvedAt)}
	st := string(in.Status)
	if in.CustomStatus != "" {
		st = in.CustomStatus
	}
	lines := []string{words(st) + " · impact " + strings.ToLower(impactWords(in.Impact).Word) + " · since " + v.stamp(in.Started())}
	body := in.Body
	for _, u := range in.Updates { // newest first
		if !u.Private {
			body, it.Updated = u.Body, lastChange(it.Updated, u.Display())
			break
		}
	}
	if body != "" {
		lines = append(lines, body)
	}
	it.Summary = strings.Join(lines, "\n")
	return it
}

// maintenanceItem is a maintenance window with its latest public update;
// it links to the window's own page.
func (v *pageView) maintenanceItem(w maintenance.Window, base string) feed.Item {
	id := strconv.FormatInt(w.ID, 10)
	it := feed.Item{ID: tagPrefix + v.page.ID + "/maintenances/" + id,
		Title: "Maintenance: " + w.Title, Link: base + "/maintenances/" + id, Category: "maintenance",
		Published: w.CreatedAt, Updated: lastChange(w.CreatedAt, w.StartedAt, w.CompletedAt)}
	lines := []string{words(string(w.Status)) + " · " + v.stamp(w.StartsAt) + " – " + v.stamp(w.EndsAt)}
	body := w.Body
	for _, u := range w.Updates {
		if !u.Private {
			body, it.Updated = u.Body, lastChange(it.Updated, u.Display())
			break
		}
	}
	if body != "" {
		lines = append(lines, body)
	}
	it.Summary = strings.Join(lines, "\n")
	return it
}
