package cnamecheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"

	"github.com/miekg/dns"
)

// kind is what an authoritative server said of a name.
type kind int

const (
	found    kind = iota // records of the type asked (a CNAME: target; an A/AAAA: addrs)
	noData               // the name exists without records of the type
	nxDomain             // the name does not exist
)

// answer is a zone's authoritative answer for a name.
type answer struct {
	kind   kind
	target string       // the CNAME's target, for TypeCNAME
	addrs  []netip.Addr // the addresses, for TypeA and TypeAAAA
}

// referral is a delegation to a zone closer to the name asked.
type referral struct {
	zone string
	ns   []string
	glue map[string][]netip.Addr // NS name → addresses given with the referral
}

// resolve walks from the roots to name's zone and returns what its
// authoritative servers say of name and qtype. depth counts nested walks
// for name servers' addresses.
func (c *Checker) resolve(ctx context.Context, name string, qtype uint16, depth int) (answer, error) {
	servers, zone := c.roots, "."
	for range maxReferrals {
		ans, ref, err := c.askZone(ctx, servers, zone, name, qtype)
		if err != nil {
			return answer{}, err
		}
		if ref == nil {
			return ans, nil
		}
		if servers, err = c.nsAddrs(ctx, ref, depth); err != nil {
			return answer{}, err
		}
		zone = ref.zone
	}
	return answer{}, fmt.Errorf("more than %d referrals on the way to %s", maxReferrals, strings.TrimSuffix(name, "."))
}

// askZone asks zone's servers in turn until one answers authoritatively
// or refers to a closer zone.
func (c *Checker) askZone(ctx context.Context, servers []string, zone, name string, qtype uint16) (answer, *referral, error) {
	var fails []string
	for i, s := range servers {
		if i == serversPerHop || ctx.Err() != nil {
			break
		}
		m, err := c.exchange(ctx, s, name, qtype)
		if err != nil {
			fails = append(fails, s+": "+describe(err))
			continue
		}
		ans, ref, why := classify(m, zone, name, qtype)
		if why != "" {
			fails = append(fails, s+": "+why)
			continue
		}
		return ans, ref, nil
	}
	if len(fails) == 0 {
		fails = append(fails, "the check ran out of time")
	}
	return answer{}, nil, fmt.Errorf("no authoritative answer for %s %s from the servers of %s: %s",
		strings.TrimSuffix(name, "."), dns.TypeToString[qtype], zoneName(zone), strings.Join(fails, "; "))
}

// exchange asks one server, over TCP when the UDP answer is truncated.
func (c *Checker) exchange(ctx context.Context, server, name string, qtype uint16) (*dns.Msg, error) {
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	q.RecursionDesired = false
	q.SetEdns0(1232, false)
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	m, _, err := c.udp.ExchangeContext(ctx, q, server)
	if err == nil && m.Truncated {
		m, _, err = c.tcp.ExchangeContext(ctx, q, server)
	}
	return m, err
}

// describe says what went wrong with a query in words fit for an
// operator, never a raw error.
func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH):
		return "unreachable"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	default:
		return "bad or no answer"
	}
}

// classify reads one server's answer: an authoritative answer, a referral
// closer to name than zone, or why it is neither (why is then set).
func classify(m *dns.Msg, zone, name string, qtype uint16) (answer, *referral, string) {
	if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
		return answer{}, nil, rcodeName(m.Rcode)
	}
	if len(m.Question) != 1 || !strings.EqualFold(m.Question[0].Name, name) || m.Question[0].Qtype != qtype {
		return answer{}, nil, "an answer to another question"
	}
	if !m.Authoritative {
		if ref := referralIn(m, zone, name); ref != nil {
			return answer{}, ref, ""
		}
		return answer{}, nil, "lame: not authoritative, and no referral below " + zoneName(zone)
	}
	if m.Rcode == dns.RcodeNameError {
		return answer{kind: nxDomain}, nil, ""
	}
	ans := answer{kind: noData}
	for _, rr := range m.Answer {
		if !strings.EqualFold(rr.Header().Name, name) {
			continue
		}
		switch rr := rr.(type) {
		case *dns.CNAME:
			if qtype == dns.TypeCNAME {
				return answer{kind: found, target: rr.Target}, nil, ""
			}
		case *dns.A:
			if a, ok := netip.AddrFromSlice(rr.A.To4()); ok && qtype == dns.TypeA {
				ans.kind, ans.addrs = found, append(ans.addrs, a)
			}
		}
	}
	return ans, nil, ""
}

