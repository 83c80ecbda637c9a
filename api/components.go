package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/catalog"
)

// componentJSON is the body of a component write. pages lists every page
// the component sits on, the primary first; without it, page_id and
// position name the only one.
type componentJSON struct {
	ID                 string          `json:"id"`
	PageID             string          `json:"page_id"`
	Position           int             `json:"position"`
	Pages              []placementJSON `json:"pages"`
	GroupID            *string         `json:"group_id"`
	IsGroup            bool            `json:"is_group"`
	Name               string          `json:"name"`
	Description        string          `json:"description"`
	Quorum             int             `json:"quorum"`
	ShowUptime         bool            `json:"show_uptime"`
	StartDate          *string         `json:"start_date"` // YYYY-MM-DD
	OnlyShowIfDegraded bool            `json:"only_show_if_degraded"`
	// SLO is the availability objective; null for none. window_days
	// defaults to 30.
	SLO *sloJSON `json:"slo"`
}

type sloJSON struct {
	Target     float64 `json:"target"`
	WindowDays int     `json:"window_days"`
}

type placementJSON struct {
	PageID   string `json:"page_id"`
	Position int    `json:"position"`
}

func newComponentJSON(c catalog.Component) componentJSON {
	out := componentJSON{ID: c.ID, PageID: c.PageID, Position: c.Position, IsGroup: c.IsGroup, Name: c.Name,
		Description: c.Description, Quorum: c.Quorum, ShowUptime: !c.HideUptime, OnlyShowIfDegraded: c.OnlyShowIfDegraded}
	for _, p := range c.Placements() {
		out.Pages = append(out.Pages, placementJSON(p))
	}
	if c.GroupID != "" {
		out.GroupID = &c.GroupID
	}
	if !c.StartDate.IsZero() {
		d := c.StartDate.UTC().Format(time.DateOnly)
		out.StartDate = &d
	}
	if c.SLO.Set() {
		out.SLO = &sloJSON{Target: c.SLO.Target, WindowDays: c.SLO.WindowDays}
	}
	return out
}

func (j componentJSON) component() (catalog.Component, []catalog.FieldError) {
	c := catalog.Component{ID: j.ID, PageID: j.PageID, Position: j.Position, IsGroup: j.IsGroup, Name: j.Name,
		Description: j.Description, Quorum: j.Quorum, HideUptime: !j.ShowUptime, OnlyShowIfDegraded: j.OnlyShowIfDegraded}
	for _, p := range j.Pages {
		c.Pages = append(c.Pages, catalog.Placement(p))
	}
	if j.GroupID != nil {
		c.GroupID = *j.GroupID
	}
	if j.SLO != nil {
		c.SLO = catalog.SLO{Target: j.SLO.Target, WindowDays: j.SLO.WindowDays}
		if c.SLO.WindowDays == 0 {
			c.SLO.WindowDays = catalog.DefaultSLOWindowDays
		}
	}
	var errs []catalog.FieldError
	if j.StartDate != nil && *j.StartDate != "" {
		d, err := time.Parse(time.DateOnly, *j.StartDate)
		if err != nil {
			errs = append(errs, catalog.FieldError{Field: "start_date", Message: "must be a date as YYYY-MM-DD"})
		}
		c.StartDate = d
	}
	errs = append(errs, c.Validate()...)
	c.Normalize()
	return c, errs
}

// pageIDs lists the pages of c.
func pageIDs(c catalog.Component) []string {
	var ids []string
	for _, p := range c.Placements() {
		ids = append(ids, p.PageID)
	}
	return ids
}

func (a *API) createComponent(c *gin.Context) {
	body := componentJSON{ShowUptime: true}
	if !a.decodeBody(c, &body) {
		return
	}
	comp, errs := body.component()
	if len(errs) > 0 {
		abortFields(c, fieldMap(errs))
		return
	}
	if !mayPages(c, pageIDs(comp)...) {
		return
	}
	if _, err := a.entities.CreateComponent(c.Request.Context(), comp, a.clock()); err != nil {
		a.writeFailed(c, err)
		return
	}
	a.changed()
	a.answerComponent(c, http.StatusCreated, comp.ID)
}

// updateComponent changes the fields the body names, for PUT and PATCH.
func (a *API) updateComponent(c *gin.Context) {
	id := idParam(c)
	ctx := c.Request.Context()
	prev, err := a.entities.Component(ctx, id)
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	if !mayPages(c, pageIDs(prev)...) {
		return
	}
	body := newComponentJSON(prev)
	pagesBefore := body.Pages
	if !a.decodeBody(c, &body) {
		return
	}
	if body.ID != prev.ID {
		abortFields(c, map[string]string{"id": "cannot be changed"})
		return
	}
	if (body.PageID != prev.PageID || body.Position != prev.Position) && len(body.Pages) == len(pagesBefore) && sameFirst(body.Pages, pagesBefore) {
		// page_id or position changed without pages: move the primary page.
		body.Pages[0] = placementJSON{PageID: body.PageID, Position: body.Position}
	}
	comp, errs := body.component()
	if len(errs) > 0 {
		abortFields(c, fieldMap(errs))
		return
	}
	if !mayPages(c, pageIDs(comp)...) {
		return
	}
	if _, err := a.entities.UpdateComponent(ctx, comp, a.clock()); err != nil {
		a.writeFailed(c, err)
		return
	}
	a.changed()
	a.answerComponent(c, http.StatusOK, id)
}

func sameFirst(a, b []placementJSON) bool { return len(a) > 0 && len(b) > 0 && a[0] == b[0] }

func (a *API) deleteComponent(c *gin.Context) {
	id := idParam(c)
	ctx := c.Request.Context()
	prev, err := a.entities.Component(ctx, id)
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	if !mayPages(c, pageIDs(prev)...) {
		return
	}
	if err := a.entities.DeleteComponent(ctx, id, a.clock()); err != nil {
		a.writeFailed(c, err)
		return
	}
	a.changed()
	c.Status(http.StatusNoContent)
}

// answerComponent answers with the component as GET /components/:id
// shows it.
func (a *API) answerComponent(c *gin.Context, code int, id string) {
	p := principalOf(c) // answerRead keys the answer by the principal's scope and page too
	a.answerRead(c, fmt.Sprintf("component\x00%d\x00%s", code, id), func(_ context.Context, snap *readmodel.Snapshot) (int, any, error) {
		return a.componentAnswer(snap, code, id, p)
	})
}
