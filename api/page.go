package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/web/htmlpage"
)

// pageSite serves the public HTML status page (package web/htmlpage) of
// the page a request's Host names: /, /history, /incidents/{id} and
// /maintenances/{id}, or their Markdown for a client that asks for it
// (page_markdown.go). Each answer is rendered once per read-model
// snapshot (Snapshot.Memo), so a status change shows as soon as the
// snapshot moves (a stored_version move, or ReadMaxAge, 1 s), and is
// served from memory with an ETag.
type pageSite struct {
	a *API
	r *htmlpage.Renderer
}

// pageRoutes serves the HTML status page, and the sign-in and sign-out
// forms of private pages.
func (a *API) pageRoutes(e *gin.Engine, get func(string, gin.HandlerFunc)) {
	r, err := htmlpage.New(htmlpage.Options{})
	if err != nil { // the templates are embedded: only a broken build gets here
		a.log.Error("load status page templates; serving no HTML page", "err", err)
		return
	}
	s := &pageSite{a: a, r: r}
	get("/", s.serve("home"))
	get("/history", s.serve("history"))
	get("/incidents/:id", s.serve("incident"))
	get("/maintenances/:id", s.serve("maintenance"))
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)
}

// serve answers one kind of page from the snapshot's memo.
func (s *pageSite) serve(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		snap, err := s.a.model.Recent(ctx, publicLag)
		if err != nil {
			s.unavailable(c, err)
			return
		}
		idx := s.a.pages(snap)
		i, ok := idx.byHost(c.Request.Host)
		if !ok {
			s.problem(c, catalog.Page{}, http.StatusNotFound, "Page not found", "There is no status page here.")
			return
		}
		p := &idx.pages[i]
		switch s.a.pageAccess(c, *p) {
		case accessHidden:
			s.problem(c, catalog.Page{}, http.StatusNotFound, "Page not found", "There is no status page here.")
			return
		case accessPassword:
			s.loginForm(c, *p, http.StatusUnauthorized, localPath(c.Request.URL.RequestURI()), "")
			return
		}
		md := prefersMarkdown(c.Request.Header.Values("Accept")) // see page_markdown.go
		var key string
		var id int64
		switch kind {
		case "home":
			key = idx.keys[i].home
		case "history":
			key = idx.keys[i].history
		default:
			if id, err = strconv.ParseInt(c.Param("id"), 10, 64); err != nil || id <= 0 {
				s.notFound(c, *p, kind)
				return
			}
			key = htmlKey(kind, p.ID) + "\x00" + strconv.FormatInt(id, 10)
		}
		if md {
			key = "md" + strings.TrimPrefix(key, "html")
		}
		v, ok := snap.Cached(key)
		if !ok {
			pageID := p.ID
			if v, err = snap.Memo(ctx, key, func(ctx context.Context, snap *readmodel.Snapshot) (any, error) {
				return s.build(ctx, snap, kind, pageID, id, md)
			}); err != nil {
				s.unavailable(c, err)
				return
			}
		}
		serveDoc(c, *p, v.(*htmlpage.Doc))
	}
}

// build renders one page of the snapshot, in Markdown when md, else HTML;
// the page is looked up again, since the memo is also computed for later
// snapshots. Who may see it (pageAccess) is decided per request before
// the memo is read.
func (s *pageSite) build(ctx context.Context, snap *readmodel.Snapshot, kind, pageID string, id int64, md bool) (*htmlpage.Doc, error) {
	p, ok := snap.Page(pageID)
	if !ok || p.Disabled {
		return s.problemDoc(catalog.Page{}, http.StatusNotFound, "Page not found", "There is no status page here.")
	}
	v := s.a.newPageView(snap, p)
	f, opts := s.format(md)
	var body []byte
	var err error
	switch kind {
	case "home":
		var h htmlpage.Home
		if h, err = v.home(ctx); err == nil {
			body, err = f.Home(h)
		}
	case "history":
		var h htmlpage.History
		if h, err = v.history(ctx); err == nil {
			body, err = f.History(h)
		}
	case "maintenance":
		var m htmlpage.MaintenancePage
		var found bool
		if m, found, err = v.maintenance(ctx, id); err == nil && !found {
			return s.notFoundDoc(p, kind)
		}
		if err == nil {
			body, err = f.Maintenance(m)
		}
	default:
		var in htmlpage.IncidentPage
		var found bool
		if in, found, err = v.incident(ctx, id); err == nil && !found {
			return s.notFoundDoc(p, kind)
		}
		if err == nil {
			body, err = f.Incident(in)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("build %s page of %q: %w", kind, pageID, err)
	}
	return htmlpage.NewDocWith(http.StatusOK, body, opts)
}

func (s *pageSite) problemDoc(p catalog.Page, code int, title, msg string) (*htmlpage.Doc, error) {
	body, err := s.r.Problem(htmlpage.Problem{Header: pageHeader(p), Title: title, Message: msg})
	if err != nil {
		return nil, err
	}
	return htmlpage.NewDoc(code, body)
}

// notFoundWords are the title and message of the 404 of an incident's or
// a maintenance window's page (kind "incident" or "maintenance") that
// the page does not show.
func notFoundWords(kind string) (title, msg string) {
	if kind == "maintenance" {
		return "Maintenance not found", "There is no such maintenance."
	}
	return "Incident not found", "There is no such incident."
}

// notFoundDoc is the 404 page of notFoundWords.
func (s *pageSite) notFoundDoc(p catalog.Page, kind string) (*htmlpage.Doc, error) {
	title, msg := notFoundWords(kind)
	return s.problemDoc(p, http.StatusNotFound, title, msg)
}

// notFound answers the 404 page of notFoundWords.
func (s *pageSite) notFound(c *gin.Context, p catalog.Page, kind string) {
	title, msg := notFoundWords(kind)
	s.problem(c, p, http.StatusNotFound, title, msg)
}

// problem answers an error page; p is the page it belongs to, or zero.
func (s *pageSite) problem(c *gin.Context, p catalog.Page, code int, title, msg string) {
	d, err := s.problemDoc(p, code, title, msg)
	if err != nil {
		s.a.log.Error("render error page", "err", err)
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	d.ServeHTTP(c.Writer, c.Request)
	c.Abort()
}

// unavailable answers a store failure: a generic page, details logged.
func (s *pageSite) unavailable(c *gin.Context, err error) {
	s.a.log.Error("read store for the status page", "route", c.FullPath(), "err", err)
	c.Header("Retry-After", storeRetryAfter)
	s.problem(c, catalog.Page{}, http.StatusServiceUnavailable, "Temporarily unavailable",
		"The status page is temporarily unavailable; try again shortly.")
}
