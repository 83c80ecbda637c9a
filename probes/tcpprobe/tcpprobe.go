// Package tcpprobe runs TCP checks: it resolves the target, connects, and
// optionally sends one line and expects a reply line matching a regular
// expression.
//
// Phase timings: DNS is the name lookup (zero for an IP literal), Connect
// the TCP handshake, FirstByte runs from the end of the handshake (after the
// line is sent, when there is one) to the first byte received, and Transfer
// from that byte to the end of the reply line. FirstByte and Transfer are
// zero when no reply is expected.
package tcpprobe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/statusd/statusd/catalog/field"
	"github.com/statusd/statusd/probes/internal/probeutil"
	"github.com/statusd/statusd/result"
)

// MaxLineBytes bounds the reply line read when Spec.Expect is set, and the
// line sent.
const MaxLineBytes = 4096

// DefaultTimeout bounds a probe whose timeout is zero.
const DefaultTimeout = 10 * time.Second

// Spec is the definition of a TCP check.
type Spec struct {
	// Address is host:port; host is a name or an IP literal.
	Address string
	// Family restricts the resolution of a name: 4, 6, or 0 for either
	// (IPv4 preferred).
	Family int
	// Send, when set, is written after the connection is made, followed by
	// "\r\n" unless it already ends in a newline.
	Send string
	// Expect, when set, is a regular expression that the first line
	// received must match.
	Expect string
}

// ApplyDefaults fills the zero fields of s with their defaults. A TCP check
// has none today; the method is there so that every spec has the same shape.
func (s *Spec) ApplyDefaults() {}

// Validate checks a defaulted spec and returns every problem found, with
// fields named "tcp.<field>".
func (s *Spec) Validate() []field.Error {
	var errs []field.Error
	add := func(name, format string, args ...any) {
		errs = append(errs, field.Error{Field: "tcp." + name, Message: fmt.Sprintf(format, args...)})
	}
	if msg := ValidateAddress(s.Address); msg != "" {
		add("address", "%s", msg)
	}
	if s.Family != 0 && s.Family != 4 && s.Family != 6 {
		add("family", "must be 4, 6 or 0 (either), got %d", s.Family)
	}
	if len(s.Send) > MaxLineBytes {
		add("send", "must be at most %d bytes, got %d", MaxLineBytes, len(s.Send))
	} else if i := strings.IndexAny(strings.TrimRight(s.Send, "\r\n"), "\r\n"); i >= 0 {
		add("send", "must be one line, has a line break at byte %d", i)
	}
	if s.Expect != "" {
		if _, err := regexp.Compile(s.Expect); err != nil {
			add("expect", "is not a valid regular expression: %v", err)
		}
	}
	return errs
}

// ValidateAddress returns why addr is not a host:port with a port of
// 1-65535, or "" when it is. The TLS probe shares it.
func ValidateAddress(addr string) string {
	if addr == "" {
		return "is required"
	}
	host, port, err := net.SplitHostPort(addr)
	switch {
	case err != nil:
		return fmt.Sprintf("must be host:port, got %q", addr)
	case host == "":
		return "must name a host"
	case strings.ContainsFunc(host, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '/' }):
		return fmt.Sprintf("host %q contains a space, control character or slash", host)
	case !probeutil.ValidPort(port):
		return fmt.Sprintf("port must be 1-65535, got %q", port)
	}
	return ""
}

// Options configure a Prober.
type Options struct {
	// Resolver looks up names; nil means net.DefaultResolver.
	Resolver *net.Resolver
}

// Prober runs TCP checks. It is safe for concurrent use.
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
// the caller. It never panics: a spec it cannot run comes back as a failure
// of class internal.
func (p *Prober) Probe(ctx context.Context, spec Spec, timeout time.Duration) result.Result {
	return probeutil.Run(ctx, timeout, DefaultTimeout, func(ctx context.Context, timeout time.Duration) result.Result {
		return p.probe(ctx, spec, timeout)
	})
}

func (p *Prober) probe(ctx context.Context, spec Spec, timeout time.Duration) result.Result {
	if errs := spec.Validate(); len(errs) > 0 {
		return probeutil.Failure(result.ErrInternal, errs[0].Error())
	}
	var expect *regexp.Regexp
	if spec.Expect != "" {
		expect = regexp.MustCompile(spec.Expect) // validated above
	}
	var r result.Result
	conn, err := Dial(ctx, p.resolver, spec.Address, spec.Family, &r.Phases)
	if err != nil {
		r.ErrorClass, r.Message = classifyDial(ctx, err, timeout)
		return r
	}
	defer func() { _ = conn.Close() }() // a probe's close says nothing about the target
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			r.ErrorClass, r.Message = result.ErrInternal, "set deadline: "+err.Error()
			return r
		}
	}
	if spec.Send != "" {
		line := spec.Send
		if !strings.HasSuffix(line, "\n") {
			line += "\r\n"
		}
		if _, err := conn.Write([]byte(line)); err != nil {
			r.ErrorClass, r.Message = probeutil.Classify(ctx, err, timeout, "send")
			return r
		}
	}
	if expect == nil {
		r.Success = true
		return r
	}
	line, err := readLine(conn, &r.Phases)
	if err != nil {
		r.ErrorClass, r.Message = probeutil.Classify(ctx, err, timeout, "read reply")
		return r
	}
	if !expect.MatchString(line) {
		r.ErrorClass = result.ErrAssertion
		r.Message = fmt.Sprintf("reply %q does not match %q", line, spec.Expect)
		return r
	}
	r.Success = true
	return r
}

// Dial resolves addr's host (timing it in ph.DNS) and connects to it
// (ph.Connect). The TLS probe shares it.
func Dial(ctx context.Context, res *net.Resolver, addr string, family int, ph *result.Phases) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("split address: %w", err)
	}
	t0 := time.Now()
	ip, err := probeutil.Resolve(ctx, res, host, family)
	if net.ParseIP(host) == nil {
		ph.DNS = time.Since(t0)
	}
	if err != nil {
		return nil, err
	}
	t1 := time.Now()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), port))
	ph.Connect = time.Since(t1)
	return conn, err
}

func classifyDial(ctx context.Context, err error, timeout time.Duration) (result.ErrorClass, string) {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return result.ErrDNS, "dns: lookup " + dnsErr.Name + ": " + dnsErr.Err
	}
	return probeutil.Classify(ctx, err, timeout, "connect")
}

// readLine reads one line of at most MaxLineBytes, timing the first byte in
// ph.FirstByte and the rest in ph.Transfer. The line ends at "\n" or when the
// peer closes the connection after sending something.
func readLine(conn net.Conn, ph *result.Phases) (string, error) {
	t0 := time.Now()
	br := bufio.NewReaderSize(conn, 512)
	if _, err := br.Peek(1); err != nil {
		return "", err
	}
	t1 := time.Now()
	ph.FirstByte = t1.Sub(t0)
	var buf []byte
	for len(buf) <= MaxLineBytes {
		b, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			break // the peer closed after a partial line: judge what came
		}
		if err != nil {
			return "", err
		}
		if b == '\n' {
			break
		}
		buf = append(buf, b)
	}
	ph.Transfer = time.Since(t1)
	if len(buf) > MaxLineBytes {
		buf = buf[:MaxLineBytes]
	}
	return strings.TrimRight(string(buf), "\r"), nil
}
