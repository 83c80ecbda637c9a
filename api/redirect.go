package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// noRoute answers a path no route serves, in JSON like every answer: a
// path with a trailing slash is redirected to the path without it (301
// for GET and HEAD, 308 keeping the method and body otherwise); anything
// else is a 404. gin's own trailing-slash redirect answers in HTML.
func noRoute(c *gin.Context) {
	path := c.Request.URL.Path
	trimmed := strings.TrimRight(path, "/")
	// "//host/" trimmed is "//host", which a browser reads as another host.
	if trimmed != path && trimmed != "" && !strings.HasPrefix(trimmed, "//") {
		loc := trimmed
		if q := c.Request.URL.RawQuery; q != "" {
			loc += "?" + q
		}
		code := http.StatusPermanentRedirect
		if m := c.Request.Method; m == http.MethodGet || m == http.MethodHead {
			code = http.StatusMovedPermanently
		}
		c.Header("Location", loc)
		c.AbortWithStatusJSON(code, gin.H{"location": loc})
		return
	}
	abortError(c, http.StatusNotFound, codeNotFound, "no route for "+cutID(path))
}
