package api

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/web/servedoc"
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
// before answering, and a non-JSON, non-HTML surface answers anything but
// accessAllowed with abortPageAccess.
//
// A disabled page is hidden everywhere, allowlisted addresses included. A
// private page is shown to a client whose address (c.ClientIP: the peer,
// or what a trusted proxy forwarded, see Options.TrustedProxies) is in its
// AllowedCIDRs, or that carries a valid session cookie for it (see
// page_session.go); otherwise a page with a password asks for it and one
// without (an allowlist only, or, which validation refuses, neither) is
// hidden.
func (a *API) pageAccess(c *gin.Context, p catalog.Page) access {
	switch {
	case p.Disabled:
		return accessHidden
	case !p.Private:
		return accessAllowed
	case inAllowlist(c.ClientIP(), p.AllowedCIDRs):
		return accessAllowed
	case p.PasswordHash == "":
		return accessHidden
	case a.sessions.valid(c.Request, p, a.clock()):
		return accessAllowed
	default:
		return accessPassword
	}
}

// abortPageAccess answers, in the API's JSON error shape, a request that
// pageAccess did not allow: 401 for a page that asks for its password
// (sign in on the HTML page), else 404. Machine surfaces (JSON, feeds,
// badges, the widget) use it; the HTML page asks for the password.
func abortPageAccess(c *gin.Context, acc access) {
	c.Header("Cache-Control", "no-store")
	if acc == accessPassword {
		abortError(c, http.StatusUnauthorized, codeUnauthorized,
			"this status page is private; sign in with its password on the status page first")
		return
	}
	abortError(c, http.StatusNotFound, codeNotFound, "no such status page")
}

// serveDoc answers doc, a document of page p the request was allowed to
// see: a private page's only for the visitor's browser (Cache-Control
// private, Vary Cookie), never a shared cache's.
func serveDoc(c *gin.Context, p catalog.Page, doc *servedoc.Doc) {
	if p.Private {
		doc.ServePrivate(c.Writer, c.Request)
	} else {
		doc.ServeHTTP(c.Writer, c.Request)
	}
	c.Abort()
}

// inAllowlist reports whether the address ip is in one of the networks;
// an IPv4-mapped IPv6 address counts as its IPv4 address, and an entry
// that is a bare address as that one address.
func inAllowlist(ip string, networks []string) bool {
	if len(networks) == 0 {
		return false
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap().WithZone("")
	for _, n := range networks {
		n = strings.TrimSpace(n)
		if pfx, err := netip.ParsePrefix(n); err == nil {
			if pfx.Masked().Contains(addr) || (pfx.Addr().Is4In6() && unmapPrefix(pfx).Contains(addr)) {
				return true
			}
			continue
		}
		if a, err := netip.ParseAddr(n); err == nil && a.Unmap() == addr {
			return true
		}
	}
	return false
}

// unmapPrefix is an IPv4-mapped IPv6 network as its IPv4 network.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	bits := max(p.Bits()-96, 0)
	return netip.PrefixFrom(p.Addr().Unmap(), bits).Masked()
}

// overTLS reports whether the visitor's connection is TLS: this one, or
// the one a trusted proxy terminated (X-Forwarded-Proto: https).
func (a *API) overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !strings.EqualFold(strings.TrimSpace(lastValue(r.Header.Get("X-Forwarded-Proto"))), "https") {
		return false
	}
	return a.fromTrustedProxy(r.RemoteAddr)
}

// fromTrustedProxy reports whether the peer address is a trusted proxy.
func (a *API) fromTrustedProxy(remoteAddr string) bool {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return false
	}
	addr := ap.Addr().Unmap()
	for _, p := range a.proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// lastValue is the last of a comma-separated header's values: the one
// the nearest proxy added.
func lastValue(h string) string {
	if i := strings.LastIndexByte(h, ','); i >= 0 {
		return h[i+1:]
	}
	return h
}

// parseProxies parses Options.TrustedProxies: networks or addresses.
func parseProxies(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, unmapIfMapped(p))
			continue
		}
		addr, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want a network in CIDR notation or an IP address", s)
		}
		addr = addr.Unmap()
		out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
	}
	return out, nil
}

func unmapIfMapped(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() {
		return unmapPrefix(p)
	}
	return p.Masked()
}
