package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/rollup"
	"github.com/statusd/statusd/api/statuspage"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/componentstatus"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
)

// incidentsLimit is the most incidents a v2 document lists.
const incidentsLimit = 50

func (a *API) v2Summary(c *gin.Context) {
	v, unresolved, ok := a.v2Page(c)
	if !ok {
		return
	}
	doc := v.Summary(unresolved)
	list, ok := a.publicMaintenances(c, v.PageID(), v2SummaryStatuses)
	if !ok {
		return
	}
	doc.ScheduledMaintenances = v.MaintenanceList(list)
	c.JSON(http.StatusOK, doc)
}

func (a *API) v2Status(c *gin.Context) {
	if v, _, ok := a.v2Page(c); ok {
		c.JSON(http.StatusOK, v.Status())
	}
}

func (a *API) v2Components(c *gin.Context) {
	if v, _, ok := a.v2Page(c); ok {
		c.JSON(http.StatusOK, v.Components())
	}
}

func (a *API) v2Unresolved(c *gin.Context) {
	if v, unresolved, ok := a.v2Page(c); ok {
		c.JSON(http.StatusOK, v.Incidents(unresolved))
	}
}

func (a *API) v2Incidents(c *gin.Context) {
	v, _, ok := a.v2Page(c)
	if !ok {
		return
	}
	list, err := a.store.Incidents(c.Request.Context(), v.PageID(), false, incidentsLimit)
	if err != nil {
		a.storeFailed(c, fmt.Errorf("list incidents: %w", err))
		return
	}
	c.JSON(http.StatusOK, v.Incidents(list))
}

// v2Page reads what every v2 document shows of the page the request names,
// and the page's unresolved incidents. On failure it has answered the
// request and returns false.
func (a *API) v2Page(c *gin.Context) (*statuspage.View, []incident.Incident, bool) {
	ctx := c.Request.Context()
	pages, err := a.store.Pages(ctx)
	if err != nil {
		a.storeFailed(c, fmt.Errorf("list pages: %w", err))
		return nil, nil, false
	}
	page, ok := selectPage(c, pages)
	if !ok {
		return nil, nil, false
	}
	if acc := a.pageAccess(c, page); acc != accessAllowed {
		abortPageAccess(c, acc)
		return nil, nil, false
	}
	privateCache(c, page)
	comps, err := a.store.Components(ctx, page.ID)
	if err != nil {
		a.storeFailed(c, fmt.Errorf("list components of page %q: %w", page.ID, err))
		return nil, nil, false
	}
	states, err := a.store.ComponentStates(ctx)
	if err != nil {
		a.storeFailed(c, fmt.Errorf("list component states: %w", err))
		return nil, nil, false
	}
	unresolved, err := a.store.Incidents(ctx, page.ID, true, incidentsLimit)
	if err != nil {
		a.storeFailed(c, fmt.Errorf("list unresolved incidents of page %q: %w", page.ID, err))
		return nil, nil, false
	}
	newest, err := a.store.Incidents(ctx, page.ID, false, 1)
	if err != nil {
		a.storeFailed(c, fmt.Errorf("read newest incident of page %q: %w", page.ID, err))
		return nil, nil, false
	}
	var held map[string]componentstatus.Effective
	if a.statuses != nil {
		if held, err = a.statuses.EffectiveStatuses(ctx); err != nil {
			a.storeFailed(c, fmt.Errorf("list shown statuses: %w", err))
			return nil, nil, false
		}
	}
	shown := rollup.Components(comps, states, held, a.origin)
	updated := pageUpdated(comps, states, unresolved, newest)
	if updated.IsZero() {
		updated = a.origin
	}
	return statuspage.NewView(page, a.location(page.TimeZone), shown, updated), unresolved, true
}

// selectPage picks the page named by the path's :page_id or else by the
// ?page query, or else the first page. On failure it has answered with a
// 404.
func selectPage(c *gin.Context, pages []catalog.Page) (catalog.Page, bool) {
	id, inPath := c.Params.Get("page_id")
	if !inPath {
		id = c.Query("page")
	}
	if id == "" && !inPath {
		if len(pages) == 0 {
			abortError(c, http.StatusNotFound, codeNotFound, "no status page is configured")
			return catalog.Page{}, false
		}
		return pages[0], true
	}
	for _, p := range pages {
		if p.ID == id {
			return p, true
		}
	}
	abortError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("page %q not found", id))
	return catalog.Page{}, false
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
