package httpprobe

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
)

// check returns an HTTP check of url with a 5 s timeout.
func check(url string, mod func(*catalog.HTTPSpec)) catalog.Check {
	spec := &catalog.HTTPSpec{URL: url, Method: http.MethodGet}
	if mod != nil {
		mod(spec)
	}
	return catalog.Check{ID: "c", Type: catalog.TypeHTTP, Interval: 10 * time.Second, Timeout: 5 * time.Second, HTTP: spec}
}

// traceSuffix is the trace ID a failure message ends with.
var traceSuffix = regexp.MustCompile(` trace_id=[0-9a-f]{32}$`)

func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func ok(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "all systems operational") }

func TestProbe(t *testing.T) {
	plain := newServer(t, ok)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(ok))
	t.Cleanup(tlsSrv.Close)
	status := func(code int) *httptest.Server {
		return newServer(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) })
	}

	var chainHops atomic.Int32
	chain := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		chainHops.Add(1)
		var n int
		fmt.Sscanf(r.URL.Path, "/hop/%d", &n)
		if n < 3 {
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n+1), http.StatusFound)
			return
		}
		fmt.Fprint(w, "arrived")
	})
	var loopHops atomic.Int32
	loop := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		loopHops.Add(1)
		http.Redirect(w, r, "/again", http.StatusFound)
	})
	slow := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	slowBody := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "start")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	big := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, strings.Repeat("x", catalog.DefaultMaxBodyBytes), "END")
	})
	hangup := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	// The server checks what was sent and answers 400 with the reason.
	echo := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var problems []string
		if want := r.URL.Query().Get("method"); r.Method != want {
			problems = append(problems, "method "+r.Method)
		}
		if want := r.URL.Query().Get("body"); string(body) != want {
			problems = append(problems, fmt.Sprintf("body %q", body))
		}
		if got := r.Header.Get("X-Token"); got != "secret" {
			problems = append(problems, "x-token "+got)
		}
		if got := r.Header.Get("User-Agent"); got != "statusd/test" {
			problems = append(problems, "user-agent "+got)
		}
		if want := r.URL.Query().Get("host"); want != "" && r.Host != want {
			problems = append(problems, "host "+r.Host)
		}
		if len(problems) > 0 {
			http.Error(w, strings.Join(problems, "; "), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	closedPort := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		return "http://" + addr + "/"
	}()
	localhostURL := strings.Replace(plain.URL, "127.0.0.1", "localhost", 1)
	headers := map[string]string{"X-Token": "secret"}

	tests := []struct {
		name       string
		check      catalog.Check
		success    bool
		class      result.ErrorClass
		statusCode int
		message    string // exact when set
		contains   string // substring of the message when set
		more       func(t *testing.T, r result.Result)
	}{
		{name: "plain ok", check: check(plain.URL, nil), success: true, statusCode: 200,
			more: func(t *testing.T, r result.Result) {
				if r.Phases.Connect <= 0 || r.Phases.FirstByte <= 0 {
					t.Errorf("connect and first byte phases must be measured: %+v", r.Phases)
				}
				if r.Phases.DNS != 0 || r.Phases.TLS != 0 {
					t.Errorf("no dns or tls for plain http to an IP: %+v", r.Phases)
				}
			}},
		{name: "dns phase for a host name", check: check(localhostURL, nil), success: true, statusCode: 200,
			more: func(t *testing.T, r result.Result) {
				if r.Phases.DNS <= 0 {
					t.Errorf("dns phase not measured: %+v", r.Phases)
				}
			}},
		{name: "tls self-signed with insecure flag", statusCode: 200, success: true,
			check: check(tlsSrv.URL, func(s *catalog.HTTPSpec) { s.InsecureSkipVerify = true }),
			more: func(t *testing.T, r result.Result) {
				if r.Phases.TLS <= 0 {
					t.Errorf("tls phase not measured: %+v", r.Phases)
				}
			}},
		{name: "tls self-signed verified", check: check(tlsSrv.URL, nil), class: result.ErrTLS,
			contains: "certificate"},
		{name: "redirect chain followed", check: check(chain.URL+"/hop/0", nil), success: true, statusCode: 200,
			more: func(t *testing.T, _ result.Result) {
				if n := chainHops.Load(); n != 4 {
					t.Errorf("server saw %d requests, want 4", n)
				}
			}},
		{name: "redirect not followed", check: check(chain.URL+"/hop/0", func(s *catalog.HTTPSpec) {
			s.NoFollowRedirects = true
		}), success: true, statusCode: 302},
		{name: "redirect not followed, 200 expected", statusCode: 302, class: result.ErrHTTPStatus,
			message: "status 302, expected 200",
			check: check(chain.URL+"/hop/0", func(s *catalog.HTTPSpec) {
				s.NoFollowRedirects = true
				s.ExpectedStatus = []int{200}
			})},
		{name: "redirect loop", check: check(loop.URL, nil), class: result.ErrHTTPStatus, statusCode: 302,
			message: "stopped after 10 redirects",
			more: func(t *testing.T, _ result.Result) {
				if n := loopHops.Load(); n != catalog.DefaultMaxRedirects+1 {
					t.Errorf("server saw %d requests, want %d", n, catalog.DefaultMaxRedirects+1)
				}
			}},
		{name: "slow server hits timeout", class: result.ErrTimeout,
			message: "timeout after 200ms waiting for response",
			check: func() catalog.Check {
				c := check(slow.URL, nil)
				c.Timeout = 200 * time.Millisecond
				return c
			}(),
			more: func(t *testing.T, r result.Result) {
				if r.Duration < 200*time.Millisecond || r.Duration > 5*time.Second {
					t.Errorf("duration %s, want about the 200ms timeout", r.Duration)
				}
			}},
		{name: "slow body hits timeout", class: result.ErrTimeout, statusCode: 200,
			message: "timeout after 200ms reading body",
			check: func() catalog.Check {
				c := check(slowBody.URL, nil)
				c.Timeout = 200 * time.Millisecond
				return c
			}()},
		{name: "closed port", check: check(closedPort, nil), class: result.ErrRefused,
			message: "connect: connection refused"},
		{name: "unresolvable host", check: check("http://no-such-host.invalid/", nil), class: result.ErrDNS,
			contains: "dns: lookup no-such-host.invalid"},
		{name: "server hangs up", check: check(hangup.URL, nil), class: result.ErrNetwork,
			message: "connection closed by server"},
		{name: "unexpected status", check: check(status(503).URL, nil), class: result.ErrHTTPStatus,
			statusCode: 503, message: "status 503, expected 200-399"},
		{name: "expected status list", check: check(status(404).URL, func(s *catalog.HTTPSpec) {
			s.ExpectedStatus = []int{200, 204}
		}), class: result.ErrHTTPStatus, statusCode: 404, message: "status 404, expected 200, 204"},
		{name: "expected non-2xx status", check: check(status(418).URL, func(s *catalog.HTTPSpec) {
			s.ExpectedStatus = []int{418}
		}), success: true, statusCode: 418},
		{name: "body regex matches", check: check(plain.URL, func(s *catalog.HTTPSpec) {
			s.BodyRegex = `systems? operational`
		}), success: true, statusCode: 200},
		{name: "body regex does not match", check: check(plain.URL, func(s *catalog.HTTPSpec) {
			s.BodyRegex = `degraded`
		}), class: result.ErrAssertion, statusCode: 200, message: `body does not match "degraded"`},
		{name: "body regex past the read limit", check: check(big.URL, func(s *catalog.HTTPSpec) {
			s.BodyRegex = `END`
		}), class: result.ErrAssertion, statusCode: 200, message: `body does not match "END" (first 1048576 bytes)`},
		{name: "HEAD with headers", statusCode: 201, success: true,
			check: check(echo.URL+"?method=HEAD", func(s *catalog.HTTPSpec) {
				s.Method = http.MethodHead
				s.Headers = headers
			})},
		{name: "POST with body, headers and host", statusCode: 201, success: true,
			check: check(echo.URL+"?method=POST&body=ping&host=status.example.com", func(s *catalog.HTTPSpec) {
				s.Method = http.MethodPost
				s.Body = "ping"
				s.Headers = map[string]string{"X-Token": "secret", "Host": "status.example.com"}
			})},
		{name: "POST with a wrong body is caught by the server", statusCode: 400, class: result.ErrHTTPStatus,
			check: check(echo.URL+"?method=POST&body=ping", func(s *catalog.HTTPSpec) {
				s.Method = http.MethodPost
				s.Body = "pong"
				s.Headers = headers
			})},
		{name: "no http definition", check: catalog.Check{ID: "c", Type: catalog.TypeHTTP},
			class: result.ErrInternal, message: "check has no http definition"},
		{name: "invalid regex", check: check(plain.URL, func(s *catalog.HTTPSpec) { s.BodyRegex = "(" }),
			class: result.ErrInternal, contains: "body_regex: "},
		{name: "invalid url", check: check("http://[::1", nil), class: result.ErrInternal,
			contains: "build request: "},
	}

	p, err := New(Options{UserAgent: "statusd/test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := time.Now()
			r := p.Probe(context.Background(), tc.check)
			t.Logf("class=%q message=%q phases=%+v", r.ErrorClass, r.Message, r.Phases)
			if r.Success != tc.success || r.ErrorClass != tc.class || r.StatusCode != tc.statusCode {
				t.Fatalf("got success=%v class=%q status=%d message=%q; want success=%v class=%q status=%d",
					r.Success, r.ErrorClass, r.StatusCode, r.Message, tc.success, tc.class, tc.statusCode)
			}
			msg := traceSuffix.ReplaceAllString(r.Message, "")
			if sent := r.ErrorClass != result.ErrInternal; !r.Success && sent != (msg != r.Message) {
				t.Errorf("message %q: a failure of a request sent must end with its trace_id, and only then", r.Message)
			}
			if tc.message != "" && msg != tc.message {
				t.Errorf("message %q, want %q", msg, tc.message)
			}
			if tc.contains != "" && !strings.Contains(r.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", r.Message, tc.contains)
			}
			if tc.success && r.Message != "" {
				t.Errorf("success with message %q", r.Message)
			}
			if r.Started.Before(before) || r.Duration <= 0 {
				t.Errorf("started %v (probe began after %v), duration %s", r.Started, before, r.Duration)
			}
			if r.ID != "" || r.CheckID != "" || !r.Scheduled.IsZero() {
				t.Errorf("identity fields are the caller's: %+v", r)
			}
			if tc.more != nil {
				tc.more(t, r)
			}
		})
	}
}

