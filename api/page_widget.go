package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/api/rollup"
	"github.com/statusd/statusd/maintenance"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/web/htmlpage"
	"github.com/statusd/statusd/web/widget"
)

// widgetRoutes serves the embeddable widget: /widget.js, the same script
// for every page (it reads widget.json from the origin it was loaded
// from), and /widget.json of the Host's page, open to every origin.
func (a *API) widgetRoutes(get func(string, gin.HandlerFunc)) {
	script, err := htmlpage.NewDocWith(http.StatusOK, widget.Script(), htmlpage.DocOptions{
		ContentType: widget.ContentTypeScript, CacheControl: scriptCacheControl})
	if err != nil { // compressing an embedded constant: only a broken build gets here
		a.log.Error("prepare the widget script; serving no widget", "err", err)
		return
	}
	get("/widget.js", func(c *gin.Context) {
		if _, p, ok := a.publicPage(c); ok {
			servePublicDoc(c, p, script, nil)
		}
	})
	get("/widget.json", a.serveWidgetData)
}

func (a *API) serveWidgetData(c *gin.Context) {
	snap, p, ok := a.publicPage(c)
	if !ok {
		return
	}
	base, ok := requestBase(c, p)
	if !ok {
		return
	}
	v, err := snap.Memo(c.Request.Context(), "widget\x00"+p.ID+"\x00"+base, func(ctx context.Context, snap *readmodel.Snapshot) (any, error) {
		return a.buildWidgetData(ctx, snap, p.ID, base)
	})
	if err != nil {
		a.publicUnavailable(c, err)
		return
	}
	d, ok := v.(*htmlpage.Doc)
	if !ok {
		plainError(c, http.StatusNotFound, "There is no status page here.")
		return
	}
	servePublicDoc(c, p, d, map[string]string{"Access-Control-Allow-Origin": "*"})
}

// buildWidgetData encodes widget.json of the page; nil when the page is
// gone or hidden in the snapshot.
func (a *API) buildWidgetData(ctx context.Context, snap *readmodel.Snapshot, pageID, base string) (any, error) {
	p, ok := snap.Page(pageID)
	if !ok || p.Disabled { // who may see a private page is pageAccess's decision, made before
		return nil, nil
	}
	data, err := a.newPageView(snap, p).widget(ctx, base)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(data) // escapes <, > and & as \u003c…: safe in any context
	if err != nil {
		return nil, fmt.Errorf("encode widget data of %q: %w", pageID, err)
	}
	return htmlpage.NewDocWith(http.StatusOK, append(body, '\n'), htmlpage.DocOptions{
		ContentType: widget.ContentTypeJSON, CacheControl: widgetCacheControl})
}

// widget is what the widget shows: the page's overall status, its public
// unresolved incidents and its public windows in progress.
func (v *pageView) widget(ctx context.Context, base string) (widget.Data, error) {
	comps := v.snap.Components(v.page.ID)
	shown := rollup.Components(comps, v.snap.ComponentStatesOf(ids(comps)), v.snap.Shown(), v.a.origin)
	worst, noData := rollup.Worst(shown)
	ind, desc := status.Summarize(worst)
	class := statusWords(worst, false).Class
	if noData {
		desc, class = "No data yet", "nodata"
	}
	name := v.page.Name
	if name == "" {
		name = "Status"
	}
	d := widget.Data{Page: widget.Page{Name: name, URL: base + "/"},
		Status:    widget.Status{Indicator: string(ind), Description: desc, Class: class},
		Incidents: []widget.Item{}, Maintenances: []widget.Item{}}
	open, err := v.a.store.Incidents(ctx, v.page.ID, true, incidentsLimit)
	if err != nil {
		return widget.Data{}, fmt.Errorf("list unresolved incidents: %w", err)
	}
	for _, in := range open {
		if !public(in) {
			continue
		}
		st := string(in.Status)
		if in.CustomStatus != "" {
			st = in.CustomStatus
		}
		d.Incidents = append(d.Incidents, widget.Item{Name: in.Name, Status: words(st),
			URL: base + "/incidents/" + strconv.FormatInt(in.ID, 10)})
	}
	if v.a.maint == nil {
		return d, nil
	}
	ws, _, err := v.a.maint.Maintenances(ctx, maintenance.Filter{PageID: v.page.ID, Statuses: v2MaintenanceStatuses[v2MaintActive],
		Public: true, Limit: maintenancesLimit})
	if err != nil {
		return widget.Data{}, fmt.Errorf("list maintenances: %w", err)
	}
	for _, w := range ws {
		if !w.Private {
			d.Maintenances = append(d.Maintenances, widget.Item{Name: w.Title, Status: words(string(w.Status)), URL: base + "/"})
		}
	}
	return d, nil
}
