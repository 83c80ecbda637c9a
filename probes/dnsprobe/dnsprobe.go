// Package dnsprobe runs DNS checks with miekg/dns: it sends one query to one
// server, over UDP (repeated over TCP when the answer is truncated) or TCP,
// and checks the response code and the answer section.
//
// Phase timings: DNS is the lookup of the server's own name (zero for an IP
// literal), Connect the set-up of the connection of the last attempt (the
// TCP handshake over TCP, next to nothing over UDP), and FirstByte the query
// time of the last attempt: from the query written to the response read.
// Result.RCode is the response code received.
package dnsprobe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/statusd/statusd/probes/internal/probeutil"
	"github.com/statusd/statusd/result"
)

// DefaultTimeout bounds a probe whose timeout is zero.
const DefaultTimeout = 10 * time.Second

// Options configure a Prober.
type Options struct {
	// Resolver looks up the server's name when it is not an IP literal;
	// nil means net.DefaultResolver.
	Resolver *net.Resolver
}

// Prober runs DNS checks. It is safe for concurrent use.
type Prober struct {
	resolver *net.Resolver
}

// New returns a Prober.
func New(opts Options) (*Prober, error) {
	r := opts.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	return &Prober{resolver: r}, nil
}

// Probe runs spec once within timeout (DefaultTimeout when zero) and ctx,
// and returns what it observed, leaving the identity fields of the result to
// the caller. Defaults are applied to a copy of spec. It never panics: a spec
// it cannot run comes back as a failure of class internal.
func (p *Prober) Probe(ctx context.Context, spec Spec, timeout time.Duration) result.Result {
	spec.Rcodes = slices.Clone(spec.Rcodes)
	spec.ApplyDefaults()
	return probeutil.Run(ctx, timeout, DefaultTimeout, func(ctx context.Context, timeout time.Duration) result.Result {
		return p.probe(ctx, spec, timeout)
	})
}

func (p *Prober) probe(ctx context.Context, spec Spec, timeout time.Duration) result.Result {
	if errs := spec.Validate(); len(errs) > 0 {
		return probeutil.Failure(result.ErrInternal, errs[0].Error())
	}
	var answerRE *regexp.Regexp
	if spec.AnswerRegex != "" {
		answerRE = regexp.MustCompile(spec.AnswerRegex) // validated above
	}
	var r result.Result
	host, port, _ := net.SplitHostPort(spec.Server) // validated above
	t0 := time.Now()
	ip, err := probeutil.Resolve(ctx, p.resolver, host, 0)
	if net.ParseIP(host) == nil {
		r.Phases.DNS = time.Since(t0)
	}
	if err != nil {
		r.ErrorClass, r.Message = probeutil.Classify(ctx, err, timeout, "resolve server")
		return r
	}
	resp, err := p.exchange(ctx, query(spec), net.JoinHostPort(ip.String(), port), spec, &r.Phases)
	if err != nil {
		r.ErrorClass, r.Message = classify(ctx, err, timeout)
		return r
	}
	r.RCode = dns.RcodeToString[resp.Rcode]
	judge(&r, resp, spec, answerRE)
	return r
}

func query(spec Spec) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(spec.Name), dns.StringToType[strings.ToUpper(spec.Type)])
	m.RecursionDesired = !spec.NoRecursion
	if !spec.DisableEDNS0 {
		m.SetEdns0(uint16(spec.UDPSize), false)
	}
	return m
}

// errTruncatedTCP: even the TCP answer was truncated, which no server should
// send.
var errTruncatedTCP = errors.New("answer truncated over tcp")

// exchange sends m over UDP up to spec.Attempts times, splitting what is left
// of ctx's time between the attempts left, and repeats it over TCP when the
// answer is truncated; over TCP only when spec.TCP.
func (p *Prober) exchange(ctx context.Context, m *dns.Msg, addr string, spec Spec, ph *result.Phases) (*dns.Msg, error) {
	if spec.TCP {
		return once(ctx, "tcp", m, addr, ph)
	}
	var (
		resp *dns.Msg
		err  error
	)
	for attempt := range spec.Attempts {
		actx, cancel := attemptContext(ctx, spec.Attempts-attempt)
		resp, err = once(actx, "udp", m, addr, ph)
		cancel()
		if err == nil || ctx.Err() != nil || !isTimeout(err) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	if resp.Truncated {
		return once(ctx, "tcp", m, addr, ph)
	}
	return resp, nil
}

// attemptContext bounds one of left attempts to its share of ctx's time.
func attemptContext(ctx context.Context, left int) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok || left <= 1 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, time.Until(dl)/time.Duration(left))
}

func once(ctx context.Context, network string, m *dns.Msg, addr string, ph *result.Phases) (*dns.Msg, error) {
	c := &dns.Client{Net: network}
	t0 := time.Now()
	conn, err := c.DialContext(ctx, addr)
	ph.Connect = time.Since(t0)
	if err != nil {
		return nil, &stageError{stage: "connect", err: err}
	}
	defer func() { _ = conn.Close() }() // closing a probe's socket says nothing about the server
	resp, rtt, err := c.ExchangeWithConnContext(ctx, m, conn)
	ph.FirstByte = rtt
	if err != nil {
		return nil, &stageError{stage: network + " query", err: err}
	}
	if network == "tcp" && resp.Truncated {
		return nil, &stageError{stage: "tcp query", err: errTruncatedTCP}
	}
	return resp, nil
}

// stageError names what the probe was doing when err happened.
type stageError struct {
	stage string
	err   error
}

func (e *stageError) Error() string { return e.stage + ": " + e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func classify(ctx context.Context, err error, timeout time.Duration) (result.ErrorClass, string) {
	stage, inner := "query", err
	var se *stageError
	if errors.As(err, &se) {
		stage, inner = se.stage, se.err
	}
	if isTimeout(err) {
		return result.ErrTimeout, "timeout after " + timeout.String() + " during " + stage
	}
	if errors.Is(err, errTruncatedTCP) || errors.Is(err, dns.ErrId) || errors.Is(err, dns.ErrShortRead) {
		return result.ErrNetwork, stage + ": bad response: " + probeutil.Inner(inner)
	}
	return probeutil.Classify(ctx, inner, timeout, stage)
}

// judge decides success from the rcode and the answer section.
func judge(r *result.Result, resp *dns.Msg, spec Spec, answerRE *regexp.Regexp) {
	if !slices.ContainsFunc(spec.Rcodes, func(rc string) bool { return strings.EqualFold(rc, r.RCode) }) {
		r.ErrorClass = result.ErrDNSRcode
		r.Message = fmt.Sprintf("rcode %s, expected %s", r.RCode, strings.ToUpper(strings.Join(spec.Rcodes, ", ")))
		return
	}
	data := make([]string, len(resp.Answer))
	for i, rr := range resp.Answer {
		data[i] = strings.TrimPrefix(rr.String(), rr.Header().String())
	}
	for _, want := range spec.Answers {
		if !slices.Contains(data, want) {
			r.ErrorClass = result.ErrAssertion
			r.Message = fmt.Sprintf("answer %q not among %d records: %s", want, len(data), strings.Join(data, "; "))
			return
		}
	}
	if answerRE != nil && !slices.ContainsFunc(data, answerRE.MatchString) {
		r.ErrorClass = result.ErrAssertion
		r.Message = fmt.Sprintf("no answer among %d records matches %q", len(data), spec.AnswerRegex)
		return
	}
	r.Success = true
}
