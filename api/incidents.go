package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
)

// IncidentStore serves the incident routes; sqlstore.Store is one. Every
// write takes the principal from ctx and is audited.
type IncidentStore interface {
	// ListIncidents lists the incidents f selects, newest first, and how
	// many it selects in all.
	ListIncidents(ctx context.Context, f incident.Filter) ([]incident.Incident, int, error)
	// Incident returns one incident, deleted or not, or a
	// *catalog.NotFoundError.
	Incident(ctx context.Context, id int64) (incident.Incident, error)
	// ActOnIncident applies a person's action to incident id (or opens one
	// on pageID) in one transaction; an incident of another page than a
	// non-empty pageID is not found. A rejected action is a
	// *incident.FieldError.
	ActOnIncident(ctx context.Context, pageID string, id int64, a incident.Action, now time.Time) (incident.Incident, error)
}

// incidentRoutes serves /api/v1/incidents when Options.Incidents is set.
func (a *API) incidentRoutes(v1 *gin.RouterGroup) {
	if a.incidents == nil {
		return
	}
	read := v1.Group("", a.authenticate, a.require(auth.ScopeRead))
	write := v1.Group("", a.authenticate, a.require(auth.ScopeWrite))
	read.GET("/incidents", a.listIncidents)
	read.GET("/incidents/:id", a.getIncident)
	write.POST("/incidents", a.openIncident)
	write.PATCH("/incidents/:id", a.editIncident)
	write.DELETE("/incidents/:id", a.deleteIncident)
	write.POST("/incidents/:id/updates", a.postIncident(incident.KindUpdate))
	write.PATCH("/incidents/:id/updates/:update_id", a.editIncidentUpdate)
	write.DELETE("/incidents/:id/updates/:update_id", a.deleteIncidentUpdate)
	write.POST("/incidents/:id/resolve", a.postIncident(incident.KindResolve))
	write.POST("/incidents/:id/reopen", a.postIncident(incident.KindReopen))
	write.POST("/incidents/:id/postmortem", a.postIncident(incident.KindPostmortem))
	a.incidentStatusRoutes(read, write)
}

func (a *API) listIncidents(c *gin.Context) {
	page, perPage, fields := parsePaging(c)
	f := incident.Filter{PageID: c.Query("page_id"), Private: true, Limit: perPage, Offset: (page - 1) * perPage}
	if s := c.Query("status"); s != "" {
		if f.Status = incident.Status(s); !f.Status.Valid() {
			fields["status"] = "must be one of investigating, identified, monitoring, resolved, postmortem"
		}
	}
	if s := c.Query("unresolved"); s != "" {
		var err error
		if f.UnresolvedOnly, err = strconv.ParseBool(s); err != nil {
			fields["unresolved"] = "must be true or false"
		}
	}
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	if p := principalOf(c); p.PageID != "" {
		if f.PageID != "" && f.PageID != p.PageID {
			forbidPage(c, p)
			return
		}
		f.PageID = p.PageID
	}
	list, total, err := a.incidents.ListIncidents(c.Request.Context(), f)
	if err != nil {
		a.storeFailed(c, err)
		return
	}
	data := make([]incidentJSON, 0, len(list))
	for _, in := range list {
		data = append(data, newIncidentJSON(in))
	}
	c.JSON(http.StatusOK, gin.H{"data": data, "meta": newListMeta(page, perPage, len(data), total)})
}

// incidentID is the route's :id; on failure it has answered 404.
func incidentID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		abortError(c, http.StatusNotFound, codeNotFound, "incident "+quoteID(c.Param("id"))+" not found")
		return 0, false
	}
	return id, true
}

func (a *API) getIncident(c *gin.Context) {
	id, ok := incidentID(c)
	if !ok {
		return
	}
	in, err := a.incidents.Incident(c.Request.Context(), id)
	switch {
	case err != nil:
		a.incidentFailed(c, err)
	case !in.DeletedAt.IsZero():
		abortError(c, http.StatusNotFound, codeNotFound, "incident "+quoteID(c.Param("id"))+" not found")
	case mayPages(c, in.PageID):
		c.JSON(http.StatusOK, gin.H{"data": newIncidentJSON(in)})
	}
}

