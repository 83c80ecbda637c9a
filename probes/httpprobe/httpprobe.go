// Package httpprobe runs HTTP(S) checks: it sends one request on a fresh
// connection, follows redirects, checks the status code and the body, and
// times each phase of the exchange with net/http/httptrace.
//
// Phase timings: DNS, Connect, TLS and FirstByte are summed over every hop of
// a redirect chain (as blackbox_exporter sums its phase gauges), so they add
// up to the time spent in each phase; Transfer is the read of the final
// response's body, of which at most MaxBodyBytes are read. FirstByte runs from
// the moment a connection is ready to the first byte of the response (request
// write plus server think time, blackbox_exporter's "processing"). A phase
// that did not run (DNS for an IP literal, TLS for plain HTTP) is zero.
package httpprobe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
)

// Limits of one probe.
const (
	// MaxBodyBytes is how much of a response body is read; a body regular
	// expression is matched against at most this prefix.
	MaxBodyBytes = 1 << 20
	// MaxRedirects is how many redirects are followed before the probe fails.
	MaxRedirects = 10
)

// DefaultUserAgent is sent when Options.UserAgent is empty.
const DefaultUserAgent = "statusd"

// Options configure a Prober.
type Options struct {
	// UserAgent is sent with every request unless the check sets its own
	// User-Agent header; the agent passes "statusd/<version>". Empty means
	// DefaultUserAgent.
	UserAgent string
}

// Prober runs HTTP(S) checks. It is safe for concurrent use.
type Prober struct {
	userAgent string
	// Two transports, one verifying certificates and one not. Keep-alives
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
	return &Prober{userAgent: ua, verify: newTransport(false), noVerify: newTransport(true)}, nil
}

func newTransport(insecure bool) *http.Transport {
	return &http.Transport{
		// Probes connect directly: a proxy would hide the target's timings.
		Proxy:             nil,
		DialContext:       (&net.Dialer{}).DialContext, // bounded by the probe's context
		DisableKeepAlives: true,
		// A custom TLS config keeps the transport on HTTP/1.1, as
		// blackbox_exporter does unless told otherwise.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: insecure},
	}
}

// Probe runs check c once and returns what it observed. It honours
// c.Timeout (catalog.DefaultTimeout when zero) and ctx, and leaves the
// identity fields of the result to the caller. It never panics: a check it
// cannot run comes back as a failure of class internal.
func (p *Prober) Probe(ctx context.Context, c catalog.Check) result.Result {
	start := time.Now()
	r := p.probe(ctx, c, start)
	r.Started = start
	r.Duration = time.Since(start)
	return r
}

func (p *Prober) probe(ctx context.Context, c catalog.Check, start time.Time) result.Result {
	spec := c.HTTP
	if spec == nil {
		return failure(result.ErrInternal, "check has no http definition")
	}
	var bodyRE *regexp.Regexp
	if spec.BodyRegex != "" {
		re, err := regexp.Compile(spec.BodyRegex)
		if err != nil {
			return failure(result.ErrInternal, "body_regex: "+err.Error())
		}
		bodyRE = re
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = catalog.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	tr := &tracer{}
	req, err := p.request(httptrace.WithClientTrace(ctx, tr.clientTrace()), spec)
	if err != nil {
		return failure(result.ErrInternal, err.Error())
	}
	resp, err := p.client(spec).Do(req)
	if err != nil {
		var r result.Result
		if resp != nil { // a redirect was refused; the last response is known
			r.StatusCode = resp.StatusCode
		}
		r.Phases = tr.phases(time.Time{})
		r.ErrorClass, r.Message = classify(ctx, err, tr, timeout)
		return r
	}
	body, truncated, readErr := readBody(resp.Body, bodyRE != nil)
	end := time.Now()
	// Closing a fully or partly read response body says nothing about the
	// target; the connection is not reused either way.
	_ = resp.Body.Close()

	r := result.Result{StatusCode: resp.StatusCode, Phases: tr.phases(end)}
	switch {
	case !statusOK(resp.StatusCode, spec.ExpectedStatus):
		r.ErrorClass = result.ErrHTTPStatus
		r.Message = fmt.Sprintf("status %d, expected %s", resp.StatusCode, expectedText(spec.ExpectedStatus))
	case readErr != nil:
		r.ErrorClass, r.Message = classify(ctx, readErr, tr, timeout)
	case bodyRE != nil && !bodyRE.Match(body):
		r.ErrorClass = result.ErrAssertion
		r.Message = fmt.Sprintf("body does not match %q", spec.BodyRegex)
		if truncated {
			r.Message += " (first 1 MiB)"
		}
	default:
		r.Success = true
	}
	r.Message = shorten(r.Message)
	return r
}

func (p *Prober) request(ctx context.Context, spec *catalog.HTTPSpec) (*http.Request, error) {
	method := spec.Method
	if method == "" {
		method = catalog.DefaultMethod
	}
	var body io.Reader
	if spec.Body != "" {
		body = strings.NewReader(spec.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, spec.URL, body)
	if err != nil {
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", p.userAgent)
	for k, v := range spec.Headers {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	return req, nil
}

// errTooManyRedirects ends a redirect chain longer than MaxRedirects.
var errTooManyRedirects = fmt.Errorf("stopped after %d redirects", MaxRedirects)

func (p *Prober) client(spec *catalog.HTTPSpec) *http.Client {
	t := p.verify
	if spec.InsecureSkipVerify {
		t = p.noVerify
	}
	return &http.Client{
		Transport: t,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if spec.NoFollowRedirects {
				return http.ErrUseLastResponse
			}
			if len(via) > MaxRedirects {
				return errTooManyRedirects
			}
			return nil
		},
	}
}

// readBody reads at most MaxBodyBytes of body, keeping them only when keep.
func readBody(body io.Reader, keep bool) (data []byte, truncated bool, err error) {
	limited := io.LimitReader(body, MaxBodyBytes+1)
	if keep {
		data, err = io.ReadAll(limited)
		if len(data) > MaxBodyBytes {
			data, truncated = data[:MaxBodyBytes], true
		}
		return data, truncated, err
	}
	n, err := io.Copy(io.Discard, limited)
	return nil, n > MaxBodyBytes, err
}

func statusOK(code int, expected []int) bool {
	if len(expected) == 0 {
		return code >= 200 && code <= 399
	}
	for _, e := range expected {
		if code == e {
			return true
		}
	}
	return false
}

func expectedText(expected []int) string {
	if len(expected) == 0 {
		return "200-399"
	}
	s := make([]string, len(expected))
	for i, e := range expected {
		s[i] = fmt.Sprint(e)
	}
	return strings.Join(s, ", ")
}

func failure(class result.ErrorClass, msg string) result.Result {
	return result.Result{ErrorClass: class, Message: shorten(msg)}
}

// maxMessage bounds a result message, which is stored with every result.
const maxMessage = 200

func shorten(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