func TestProbeUsesFreshConnections(t *testing.T) {
	ca := newTestCA(t)
	counted := func(t *testing.T, tlsOn bool) (*httptest.Server, *atomic.Int32) {
		var conns atomic.Int32
		s := httptest.NewUnstartedServer(http.HandlerFunc(ok))
		s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				conns.Add(1)
			}
		}
		if tlsOn {
			s.TLS = &tls.Config{Certificates: []tls.Certificate{ca.issue(t, false, time.Now().Add(time.Hour*24*30))}}
			s.StartTLS()
		} else {
			s.Start()
		}
		t.Cleanup(s.Close)
		return s, &conns
	}
	tests := []struct {
		name string
		tls  bool
		mod  func(*catalog.HTTPSpec)
	}{
		{"plain http", false, nil},
		{"https on the shared transport", true, func(s *catalog.HTTPSpec) { s.InsecureSkipVerify = true }},
		{"https on the check's own transport", true, func(s *catalog.HTTPSpec) { s.CAFile = ca.file }},
		{"with an address family", false, func(s *catalog.HTTPSpec) { s.IPFamily = 4 }},
	}
	p := newProber(t, Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, conns := counted(t, tc.tls)
			const probes = 3
			for range probes {
				r := p.Probe(context.Background(), check(s.URL, tc.mod))
				if !r.Success || r.Phases.Connect <= 0 || tc.tls != (r.Phases.TLS > 0) {
					t.Fatalf("probe: %+v", r)
				}
			}
			if n := conns.Load(); n != probes {
				t.Errorf("%d connections for %d probes, want one each", n, probes)
			}
		})
	}
}

