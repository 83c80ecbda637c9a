package httpprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/statusd/statusd/result"
)

// classify turns the error of a request or body read into an error class
// and a short plain message. ctx is the probe's context, timeout its bound.
func classify(ctx context.Context, err error, tr *tracer, timeout time.Duration) (result.ErrorClass, string) {
	var (
		dnsErr    *net.DNSError
		netErr    net.Error
		certErr   *tls.CertificateVerificationError
		unknown   x509.UnknownAuthorityError
		host      x509.HostnameError
		invalid   x509.CertificateInvalidError
		record    tls.RecordHeaderError
		alert     tls.AlertError
		redirects tooManyRedirects
	)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		msg := "timeout after " + timeout.String()
		if s := tr.last().stage(); s != "" {
			msg += " " + s
		}
		return result.ErrTimeout, msg
	case errors.Is(err, context.Canceled):
		return result.ErrInternal, "probe canceled"
	case errors.As(err, &dnsErr):
		return result.ErrDNS, shorten("dns: lookup " + dnsErr.Name + ": " + dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return result.ErrRefused, "connect: connection refused"
	case tr.tlsFailed() || remoteTLSAlert(err) || errors.As(err, &certErr) || errors.As(err, &unknown) || errors.As(err, &host) ||
		errors.As(err, &invalid) || errors.As(err, &record) || errors.As(err, &alert):
		msg := inner(err)
		if !strings.HasPrefix(msg, "tls") {
			msg = "tls handshake: " + msg
		}
		return result.ErrTLS, shorten(msg)
	case errors.As(err, &redirects):
		return result.ErrHTTPStatus, redirects.Error()
	case errors.As(err, &netErr) && netErr.Timeout():
		return result.ErrTimeout, shorten("timeout: " + inner(err))
	default:
		return result.ErrNetwork, shorten(inner(err))
	}
}

// inner drops the wrappers that repeat the method, URL and addresses, which
// the result already carries, and keeps what went wrong.
func inner(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "connection closed by server"
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		op := oe.Op
		if op == "dial" {
			op = "connect"
		}
		msg := oe.Err.Error()
		var se *os.SyscallError
		if errors.As(oe.Err, &se) {
			msg = se.Err.Error()
		}
		return op + ": " + msg
	}
	return err.Error()
}

// remoteTLSAlert reports whether err is an alert the server sent after the
// client's side of the handshake completed, as a TLS 1.3 server that
// rejects the client certificate does: crypto/tls reports it as a
// *net.OpError with Op "remote error" around an unexported alert type.
func remoteTLSAlert(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "remote error"
}
