package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/api/rollup"
	"github.com/statusd/statusd/api/statuspage"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/web/servedoc"
)

// incidentsLimit is the most incidents a v2 document lists.
const incidentsLimit = 50

// publicLag is how long the public surfaces (v2 JSON, the HTML page, the
// feeds) trust the last reading of the store's version
// (readmodel.Model.Recent): another process's write shows within it and
// one snapshot read in the background, a catalog write of this process at
// once; no request waits for a snapshot read.
const publicLag = 100 * time.Millisecond

// The v2 documents, by path under /api/v2.
const (
	v2Summary        = "summary.json"
	v2Status         = "status.json"
	v2Components     = "components.json"
	v2Incidents      = "incidents.json"
	v2Unresolved     = "incidents/unresolved.json"
	v2Maintenances   = "scheduled-maintenances.json"
	v2MaintUpcoming  = "scheduled-maintenances/upcoming.json"
	v2MaintActive    = "scheduled-maintenances/active.json"
	v2ContentType    = "application/json; charset=utf-8"
	v2AllowedMethods = "GET, HEAD, OPTIONS"
)

// v2Docs lists every v2 document.
var v2Docs = []string{v2Summary, v2Status, v2Components, v2Incidents, v2Unresolved,
	v2Maintenances, v2MaintUpcoming, v2MaintActive}

// v2Routes serves every v2 document under prefix (/api/v2 or
// /pages/:page_id/api/v2) for GET and HEAD, and answers CORS preflights.
func (a *API) v2Routes(e *gin.Engine, prefix string, get func(string, gin.HandlerFunc)) {
	for i, doc := range v2Docs {
		get(prefix+"/"+doc, a.v2Serve(i))
		e.OPTIONS(prefix+"/"+doc, v2Preflight)
	}
}

// v2Preflight answers a CORS preflight: any origin may GET the documents.
func v2Preflight(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", v2AllowedMethods)
	h.Set("Access-Control-Allow-Headers", "*")
	h.Set("Access-Control-Max-Age", "86400")
	h.Set("Allow", v2AllowedMethods)
	c.AbortWithStatus(http.StatusNoContent)
}

// v2Serve answers one v2 document of the page the request names from the
// snapshot's memo: its bytes, gzip and ETag are built once per snapshot
// and page (servedoc.Doc), and pageAccess is asked on every request.
//
// doc is the document's position in v2Docs.
func (a *API) v2Serve(doc int) gin.HandlerFunc {
	name := v2Docs[doc]
	return func(c *gin.Context) {
		c.Writer.Header()["Access-Control-Allow-Origin"] = anyOrigin
		ctx := c.Request.Context()
		snap, err := a.model.Recent(ctx, publicLag)
		if err != nil {
			a.storeFailed(c, err)
			return
		}
		idx := a.pages(snap)
		i, ok := v2SelectPage(c, idx)
		if !ok {
			return
		}
		p := &idx.pages[i]
		if acc := a.pageAccess(c, *p); acc != accessAllowed {
			abortPageAccess(c, acc)
			return
		}
		key := idx.keys[i].v2[doc]
		v, ok := snap.Cached(key)
		if !ok {
			pageID := p.ID
			if v, err = snap.Memo(ctx, key, func(ctx context.Context, snap *readmodel.Snapshot) (any, error) {
				return a.v2Build(ctx, snap, name, pageID)
			}); err != nil {
				a.storeFailed(c, err)
				return
			}
		}
		serveDoc(c, *p, v.(*servedoc.Doc))
	}
}

// anyOrigin is the Access-Control-Allow-Origin of every v2 answer, one
// slice for all (net/http only reads it).
var anyOrigin = []string{"*"}

// v2SelectPage picks the page of a v2 request: the path's :page_id, else
// the ?page query, else the page whose custom domain or subdomain the
// Host names, else the first page: its index in idx. On failure it has
// answered 404.
func v2SelectPage(c *gin.Context, idx *pageIndex) (int, bool) {
	id, inPath := c.Params.Get("page_id")
	if !inPath && c.Request.URL.RawQuery != "" {
		id = c.Query("page")
	}
	if id == "" && !inPath {
		i, ok := idx.byHost(c.Request.Host)
		if !ok {
			abortError(c, http.StatusNotFound, codeNotFound, "no status page is configured")
		}
		return i, ok
	}
	if i, ok := idx.byID[id]; ok {
		return i, true
	}
	abortError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("page %q not found", catalog.Truncate(id)))
	return 0, false
}

