package httpprobe

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
)

// probeCase is one probe of a table and what it must give.
type probeCase struct {
	name     string
	check    catalog.Check
	success  bool
	class    result.ErrorClass
	contains string // in the message, when set
}

func runCases(t *testing.T, p *Prober, tests []probeCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := p.Probe(context.Background(), tc.check)
			if r.Success != tc.success || r.ErrorClass != tc.class {
				t.Fatalf("success=%v class=%q message=%q; want success=%v class=%q",
					r.Success, r.ErrorClass, r.Message, tc.success, tc.class)
			}
			if !strings.Contains(r.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", r.Message, tc.contains)
			}
		})
	}
}

func newProber(t *testing.T, opts Options) *Prober {
	t.Helper()
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProbeAssertions(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Node", "a")
		w.Header().Add("X-Node", "b")
		fmt.Fprint(w, `{"status":"ok","padding":"`+strings.Repeat("x", 100)+`","tail":"END"}`)
	})
	with := func(mod func(*catalog.HTTPSpec)) catalog.Check { return check(srv.URL, mod) }
	match := func(name, re string, not bool) func(*catalog.HTTPSpec) {
		return func(s *catalog.HTTPSpec) {
			s.HeaderMatches = []catalog.HeaderMatch{{Name: name, Regex: re, MustNotMatch: not}}
		}
	}
	runCases(t, newProber(t, Options{}), []probeCase{
		{"body must not match, and does not", with(func(s *catalog.HTTPSpec) { s.BodyNotRegex = `"error"` }), true, "", ""},
		{"body must not match, and does", with(func(s *catalog.HTTPSpec) { s.BodyNotRegex = `"status":"ok"` }),
			false, result.ErrAssertion, `body matches "\"status\":\"ok\""`},
		{"both body regexes pass", with(func(s *catalog.HTTPSpec) { s.BodyRegex, s.BodyNotRegex = "ok", "fail" }), true, "", ""},
		{"header matches", with(match("content-type", "^application/json$", false)), true, "", ""},
		{"header matches one of its values", with(match("X-Node", "^b$", false)), true, "", ""},
		{"header does not match", with(match("Content-Type", "^text/", false)),
			false, result.ErrAssertion, `header Content-Type does not match "^text/"`},
		{"header missing", with(match("X-Version", ".", false)),
			false, result.ErrAssertion, "header X-Version missing"},
		{"header must not match, and does not", with(match("X-Node", "^c$", true)), true, "", ""},
		{"header must not match, missing", with(match("X-Maintenance", ".", true)), true, "", ""},
		{"header must not match, and does", with(match("X-Node", "^a$", true)),
			false, result.ErrAssertion, `header X-Node matches "^a$"`},
		{"body limit hides the tail", with(func(s *catalog.HTTPSpec) { s.BodyRegex, s.MaxBodyBytes = "END", 64 }),
			false, result.ErrAssertion, `body does not match "END" (first 64 bytes)`},
		{"body limit large enough", with(func(s *catalog.HTTPSpec) { s.BodyRegex, s.MaxBodyBytes = "END", 4096 }), true, "", ""},
		{"invalid header regex", with(match("X-Node", "(", false)), false, result.ErrInternal, "header_matches[0].regex"},
	})
}

func TestProbeRedirectLimit(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/hop/%d", &n)
		if n < 3 {
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n+1), http.StatusFound)
			return
		}
		fmt.Fprint(w, "arrived")
	})
	limit := func(n int) catalog.Check {
		return check(srv.URL+"/hop/0", func(s *catalog.HTTPSpec) { s.MaxRedirects, s.BodyRegex = n, "arrived" })
	}
	runCases(t, newProber(t, Options{}), []probeCase{
		{"three redirects allowed", limit(3), true, "", ""},
		{"two redirects allowed", limit(2), false, result.ErrHTTPStatus, "stopped after 2 redirects"},
		{"one redirect allowed", limit(1), false, result.ErrHTTPStatus, "stopped after 1 redirects"},
		{"default limit", limit(0), true, "", ""},
		{"not followed", check(srv.URL+"/hop/0", func(s *catalog.HTTPSpec) {
			s.NoFollowRedirects, s.ExpectedStatus = true, []int{http.StatusFound}
		}), true, "", ""},
	})
}

