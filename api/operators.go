package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
)

// operatorRoutes serves the operators' routes under /api/v1: the pages,
// components and checks with their writes, and the audit log. They are
// served only when Options.Entities is set, each behind an API key.
func (a *API) operatorRoutes(v1 *gin.RouterGroup) {
	if a.entities == nil {
		return
	}
	read := v1.Group("", a.authenticate, a.require(auth.ScopeRead))
	write := v1.Group("", a.authenticate, a.require(auth.ScopeWrite))

	read.GET("/pages", a.listPages)
	read.GET("/pages/:id", a.getPage)
	write.POST("/pages", a.createPage)
	write.PUT("/pages/:id", a.updatePage)
	write.PATCH("/pages/:id", a.updatePage)
	write.DELETE("/pages/:id", a.deletePage)
	write.POST("/pages/:id/enable", a.enablePage(true))
	write.POST("/pages/:id/disable", a.enablePage(false))
	write.PUT("/pages/:id/platform_alert", a.setAlert)
	write.DELETE("/pages/:id/platform_alert", a.clearAlert)

	write.POST("/components", a.createComponent)
	write.PUT("/components/:id", a.updateComponent)
	write.PATCH("/components/:id", a.updateComponent)
	write.DELETE("/components/:id", a.deleteComponent)

	read.GET("/checks", a.listChecks)
	read.GET("/checks/:id", a.getCheck)
	write.POST("/checks", a.createCheck)
	write.PUT("/checks/:id", a.updateCheck)
	write.PATCH("/checks/:id", a.updateCheck)
	write.DELETE("/checks/:id", a.deleteCheck)

	read.GET("/audit", a.listAudit)
}

// principal is who the request acts as; authenticate made sure.
func principalOf(c *gin.Context) auth.Principal {
	p, _ := auth.FromContext(c.Request.Context())
	return p
}

// mayPages answers 403 unless the principal may touch every page of ids.
func mayPages(c *gin.Context, ids ...string) bool {
	p := principalOf(c)
	for _, id := range ids {
		if !p.MayPage(id) {
			forbidPage(c, p)
			return false
		}
	}
	return true
}

// forbidPage answers the 403 of a page key out of its page.
func forbidPage(c *gin.Context, p auth.Principal) {
	abortError(c, http.StatusForbidden, codeForbidden,
		fmt.Sprintf("this key is limited to page %q", catalog.Truncate(p.PageID)))
}

// maySee answers 403 unless the principal may read comp: a page key reads
// the components that sit on its page, as the page's list shows them.
func maySee(c *gin.Context, comp catalog.Component) bool {
	p := principalOf(c)
	if p.PageID == "" || slices.Contains(pageIDs(comp), p.PageID) {
		return true
	}
	forbidPage(c, p)
	return false
}

// globalOnly answers 403 for a key limited to one page.
func globalOnly(c *gin.Context) bool {
	if p := principalOf(c); p.PageID != "" {
		abortError(c, http.StatusForbidden, codeForbidden, "this route needs a key for every page")
		return false
	}
	return true
}

// writeFailed answers a failed store call: 404, 409 or 422 for catalog's
// typed errors, else a 503 that says nothing of the cause.
func (a *API) writeFailed(c *gin.Context, err error) {
	var (
		nf  *catalog.NotFoundError
		cf  *catalog.ConflictError
		inv *catalog.InvalidError
	)
	switch {
	case errors.As(err, &nf):
		abortError(c, http.StatusNotFound, codeNotFound, nf.Error())
	case errors.As(err, &cf):
		abortError(c, http.StatusConflict, codeConflict, cf.Error())
	case errors.As(err, &inv):
		abortFields(c, fieldMap(inv.Fields))
	default:
		a.storeFailed(c, err)
	}
}

// changed tells the catalog's followers (the check publisher, the
// evaluator) that checks or components changed.
func (a *API) changed() {
	if a.onChange != nil {
		a.onChange()
	}
}

// listMeta describes one page of a list.
type listMeta struct {
	Page       int  `json:"page"`
	PerPage    int  `json:"per_page"`
	Count      int  `json:"count"`
	TotalCount int  `json:"total_count"`
	NextPage   *int `json:"next_page"`
}

func newListMeta(page, perPage, count, total int) listMeta {
	m := listMeta{Page: page, PerPage: perPage, Count: count, TotalCount: total}
	if page*perPage < total {
		next := page + 1
		m.NextPage = &next
	}
	return m
}

// pageSlice returns the page-th slice of perPage items of all.
func pageSlice[T any](all []T, page, perPage int) []T {
	first := (page - 1) * perPage
	if first >= len(all) || first < 0 {
		return []T{}
	}
	return all[first:min(first+perPage, len(all))]
}

// listed answers a page of a list.
func listed[T any](c *gin.Context, all []T, page, perPage int) {
	data := pageSlice(all, page, perPage)
	c.JSON(http.StatusOK, gin.H{"data": data, "meta": newListMeta(page, perPage, len(data), len(all))})
}

// idParam is the :id of the route, which a store lookup needs no more of
// than an ID can be.
func idParam(c *gin.Context) string {
	id := c.Param("id")
	if len(id) > 256 {
		id = id[:256]
	}
	return id
}
