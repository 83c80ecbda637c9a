package api

import (
	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/catalog"
)

// access is what a request may see of a page.
type access int

const (
	// accessAllowed: the page is shown.
	accessAllowed access = iota
	// accessHidden: answer as if there were no page (404), so that nothing
	// of it, not even that it exists, leaks.
	accessHidden
	// accessPassword: the page is private and the request has no valid
	// session; the HTML page asks for the password, the rest answers 401.
	accessPassword
)

// pageAccess decides what the request may see of page p. Every public
// surface of a page (HTML, v2 JSON, feeds, badges, widget, export) asks it
// before answering. A disabled page is hidden everywhere; a private page
// is hidden until its password and allowlist are checked here.
func (a *API) pageAccess(c *gin.Context, p catalog.Page) access {
	switch {
	case p.Disabled:
		return accessHidden
	case p.Private:
		return accessHidden
	default:
		return accessAllowed
	}
}
