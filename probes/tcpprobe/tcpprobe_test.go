package tcpprobe

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/result"
)

// listen serves each connection with handle on a loopback port 0 listener
// and returns its address.
func listen(t testing.TB, handle func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = c.Close() }()
				handle(c)
			}()
		}
	}()
	return l.Addr().String()
}

func echoUpper(c net.Conn) {
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return
	}
	_, _ = c.Write([]byte(strings.ToUpper(line)))
}

func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestProbe(t *testing.T) {
	echo := listen(t, echoUpper)
	banner := listen(t, func(c net.Conn) { _, _ = c.Write([]byte("220 smtp.example ESMTP ready\r\n")) })
	silent := listen(t, func(c net.Conn) { time.Sleep(3 * time.Second) })
	hangup := listen(t, func(net.Conn) {})
	partial := listen(t, func(c net.Conn) { _, _ = c.Write([]byte("OK no newline")) })
	_, port, _ := net.SplitHostPort(echo)

	tests := []struct {
		name     string
		spec     Spec
		timeout  time.Duration
		success  bool
		class    result.ErrorClass
		contains string
		more     func(t *testing.T, r result.Result)
	}{
		{name: "connect only", spec: Spec{Address: hangup}, success: true,
			more: func(t *testing.T, r result.Result) {
				if r.Phases.Connect <= 0 || r.Phases.FirstByte != 0 || r.Phases.DNS != 0 {
					t.Errorf("phases %+v: want connect only", r.Phases)
				}
			}},
		{name: "send and expect", spec: Spec{Address: echo, Send: "ping", Expect: "^PING$"}, success: true,
			more: func(t *testing.T, r result.Result) {
				if r.Phases.FirstByte <= 0 {
					t.Errorf("first byte %v, want > 0", r.Phases.FirstByte)
				}
			}},
		{name: "banner", spec: Spec{Address: banner, Expect: `^220 `}, success: true},
		{name: "localhost name", spec: Spec{Address: "localhost:" + port, Family: 4, Send: "x", Expect: "X"}, success: true,
			more: func(t *testing.T, r result.Result) {
				if r.Phases.DNS <= 0 {
					t.Errorf("dns phase %v, want > 0 for a name", r.Phases.DNS)
				}
			}},
		{name: "reply mismatch", spec: Spec{Address: echo, Send: "ping", Expect: "^PONG$"},
			class: result.ErrAssertion, contains: `reply "PING" does not match`},
		{name: "partial line then close", spec: Spec{Address: partial, Expect: "^OK"}, success: true},
		{name: "refused", spec: Spec{Address: closedAddr(t)}, class: result.ErrRefused, contains: "connection refused"},
		{name: "silent server", spec: Spec{Address: silent, Expect: "."}, timeout: 300 * time.Millisecond,
			class: result.ErrTimeout, contains: "read reply"},
		{name: "closed without reply", spec: Spec{Address: hangup, Expect: "."},
			class: result.ErrNetwork, contains: "connection closed by peer"},
		{name: "unknown host", spec: Spec{Address: "no-such-host.invalid:80"}, class: result.ErrDNS, contains: "no-such-host.invalid"},
		{name: "family mismatch", spec: Spec{Address: "127.0.0.1:80", Family: 6}, class: result.ErrDNS, contains: "not IPv6"},
		{name: "invalid spec", spec: Spec{Address: "127.0.0.1:99999"}, class: result.ErrInternal, contains: "tcp.address"},
	}
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			r := p.Probe(context.Background(), tc.spec, timeout)
			if r.Success != tc.success || r.ErrorClass != tc.class {
				t.Fatalf("success %v class %q (%s), want %v %q", r.Success, r.ErrorClass, r.Message, tc.success, tc.class)
			}
			if !strings.Contains(r.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", r.Message, tc.contains)
			}
			if r.Started.IsZero() || r.Duration <= 0 {
				t.Errorf("started %v duration %v, want both set", r.Started, r.Duration)
			}
			if tc.more != nil {
				tc.more(t, r)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		spec   Spec
		fields []string
	}{
		{name: "ok", spec: Spec{Address: "example.com:25", Send: "EHLO x\r\n", Expect: "^250"}},
		{name: "ipv6 ok", spec: Spec{Address: "[::1]:22", Family: 6}},
		{name: "empty", spec: Spec{}, fields: []string{"tcp.address"}},
		{name: "no port", spec: Spec{Address: "example.com"}, fields: []string{"tcp.address"}},
		{name: "port 0", spec: Spec{Address: "example.com:0"}, fields: []string{"tcp.address"}},
		{name: "port 99999", spec: Spec{Address: "example.com:99999"}, fields: []string{"tcp.address"}},
		{name: "space in host", spec: Spec{Address: "exa mple:1"}, fields: []string{"tcp.address"}},
		{name: "everything wrong", spec: Spec{Address: ":80", Family: 5, Send: "a\nb", Expect: "("},
			fields: []string{"tcp.address", "tcp.family", "tcp.send", "tcp.expect"}},
		{name: "long send", spec: Spec{Address: "a:1", Send: strings.Repeat("x", MaxLineBytes+1)}, fields: []string{"tcp.send"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.ApplyDefaults()
			errs := tc.spec.Validate()
			if len(errs) != len(tc.fields) {
				t.Fatalf("errors %v, want fields %v", errs, tc.fields)
			}
			for i, e := range errs {
				if e.Field != tc.fields[i] || e.Message == "" {
					t.Errorf("error %d = %v, want field %s", i, e, tc.fields[i])
				}
			}
		})
	}
}

func FuzzValidate(f *testing.F) {
	f.Add("127.0.0.1:80", 0, "ping", "^PONG$")
	f.Add("[::1]:65535", 6, "", "(")
	f.Add("host:0", 5, "a\nb", "")
	f.Fuzz(func(t *testing.T, addr string, family int, send, expect string) {
		s := Spec{Address: addr, Family: family, Send: send, Expect: expect}
		s.ApplyDefaults()
		for _, e := range s.Validate() {
			if !strings.HasPrefix(e.Field, "tcp.") || e.Message == "" {
				t.Fatalf("bad field error %+v", e)
			}
		}
	})
}

func BenchmarkProbe(b *testing.B) {
	addr := listen(b, echoUpper)
	p, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	spec := Spec{Address: addr, Send: "ping", Expect: "^PING$"}
	for b.Loop() {
		if r := p.Probe(context.Background(), spec, 5*time.Second); !r.Success {
			b.Fatalf("probe failed: %s", r.Message)
		}
	}
}
