package httpprobe

import (
	"context"
	"fmt"
	"net"
)

// dialPrefs are a check's address family preference, which the shared
// transports' dial function finds in the request's context.
type dialPrefs struct {
	family     int // 4 or 6 first; 0 for the system's order
	noFallback bool
}

type dialPrefsKey struct{}

func withDialPrefs(ctx context.Context, family int, noFallback bool) context.Context {
	if family == 0 {
		return ctx
	}
	return context.WithValue(ctx, dialPrefsKey{}, dialPrefs{family: family, noFallback: noFallback})
}

// dial connects to addr. Without a family preference it is net.Dialer's
// (Happy Eyeballs); with one it tries the addresses of the preferred family
// in turn, then, unless told not to, those of the other. The lookup runs
// under the request's context, so httptrace times it as DNS.
func (p *Prober) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	prefs, ok := ctx.Value(dialPrefsKey{}).(dialPrefs)
	if !ok {
		return p.dialer.DialContext(ctx, network, addr)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if net.ParseIP(host) != nil {
		return p.dialer.DialContext(ctx, network, addr)
	}
	addrs, err := p.resolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	ips := orderIPs(addrs, prefs)
	if len(ips) == 0 {
		return nil, &net.DNSError{Name: host, Err: fmt.Sprintf("no IPv%d address", prefs.family), IsNotFound: true}
	}
	var lastErr error
	for _, ip := range ips {
		c, err := p.dialer.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

// orderIPs returns the addresses of the preferred family, in the order of
// the lookup, followed by the others unless prefs forbid a fallback.
func orderIPs(addrs []net.IPAddr, prefs dialPrefs) []net.IP {
	var first, rest []net.IP
	for _, a := range addrs {
		if (a.IP.To4() != nil) == (prefs.family == 4) {
			first = append(first, a.IP)
		} else {
			rest = append(rest, a.IP)
		}
	}
	if prefs.noFallback {
		return first
	}
	return append(first, rest...)
}