func TestProbeDefaultUserAgent(t *testing.T) {
	got := make(chan string, 1)
	s := newServer(t, func(_ http.ResponseWriter, r *http.Request) { got <- r.Header.Get("User-Agent") })
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Probe(context.Background(), check(s.URL, nil)); !r.Success {
		t.Fatalf("probe: %+v", r)
	}
	if ua := <-got; ua != DefaultUserAgent {
		t.Errorf("user agent %q, want %q", ua, DefaultUserAgent)
	}
}

func TestNewRejectsControlCharacters(t *testing.T) {
	if _, err := New(Options{UserAgent: "statusd\r\nX-Evil: 1"}); err == nil {
		t.Fatal("want an error for a user agent with CR LF")
	}
}

func TestProbeCanceledByCaller(t *testing.T) {
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := p.Probe(ctx, check("http://127.0.0.1:1/", nil))
	if r.Success || r.ErrorClass != result.ErrInternal || traceSuffix.ReplaceAllString(r.Message, "") != "probe canceled" {
		t.Errorf("got %+v, want an internal failure", r)
	}
}

func TestSumPhases(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	hops := []hop{
		// redirect hop: dns 10, connect 20, tls 30, first byte 5
		{dnsStart: at(0), dnsDone: at(10), connStart: at(10), connDone: at(30), tlsStart: at(30), tlsDone: at(60),
			gotConn: at(60), firstByte: at(65)},
		// final hop to an IP: connect 7, first byte 40, body read until 200
		{connStart: at(70), connDone: at(77), gotConn: at(77), firstByte: at(117)},
	}
	tests := []struct {
		name string
		hops []hop
		end  time.Time
		want result.Phases
	}{
		{name: "no hops", want: result.Phases{}},
		{name: "summed over hops, transfer of the last", hops: hops, end: at(200), want: result.Phases{
			DNS: 10 * time.Millisecond, Connect: 27 * time.Millisecond, TLS: 30 * time.Millisecond,
			FirstByte: 45 * time.Millisecond, Transfer: 83 * time.Millisecond}},
		{name: "failed before the body", hops: hops, want: result.Phases{
			DNS: 10 * time.Millisecond, Connect: 27 * time.Millisecond, TLS: 30 * time.Millisecond,
			FirstByte: 45 * time.Millisecond}},
		{name: "unfinished phase counts nothing", hops: []hop{{dnsStart: at(0), dnsDone: at(3), connStart: at(3)}},
			want: result.Phases{DNS: 3 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := sumPhases(tc.hops, tc.end); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestShorten(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes
	got := shorten(long)
	if len(got) > maxMessage+len("…") || !strings.HasSuffix(got, "…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("shorten cut badly: %d bytes %q", len(got), got)
	}
	if shorten("short") != "short" {
		t.Error("short message changed")
	}
}

func BenchmarkProbe(b *testing.B) {
	s := httptest.NewServer(http.HandlerFunc(ok))
	defer s.Close()
	p, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	c := check(s.URL, func(s *catalog.HTTPSpec) { s.BodyRegex = "operational" })
	b.ReportAllocs()
	for b.Loop() {
		if r := p.Probe(context.Background(), c); !r.Success {
			b.Fatalf("probe: %+v", r)
		}
	}
}
