package dnsprobe

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/result"
)

// proxy relays UDP queries to upstream on a loopback port 0 socket, holding
// each query for delay and dropping the first drop queries. The dev DNS
// server cannot be told to answer slowly; this stands in for a slow server.
func proxy(t testing.TB, upstream string, delay time.Duration, drop int32) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	var seen atomic.Int32
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if seen.Add(1) <= drop {
				continue
			}
			q := append([]byte(nil), buf[:n]...)
			go func() {
				time.Sleep(delay)
				up, err := net.Dial("udp", upstream)
				if err != nil {
					return
				}
				defer func() { _ = up.Close() }()
				if err := up.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
					return
				}
				if _, err := up.Write(q); err != nil {
					return
				}
				reply := make([]byte, 65535)
				n, err := up.Read(reply)
				if err != nil {
					return
				}
				_, _ = pc.WriteTo(reply[:n], from)
			}()
		}
	}()
	return pc.LocalAddr().String()
}

func closedUDP(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	if err := pc.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestProbe(t *testing.T) {
	server := testenv.DNS(t)
	slow := proxy(t, server, 150*time.Millisecond, 0)
	verySlow := proxy(t, server, 2*time.Second, 0)
	lossy := proxy(t, server, 0, 1)
	lossyOnce := proxy(t, server, 0, 1)
	refused := closedUDP(t)

	tests := []struct {
		name     string
		spec     Spec
		timeout  time.Duration
		success  bool
		class    result.ErrorClass
		rcode    string
		contains string
		more     func(t *testing.T, r result.Result)
	}{
		{name: "A", spec: Spec{Name: "www.statusd.test", Answers: []string{"192.0.2.10", "192.0.2.11"}},
			success: true, rcode: "NOERROR",
			more: func(t *testing.T, r result.Result) {
				if r.Phases.FirstByte <= 0 || r.Phases.DNS != 0 {
					t.Errorf("phases %+v: want a query time and no dns phase for an IP server", r.Phases)
				}
			}},
		{name: "AAAA", spec: Spec{Name: "www.statusd.test.", Type: "aaaa", Answers: []string{"2001:db8::10"}}, success: true, rcode: "NOERROR"},
		{name: "TXT", spec: Spec{Name: "txt.statusd.test", Type: "TXT", Answers: []string{`"v=statusd1 hello"`}}, success: true, rcode: "NOERROR"},
		{name: "MX", spec: Spec{Name: "statusd.test", Type: "MX", Answers: []string{"10 mail.statusd.test."}}, success: true, rcode: "NOERROR"},
		{name: "regex", spec: Spec{Name: "www.statusd.test", AnswerRegex: `^192\.0\.2\.11$`}, success: true, rcode: "NOERROR"},
		{name: "CNAME followed by the server", spec: Spec{Name: "alias.statusd.test", Answers: []string{"www.statusd.test.", "192.0.2.10"}},
			success: true, rcode: "NOERROR"},
		{name: "regex mismatch", spec: Spec{Name: "www.statusd.test", AnswerRegex: `^10\.`},
			class: result.ErrAssertion, rcode: "NOERROR", contains: "no answer among 2 records"},
		{name: "answer missing", spec: Spec{Name: "www.statusd.test", Answers: []string{"192.0.2.99"}},
			class: result.ErrAssertion, rcode: "NOERROR", contains: `"192.0.2.99" not among`},
		{name: "no records of the type", spec: Spec{Name: "txt.statusd.test", Type: "A", AnswerRegex: "."},
			class: result.ErrAssertion, rcode: "NOERROR", contains: "among 0 records"},
		{name: "NXDOMAIN", spec: Spec{Name: "nothere.statusd.test"},
			class: result.ErrDNSRcode, rcode: "NXDOMAIN", contains: "rcode NXDOMAIN, expected NOERROR"},
		{name: "NXDOMAIN expected", spec: Spec{Name: "nothere.statusd.test", Rcodes: []string{"nxdomain"}}, success: true, rcode: "NXDOMAIN"},
		{name: "SERVFAIL", spec: Spec{Name: "www.broken.test"}, class: result.ErrDNSRcode, rcode: "SERVFAIL"},
		{name: "REFUSED out of zone", spec: Spec{Name: "example.com", NoRecursion: true}, class: result.ErrDNSRcode, rcode: "REFUSED"},
		{name: "truncated retried over tcp", spec: Spec{Name: "big.statusd.test", Type: "TXT", DisableEDNS0: true, AnswerRegex: `^"07-`},
			success: true, rcode: "NOERROR"},
		{name: "big over udp with edns0", spec: Spec{Name: "big.statusd.test", Type: "TXT", AnswerRegex: `^"07-`}, success: true, rcode: "NOERROR"},
		{name: "tcp", spec: Spec{Name: "www.statusd.test", TCP: true}, success: true, rcode: "NOERROR",
			more: func(t *testing.T, r result.Result) {
				if r.Phases.Connect <= 0 {
					t.Errorf("connect %v, want > 0 over tcp", r.Phases.Connect)
				}
			}},
		{name: "slow", spec: Spec{Server: slow, Name: "www.statusd.test"}, timeout: 3 * time.Second, success: true, rcode: "NOERROR",
			more: func(t *testing.T, r result.Result) {
				if r.Phases.FirstByte < 150*time.Millisecond {
					t.Errorf("query time %v, want at least the proxy's 150ms", r.Phases.FirstByte)
				}
			}},
		{name: "too slow", spec: Spec{Server: verySlow, Name: "www.statusd.test"}, timeout: 300 * time.Millisecond,
			class: result.ErrTimeout, contains: "timeout after 300ms during udp query"},
		{name: "lost query retried", spec: Spec{Server: lossy, Name: "www.statusd.test", Attempts: 3}, timeout: 1500 * time.Millisecond,
			success: true, rcode: "NOERROR"},
		{name: "lost query, one attempt", spec: Spec{Server: lossyOnce, Name: "www.statusd.test", Attempts: 1}, timeout: 300 * time.Millisecond,
			class: result.ErrTimeout},
		{name: "port closed", spec: Spec{Server: refused, Name: "www.statusd.test"}, class: result.ErrRefused, contains: "refused"},
		{name: "server name unknown", spec: Spec{Server: "no-such-host.invalid", Name: "www.statusd.test"}, class: result.ErrDNS},
		{name: "invalid", spec: Spec{Name: "www.statusd.test", Type: "BOGUS"}, class: result.ErrInternal, contains: "dns.type"},
	}
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.spec.Server == "" {
				tc.spec.Server = server
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 3 * time.Second
			}
			r := p.Probe(context.Background(), tc.spec, timeout)
			if r.Success != tc.success || r.ErrorClass != tc.class || r.RCode != tc.rcode {
				t.Fatalf("success %v class %q rcode %q (%s), want %v %q %q", r.Success, r.ErrorClass, r.RCode, r.Message,
					tc.success, tc.class, tc.rcode)
			}
			if !strings.Contains(r.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", r.Message, tc.contains)
			}
			if r.Duration > timeout+200*time.Millisecond {
				t.Errorf("duration %v, over the timeout %v", r.Duration, timeout)
			}
			if tc.more != nil {
				tc.more(t, r)
			}
		})
	}
}

func BenchmarkProbe(b *testing.B) {
	server := testenv.DNS(b)
	p, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		spec Spec
	}{
		{"udp", Spec{Server: server, Name: "www.statusd.test"}},
		{"tcp", Spec{Server: server, Name: "www.statusd.test", TCP: true}},
		{"truncated", Spec{Server: server, Name: "big.statusd.test", Type: "TXT", DisableEDNS0: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if r := p.Probe(context.Background(), bc.spec, 3*time.Second); !r.Success {
					b.Fatalf("probe failed: %s", r.Message)
				}
			}
		})
	}
}
