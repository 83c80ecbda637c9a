package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/componentstatus"
	"github.com/statusd/statusd/status"
)

// OverrideStore sets, clears and reads a person's status on a component.
// The writes take the principal from ctx and audit it; an unknown
// component (or, clearing, a missing override) is a *catalog.NotFoundError.
type OverrideStore interface {
	SetOverride(ctx context.Context, componentID string, st status.Status, now time.Time) (componentstatus.Override, error)
	ClearOverride(ctx context.Context, componentID string, now time.Time) error
	Override(ctx context.Context, componentID string) (*componentstatus.Override, error)
}

// HistoryReader lists a component's status history.
type HistoryReader interface {
	StatusHistory(ctx context.Context, q componentstatus.HistoryQuery) ([]componentstatus.Entry, error)
}

// ShownReader tells the status each component shows by a person's decision.
type ShownReader interface {
	EffectiveStatuses(ctx context.Context) (map[string]componentstatus.Effective, error)
}

// StatusStore is every store the status routes use; sqlstore.Store is one.
type StatusStore interface {
	OverrideStore
	HistoryReader
	ShownReader
}

// History pages: the default and the largest number of entries.
const (
	defaultHistoryLimit = 100
	maxHistoryLimit     = 1000
)

// statusRoutes serves a component's override and status history, behind
// an API key; only with Options.Statuses and Options.Entities set.
func (a *API) statusRoutes(v1 *gin.RouterGroup) {
	if a.statuses == nil || a.entities == nil {
		return
	}
	read := v1.Group("", a.authenticate, a.require(auth.ScopeRead))
	write := v1.Group("", a.authenticate, a.require(auth.ScopeWrite))
	read.GET("/components/:id/history", a.listHistory)
	read.GET("/components/:id/override", a.getOverride)
	write.PUT("/components/:id/override", a.setOverride)
	write.DELETE("/components/:id/override", a.clearOverride)
}

// overrideJSON is an override as the API shows it, and the body of PUT
// (status only).
type overrideJSON struct {
	ComponentID string        `json:"component_id"`
	Status      status.Status `json:"status"`
	Since       *time.Time    `json:"since,omitempty"`
	By          string        `json:"by,omitempty"`
}

// historyJSON is one history entry; from is null for the first, to when
// the probes have no verdict and nothing else holds the status.
type historyJSON struct {
	ID     int64                  `json:"id"`
	From   *status.Status         `json:"from"`
	To     *status.Status         `json:"to"`
	Source componentstatus.Source `json:"source"`
	RefID  *int64                 `json:"ref_id"`
	At     time.Time              `json:"at"`
}

type historyList struct {
	Data []historyJSON `json:"data"`
	// NextCursor continues the listing (?cursor=); null on the last page.
	NextCursor *string `json:"next_cursor"`
}

// componentOnMyPages reads the component of the path and checks the key
// may see it; on failure it has answered.
func (a *API) componentOnMyPages(c *gin.Context) (catalog.Component, bool) {
	comp, err := a.entities.Component(c.Request.Context(), idParam(c))
	if err != nil {
		a.writeFailed(c, err)
		return catalog.Component{}, false
	}
	return comp, mayPages(c, pageIDs(comp)...)
}

func (a *API) getOverride(c *gin.Context) {
	comp, ok := a.componentOnMyPages(c)
	if !ok {
		return
	}
	o, err := a.statuses.Override(c.Request.Context(), comp.ID)
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	if o == nil {
		abortError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("component %q has no override", catalog.Truncate(comp.ID)))
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": newOverrideJSON(comp.ID, *o)})
}

func (a *API) setOverride(c *gin.Context) {
	comp, ok := a.componentOnMyPages(c)
	if !ok {
		return
	}
	var body overrideJSON
	if !a.decodeBody(c, &body) {
		return
	}
	if err := (componentstatus.Override{Status: body.Status}).Validate(); err != nil {
		abortFields(c, map[string]string{"status": strings.TrimPrefix(err.Error(), "status: ")})
		return
	}
	o, err := a.statuses.SetOverride(c.Request.Context(), comp.ID, body.Status, a.clock())
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": newOverrideJSON(comp.ID, o)})
}

func (a *API) clearOverride(c *gin.Context) {
	comp, ok := a.componentOnMyPages(c)
	if !ok {
		return
	}
	if err := a.statuses.ClearOverride(c.Request.Context(), comp.ID, a.clock()); err != nil {
		a.writeFailed(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func newOverrideJSON(id string, o componentstatus.Override) overrideJSON {
	since := o.Since.UTC()
	return overrideJSON{ComponentID: id, Status: o.Status, Since: &since, By: o.By}
}

// listHistory lists a component's status changes, newest first:
// ?from and ?to (RFC 3339) bound them, ?limit sizes a page, ?cursor goes on
// where the previous page's next_cursor says.
func (a *API) listHistory(c *gin.Context) {
	q, fields := historyQuery(c)
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	comp, ok := a.componentOnMyPages(c)
	if !ok {
		return
	}
	q.ComponentID = comp.ID
	list, err := a.statuses.StatusHistory(c.Request.Context(), q)
	if err != nil {
		a.storeFailed(c, fmt.Errorf("list status history of %q: %w", comp.ID, err))
		return
	}
	out := historyList{Data: make([]historyJSON, 0, len(list))}
	for _, e := range list {
		out.Data = append(out.Data, newHistoryJSON(e))
	}
	if len(list) == q.Limit {
		last := list[len(list)-1]
		next := fmt.Sprintf("%d.%d", last.At.UnixMilli(), last.ID)
		out.NextCursor = &next
	}
	c.JSON(http.StatusOK, out)
}

// historyQuery reads the query of a history listing; fields names each
// invalid parameter.
func historyQuery(c *gin.Context) (componentstatus.HistoryQuery, map[string]string) {
	q := componentstatus.HistoryQuery{Limit: defaultHistoryLimit}
	fields := map[string]string{}
	for _, p := range []struct {
		name string
		to   *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if v := c.Query(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				fields[p.name] = "must be a time as RFC 3339, e.g. 2026-12-01T10:00:00Z"
				continue
			}
			*p.to = t
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		fields["to"] = "must be after from"
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxHistoryLimit {
			fields["limit"] = fmt.Sprintf("must be a whole number from 1 to %d", maxHistoryLimit)
		} else {
			q.Limit = n
		}
	}
	if v := c.Query("cursor"); v != "" {
		cur, ok := parseHistoryCursor(v)
		if !ok {
			fields["cursor"] = "must be the next_cursor of a previous page"
		}
		q.Before = cur
	}
	return q, fields
}

func parseHistoryCursor(v string) (componentstatus.HistoryCursor, bool) {
	at, id, ok := strings.Cut(v, ".")
	if !ok {
		return componentstatus.HistoryCursor{}, false
	}
	ms, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || ms < 0 || n <= 0 {
		return componentstatus.HistoryCursor{}, false
	}
	return componentstatus.HistoryCursor{At: time.UnixMilli(ms).UTC(), ID: n}, true
}

func newHistoryJSON(e componentstatus.Entry) historyJSON {
	out := historyJSON{ID: e.ID, Source: e.Source, At: e.At.UTC()}
	if e.From != "" {
		from := e.From
		out.From = &from
	}
	if e.To != "" {
		to := e.To
		out.To = &to
	}
	if e.RefID != 0 {
		ref := e.RefID
		out.RefID = &ref
	}
	return out
}
