// Package tlsprobe runs TLS checks: it connects, does a TLS handshake with
// the server name (SNI) of the check, verifies the certificate chain unless
// told not to, and reports when the earliest certificate expires.
//
// A run succeeds when the handshake does and no certificate has expired. It
// is Degraded when the certificate expires in fewer than
// Spec.ExpiryThresholdDays days. Phase timings: DNS (zero for an IP
// literal), Connect (TCP handshake) and TLS (TLS handshake).
package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/statusd/statusd/catalog/field"
	"github.com/statusd/statusd/probes/internal/probeutil"
	"github.com/statusd/statusd/probes/tcpprobe"
	"github.com/statusd/statusd/result"
)

// Defaults and limits of a spec.
const (
	DefaultExpiryThresholdDays = 14
	MaxExpiryThresholdDays     = 365
	DefaultTimeout             = 10 * time.Second
)

// Spec is the definition of a TLS check.
type Spec struct {
	// Address is host:port; host is a name or an IP literal.
	Address string
	// ServerName is sent as SNI and verified against the certificate; empty
	// means the host of Address (no SNI for an IP literal, which is then
	// verified against the certificate's IP addresses).
	ServerName string
	// InsecureSkipVerify skips chain and name verification; expiry is still
	// reported and an expired certificate still fails.
	InsecureSkipVerify bool
	// CAFile is a PEM file of the CAs to trust instead of the system pool.
	CAFile string
	// ExpiryThresholdDays: a certificate expiring in fewer days makes the
	// run degraded. 0 means DefaultExpiryThresholdDays.
	ExpiryThresholdDays int
}

// ApplyDefaults fills the zero fields of s with their defaults.
func (s *Spec) ApplyDefaults() {
	if s.ExpiryThresholdDays == 0 {
		s.ExpiryThresholdDays = DefaultExpiryThresholdDays
	}
}

// Validate checks a defaulted spec and returns every problem found, with
// fields named "tls.<field>". It does not read CAFile; a missing file fails
// the run with class internal.
func (s *Spec) Validate() []field.Error {
	var errs []field.Error
	add := func(name, format string, args ...any) {
		errs = append(errs, field.Error{Field: "tls." + name, Message: fmt.Sprintf(format, args...)})
	}
	if msg := tcpprobe.ValidateAddress(s.Address); msg != "" {
		add("address", "%s", msg)
	}
	if s.ServerName != "" && (len(s.ServerName) > 253 ||
		strings.ContainsFunc(s.ServerName, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '/' || r == ':' })) {
		add("server_name", "must be a host name of at most 253 printable ASCII characters, got %q", s.ServerName)
	}
	if strings.ContainsRune(s.CAFile, 0) {
		add("ca_file", "must not contain a NUL byte")
	}
	if s.ExpiryThresholdDays < 1 || s.ExpiryThresholdDays > MaxExpiryThresholdDays {
		add("expiry_threshold_days", "must be between 1 and %d, got %d", MaxExpiryThresholdDays, s.ExpiryThresholdDays)
	}
	return errs
}

// Options configure a Prober.
type Options struct {
	// Resolver looks up names; nil means net.DefaultResolver.
	Resolver *net.Resolver
	// Now is the clock that certificates are verified and days left counted
	// against; nil means time.Now.
	Now func() time.Time
}

// Prober runs TLS checks. It is safe for concurrent use.
type Prober struct {
	resolver *net.Resolver
	now      func() time.Time
}

