// Package httpprobe runs HTTP(S) checks: it sends one request on a fresh
// connection, follows redirects up to the check's limit, checks the status
// code, the header fields and the body, records when the server certificate
// expires, and times each phase of the exchange with net/http/httptrace.
//
// Every request carries a W3C traceparent header of a new, sampled trace
// (unless the check turns it off or sets its own), and a failure's message
// ends with "trace_id=<id>", so that the failing request can be found in
// the target's traces.
//
// A host name is dialled in the system's order (Happy Eyeballs), or, when
// the check prefers an address family, each address of that family in turn
// and then, unless the check forbids it, those of the other.
//
// A run succeeds with Degraded set when the final response's certificate
// expires in fewer than the check's threshold of days; an expired
// certificate fails, also when verification is off.
//
// Phase timings: DNS, Connect, TLS and FirstByte are summed over every hop of
// a redirect chain (as blackbox_exporter sums its phase gauges), so they add
// up to the time spent in each phase; Transfer is the read of the final
// response's body, of which at most the check's MaxBodyBytes are read.
// FirstByte runs from the moment a connection is ready to the first byte of
// the response (request write plus server think time, blackbox_exporter's
// "processing"). A phase that did not run (DNS for an IP literal, TLS for
// plain HTTP) is zero.
package httpprobe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"time"
	"unicode"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/probes/internal/probeutil"
	"github.com/statusd/statusd/result"
)

// DefaultUserAgent is sent when Options.UserAgent is empty.
const DefaultUserAgent = "statusd"

// Options configure a Prober.
type Options struct {
	// UserAgent is sent with every request unless the check sets its own
	// User-Agent header; the agent passes "statusd/<version>". Empty means
	// DefaultUserAgent.
	UserAgent string
	// Resolver looks up host names; nil means net.DefaultResolver.
	Resolver *net.Resolver
	// Now is the clock that certificate days left are counted against; nil
	// means time.Now.
	Now func() time.Time
}

// Prober runs HTTP(S) checks. It is safe for concurrent use.
type Prober struct {
	userAgent string
	resolver  *net.Resolver
	dialer    *net.Dialer
	now       func() time.Time
	// Two transports, one verifying certificates and one not, for the
	// checks without a CA or client certificate of their own. Keep-alives
	// are off, so every request dials a fresh connection and does a full
	// TLS handshake and its phases are real.
	verify, noVerify *http.Transport
}

