package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/audit"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/catalog/checkdef"
)

// checkJSON is a check in the native API: its definition in the
// configuration file's words (catalog/checkdef), with its version and
// manager, which are read-only.
type checkJSON struct {
	checkdef.Check
	Version int64   `json:"version"`
	Managed *string `json:"managed"`
}

func newCheckJSON(c catalog.Check) checkJSON {
	out := checkJSON{Check: checkdef.From(c), Version: c.Version}
	if c.Managed != "" {
		out.Managed = &c.Managed
	}
	return out
}

// check returns the check the body defines with the catalog's defaults
// applied, and its problems, found by the same validation as the
// configuration file's.
func (j checkJSON) check() (catalog.Check, []catalog.FieldError) {
	c := j.Check.Catalog()
	c.ApplyDefaults()
	errs := c.Validate()
	if c.ComponentID == "" {
		errs = append(errs, catalog.FieldError{Field: "component_id", Message: "is required"})
	}
	return c, errs
}

// checkPages lists the pages of the check's component, for the key's
// page limit; ok is false when it has answered.
func (a *API) checkPages(c *gin.Context, componentID string) bool {
	comp, err := a.entities.Component(c.Request.Context(), componentID)
	if err != nil {
		if _, nf := err.(*catalog.NotFoundError); nf {
			abortFields(c, map[string]string{"component_id": "no component " + quoteID(componentID)})
			return false
		}
		a.writeFailed(c, err)
		return false
	}
	return mayPages(c, pageIDs(comp)...)
}

func quoteID(id string) string { return `"` + catalog.Truncate(id) + `"` }

func (a *API) listChecks(c *gin.Context) {
	page, perPage, fields := parsePaging(c)
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	if !globalOnly(c) {
		return
	}
	comp := c.Query("component_id")
	key := fmt.Sprintf("checks\x00%s\x00%d\x00%d", comp, page, perPage)
	a.answerRead(c, key, func(_ context.Context, snap *readmodel.Snapshot) (int, any, error) {
		all := snap.Checks()
		if comp != "" {
			all = snap.ChecksOf(comp)
		}
		out := make([]checkJSON, 0, len(all))
		for _, ch := range all {
			out = append(out, newCheckJSON(ch))
		}
		data := pageSlice(out, page, perPage)
		return http.StatusOK, gin.H{"data": data, "meta": newListMeta(page, perPage, len(data), len(out))}, nil
	})
}

func (a *API) getCheck(c *gin.Context) {
	ch, err := a.entities.Check(c.Request.Context(), idParam(c))
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	if !a.checkPages(c, ch.ComponentID) {
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": newCheckJSON(ch)})
}

func (a *API) createCheck(c *gin.Context) {
	var body checkJSON
	if !a.decodeBody(c, &body) {
		return
	}
	ch, errs := body.check()
	if len(errs) > 0 {
		abortFields(c, fieldMap(errs))
		return
	}
	if !a.checkPages(c, ch.ComponentID) {
		return
	}
	got, err := a.entities.CreateCheck(c.Request.Context(), ch, a.clock())
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	a.changed()
	c.JSON(http.StatusCreated, gin.H{"data": newCheckJSON(got)})
}

// updateCheck changes the fields the body names, for PUT and PATCH.
func (a *API) updateCheck(c *gin.Context) {
	ctx := c.Request.Context()
	prev, err := a.entities.Check(ctx, idParam(c))
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	if !a.checkPages(c, prev.ComponentID) {
		return
	}
	body := newCheckJSON(prev)
	if !a.decodeBody(c, &body) {
		return
	}
	if body.ID != prev.ID {
		abortFields(c, map[string]string{"id": "cannot be changed"})
		return
	}
	ch, errs := body.check()
	if len(errs) > 0 {
		abortFields(c, fieldMap(errs))
		return
	}
	if ch.ComponentID != prev.ComponentID && !a.checkPages(c, ch.ComponentID) {
		return
	}
	got, err := a.entities.UpdateCheck(ctx, ch, a.clock())
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	a.changed()
	c.JSON(http.StatusOK, gin.H{"data": newCheckJSON(got)})
}

func (a *API) deleteCheck(c *gin.Context) {
	ctx := c.Request.Context()
	prev, err := a.entities.Check(ctx, idParam(c))
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	if !a.checkPages(c, prev.ComponentID) {
		return
	}
	if err := a.entities.DeleteCheck(ctx, prev.ID, a.clock()); err != nil {
		a.writeFailed(c, err)
		return
	}
	a.changed()
	c.Status(http.StatusNoContent)
}

// auditJSON is an audit log entry in the native API.
type auditJSON struct {
	ID        int64  `json:"id"`
	At        string `json:"at"`
	Principal string `json:"principal"`
	Action    string `json:"action"`
	Entity    string `json:"entity"`
	EntityID  string `json:"entity_id"`
	Before    any    `json:"before"`
	After     any    `json:"after"`
}

// listAudit lists the audit log, newest first; ?entity (page, component,
// check, admin, key, or kind:id), ?principal and ?since (RFC 3339) filter
// it. The changes of admins and keys are listed for admin keys only.
func (a *API) listAudit(c *gin.Context) {
	page, perPage, fields := parsePaging(c)
	f := audit.Filter{Principal: c.Query("principal")}
	if e := c.Query("entity"); e != "" {
		kind, id, _ := cutColon(e)
		f.Kind, f.EntityID = kind, id
	}
	if s := c.Query("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			fields["since"] = "must be a time as RFC 3339, e.g. 2025-03-01T12:00:00Z"
		}
		f.Since = t
	}
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	if !globalOnly(c) {
		return
	}
	if !principalOf(c).Scope.Includes(auth.ScopeAdmin) {
		// Admins and keys are seen with an admin key only, their changes too.
		f.ExcludeKinds = []string{"admin", "key"}
	}
	f.Offset, f.Limit = (page-1)*perPage, perPage
	a.answerRead(c, fmt.Sprintf("audit\x00%+v", f), func(ctx context.Context, _ *readmodel.Snapshot) (int, any, error) {
		entries, total, err := a.entities.AuditLog(ctx, f)
		if err != nil {
			return 0, nil, err
		}
		out := make([]auditJSON, 0, len(entries))
		for _, e := range entries {
			out = append(out, auditJSON{ID: e.ID, At: e.At.UTC().Format(v1TimeLayout), Principal: e.Principal,
				Action: e.Action, Entity: e.Kind, EntityID: e.EntityID, Before: e.Before, After: e.After})
		}
		return http.StatusOK, gin.H{"data": out, "meta": newListMeta(page, perPage, len(out), total)}, nil
	})
}

func cutColon(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
