package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/domains"
)

// DomainService reports and checks pages' custom domains
// (domains/recheck.Runner). An unknown page is a *catalog.NotFoundError;
// CheckNow answers a *catalog.ConflictError when there is nothing to
// check (no custom domain, no target configured).
type DomainService interface {
	Report(ctx context.Context, pageID string) (domains.Report, error)
	CheckNow(ctx context.Context, pageID string) (domains.Report, error)
}

// domainJSON is a page's custom domain as GET /api/v1/pages/{id}/domain
// shows it; Domain is null when the page has none, ExpectedTarget when no
// target is configured.
type domainJSON struct {
	PageID         string            `json:"page_id"`
	Domain         *string           `json:"domain"`
	ExpectedTarget *string           `json:"expected_target"`
	Status         *domains.Status   `json:"status"`
	LastResult     *domains.Status   `json:"last_result"`
	Chain          []string          `json:"chain"`
	Reason         string            `json:"reason"`
	CheckedAt      *string           `json:"checked_at"`
	VerifiedAt     *string           `json:"verified_at"`
	History        []domainCheckJSON `json:"history"`
}

// domainCheckJSON is one check, with its own result.
type domainCheckJSON struct {
	Domain         string         `json:"domain"`
	ExpectedTarget string         `json:"expected_target"`
	Result         domains.Status `json:"result"`
	Chain          []string       `json:"chain"`
	Reason         string         `json:"reason"`
	CheckedAt      string         `json:"checked_at"`
}

// domainRoutes serves pages' custom domains when a DomainService is set.
func (a *API) domainRoutes(v1 *gin.RouterGroup) {
	if a.domains == nil || a.entities == nil {
		return
	}
	read := v1.Group("", a.authenticate, a.require(auth.ScopeRead))
	write := v1.Group("", a.authenticate, a.require(auth.ScopeWrite))
	read.GET("/pages/:id/domain", a.getDomain)
	write.POST("/pages/:id/domain/check", a.checkDomain)
}

func (a *API) getDomain(c *gin.Context) {
	id := idParam(c)
	if !mayPages(c, id) || !a.pageExists(c, id) {
		return
	}
	rep, err := a.domains.Report(c.Request.Context(), id)
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": newDomainJSON(rep)})
}

func (a *API) checkDomain(c *gin.Context) {
	id := idParam(c)
	if !mayPages(c, id) || !a.pageExists(c, id) {
		return
	}
	rep, err := a.domains.CheckNow(c.Request.Context(), id)
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": newDomainJSON(rep)})
}

func newDomainJSON(rep domains.Report) domainJSON {
	out := domainJSON{PageID: rep.PageID, Chain: nonNilStrings(rep.State.Chain), Reason: rep.State.Reason,
		History: make([]domainCheckJSON, 0, len(rep.History))}
	if rep.Domain != "" {
		out.Domain, out.Status = &rep.Domain, &rep.State.Status
		if rep.State.LastResult != "" {
			out.LastResult = &rep.State.LastResult
		}
	}
	if rep.Expected != "" {
		out.ExpectedTarget = &rep.Expected
	}
	out.CheckedAt, out.VerifiedAt = v1TimePtr(rep.State.CheckedAt), v1TimePtr(rep.State.VerifiedAt)
	for _, r := range rep.History {
		out.History = append(out.History, domainCheckJSON{Domain: r.Domain, ExpectedTarget: r.Expected, Result: r.Status,
			Chain: nonNilStrings(r.Chain), Reason: r.Reason, CheckedAt: r.CheckedAt.UTC().Format(v1TimeLayout)})
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
