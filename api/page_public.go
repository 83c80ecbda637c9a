package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/web/htmlpage"
)

// The Cache-Control of the page's feeds, badges and widget: short, so
// that a status change shows within a minute; the script itself changes
// only with statusd.
const (
	feedCacheControl   = "public, max-age=60"
	badgeCacheControl  = "public, max-age=60, s-maxage=60"
	widgetCacheControl = "public, max-age=30"
	scriptCacheControl = "public, max-age=3600"
)

// feedRoutes serves what is made of a page besides its HTML: the RSS and
// Atom feeds of its incidents and maintenance, SVG badges of its status
// and uptime, and the embeddable widget. Each is for the page the Host
// names, as the HTML is, and asks pageAccess first; failures are plain
// text.
func (a *API) feedRoutes(get func(string, gin.HandlerFunc)) {
	get("/history.rss", a.serveFeed(feedRSS))
	get("/history.atom", a.serveFeed(feedAtom))
	get("/badge.svg", a.serveBadge)
	get("/components/:id/badge.svg", a.serveBadge)
	a.widgetRoutes(get)
}

// publicPage finds the page the request's Host names in the current
// snapshot and checks that the request may see it. On failure it has
// answered: 503 when the store cannot be read, 404 when there is no such
// page or it is hidden, 401 when it needs a password (no form here).
func (a *API) publicPage(c *gin.Context) (*readmodel.Snapshot, catalog.Page, bool) {
	snap, err := a.model.Recent(c.Request.Context(), publicLag)
	if err != nil {
		a.publicUnavailable(c, err)
		return nil, catalog.Page{}, false
	}
	p, ok := a.pages(snap).forHost(c.Request.Host)
	if !ok {
		plainError(c, http.StatusNotFound, "There is no status page here.")
		return nil, catalog.Page{}, false
	}
	switch a.pageAccess(c, p) {
	case accessAllowed:
		return snap, p, true
	case accessPassword:
		plainError(c, http.StatusUnauthorized, "This status page is private: sign in on the page first.")
	default:
		plainError(c, http.StatusNotFound, "There is no status page here.")
	}
	return nil, catalog.Page{}, false
}

// publicUnavailable answers a store failure in plain text, details logged.
func (a *API) publicUnavailable(c *gin.Context, err error) {
	a.log.Error("read store for a status page feed", "route", c.FullPath(), "err", err)
	c.Header("Retry-After", storeRetryAfter)
	plainError(c, http.StatusServiceUnavailable, "The status page is temporarily unavailable; try again shortly.")
}

// plainError answers code with msg as plain text, never cached.
func plainError(c *gin.Context, code int, msg string) {
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(code, "text/plain; charset=utf-8", []byte(msg+"\n"))
	c.Abort()
}

// servePublicDoc answers with d, a document of page p, with extra
// headers set first (serveDoc).
func servePublicDoc(c *gin.Context, p catalog.Page, d *htmlpage.Doc, header map[string]string) {
	for k, v := range header {
		c.Header(k, v)
	}
	serveDoc(c, p, d)
}

// baseURL is the scheme and host absolute links of page p start with:
// https and the page's custom domain when it has one, else the scheme
// and host the request came to. ok is false for a Host header that is no
// host name or address.
func baseURL(c *gin.Context, p catalog.Page) (string, bool) {
	if p.CustomDomain != "" {
		return "https://" + strings.ToLower(p.CustomDomain), true
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	host := strings.ToLower(strings.TrimSuffix(c.Request.Host, "."))
	if host == "" || strings.Trim(host, "abcdefghijklmnopqrstuvwxyz0123456789.-:[]") != "" {
		return "", false
	}
	u, err := url.Parse(scheme + "://" + host + "/")
	if err != nil || u.Host != host || u.Hostname() == "" {
		return "", false
	}
	return scheme + "://" + host, true
}

// requestBase is baseURL, or a 400 naming the Host header.
func requestBase(c *gin.Context, p catalog.Page) (string, bool) {
	base, ok := baseURL(c, p)
	if !ok {
		plainError(c, http.StatusBadRequest, "The Host header is not a host name: links cannot be made from it.")
	}
	return base, ok
}