func (a *API) openIncident(c *gin.Context) {
	var body openBody
	if !a.decodeBody(c, &body) {
		return
	}
	ts := times{}
	act := body.action(ts)
	if len(ts) > 0 {
		abortFields(c, ts)
		return
	}
	if body.PageID == "" {
		abortFields(c, map[string]string{"page_id": "is required"})
		return
	}
	if !mayPages(c, body.PageID) {
		return
	}
	a.act(c, http.StatusCreated, body.PageID, 0, act)
}

func (a *API) editIncident(c *gin.Context) {
	var body editBody
	if !a.decodeBody(c, &body) {
		return
	}
	ts := times{}
	a.actOn(c, body.action(ts), ts)
}

func (a *API) postIncident(kind incident.Kind) gin.HandlerFunc {
	return func(c *gin.Context) {
		var body postBody
		if c.Request.ContentLength != 0 || kind == incident.KindUpdate || kind == incident.KindPostmortem {
			if !a.decodeBody(c, &body) {
				return
			}
		}
		ts := times{}
		a.actOn(c, body.action(kind, ts), ts)
	}
}

func (a *API) editIncidentUpdate(c *gin.Context) {
	uid, ok := updateID(c)
	if !ok {
		return
	}
	var body editUpdateBody
	if !a.decodeBody(c, &body) {
		return
	}
	ts := times{}
	a.actOn(c, body.action(uid, ts), ts)
}

func (a *API) deleteIncidentUpdate(c *gin.Context) {
	if uid, ok := updateID(c); ok {
		a.actOn(c, incident.Action{Kind: incident.KindDeleteUpdate, UpdateID: uid}, nil)
	}
}

func (a *API) deleteIncident(c *gin.Context) {
	id, ok := incidentID(c)
	if !ok {
		return
	}
	if _, err := a.incidents.ActOnIncident(c.Request.Context(), principalOf(c).PageID, id,
		incident.Action{Kind: incident.KindDelete}, a.clock()); err != nil {
		a.incidentFailed(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// updateID is the route's :update_id; on failure it has answered 404.
func updateID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("update_id"), 10, 64)
	if err != nil || id <= 0 {
		abortError(c, http.StatusNotFound, codeNotFound, "update "+quoteID(c.Param("update_id"))+" not found")
		return 0, false
	}
	return id, true
}

// actOn applies act to the route's incident, unless ts holds errors.
func (a *API) actOn(c *gin.Context, act incident.Action, ts times) {
	if len(ts) > 0 {
		abortFields(c, ts)
		return
	}
	if id, ok := incidentID(c); ok {
		a.act(c, http.StatusOK, principalOf(c).PageID, id, act)
	}
}

func (a *API) act(c *gin.Context, code int, pageID string, id int64, act incident.Action) {
	act.Person = true
	in, err := a.incidents.ActOnIncident(c.Request.Context(), pageID, id, act, a.clock())
	if err != nil {
		a.incidentFailed(c, err)
		return
	}
	c.JSON(code, gin.H{"data": newIncidentJSON(in)})
}

// incidentFailed answers a failed incident call: 422 naming the field,
// 404, or a 503 that says nothing of the cause.
func (a *API) incidentFailed(c *gin.Context, err error) {
	var (
		fe *incident.FieldError
		nf *catalog.NotFoundError
	)
	switch {
	case errors.As(err, &fe):
		abortFields(c, map[string]string{catalog.Truncate(fe.Field): fe.Message})
	case errors.As(err, &nf):
		abortError(c, http.StatusNotFound, codeNotFound, "incident "+quoteID(c.Param("id"))+" not found")
	default:
		a.storeFailed(c, err)
	}
}