// New returns a Prober.
func New(opts Options) (*Prober, error) {
	p := &Prober{resolver: opts.Resolver, now: opts.Now}
	if p.resolver == nil {
		p.resolver = net.DefaultResolver
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p, nil
}

// Probe runs spec once within timeout (DefaultTimeout when zero) and ctx,
// and returns what it observed, leaving the identity fields of the result to
// the caller. Defaults are applied to a copy of spec. It never panics.
func (p *Prober) Probe(ctx context.Context, spec Spec, timeout time.Duration) result.Result {
	spec.ApplyDefaults()
	return probeutil.Run(ctx, timeout, DefaultTimeout, func(ctx context.Context, timeout time.Duration) result.Result {
		return p.probe(ctx, spec, timeout)
	})
}

func (p *Prober) probe(ctx context.Context, spec Spec, timeout time.Duration) result.Result {
	if errs := spec.Validate(); len(errs) > 0 {
		return probeutil.Failure(result.ErrInternal, errs[0].Error())
	}
	cfg, err := p.config(spec)
	if err != nil {
		return probeutil.Failure(result.ErrInternal, err.Error())
	}
	var r result.Result
	conn, err := tcpprobe.Dial(ctx, p.resolver, spec.Address, 0, &r.Phases)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && ctx.Err() == nil {
			r.ErrorClass, r.Message = result.ErrDNS, "dns: lookup "+dnsErr.Name+": "+dnsErr.Err
		} else {
			r.ErrorClass, r.Message = probeutil.Classify(ctx, err, timeout, "connect")
		}
		return r
	}
	tc := tls.Client(conn, cfg)
	defer func() { _ = tc.Close() }() // a probe's close says nothing about the target
	t0 := time.Now()
	err = tc.HandshakeContext(ctx)
	r.Phases.TLS = time.Since(t0)
	if err != nil {
		r.ErrorClass, r.Message = classifyHandshake(ctx, err, timeout)
		return r
	}
	p.judgeExpiry(&r, tc.ConnectionState(), spec.ExpiryThresholdDays)
	return r
}

func (p *Prober) config(spec Spec) (*tls.Config, error) {
	host, _, _ := net.SplitHostPort(spec.Address) // validated
	name := spec.ServerName
	if name == "" {
		name = host
	}
	cfg := &tls.Config{ServerName: name, InsecureSkipVerify: spec.InsecureSkipVerify, Time: p.now}
	if spec.CAFile != "" {
		pem, err := os.ReadFile(spec.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls.ca_file: read: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls.ca_file: %s holds no PEM certificate", spec.CAFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// judgeExpiry records the earliest expiry of the verified chain (or of the
// presented certificates when not verified) and decides success.
func (p *Prober) judgeExpiry(r *result.Result, st tls.ConnectionState, thresholdDays int) {
	earliest, days, ok := probeutil.CertExpiry(st, p.now())
	if !ok {
		r.ErrorClass, r.Message = result.ErrTLS, "server presented no certificate"
		return
	}
	r.CertExpiry, r.CertDaysLeft = earliest, days
	if days < 0 {
		r.ErrorClass = result.ErrTLS
		r.Message = fmt.Sprintf("certificate expired %s (%d days ago)", earliest.UTC().Format(time.RFC3339), -days)
		return
	}
	r.Success = true
	if r.CertDaysLeft < thresholdDays {
		r.Degraded = true
		r.Message = fmt.Sprintf("certificate expires in %d days (threshold %d)", r.CertDaysLeft, thresholdDays)
	}
}

// UnderThreshold reports whether a run's certificate expires in fewer than
// thresholdDays days; false when no certificate was seen.
func UnderThreshold(r result.Result, thresholdDays int) bool {
	return !r.CertExpiry.IsZero() && r.CertDaysLeft < thresholdDays
}

func classifyHandshake(ctx context.Context, err error, timeout time.Duration) (result.ErrorClass, string) {
	var (
		netErr  net.Error
		invalid x509.CertificateInvalidError
		host    x509.HostnameError
		unknown x509.UnknownAuthorityError
	)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return result.ErrTimeout, "timeout after " + timeout.String() + " during tls handshake"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return result.ErrTLS, "tls handshake: certificate expired or not yet valid: " + invalid.Detail
	case errors.As(err, &host):
		return result.ErrTLS, "tls handshake: " + host.Error()
	case errors.As(err, &unknown):
		return result.ErrTLS, "tls handshake: certificate signed by unknown authority"
	case errors.As(err, &netErr) && !errors.As(err, new(*tls.CertificateVerificationError)) && isTransport(err):
		return probeutil.Classify(ctx, err, timeout, "tls handshake")
	default:
		return result.ErrTLS, "tls handshake: " + probeutil.Inner(err)
	}
}

// isTransport reports whether err came from the connection under TLS (a
// reset, a closed connection) rather than from TLS itself.
func isTransport(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && (oe.Op == "read" || oe.Op == "write")
}
