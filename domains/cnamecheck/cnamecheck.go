// Package cnamecheck checks that a custom domain is a CNAME to the
// installation's target host name, by asking DNS itself rather than a
// recursive resolver: from the root servers it walks the referrals down to
// the zone of the domain, asks that zone's authoritative servers for the
// domain's CNAME, and follows the chain hop by hop, each hop asked at its
// own zone's servers. Nothing is cached between checks, so a fixed record
// is seen at once, whatever its TTL.
//
// A domain is verified when the expected target appears anywhere in its
// chain: directly (status.customer.com CNAME status.example.net) or
// through the customer's own aliases (status.customer.com CNAME
// alias.customer.com CNAME status.example.net). The chain is not followed
// past the target, whose own records are the installation's business.
package cnamecheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/statusd/statusd/domains"
)

// RootServers are the IPv4 addresses of the thirteen root servers (IANA's
// root hints), port 53: where a walk starts by default.
var RootServers = []string{
	"198.41.0.4:53", "170.247.170.2:53", "192.33.4.12:53", "199.7.91.13:53", "192.203.230.10:53",
	"192.5.5.241:53", "192.112.36.4:53", "198.97.190.53:53", "192.36.148.17:53", "192.58.128.30:53",
	"193.0.14.129:53", "199.7.83.42:53", "202.12.27.33:53",
}

// Defaults of Options.
const (
	DefaultTimeout      = 2 * time.Second
	DefaultCheckTimeout = 30 * time.Second
	DefaultMaxChain     = 8
)

// Limits of one walk.
const (
	maxReferrals  = 16 // zone cuts between the root and a name
	maxNSDepth    = 3  // nested lookups of name servers' addresses
	serversPerHop = 4  // servers tried per zone before giving up
)

// Options configure a Checker.
type Options struct {
	// Roots are the servers a walk starts from, as host:port; nil means
	// RootServers. Tests name a local authoritative server.
	Roots []string
	// ServerAddr is where a name server at ip is asked, as host:port; nil
	// means ip port 53. Tests map the addresses of their zones' name
	// servers to local ports.
	ServerAddr func(ip netip.Addr) string
	// Timeout bounds each query (DefaultTimeout when zero); CheckTimeout
	// bounds a whole check (DefaultCheckTimeout).
	Timeout      time.Duration
	CheckTimeout time.Duration
	// MaxChain is how many CNAMEs are followed (DefaultMaxChain when
	// zero): a longer chain is a mismatch.
	MaxChain int
	// Clock tells the time of a check; nil means time.Now.
	Clock func() time.Time
	// Logger receives each check's outcome (debug); nil discards.
	Logger *slog.Logger
}

// Checker checks custom domains. It is safe for concurrent use.
type Checker struct {
	roots        []string
	serverAddr   func(netip.Addr) string
	timeout      time.Duration
	checkTimeout time.Duration
	maxChain     int
	clock        func() time.Time
	log          *slog.Logger
	udp, tcp     *dns.Client
}

// New returns a Checker.
func New(opts Options) (*Checker, error) {
	if opts.Timeout < 0 || opts.CheckTimeout < 0 || opts.MaxChain < 0 {
		return nil, errors.New("new cname checker: Timeout, CheckTimeout and MaxChain must not be negative")
	}
	c := &Checker{roots: opts.Roots, serverAddr: opts.ServerAddr, timeout: cmp.Or(opts.Timeout, DefaultTimeout),
		checkTimeout: cmp.Or(opts.CheckTimeout, DefaultCheckTimeout), maxChain: cmp.Or(opts.MaxChain, DefaultMaxChain),
		clock: opts.Clock, log: opts.Logger}
	if len(c.roots) == 0 {
		c.roots = RootServers
	}
	if c.serverAddr == nil {
		c.serverAddr = func(ip netip.Addr) string { return netip.AddrPortFrom(ip, 53).String() }
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.udp = &dns.Client{Net: "udp", Timeout: c.timeout, UDPSize: 1232}
	c.tcp = &dns.Client{Net: "tcp", Timeout: c.timeout}
	return c, nil
}

// Check checks that domain's CNAME chain reaches expected. It never fails:
// what went wrong is an Indeterminate result with its reason.
func (c *Checker) Check(ctx context.Context, domain, expected string) domains.Result {
	start := c.clock()
	ctx, cancel := context.WithTimeout(ctx, c.checkTimeout)
	defer cancel()
	r := c.check(ctx, canon(domain), canon(expected))
	r.Domain, r.Expected, r.CheckedAt = domain, expected, start
	c.log.DebugContext(ctx, "checked custom domain", "domain", domain, "expected", expected, "status", r.Status,
		"chain", r.Chain, "reason", r.Reason)
	return r
}

func (c *Checker) check(ctx context.Context, domain, expected string) domains.Result {
	chain := []string{domain}
	done := func(st domains.Status, format string, args ...any) domains.Result {
		return domains.Result{Status: st, Chain: chain, Reason: fmt.Sprintf(format, args...)}
	}
	seen := map[string]bool{domain: true}
	for name := domain; ; {
		ans, err := c.resolve(ctx, dns.Fqdn(name), dns.TypeCNAME, 0)
		switch {
		case err != nil:
			return done(domains.Indeterminate, "%v", err)
		case ans.kind == nxDomain && name == domain:
			return done(domains.NotFound, "%s does not exist (NXDOMAIN)", name)
		case ans.kind == nxDomain:
			return done(domains.Mismatch, "the chain ends at %s, which does not exist (NXDOMAIN), not at %s", name, expected)
		case ans.kind == noData && name == domain:
			return done(domains.NoCNAME, "%s has no CNAME record; it must be a CNAME to %s", name, expected)
		case ans.kind == noData:
			return done(domains.Mismatch, "the chain ends at %s, not at %s", name, expected)
		}
		target := canon(ans.target)
		chain = append(chain, target)
		hops := len(chain) - 1
		switch {
		case target == expected:
			return done(domains.Verified, "%s reaches %s in %d CNAME hop(s)", domain, expected, hops)
		case seen[target]:
			return done(domains.Mismatch, "CNAME loop: %s points back to %s", name, target)
		case hops >= c.maxChain:
			return done(domains.Mismatch, "the chain is longer than %d CNAMEs without reaching %s", c.maxChain, expected)
		}
		seen[target] = true
		name = target
	}
}

// canon is a name as results show it: lower case, no trailing dot.
func canon(name string) string { return strings.TrimSuffix(strings.ToLower(name), ".") }