func TestProbeTraceparent(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Traceparent"))
		mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	last := func() string {
		mu.Lock()
		defer mu.Unlock()
		return seen[len(seen)-1]
	}
	p := newProber(t, Options{})
	format := regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-01$`)
	const own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	tests := []struct {
		name    string
		mod     func(*catalog.HTTPSpec)
		want    string // "" for none, "new" for a fresh one
		traceID string // in the message; "" for the new one's
	}{
		{"sent by default", nil, "new", ""},
		{"a second probe gets a new trace", nil, "new", ""},
		{"turned off", func(s *catalog.HTTPSpec) { s.NoTraceparent = true }, "", ""},
		{"the check's own is kept", func(s *catalog.HTTPSpec) { s.Headers = map[string]string{"traceparent": own} },
			own, "0af7651916cd43dd8448eb211c80319c"},
	}
	ids := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := p.Probe(context.Background(), check(srv.URL, tc.mod))
			got := last()
			switch tc.want {
			case "":
				if got != "" || strings.Contains(r.Message, "trace_id") {
					t.Fatalf("traceparent %q, message %q; want neither", got, r.Message)
				}
				return
			case "new":
				m := format.FindStringSubmatch(got)
				if m == nil || ids[m[1]] {
					t.Fatalf("traceparent %q: not a fresh W3C traceparent (seen %v)", got, ids)
				}
				ids[m[1]] = true
				tc.traceID = m[1]
			default:
				if got != tc.want {
					t.Fatalf("traceparent %q, want %q", got, tc.want)
				}
			}
			if want := "status 503, expected 200-399 trace_id=" + tc.traceID; r.Message != want {
				t.Errorf("message %q, want %q", r.Message, want)
			}
		})
	}
}

func TestProbeCertificates(t *testing.T) {
	ca, other := newTestCA(t), newTestCA(t)
	now := time.Now()
	day := 24 * time.Hour
	fresh := ca.serveTLS(t, now.Add(90*day+time.Hour), nil)
	soon := ca.serveTLS(t, now.Add(5*day+time.Hour), nil)
	expired := ca.serveTLS(t, now.Add(-2*day-time.Hour), nil)
	mutual := ca.serveTLS(t, now.Add(90*day), other)
	certFile, keyFile := other.files(t, other.issue(t, true, now.Add(90*day)))
	strangerCert, strangerKey := ca.files(t, newTestCA(t).issue(t, true, now.Add(90*day)))

	tests := []struct {
		name     string
		url      string
		mod      func(*catalog.HTTPSpec)
		success  bool
		class    result.ErrorClass
		degraded bool
		days     int // when a certificate is expected, else -999
		contains string
	}{
		{"verified with the check's CA", fresh.URL, func(s *catalog.HTTPSpec) { s.CAFile = ca.file },
			true, "", false, 90, ""},
		{"unknown CA fails verification", fresh.URL, nil, false, result.ErrTLS, false, -999, "tls"},
		{"verification off", fresh.URL, func(s *catalog.HTTPSpec) { s.InsecureSkipVerify = true },
			true, "", false, 90, ""},
		{"expiring soon is degraded", soon.URL, func(s *catalog.HTTPSpec) { s.CAFile = ca.file },
			true, "", true, 5, "certificate expires in 5 days (threshold 14)"},
		{"threshold below the days left", soon.URL, func(s *catalog.HTTPSpec) { s.CAFile, s.CertExpiryThresholdDays = ca.file, 5 },
			true, "", false, 5, ""},
		{"expired fails verification", expired.URL, func(s *catalog.HTTPSpec) { s.CAFile = ca.file },
			false, result.ErrTLS, false, -999, "expired"},
		{"expired fails without verification", expired.URL, func(s *catalog.HTTPSpec) { s.InsecureSkipVerify = true },
			false, result.ErrTLS, false, -3, "certificate expired"},
		{"client certificate accepted", mutual.URL, func(s *catalog.HTTPSpec) {
			s.CAFile, s.ClientCertFile, s.ClientKeyFile = ca.file, certFile, keyFile
		}, true, "", false, 89, ""},
		{"no client certificate", mutual.URL, func(s *catalog.HTTPSpec) { s.CAFile = ca.file },
			false, result.ErrTLS, false, -999, "certificate"},
		{"client certificate of another CA", mutual.URL, func(s *catalog.HTTPSpec) {
			s.CAFile, s.ClientCertFile, s.ClientKeyFile = ca.file, strangerCert, strangerKey
		}, false, result.ErrTLS, false, -999, ""},
		{"missing client key file", mutual.URL, func(s *catalog.HTTPSpec) {
			s.CAFile, s.ClientCertFile, s.ClientKeyFile = ca.file, certFile, certFile+".missing"
		}, false, result.ErrInternal, false, -999, "load client certificate"},
		{"CA file without a certificate", fresh.URL, func(s *catalog.HTTPSpec) { s.CAFile = keyFile },
			false, result.ErrInternal, false, -999, "no PEM certificate"},
	}
	p := newProber(t, Options{Now: func() time.Time { return now }})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := p.Probe(context.Background(), check(tc.url, tc.mod))
			t.Logf("class=%q message=%q", r.ErrorClass, r.Message)
			if r.Success != tc.success || r.ErrorClass != tc.class || r.Degraded != tc.degraded {
				t.Fatalf("success=%v class=%q degraded=%v; want %v %q %v", r.Success, r.ErrorClass, r.Degraded,
					tc.success, tc.class, tc.degraded)
			}
			if tc.days == -999 {
				if !r.CertExpiry.IsZero() {
					t.Errorf("cert expiry %v recorded, want none", r.CertExpiry)
				}
			} else if r.CertExpiry.IsZero() || r.CertDaysLeft != tc.days {
				t.Errorf("cert expiry %v, %d days left; want %d days", r.CertExpiry, r.CertDaysLeft, tc.days)
			}
			if !strings.Contains(r.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", r.Message, tc.contains)
			}
		})
	}
}
