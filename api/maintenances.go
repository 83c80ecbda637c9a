package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/maintenance"
)

// MaintenanceReader reads maintenance windows; a missing one is a
// *catalog.NotFoundError.
type MaintenanceReader interface {
	Maintenance(ctx context.Context, id int64) (maintenance.Window, error)
	Maintenances(ctx context.Context, f maintenance.Filter) ([]maintenance.Window, int, error)
}

// MaintenanceWriter stores people's changes to maintenance windows, each
// in one transaction with an audit entry of the principal in ctx: a window
// whose page or components are wrong is a *catalog.InvalidError, an error
// of change is returned as it is, and nothing is written.
type MaintenanceWriter interface {
	CreateMaintenance(ctx context.Context, w maintenance.Window) (maintenance.Window, error)
	ChangeMaintenance(ctx context.Context, id int64, action string,
		change func(maintenance.Window) (maintenance.Window, error)) (maintenance.Window, error)
	DeleteMaintenance(ctx context.Context, id int64, now time.Time) error
}

// MaintenanceStore is every store the maintenance routes use;
// sqlstore.Store is one.
type MaintenanceStore interface {
	MaintenanceReader
	MaintenanceWriter
}

// maintenanceRoutes serves /api/v1/maintenances behind an API key; only
// with Options.Maintenances set.
func (a *API) maintenanceRoutes(v1 *gin.RouterGroup) {
	if a.maint == nil {
		return
	}
	read := v1.Group("", a.authenticate, a.require(auth.ScopeRead))
	write := v1.Group("", a.authenticate, a.require(auth.ScopeWrite))
	read.GET("/maintenances", a.listMaintenances)
	read.GET("/maintenances/:id", a.getMaintenance)
	write.POST("/maintenances", a.scheduleMaintenance)
	write.PATCH("/maintenances/:id", a.editMaintenance)
	write.DELETE("/maintenances/:id", a.deleteMaintenance)
	write.POST("/maintenances/:id/updates", a.postMaintenanceUpdate)
	write.POST("/maintenances/:id/start", a.stepMaintenance(maintenance.KindStart))
	write.POST("/maintenances/:id/complete", a.stepMaintenance(maintenance.KindComplete))
	write.POST("/maintenances/:id/cancel", a.cancelMaintenance)
}

// listMaintenances lists windows, latest start first: ?page_id, ?status
// (comma-separated), ?upcoming=true (scheduled) and ?active=true (in
// progress or verifying) filter them; page and per_page page them. A page
// key lists its own page's.
func (a *API) listMaintenances(c *gin.Context) {
	page, perPage, fields := parsePaging(c)
	f := maintenance.Filter{PageID: c.Query("page_id")}
	if f.PageID != "" && !catalog.ValidID(f.PageID) {
		fields["page_id"] = "must be a page ID: 1-63 lower-case letters, digits, '.', '_' or '-'"
	}
	f.Statuses = listStatuses(c, fields)
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	if p := principalOf(c); p.PageID != "" && f.PageID == "" {
		f.PageID = p.PageID
	}
	if !mayPages(c, f.PageID) {
		return
	}
	f.Limit, f.Offset = perPage, (page-1)*perPage
	ws, total, err := a.maint.Maintenances(c.Request.Context(), f)
	if err != nil {
		a.storeFailed(c, fmt.Errorf("list maintenances: %w", err))
		return
	}
	out := make([]maintenanceJSON, 0, len(ws))
	for _, w := range ws {
		out = append(out, newMaintenanceJSON(w))
	}
	c.JSON(http.StatusOK, gin.H{"data": out, "meta": newListMeta(page, perPage, len(out), total)})
}

// listStatuses reads ?status, ?upcoming and ?active into the statuses to
// list (none: all).
func listStatuses(c *gin.Context, fields map[string]string) []maintenance.Status {
	var out []maintenance.Status
	if v := c.Query("status"); v != "" {
		for _, s := range strings.Split(v, ",") {
			st := maintenance.Status(strings.TrimSpace(s))
			if !st.Valid() {
				fields["status"] = "must be a comma-separated list of scheduled, in_progress, verifying, completed, cancelled"
				break
			}
			out = append(out, st)
		}
	}
	for _, q := range []struct {
		name     string
		statuses []maintenance.Status
	}{{"upcoming", []maintenance.Status{maintenance.Scheduled}},
		{"active", []maintenance.Status{maintenance.InProgress, maintenance.Verifying}}} {
		v := c.Query(q.name)
		if v == "" {
			continue
		}
		on, err := strconv.ParseBool(v)
		switch {
		case err != nil:
			fields[q.name] = "must be true or false"
		case on && c.Query("status") != "":
			fields[q.name] = "cannot be combined with status"
		case on:
			out = append(out, q.statuses...)
		}
	}
	return out
}

func (a *API) getMaintenance(c *gin.Context) {
	if w, ok := a.maintenanceOfPath(c); ok {
		c.JSON(http.StatusOK, gin.H{"data": newMaintenanceJSON(w)})
	}
}

