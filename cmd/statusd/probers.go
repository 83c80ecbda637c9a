package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/statusd/statusd/agent"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/probes/dnsprobe"
	"github.com/statusd/statusd/probes/httpprobe"
	"github.com/statusd/statusd/probes/icmpprobe"
	"github.com/statusd/statusd/probes/tcpprobe"
	"github.com/statusd/statusd/probes/tlsprobe"
	"github.com/statusd/statusd/result"
)

// specProber adapts a probe package's Probe(ctx, spec, timeout) to
// agent.Prober, taking the spec from the check's block of the type.
type specProber[S any] struct {
	typ   catalog.Type
	spec  func(catalog.Check) *S
	probe func(ctx context.Context, spec S, timeout time.Duration) result.Result
}

// Probe runs c's spec; a check without the block of its type (which
// validation prevents) fails with class internal rather than panic.
func (p specProber[S]) Probe(ctx context.Context, c catalog.Check) result.Result {
	s := p.spec(c)
	if s == nil {
		return result.Result{Started: time.Now(), ErrorClass: result.ErrInternal,
			Message: fmt.Sprintf("check of type %s has no %s block", c.Type, p.typ)}
	}
	return p.probe(ctx, *s, c.Timeout)
}

// newProbers returns a prober for every check type, and a function that
// releases them. The ICMP prober needs a socket it may not get; without it
// the agent runs the other types and ignores ICMP checks, logged once here.
func newProbers(logger *slog.Logger) (map[catalog.Type]agent.Prober, func() error, error) {
	httpP, err := httpprobe.New(httpprobe.Options{UserAgent: "statusd/" + version})
	if err != nil {
		return nil, nil, err
	}
	dnsP, err := dnsprobe.New(dnsprobe.Options{})
	if err != nil {
		return nil, nil, err
	}
	tcpP, err := tcpprobe.New(tcpprobe.Options{})
	if err != nil {
		return nil, nil, err
	}
	tlsP, err := tlsprobe.New(tlsprobe.Options{})
	if err != nil {
		return nil, nil, err
	}
	probers := map[catalog.Type]agent.Prober{
		catalog.TypeHTTP: httpP,
		catalog.TypeDNS: specProber[dnsprobe.Spec]{typ: catalog.TypeDNS,
			spec: func(c catalog.Check) *dnsprobe.Spec { return c.DNS }, probe: dnsP.Probe},
		catalog.TypeTCP: specProber[tcpprobe.Spec]{typ: catalog.TypeTCP,
			spec: func(c catalog.Check) *tcpprobe.Spec { return c.TCP }, probe: tcpP.Probe},
		catalog.TypeTLS: specProber[tlsprobe.Spec]{typ: catalog.TypeTLS,
			spec: func(c catalog.Check) *tlsprobe.Spec { return c.TLS }, probe: tlsP.Probe},
	}
	closeAll := func() error { return nil }
	icmpP, err := icmpprobe.New(icmpprobe.Options{Logger: logger.With("component", "icmp")})
	if err != nil {
		logger.Error("icmp checks will not run", "err", err.Error())
		return probers, closeAll, nil
	}
	probers[catalog.TypeICMP] = specProber[icmpprobe.Spec]{typ: catalog.TypeICMP,
		spec: func(c catalog.Check) *icmpprobe.Spec { return c.ICMP }, probe: icmpP.Probe}
	return probers, icmpP.Close, nil
}
