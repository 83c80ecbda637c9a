package httpprobe

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/miekg/dns"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
)

// dualDNS serves dual.test. with an A record 127.0.0.1 and an AAAA record
// ::1 on a loopback UDP port, and returns a resolver that asks it.
func dualDNS(t *testing.T) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.NewServeMux()
	mux.HandleFunc("dual.test.", func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Authoritative = true
		switch q.Question[0].Qtype {
		case dns.TypeA:
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: "dual.test.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
				A: net.IPv4(127, 0, 0, 1)})
		case dns.TypeAAAA:
			m.Answer = append(m.Answer, &dns.AAAA{Hdr: dns.RR_Header{Name: "dual.test.", Rrtype: dns.TypeAAAA, Class: dns.ClassINET, Ttl: 60},
				AAAA: net.IPv6loopback})
		}
		_ = w.WriteMsg(m)
	})
	srv := &dns.Server{PacketConn: pc, Handler: mux}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	addr := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", addr)
	}}
}

// dualServers starts HTTP servers on 127.0.0.1 and [::1] on one port, each
// answering with its family, and returns the port and the listeners.
func dualServers(t *testing.T) (port int, v4, v6 net.Listener) {
	t.Helper()
	for range 20 {
		l6, err := net.Listen("tcp", "[::1]:0")
		if err != nil {
			t.Fatalf("listen on ::1 (the test needs IPv6 loopback): %v", err)
		}
		port = l6.Addr().(*net.TCPAddr).Port
		l4, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil { // taken on IPv4: try another port
			_ = l6.Close()
			continue
		}
		for _, l := range []struct {
			ln   net.Listener
			name string
		}{{l4, "v4"}, {l6, "v6"}} {
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, l.name) })}
			go func() { _ = srv.Serve(l.ln) }()
			t.Cleanup(func() { _ = srv.Close() })
		}
		return port, l4, l6
	}
	t.Fatal("no port free on both 127.0.0.1 and ::1")
	return 0, nil, nil
}

func TestProbeIPFamily(t *testing.T) {
	resolver := dualDNS(t)
	port, _, _ := dualServers(t)
	downPort, _, v6 := dualServers(t)
	if err := v6.Close(); err != nil { // only IPv4 answers on downPort
		t.Fatal(err)
	}
	at := func(port, family int, noFallback bool, body string) catalog.Check {
		return check(fmt.Sprintf("http://dual.test:%d/", port), func(s *catalog.HTTPSpec) {
			s.IPFamily, s.NoIPFallback, s.BodyRegex = family, noFallback, "^"+body+"$"
		})
	}
	p := newProber(t, Options{Resolver: resolver})
	runCases(t, p, []probeCase{
		{"IPv6 preferred", at(port, 6, false, "v6"), true, "", ""},
		{"IPv4 preferred", at(port, 4, false, "v4"), true, "", ""},
		{"IPv6 only", at(port, 6, true, "v6"), true, "", ""},
		{"IPv6 down, falls back to IPv4", at(downPort, 6, false, "v4"), true, "", ""},
		{"IPv6 down, no fallback", at(downPort, 6, true, "v6"), false, result.ErrRefused, "connection refused"},
		{"either family", at(port, 0, false, "v[46]"), true, "", ""},
	})
	t.Run("lookup timed as DNS", func(t *testing.T) {
		r := p.Probe(context.Background(), at(port, 6, false, "v6"))
		if r.Phases.DNS <= 0 || r.Phases.Connect <= 0 {
			t.Errorf("phases %+v, want DNS and Connect timed", r.Phases)
		}
	})
}
