// Package probeutil holds what the socket probes (dns, tcp, tls, icmp) share:
// turning a network error into an error class with a short message, and
// bounding messages.
package probeutil

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/statusd/statusd/result"
)

// MaxMessage bounds a result message, which is stored with every result.
const MaxMessage = 200

// Shorten cuts s to at most MaxMessage bytes on a rune boundary.
func Shorten(s string) string {
	if len(s) <= MaxMessage {
		return s
	}
	cut := MaxMessage
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// Failure returns a failed result of class with message msg.
func Failure(class result.ErrorClass, msg string) result.Result {
	return result.Result{ErrorClass: class, Message: Shorten(msg)}
}

// Classify turns the error of a dial, read or write into an error class and
// a short message. ctx is the probe's context, timeout its bound and stage
// what the probe was doing ("connect", "read reply", …).
func Classify(ctx context.Context, err error, timeout time.Duration, stage string) (result.ErrorClass, string) {
	var (
		dnsErr *net.DNSError
		netErr net.Error
	)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, os.ErrDeadlineExceeded):
		return result.ErrTimeout, "timeout after " + timeout.String() + " during " + stage
	case errors.Is(err, context.Canceled):
		return result.ErrInternal, "probe canceled"
	case errors.As(err, &dnsErr):
		return result.ErrDNS, Shorten("dns: lookup " + dnsErr.Name + ": " + dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return result.ErrRefused, stage + ": connection refused"
	case errors.As(err, &netErr) && netErr.Timeout():
		return result.ErrTimeout, Shorten("timeout during " + stage + ": " + Inner(err))
	default:
		return result.ErrNetwork, Shorten(stage + ": " + Inner(err))
	}
}

// Inner drops the wrappers that repeat the operation and addresses, which
// the result already carries, and keeps what went wrong.
func Inner(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "connection closed by peer"
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		var se *os.SyscallError
		if errors.As(oe.Err, &se) {
			return se.Err.Error()
		}
		return oe.Err.Error()
	}
	return err.Error()
}

// Resolve looks up host (an IP literal is returned as is) and returns the
// first address of the wanted family: 4, 6, or 0 for any, preferring IPv4.
func Resolve(ctx context.Context, r *net.Resolver, host string, family int) (net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		if family == 4 && ip.To4() == nil || family == 6 && ip.To4() != nil {
			return nil, &net.DNSError{Name: host, Err: "address is not IPv" + string(rune('0'+family))}
		}
		return ip, nil
	}
	network := map[int]string{0: "ip", 4: "ip4", 6: "ip6"}[family]
	ips, err := r.LookupIP(ctx, network, host)
	if err != nil {
		return nil, err
	}
	for _, ip := range ips {
		if ip.To4() != nil {
			return ip, nil
		}
	}
	return ips[0], nil
}

// ValidPort reports whether the port of a host:port address is 1-65535.
func ValidPort(port string) bool {
	n := 0
	if port == "" || len(port) > 5 {
		return false
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n >= 1 && n <= 65535
}

// CertExpiry returns the earliest NotAfter of the verified chain of st, or
// of the certificates presented when none was verified, and the whole days
// from now to it: negative once expired, -1 for half a day ago. ok is false
// when the server presented no certificate.
func CertExpiry(st tls.ConnectionState, now time.Time) (earliest time.Time, daysLeft int, ok bool) {
	certs := st.PeerCertificates
	if len(st.VerifiedChains) > 0 {
		certs = st.VerifiedChains[0]
	}
	if len(certs) == 0 {
		return time.Time{}, 0, false
	}
	earliest = certs[0].NotAfter
	for _, c := range certs[1:] {
		if c.NotAfter.Before(earliest) {
			earliest = c.NotAfter
		}
	}
	const day = 24 * time.Hour
	left := earliest.Sub(now)
	if left < 0 {
		return earliest, -int((-left + day - 1) / day), true
	}
	return earliest, int(left / day), true
}

// Run runs probe within timeout (def when zero) and ctx, and stamps what it
// returns with its start, its duration and a shortened message: the frame
// every probe's Probe shares.
func Run(ctx context.Context, timeout, def time.Duration, probe func(ctx context.Context, timeout time.Duration) result.Result) result.Result {
	start := time.Now()
	if timeout <= 0 {
		timeout = def
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r := probe(ctx, timeout)
	r.Started = start
	r.Duration = time.Since(start)
	r.Message = Shorten(r.Message)
	return r
}