// v2Page is what every v2 document of one page shows, read once per
// snapshot: the view (page block, components, status) and the page's
// unresolved incidents.
type v2Page struct {
	page       catalog.Page
	view       *statuspage.View
	unresolved []incident.Incident
}

// v2Build encodes one document of page pageID in snap. The page is
// looked up again: the memo is also computed for later snapshots.
func (a *API) v2Build(ctx context.Context, snap *readmodel.Snapshot, doc, pageID string) (*servedoc.Doc, error) {
	base, err := snap.Memo(ctx, "v2\x00page\x00"+pageID, func(ctx context.Context, snap *readmodel.Snapshot) (any, error) {
		return a.v2ReadPage(ctx, snap, pageID)
	})
	if err != nil {
		return nil, err
	}
	b, _ := base.(*v2Page)
	if b == nil {
		body, err := json.Marshal(errorBody{Error: errorDetail{Code: codeNotFound, Message: "no such status page"}})
		if err != nil {
			return nil, fmt.Errorf("encode v2 answer: %w", err)
		}
		return servedoc.New(servedoc.Options{Code: http.StatusNotFound, Body: body, ContentType: v2ContentType})
	}
	v := b.view
	var out any
	switch doc {
	case v2Summary:
		s := v.Summary(b.unresolved)
		list, err := a.publicMaintenances(ctx, pageID, v2SummaryStatuses)
		if err != nil {
			return nil, err
		}
		s.ScheduledMaintenances = v.MaintenanceList(list)
		out = s
	case v2Status:
		out = v.Status()
	case v2Components:
		out = v.Components()
	case v2Unresolved:
		out = v.Incidents(b.unresolved)
	case v2Incidents:
		list, err := a.store.Incidents(ctx, pageID, false, incidentsLimit)
		if err != nil {
			return nil, fmt.Errorf("list incidents of page %q: %w", pageID, err)
		}
		out = v.Incidents(list)
	default:
		list, err := a.publicMaintenances(ctx, pageID, v2MaintenanceStatuses[doc])
		if err != nil {
			return nil, err
		}
		out = v.Maintenances(list)
	}
	body, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode %s of page %q: %w", doc, pageID, err)
	}
	cache := servedoc.Public
	if b.page.Private {
		cache = servedoc.Private
	}
	return servedoc.New(servedoc.Options{Body: body, ContentType: v2ContentType, CacheControl: cache})
}

// v2ReadPage reads what every v2 document shows of page pageID; nil when
// the snapshot has no such page.
func (a *API) v2ReadPage(ctx context.Context, snap *readmodel.Snapshot, pageID string) (*v2Page, error) {
	page, ok := snap.Page(pageID)
	if !ok {
		return nil, nil
	}
	comps := snap.Components(pageID)
	states := snap.ComponentStatesOf(ids(comps))
	unresolved, err := a.store.Incidents(ctx, pageID, true, incidentsLimit)
	if err != nil {
		return nil, fmt.Errorf("list unresolved incidents of page %q: %w", pageID, err)
	}
	newest, err := a.store.Incidents(ctx, pageID, false, 1)
	if err != nil {
		return nil, fmt.Errorf("read newest incident of page %q: %w", pageID, err)
	}
	shown := rollup.Components(comps, states, snap.Shown(), a.origin)
	updated := pageUpdated(comps, states, unresolved, newest)
	if updated.IsZero() {
		updated = a.origin
	}
	view := statuspage.NewView(page, a.location(page.TimeZone), shown, updated)
	return &v2Page{page: page, view: view, unresolved: unresolved}, nil
}

// pageUpdated is the page's updated_at: the latest change of its
// components' states, its unresolved incidents and its newest incident;
// zero when none is known.
func pageUpdated(comps []catalog.Component, states []health.ComponentState, incidents ...[]incident.Incident) time.Time {
	onPage := make(map[string]bool, len(comps))
	for _, c := range comps {
		onPage[c.ID] = true
	}
	var updated time.Time
	for _, s := range states {
		if onPage[s.ComponentID] && s.UpdatedAt.After(updated) {
			updated = s.UpdatedAt
		}
	}
	for _, list := range incidents {
		for _, in := range list {
			if in.UpdatedAt.After(updated) {
				updated = in.UpdatedAt
			}
		}
	}
	return updated
}
