package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
)

// IncidentStatusStore reads and replaces a page's custom incident statuses
// (incident.Vocabulary). The write takes the principal from ctx and audits
// it; an invalid list is a *incident.FieldError, an unknown page a
// *catalog.NotFoundError.
type IncidentStatusStore interface {
	IncidentStatuses(ctx context.Context, pageID string) (incident.Vocabulary, error)
	SetIncidentStatuses(ctx context.Context, pageID string, v incident.Vocabulary, now time.Time) error
}

// customStatusJSON is one custom status: its name and the standard status
// it maps onto (what v2 shows).
type customStatusJSON struct {
	Name     string          `json:"name"`
	Standard incident.Status `json:"standard"`
}

type customStatusesJSON struct {
	Statuses []customStatusJSON `json:"custom_statuses"`
}

// incidentStatusRoutes serves a page's custom incident statuses when the
// incident store keeps them.
func (a *API) incidentStatusRoutes(read, write *gin.RouterGroup) {
	st, ok := a.incidents.(IncidentStatusStore)
	if !ok || a.entities == nil {
		return
	}
	read.GET("/pages/:id/incident_statuses", a.getIncidentStatuses(st))
	write.PUT("/pages/:id/incident_statuses", a.setIncidentStatuses(st))
}

func (a *API) getIncidentStatuses(st IncidentStatusStore) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := idParam(c)
		if !mayPages(c, id) || !a.pageExists(c, id) {
			return
		}
		v, err := st.IncidentStatuses(c.Request.Context(), id)
		if err != nil {
			a.storeFailed(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"data": newCustomStatusesJSON(v)})
	}
}

func (a *API) setIncidentStatuses(st IncidentStatusStore) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := idParam(c)
		if !mayPages(c, id) {
			return
		}
		var body customStatusesJSON
		if !a.decodeBody(c, &body) {
			return
		}
		v := incident.Vocabulary{Custom: make([]incident.CustomStatus, 0, len(body.Statuses))}
		for _, s := range body.Statuses {
			v.Custom = append(v.Custom, incident.CustomStatus{Name: s.Name, Standard: s.Standard})
		}
		err := st.SetIncidentStatuses(c.Request.Context(), id, v, a.clock())
		var fe *incident.FieldError
		switch {
		case errors.As(err, &fe):
			abortFields(c, map[string]string{catalog.Truncate(fe.Field): fe.Message})
			return
		case err != nil:
			a.writeFailed(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"data": newCustomStatusesJSON(v)})
	}
}

// pageExists answers 404 unless the page exists.
func (a *API) pageExists(c *gin.Context, id string) bool {
	if _, err := a.entities.Page(c.Request.Context(), id); err != nil {
		a.writeFailed(c, err)
		return false
	}
	return true
}

func newCustomStatusesJSON(v incident.Vocabulary) customStatusesJSON {
	out := customStatusesJSON{Statuses: make([]customStatusJSON, 0, len(v.Custom))}
	for _, s := range v.Custom {
		out.Statuses = append(out.Statuses, customStatusJSON{Name: s.Name, Standard: s.Standard})
	}
	return out
}
