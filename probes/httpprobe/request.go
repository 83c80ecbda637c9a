package httpprobe

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/statusd/statusd/catalog"
)

// request builds the probe's request and returns it with the trace ID of
// its traceparent header, empty when it has none.
func (p *Prober) request(ctx context.Context, spec *catalog.HTTPSpec) (*http.Request, string, error) {
	var body io.Reader
	if spec.Body != "" {
		body = strings.NewReader(spec.Body)
	}
	req, err := http.NewRequestWithContext(ctx, spec.Method, spec.URL, body)
	if err != nil {
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, "", fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", p.userAgent)
	for k, v := range spec.Headers {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	if spec.NoTraceparent {
		return req, "", nil
	}
	if tp := req.Header.Get("Traceparent"); tp != "" { // the check's own
		return req, traceIDOf(tp), nil
	}
	tp, traceID := newTraceparent()
	req.Header.Set("Traceparent", tp)
	return req, traceID, nil
}

// newTraceparent returns a W3C Trace Context traceparent header of a new
// trace, sampled so that the target records it, and the trace's ID.
func newTraceparent() (header, traceID string) {
	var b [24]byte
	_, _ = rand.Read(b[:]) // never fails, per its documentation
	b[15] |= 1             // neither ID may be all zeros
	b[23] |= 1
	traceID = hex.EncodeToString(b[:16])
	return "00-" + traceID + "-" + hex.EncodeToString(b[16:]) + "-01", traceID
}

// traceIDOf returns the trace ID of a version 00 traceparent header, empty
// when tp is not one.
func traceIDOf(tp string) string {
	parts := strings.Split(tp, "-")
	if len(parts) != 4 || parts[0] != "00" || len(parts[1]) != 32 {
		return ""
	}
	if _, err := hex.DecodeString(parts[1]); err != nil {
		return ""
	}
	return parts[1]
}

// tooManyRedirects ends a redirect chain longer than the check allows.
type tooManyRedirects int

func (n tooManyRedirects) Error() string { return fmt.Sprintf("stopped after %d redirects", int(n)) }

// client returns the client for spec: on one of the shared transports, or
// on one of its own when the check has a CA or client certificate, whose
// files are then read, so that a renewed certificate is used at once.
func (p *Prober) client(spec *catalog.HTTPSpec) (*http.Client, error) {
	t := p.verify
	if spec.InsecureSkipVerify {
		t = p.noVerify
	}
	if spec.CAFile != "" || spec.ClientCertFile != "" {
		cfg, err := tlsConfig(spec)
		if err != nil {
			return nil, err
		}
		t = p.newTransport(cfg)
	}
	return &http.Client{
		Transport: t,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if spec.NoFollowRedirects {
				return http.ErrUseLastResponse
			}
			if len(via) > spec.MaxRedirects {
				return tooManyRedirects(spec.MaxRedirects)
			}
			return nil
		},
	}, nil
}

// tlsConfig returns the TLS configuration of a check with a CA file or a
// client certificate.
func tlsConfig(spec *catalog.HTTPSpec) (*tls.Config, error) {
	cfg := &tls.Config{InsecureSkipVerify: spec.InsecureSkipVerify}
	if spec.CAFile != "" {
		pem, err := os.ReadFile(spec.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read ca_file: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("read ca_file %s: no PEM certificate in it", spec.CAFile)
		}
	}
	if spec.ClientCertFile != "" {
		cert, err := tls.LoadX509KeyPair(spec.ClientCertFile, spec.ClientKeyFile)
		if err != nil {
			return nil, fmt.Errorf("load client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