// New returns a Prober.
func New(opts Options) (*Prober, error) {
	ua := opts.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	if strings.ContainsFunc(ua, unicode.IsControl) {
		return nil, fmt.Errorf("new http prober: user agent %q contains control characters", ua)
	}
	p := &Prober{userAgent: ua, resolver: opts.Resolver, now: opts.Now}
	if p.resolver == nil {
		p.resolver = net.DefaultResolver
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.dialer = &net.Dialer{Resolver: p.resolver} // bounded by the probe's context
	p.verify = p.newTransport(&tls.Config{})
	p.noVerify = p.newTransport(&tls.Config{InsecureSkipVerify: true})
	return p, nil
}

func (p *Prober) newTransport(cfg *tls.Config) *http.Transport {
	return &http.Transport{
		// Probes connect directly: a proxy would hide the target's timings.
		Proxy:             nil,
		DialContext:       p.dial,
		DisableKeepAlives: true,
		// A custom TLS config keeps the transport on HTTP/1.1, as
		// blackbox_exporter does unless told otherwise.
		TLSClientConfig: cfg,
	}
}

// Probe runs check c once and returns what it observed. It honours
// c.Timeout (catalog.DefaultTimeout when zero) and ctx, and leaves the
// identity fields of the result to the caller. It never panics: a check it
// cannot run comes back as a failure of class internal.
func (p *Prober) Probe(ctx context.Context, c catalog.Check) result.Result {
	start := time.Now()
	r := p.probe(ctx, c)
	r.Started = start
	r.Duration = time.Since(start)
	return r
}

func (p *Prober) probe(ctx context.Context, c catalog.Check) result.Result {
	if c.HTTP == nil {
		return failure(result.ErrInternal, "check has no http definition")
	}
	spec := *c.HTTP
	spec.ApplyDefaults()
	m, err := compileMatchers(&spec)
	if err != nil {
		return failure(result.ErrInternal, err.Error())
	}
	client, err := p.client(&spec)
	if err != nil {
		return failure(result.ErrInternal, err.Error())
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = catalog.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx = withDialPrefs(ctx, spec.IPFamily, spec.NoIPFallback)

	tr := &tracer{}
	req, traceID, err := p.request(httptrace.WithClientTrace(ctx, tr.clientTrace()), &spec)
	if err != nil {
		return failure(result.ErrInternal, err.Error())
	}
	resp, err := client.Do(req)
	if err != nil {
		var r result.Result
		if resp != nil { // a redirect was refused; the last response is known
			r.StatusCode = resp.StatusCode
		}
		r.Phases = tr.phases(time.Time{})
		r.ErrorClass, r.Message = classify(ctx, err, tr, timeout)
		r.Message = withTrace(r.Message, traceID)
		return r
	}
	body, truncated, readErr := readBody(resp.Body, spec.MaxBodyBytes, m.needBody())
	end := time.Now()
	// Closing a fully or partly read response body says nothing about the
	// target; the connection is not reused either way.
	_ = resp.Body.Close()

	r := result.Result{StatusCode: resp.StatusCode, Phases: tr.phases(end)}
	expired := p.recordCert(&r, resp.TLS)
	switch {
	case !statusOK(resp.StatusCode, spec.ExpectedStatus):
		r.ErrorClass = result.ErrHTTPStatus
		r.Message = fmt.Sprintf("status %d, expected %s", resp.StatusCode, expectedText(spec.ExpectedStatus))
	case readErr != nil:
		r.ErrorClass, r.Message = classify(ctx, readErr, tr, timeout)
	case expired:
		r.ErrorClass = result.ErrTLS
		r.Message = fmt.Sprintf("certificate expired %s (%d days ago)", r.CertExpiry.UTC().Format(time.RFC3339), -r.CertDaysLeft)
	default:
		if msg := m.check(resp.Header, body, truncated); msg != "" {
			r.ErrorClass, r.Message = result.ErrAssertion, msg
			break
		}
		r.Success = true
		if !r.CertExpiry.IsZero() && r.CertDaysLeft < spec.CertExpiryThresholdDays {
			r.Degraded = true
			r.Message = fmt.Sprintf("certificate expires in %d days (threshold %d)", r.CertDaysLeft, spec.CertExpiryThresholdDays)
		}
	}
	if !r.Success {
		r.Message = withTrace(r.Message, traceID)
	}
	r.Message = shorten(r.Message)
	return r
}

// recordCert records when the final response's server certificate
// expires, and reports whether it has; a plain HTTP response records
// nothing.
func (p *Prober) recordCert(r *result.Result, st *tls.ConnectionState) (expired bool) {
	if st == nil {
		return false
	}
	earliest, days, ok := probeutil.CertExpiry(*st, p.now())
	if !ok {
		return false
	}
	r.CertExpiry, r.CertDaysLeft = earliest, days
	return days < 0
}

// withTrace appends the trace ID of the probe's request to a failure
// message, so that the failing request can be found in the target's traces.
func withTrace(msg, traceID string) string {
	if traceID == "" {
		return msg
	}
	suffix := " trace_id=" + traceID
	return shortenTo(msg, maxMessage-len(suffix)) + suffix
}

func failure(class result.ErrorClass, msg string) result.Result {
	return result.Result{ErrorClass: class, Message: shorten(msg)}
}

// maxMessage bounds a result message, which is stored with every result.
const maxMessage = probeutil.MaxMessage

func shorten(s string) string { return shortenTo(s, maxMessage) }

// shortenTo cuts s to at most n bytes on a rune boundary, marking the cut.
func shortenTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