func rcodeName(rcode int) string {
	if s, ok := dns.RcodeToString[rcode]; ok {
		return s
	}
	return fmt.Sprintf("rcode %d", rcode)
}

// referralIn returns the delegation in m's authority section when it is
// to a zone strictly below zone and at or above name, with the glue
// addresses in zone's bailiwick; nil when there is none.
func referralIn(m *dns.Msg, zone, name string) *referral {
	var ref *referral
	for _, rr := range m.Ns {
		ns, ok := rr.(*dns.NS)
		if !ok {
			continue
		}
		owner := strings.ToLower(ns.Hdr.Name)
		if equalName(owner, zone) || !dns.IsSubDomain(zone, owner) || !dns.IsSubDomain(owner, name) {
			continue
		}
		if ref == nil {
			ref = &referral{zone: owner, glue: map[string][]netip.Addr{}}
		}
		if owner == ref.zone {
			ref.ns = append(ref.ns, strings.ToLower(ns.Ns))
		}
	}
	if ref == nil {
		return nil
	}
	for _, rr := range m.Extra {
		owner := strings.ToLower(rr.Header().Name)
		if !dns.IsSubDomain(zone, owner) {
			continue // out of the referring zone's bailiwick: not to be trusted
		}
		var ip net.IP
		switch rr := rr.(type) {
		case *dns.A:
			ip = rr.A.To4()
		case *dns.AAAA:
			ip = rr.AAAA
		}
		if a, ok := netip.AddrFromSlice(ip); ok {
			ref.glue[owner] = append(ref.glue[owner], a.Unmap())
		}
	}
	return ref
}

// zoneName is a zone as messages name it.
func zoneName(zone string) string {
	if zone == "." {
		return "the root"
	}
	return strings.TrimSuffix(zone, ".")
}

func equalName(a, b string) bool { return strings.EqualFold(dns.Fqdn(a), dns.Fqdn(b)) }

// nsAddrs returns where to ask the referral's zone: the glue addresses,
// or else the addresses of its name servers, each found by a walk of its
// own.
func (c *Checker) nsAddrs(ctx context.Context, ref *referral, depth int) ([]string, error) {
	var out, v6 []string
	for _, ns := range ref.ns {
		for _, a := range ref.glue[ns] {
			if a.Is4() {
				out = append(out, c.serverAddr(a))
			} else {
				v6 = append(v6, c.serverAddr(a)) // tried last: IPv6 is often unreachable
			}
		}
	}
	if out = append(out, v6...); len(out) > 0 {
		return out, nil
	}
	if depth >= maxNSDepth {
		return nil, fmt.Errorf("the name servers of %s have no address within %d lookups", zoneName(ref.zone), maxNSDepth)
	}
	var fails []string
	for i, ns := range ref.ns {
		if i == serversPerHop {
			break
		}
		ans, err := c.resolve(ctx, ns, dns.TypeA, depth+1)
		if err != nil {
			fails = append(fails, err.Error())
			continue
		}
		for _, a := range ans.addrs {
			out = append(out, c.serverAddr(a))
		}
		if len(out) > 0 {
			return out, nil
		}
		fails = append(fails, strings.TrimSuffix(ns, ".")+" has no IPv4 address")
	}
	return nil, fmt.Errorf("no address for the name servers of %s: %s", zoneName(ref.zone), strings.Join(fails, "; "))
}
