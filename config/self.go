package config

import (
	"net"
	"strings"
)

// A URL of the file that is a path, such as "/healthz" for a check or "/"
// for a page, is a URL of statusd itself: Catalog resolves it against
// http.addr, so that the example configurations probe and link to the
// address statusd really listens on. The daemons set http.addr to the
// address they bound (with --http-addr and STATUSD_HTTP_ADDR applied, and
// a port 0 chosen) before they read the catalog.

// selfURL resolves ref against http://addr when ref is a path ("/..."
// but not "//host..."); it returns any other ref as given.
func selfURL(ref, addr string) string {
	if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") {
		return ref
	}
	return "http://" + selfHost(addr) + ref
}

// selfHost is the host:port at which a client on this host reaches a
// listener on addr: an unspecified host (":8080", "0.0.0.0:8080",
// "[::]:8080") is the loopback address of its family.
func selfHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}

// validationAddr is the address relative URLs are resolved against while
// the file is validated: http.addr, with a port 0 (bound to a free port
// at start) standing for any valid port.
func validationAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port != "0" {
		return addr
	}
	return net.JoinHostPort(host, "1")
}
