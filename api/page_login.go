package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/ratelimit"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/web/htmlpage"
)

// The sign-in attempts one client address (an IPv6 /64) may make: a
// burst of loginBurst, then one every loginEvery.
const (
	loginBurst = 5
	loginEvery = 12 * time.Second
	// maxLoginBody bounds the sign-in form: a password and a path.
	maxLoginBody = 8 << 10
	// maxNextLen bounds the path signed-in visitors are sent back to.
	maxNextLen = 2048
)

// newLoginLimiter is the per-address limit of sign-in attempts.
func newLoginLimiter(clock func() time.Time) (*ratelimit.Limiter, error) {
	return ratelimit.New(ratelimit.Options{PerSecond: 1 / loginEvery.Seconds(), Burst: loginBurst, Clock: clock})
}

// initPrivatePages sets up what private pages need: the session signer,
// the sign-in limit and the trusted proxies.
func (a *API) initPrivatePages(opts Options) error {
	var err error
	if a.sessions, err = newSessions(opts.SessionKey, opts.SessionMaxAge); err != nil {
		return err
	}
	if a.loginLimiter, err = newLoginLimiter(a.clock); err != nil {
		return err
	}
	a.proxies, err = parseProxies(opts.TrustedProxies)
	return err
}

// trustedProxies lists Options.TrustedProxies as networks for gin.
func (a *API) trustedProxies() []string {
	out := make([]string, len(a.proxies))
	for i, p := range a.proxies {
		out[i] = p.String()
	}
	return out
}

// login answers POST /login, the password form of the private page the
// Host names: the right password sets the page's session cookie and sends
// the visitor on to the form's next path (local only) with a 303.
func (s *pageSite) login(c *gin.Context) {
	p, next, ok := s.formPage(c)
	if !ok {
		return
	}
	switch s.a.pageAccess(c, p) {
	case accessHidden:
		s.problem(c, catalog.Page{}, http.StatusNotFound, "Page not found", "There is no status page here.")
		return
	case accessAllowed:
		if !p.Private || p.PasswordHash == "" { // nothing to sign in to
			c.Redirect(http.StatusSeeOther, next)
			return
		}
	}
	if ok, wait := s.a.loginLimiter.Allow(loginKey(c.ClientIP())); !ok {
		secs := int(math.Ceil(max(wait.Seconds(), 1)))
		c.Header("Retry-After", strconv.Itoa(secs))
		s.loginForm(c, p, http.StatusTooManyRequests, next,
			fmt.Sprintf("Too many attempts from your address; try again in %d seconds.", secs))
		return
	}
	pw := c.Request.PostForm.Get("password")
	if pw == "" {
		s.loginForm(c, p, http.StatusUnauthorized, next, "Enter the password.")
		return
	}
	if len(pw) > catalog.MaxPasswordLen || !p.PasswordMatches(pw) { // bcrypt compares in constant time
		s.loginForm(c, p, http.StatusUnauthorized, next, "That password is not right.")
		return
	}
	http.SetCookie(c.Writer, s.a.sessions.issue(p, s.a.clock(), s.a.overTLS(c.Request)))
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, next)
}

// logout answers POST /logout: it ends the session of the Host's page in
// the browser and sends the visitor to the page.
func (s *pageSite) logout(c *gin.Context) {
	p, _, ok := s.formPage(c)
	if !ok {
		return
	}
	http.SetCookie(c.Writer, clearCookie(p.ID, s.a.overTLS(c.Request)))
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, "/")
}

// formPage checks a form post (same origin, a bounded url-encoded body)
// and finds the page the Host names and the local path to go on to. On
// failure it has answered.
func (s *pageSite) formPage(c *gin.Context) (catalog.Page, string, bool) {
	if !sameOrigin(c.Request) {
		s.problem(c, catalog.Page{}, http.StatusForbidden, "Forbidden", "The form was sent from another site.")
		return catalog.Page{}, "", false
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxLoginBody)
	if err := c.Request.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.problem(c, catalog.Page{}, http.StatusRequestEntityTooLarge, "Form too large", "The form sent is too large.")
		} else {
			s.problem(c, catalog.Page{}, http.StatusBadRequest, "Bad form", "The form sent could not be read.")
		}
		return catalog.Page{}, "", false
	}
	snap, err := s.a.model.Snapshot(c.Request.Context())
	if err != nil {
		s.unavailable(c, err)
		return catalog.Page{}, "", false
	}
	p, ok := s.a.pages(snap).forHost(c.Request.Host)
	if !ok {
		s.problem(c, catalog.Page{}, http.StatusNotFound, "Page not found", "There is no status page here.")
		return catalog.Page{}, "", false
	}
	return p, localPath(c.Request.PostForm.Get("next")), true
}

// loginForm answers the password form of page p with code. The header
// shows the page's name and colours but not its alert: that is content.
func (s *pageSite) loginForm(c *gin.Context, p catalog.Page, code int, next, message string) {
	h := pageHeader(p)
	h.AlertTitle, h.AlertMessage, h.RobotsMeta, h.Feeds = "", "", "noindex, nofollow", false
	body, err := s.r.Login(htmlpage.Login{Header: h, Next: next, Message: message})
	var d *htmlpage.Doc
	if err == nil {
		d, err = htmlpage.NewDoc(code, body)
	}
	if err != nil {
		s.a.log.Error("render sign-in page", "err", err)
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	d.ServeHTTP(c.Writer, c.Request)
	c.Abort()
}

// sameOrigin reports whether a form post comes from this site: its Origin
// (or, without one, its Referer) names the request's host. A post with
// neither, as from curl, is let through; the cookie is SameSite=Lax.
func sameOrigin(r *http.Request) bool {
	from := r.Header.Get("Origin")
	if from == "" {
		if from = r.Header.Get("Referer"); from == "" {
			return true
		}
	}
	u, err := url.Parse(from)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// localPath is next if it is a path on this site, else "/": never another
// host (no "//host", "/\host", scheme or control character), so the
// redirect after signing in cannot be turned into an open redirect.
func localPath(next string) string {
	if next == "" || len(next) > maxNextLen || next[0] != '/' || strings.HasPrefix(next, "//") {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if b := next[i]; b < 0x20 || b == 0x7f || b == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	u.Fragment, u.RawFragment = "", ""
	if out := u.RequestURI(); strings.HasPrefix(out, "/") && !strings.HasPrefix(out, "//") {
		return out
	}
	return "/"
}

// loginKey is the rate-limit key of a client address: the address, or
// for IPv6 its /64, which one client usually holds whole.
func loginKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		p, _ := addr.Prefix(64) // never fails for an IPv6 address
		return p.String()
	}
	return addr.String()
}
