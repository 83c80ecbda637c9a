package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/probes/tcpprobe"
	"github.com/statusd/statusd/probes/tlsprobe"
	"github.com/statusd/statusd/result"
)

func TestProbersRunEachType(t *testing.T) {
	probers, closeProbers, err := newProbers(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := closeProbers(); err != nil {
			t.Error(err)
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(srv.Close)
	tlsAddr := strings.TrimPrefix(srv.URL, "https://")
	check := func(typ catalog.Type) catalog.Check {
		return catalog.Check{ID: "c", ComponentID: "k", Type: typ, Timeout: 2 * time.Second}
	}
	tcpOK := check(catalog.TypeTCP)
	tcpOK.TCP = &tcpprobe.Spec{Address: ln.Addr().String()}
	tlsOK := check(catalog.TypeTLS)
	tlsOK.TLS = &tlsprobe.Spec{Address: tlsAddr, InsecureSkipVerify: true, ExpiryThresholdDays: 1}
	tests := []struct {
		name      string
		check     catalog.Check
		success   bool
		class     result.ErrorClass
		certKnown bool
	}{
		{"tcp connects", tcpOK, true, result.ErrNone, false},
		{"tls handshakes", tlsOK, true, result.ErrNone, true},
		{"tcp without its block", check(catalog.TypeTCP), false, result.ErrInternal, false},
		{"dns without its block", check(catalog.TypeDNS), false, result.ErrInternal, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := probers[tt.check.Type]
			if !ok {
				t.Fatalf("no prober for %s", tt.check.Type)
			}
			r := p.Probe(context.Background(), tt.check)
			if r.Success != tt.success || r.ErrorClass != tt.class {
				t.Fatalf("success %v class %q (%s), want %v %q", r.Success, r.ErrorClass, r.Message, tt.success, tt.class)
			}
			if got := !r.CertExpiry.IsZero(); got != tt.certKnown {
				t.Errorf("cert expiry known = %v, want %v", got, tt.certKnown)
			}
		})
	}
}
