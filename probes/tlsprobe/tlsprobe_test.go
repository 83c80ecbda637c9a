package tlsprobe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/result"
)

type ca struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string // PEM of cert
}

func newCA(t testing.TB) *ca {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "statusd test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &ca{cert: cert, key: key, file: file}
}

// serve starts a TLS server on loopback port 0 with a leaf certificate for
// names, valid from notBefore to notAfter, and returns its address.
func (c *ca) serve(t testing.TB, names []string, notBefore, notAfter time.Time) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]},
		NotBefore: notBefore, NotAfter: notAfter, DNSNames: names,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if names[0] != "localhost" {
		tmpl.IPAddresses = nil
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, &key.PublicKey, c.key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				_ = conn.(*tls.Conn).Handshake()
				_ = conn.Close()
			}()
		}
	}()
	return l.Addr().String()
}

func rawListener(t *testing.T, handle func(net.Conn)) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { handle(c); _ = c.Close() }()
		}
	}()
	return l.Addr().String()
}

const day = 24 * time.Hour

func TestProbe(t *testing.T) {
	now := time.Now()
	authority := newCA(t)
	local := []string{"localhost"}
	valid := authority.serve(t, local, now.Add(-day), now.Add(90*day+time.Hour))
	soon := authority.serve(t, local, now.Add(-day), now.Add(5*day+time.Hour))
	expired := authority.serve(t, local, now.Add(-30*day), now.Add(-2*day+time.Hour))
	wrongHost := authority.serve(t, []string{"other.example"}, now.Add(-day), now.Add(90*day))
	garbage := rawListener(t, func(c net.Conn) { _, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n")) })
	silent := rawListener(t, func(net.Conn) { time.Sleep(2 * time.Second) })
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = l.Close() }()
		return l.Addr().String()
	}()
	_, validPort, _ := net.SplitHostPort(valid)
	caFile := authority.file

	tests := []struct {
		name     string
		spec     Spec
		now      time.Time // the prober's clock; zero means real time
		timeout  time.Duration
		success  bool
		degraded bool
		class    result.ErrorClass
		daysLeft int // checked when not zero
		contains string
	}{
		{name: "valid", spec: Spec{Address: valid, ServerName: "localhost", CAFile: caFile}, success: true, daysLeft: 90},
		{name: "valid by ip, name from address", spec: Spec{Address: valid, CAFile: caFile}, success: true, daysLeft: 90},
		{name: "valid by name", spec: Spec{Address: "localhost:" + validPort, CAFile: caFile}, success: true, daysLeft: 90},
		{name: "expiring soon", spec: Spec{Address: soon, ServerName: "localhost", CAFile: caFile},
			success: true, degraded: true, daysLeft: 5, contains: "expires in 5 days (threshold 14)"},
		{name: "expiring soon over a lower threshold", spec: Spec{Address: soon, CAFile: caFile, ExpiryThresholdDays: 3},
			success: true, daysLeft: 5},
		{name: "expired", spec: Spec{Address: expired, CAFile: caFile}, class: result.ErrTLS, contains: "expired"},
		{name: "expired unverified", spec: Spec{Address: expired, InsecureSkipVerify: true},
			class: result.ErrTLS, daysLeft: -2, contains: "certificate expired"},
		{name: "wrong host", spec: Spec{Address: wrongHost, ServerName: "localhost", CAFile: caFile},
			class: result.ErrTLS, contains: "not localhost"},
		{name: "wrong host unverified", spec: Spec{Address: wrongHost, ServerName: "localhost", InsecureSkipVerify: true},
			success: true, daysLeft: 89},
		{name: "unknown authority", spec: Spec{Address: valid, ServerName: "localhost"},
			class: result.ErrTLS, contains: "unknown authority"},
		{name: "clock past expiry", spec: Spec{Address: valid, CAFile: caFile}, now: now.Add(100 * day),
			class: result.ErrTLS, contains: "expired"},
		{name: "not tls", spec: Spec{Address: garbage, InsecureSkipVerify: true}, class: result.ErrTLS, contains: "tls handshake"},
		{name: "silent", spec: Spec{Address: silent, InsecureSkipVerify: true}, timeout: 300 * time.Millisecond,
			class: result.ErrTimeout, contains: "tls handshake"},
		{name: "refused", spec: Spec{Address: closed}, class: result.ErrRefused},
		{name: "missing ca file", spec: Spec{Address: valid, CAFile: "/nonexistent/ca.pem"}, class: result.ErrInternal, contains: "tls.ca_file"},
		{name: "ca file not pem", spec: Spec{Address: valid, CAFile: os.Args[0]}, class: result.ErrInternal, contains: "no PEM"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{}
			if !tc.now.IsZero() {
				opts.Now = func() time.Time { return tc.now }
			}
			p, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			r := p.Probe(context.Background(), tc.spec, timeout)
			if r.Success != tc.success || r.ErrorClass != tc.class || r.Degraded != tc.degraded {
				t.Fatalf("success %v class %q degraded %v (%s), want %v %q %v",
					r.Success, r.ErrorClass, r.Degraded, r.Message, tc.success, tc.class, tc.degraded)
			}
			if !strings.Contains(r.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", r.Message, tc.contains)
			}
			if tc.daysLeft != 0 && r.CertDaysLeft != tc.daysLeft {
				t.Errorf("days left %d (expiry %v), want %d", r.CertDaysLeft, r.CertExpiry, tc.daysLeft)
			}
			if tc.success && (r.Phases.TLS <= 0 || r.Phases.Connect <= 0 || r.CertExpiry.IsZero()) {
				t.Errorf("phases %+v expiry %v: want connect, tls and expiry set", r.Phases, r.CertExpiry)
			}
			if tc.success && UnderThreshold(r, 14) != (tc.daysLeft < 14) {
				t.Errorf("UnderThreshold(14) = %v with %d days left", UnderThreshold(r, 14), r.CertDaysLeft)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		spec   Spec
		fields []string
	}{
		{name: "ok", spec: Spec{Address: "example.com:443"}},
		{name: "ok full", spec: Spec{Address: "[::1]:8443", ServerName: "api.example.com", CAFile: "/etc/ca.pem", ExpiryThresholdDays: 30}},
		{name: "empty", spec: Spec{}, fields: []string{"tls.address"}},
		{name: "everything wrong", spec: Spec{Address: "x:0", ServerName: "a b", CAFile: "a\x00", ExpiryThresholdDays: 400},
			fields: []string{"tls.address", "tls.server_name", "tls.ca_file", "tls.expiry_threshold_days"}},
		{name: "negative threshold", spec: Spec{Address: "x:1", ExpiryThresholdDays: -1}, fields: []string{"tls.expiry_threshold_days"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.ApplyDefaults()
			errs := tc.spec.Validate()
			if len(errs) != len(tc.fields) {
				t.Fatalf("errors %v, want fields %v", errs, tc.fields)
			}
			for i, e := range errs {
				if e.Field != tc.fields[i] || e.Message == "" {
					t.Errorf("error %d = %v, want field %s", i, e, tc.fields[i])
				}
			}
		})
	}
}

func FuzzValidate(f *testing.F) {
	f.Add("example.com:443", "example.com", false, "", 14)
	f.Add("[::1]:0", "a b", true, "x\x00", -3)
	f.Fuzz(func(t *testing.T, addr, name string, insecure bool, caFile string, days int) {
		s := Spec{Address: addr, ServerName: name, InsecureSkipVerify: insecure, CAFile: caFile, ExpiryThresholdDays: days}
		s.ApplyDefaults()
		for _, e := range s.Validate() {
			if !strings.HasPrefix(e.Field, "tls.") || e.Message == "" {
				t.Fatalf("bad field error %+v", e)
			}
		}
	})
}

func BenchmarkProbe(b *testing.B) {
	authority := newCA(b)
	addr := authority.serve(b, []string{"localhost"}, time.Now().Add(-day), time.Now().Add(90*day))
	p, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	spec := Spec{Address: addr, ServerName: "localhost", CAFile: authority.file}
	for b.Loop() {
		if r := p.Probe(context.Background(), spec, 5*time.Second); !r.Success {
			b.Fatalf("probe failed: %s", r.Message)
		}
	}
}