// scheduleMaintenance creates a window; its description is also its first
// update, "scheduled", as on Statuspage. A page key's window goes on its
// page when page_id is left out.
func (a *API) scheduleMaintenance(c *gin.Context) {
	var body maintenanceBody
	if !a.decodeBody(c, &body) {
		return
	}
	if p := principalOf(c); body.PageID == "" && p.PageID != "" {
		body.PageID = p.PageID
	}
	act, fields := body.action()
	if body.PageID == "" {
		fields["page_id"] = "is required"
	}
	if len(fields) > 0 {
		abortFields(c, fields)
		return
	}
	if !mayPages(c, body.PageID) {
		return
	}
	ctx := c.Request.Context()
	loc, ok := a.pageLocation(c, body.PageID)
	if !ok {
		return
	}
	now := a.clock()
	w, err := maintenance.Act(maintenance.Window{}, act, maintenance.Env{Now: now, Loc: loc})
	if err != nil {
		a.maintenanceFailed(c, err)
		return
	}
	w.PageID = body.PageID
	w.Updates = []maintenance.Update{{Status: maintenance.Scheduled, Body: w.Body, CreatedAt: now, ByPerson: true}}
	if w, err = a.maint.CreateMaintenance(ctx, w); err != nil {
		a.maintenanceFailed(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"data": newMaintenanceJSON(w)})
}

func (a *API) editMaintenance(c *gin.Context) {
	var body maintenancePatch
	if !a.decodeBody(c, &body) {
		return
	}
	changes, fields := body.changes()
	if len(fields) > 0 {
		abortFields(c, fields)
		return
	}
	a.changeMaintenance(c, "update", maintenance.Action{Kind: maintenance.KindEdit, Changes: changes})
}

func (a *API) postMaintenanceUpdate(c *gin.Context) {
	var body updateBody
	if !a.decodeBody(c, &body) {
		return
	}
	a.changeMaintenance(c, "post_update", maintenance.Action{Kind: maintenance.KindUpdate,
		Status: body.Status, Body: body.Body, Private: body.Private})
}

// stepMaintenance starts or completes a window now; the body (optional)
// is the update's.
func (a *API) stepMaintenance(kind maintenance.Kind) gin.HandlerFunc {
	return func(c *gin.Context) {
		var body stepBody
		if !a.decodeOptionalBody(c, &body) {
			return
		}
		a.changeMaintenance(c, string(kind), maintenance.Action{Kind: kind, Body: body.Body})
	}
}

func (a *API) cancelMaintenance(c *gin.Context) {
	var body cancelBody
	if !a.decodeOptionalBody(c, &body) {
		return
	}
	a.changeMaintenance(c, "cancel", maintenance.Action{Kind: maintenance.KindCancel, Body: body.Body, Series: body.Series})
}

func (a *API) deleteMaintenance(c *gin.Context) {
	w, ok := a.maintenanceOfPath(c)
	if !ok {
		return
	}
	if err := a.maint.DeleteMaintenance(c.Request.Context(), w.ID, a.clock()); err != nil {
		a.maintenanceFailed(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// changeMaintenance applies act to the window of the path, on the store's
// fresh read of it, and answers the result.
func (a *API) changeMaintenance(c *gin.Context, action string, act maintenance.Action) {
	w, ok := a.maintenanceOfPath(c)
	if !ok {
		return
	}
	loc, ok := a.pageLocation(c, w.PageID)
	if !ok {
		return
	}
	now := a.clock()
	out, err := a.maint.ChangeMaintenance(c.Request.Context(), w.ID, action, func(cur maintenance.Window) (maintenance.Window, error) {
		return maintenance.Act(cur, act, maintenance.Env{Now: now, Loc: loc})
	})
	if err != nil {
		a.maintenanceFailed(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": newMaintenanceJSON(out)})
}

// maintenanceOfPath reads the window the path's :id names and checks the
// key may touch its page; on failure it has answered.
func (a *API) maintenanceOfPath(c *gin.Context) (maintenance.Window, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		abortError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("maintenance %q not found", catalog.Truncate(idParam(c))))
		return maintenance.Window{}, false
	}
	w, err := a.maint.Maintenance(c.Request.Context(), id)
	if err != nil {
		a.maintenanceFailed(c, err)
		return maintenance.Window{}, false
	}
	return w, mayPages(c, w.PageID)
}

// pageLocation returns the time zone of page id (UTC for a page that does
// not exist: the store refuses the window then); on failure it has
// answered.
func (a *API) pageLocation(c *gin.Context, id string) (*time.Location, bool) {
	pages, err := a.store.Pages(c.Request.Context())
	if err != nil {
		a.storeFailed(c, fmt.Errorf("list pages: %w", err))
		return nil, false
	}
	for _, p := range pages {
		if p.ID == id {
			return a.location(p.TimeZone), true
		}
	}
	return time.UTC, true
}

// maintenanceFailed answers a rejected action (422 naming its field) or a
// failed store call (see writeFailed).
func (a *API) maintenanceFailed(c *gin.Context, err error) {
	var fe *maintenance.FieldError
	if errors.As(err, &fe) {
		abortFields(c, map[string]string{fe.Field: fe.Message})
		return
	}
	a.writeFailed(c, err)
}

// decodeOptionalBody decodes the body like decodeBody when there is one.
func (a *API) decodeOptionalBody(c *gin.Context, v any) bool {
	if c.Request.ContentLength == 0 {
		return true
	}
	return a.decodeBody(c, v)
}
