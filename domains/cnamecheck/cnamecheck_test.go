package cnamecheck

import (
	"errors"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/statusd/statusd/domains"
	"github.com/statusd/statusd/internal/testenv"
)

// target is the expected target of deploy/dev/dns/cname.test.zone.
const target = "pages.cname.test"

// blackHole is a real UDP socket that reads every query and never answers:
// a name server that is down or too slow.
func blackHole(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		if err := pc.Close(); err != nil {
			t.Error(err)
		}
	})
	return pc.LocalAddr().String()
}

// zoneServer is the knot serving the test zones, checked to serve
// cname.test: a server started before the zone was added must be
// restarted (make services does it when the zone list changes).
func zoneServer(t *testing.T) string {
	t.Helper()
	server := testenv.DNS(t)
	q := new(dns.Msg)
	q.SetQuestion("direct.cname.test.", dns.TypeCNAME)
	q.RecursionDesired = false
	m, _, err := (&dns.Client{Timeout: 2 * time.Second}).Exchange(q, server)
	if err != nil || m.Rcode != dns.RcodeSuccess || len(m.Answer) == 0 {
		t.Fatalf("the DNS server at %s does not serve cname.test (err %v, answer %v): run `make services`, "+
			"which restarts knot when deploy/dev/dns/knot.conf.in changes", server, err, m)
	}
	return server
}

// newChecker starts walks at root and asks 127.0.0.1 (every name server
// of the test zones) at knot, 127.0.0.2 (slow.cname.test's) at a black hole.
func newChecker(t *testing.T, root, knot string, opts Options) *Checker {
	t.Helper()
	hole := blackHole(t)
	opts.Roots = []string{root}
	opts.ServerAddr = func(ip netip.Addr) string {
		switch ip.String() {
		case "127.0.0.1":
			return knot
		case "127.0.0.2":
			return hole
		}
		return netip.AddrPortFrom(ip, 53).String()
	}
	opts.Timeout = 300 * time.Millisecond
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheck(t *testing.T) {
	knot := zoneServer(t)
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	c := newChecker(t, knot, knot, Options{Clock: func() time.Time { return t0 }})
	tests := []struct {
		name, domain string
		want         domains.Status
		chain        []string
		reason       string // a part of the reason
	}{
		{"direct CNAME", "direct.cname.test", domains.Verified, []string{"direct.cname.test", target}, "in 1 CNAME hop"},
		{"through a child zone", "via.cname.test", domains.Verified,
			[]string{"via.cname.test", "hop.sub.cname.test", target}, "in 2 CNAME hop"},
		{"case does not matter", "Mixed.CNAME.test.", domains.Verified, []string{"mixed.cname.test", target}, ""},
		{"ends elsewhere", "wrong.cname.test", domains.Mismatch, []string{"wrong.cname.test", "www.statusd.test"},
			"the chain ends at www.statusd.test, not at " + target},
		{"dangling", "dangling.cname.test", domains.Mismatch, []string{"dangling.cname.test", "nothing.sub.cname.test"},
			"nothing.sub.cname.test, which does not exist (NXDOMAIN)"},
		{"loop across zones", "loop-a.cname.test", domains.Mismatch,
			[]string{"loop-a.cname.test", "loop-b.sub.cname.test", "loop-a.cname.test"}, "CNAME loop"},
		{"too long", "long1.cname.test", domains.Mismatch,
			[]string{"long1.cname.test", "long2.cname.test", "long3.cname.test", "long4.cname.test", "long5.cname.test",
				"long6.cname.test", "long7.cname.test", "long8.cname.test", "long9.cname.test"}, "longer than 8 CNAMEs"},
		{"address, no CNAME", "plain.cname.test", domains.NoCNAME, []string{"plain.cname.test"}, "has no CNAME record"},
		{"NXDOMAIN", "missing.cname.test", domains.NotFound, []string{"missing.cname.test"}, "does not exist (NXDOMAIN)"},
		{"SERVFAIL", "servfail.cname.test", domains.Indeterminate, []string{"servfail.cname.test", "www.broken.test"},
			"SERVFAIL"},
		{"REFUSED", "refused.cname.test", domains.Indeterminate, []string{"refused.cname.test", "www.unserved.test"},
			"REFUSED"},
		{"lame delegation", "www.lame.cname.test", domains.Indeterminate, []string{"www.lame.cname.test"},
			"lame: not authoritative, and no referral below lame.cname.test"},
		{"slow server", "www.slow.cname.test", domains.Indeterminate, []string{"www.slow.cname.test"}, ": timeout"},
		{"slow server mid-chain", "toslow.cname.test", domains.Indeterminate,
			[]string{"toslow.cname.test", "www.slow.cname.test"}, "from the servers of slow.cname.test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Check(t.Context(), tc.domain, target)
			if r.Status != tc.want || !reflect.DeepEqual(r.Chain, tc.chain) || !strings.Contains(r.Reason, tc.reason) {
				t.Errorf("Check(%s) = %s %v %q,\nwant %s %v with %q", tc.domain, r.Status, r.Chain, r.Reason, tc.want, tc.chain, tc.reason)
			}
			if r.Domain != tc.domain || r.Expected != target || !r.CheckedAt.Equal(t0) {
				t.Errorf("result names %q → %q at %s, want %q → %q at %s", r.Domain, r.Expected, r.CheckedAt, tc.domain, target, t0)
			}
		})
	}
}

// TestCheckWalksFromTheRoot starts at a root server of the test's own (a
// real DNS server on loopback that only refers): test. to ns.statusd.test
// without glue, statusd.test. with glue, so the walk must find a name
// server's address by a walk of its own before it reaches knot.
func TestCheckWalksFromTheRoot(t *testing.T) {
	knot := zoneServer(t)
	root := rootServer(t)
	c := newChecker(t, root, knot, Options{})
	r := c.Check(t.Context(), "via.cname.test", target)
	if r.Status != domains.Verified || len(r.Chain) != 3 {
		t.Errorf("from the root: %s %v %q, want verified in 2 hops", r.Status, r.Chain, r.Reason)
	}
}

// rootServer serves the root zone's referrals for the test zones.
func rootServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		name := q.Question[0].Name
		if dns.IsSubDomain("statusd.test.", name) {
			m.Ns = []dns.RR{mustRR(t, "statusd.test. 300 IN NS ns.statusd.test.")}
			m.Extra = []dns.RR{mustRR(t, "ns.statusd.test. 300 IN A 127.0.0.1")}
		} else {
			m.Ns = []dns.RR{mustRR(t, "test. 300 IN NS ns.statusd.test.")}
		}
		if err := w.WriteMsg(m); err != nil {
			t.Error(err)
		}
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() {
		if err := srv.ActivateAndServe(); err != nil && !errors.Is(err, net.ErrClosed) {
			t.Error(err)
		}
	}()
	<-started
	t.Cleanup(func() {
		if err := srv.Shutdown(); err != nil {
			t.Error(err)
		}
	})
	return pc.LocalAddr().String()
}

func mustRR(t *testing.T, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return rr
}
