// Package probes is the home of statusd's probe implementations: each
// subpackage runs one kind of check once and reports what it observed as a
// result.Result, and is usable on its own, without the agent.
//
// A probe fills the observation fields of the result (Started, Duration,
// Phases, Success, StatusCode, ErrorClass, Message) and leaves the identity
// fields (ID, CheckID, ComponentID, AgentID, Region, CheckVersion, Scheduled)
// to its caller, normally the agent's runner. A probe never panics: bad input
// and every failure become a failed result with an error class.
//
// Subpackages:
//
//   - httpprobe: HTTP(S) checks with phase timings (dns, connect, tls, first
//     byte, transfer) measured the way blackbox_exporter does, expected status
//     codes, a body regular expression, redirects and TLS verification.
//   - dnsprobe: one DNS query (miekg/dns) over UDP, TCP on truncation, with
//     expected rcodes and answers.
//   - tcpprobe: a TCP connect, optionally a line sent and a reply expected.
//   - tlsprobe: a TLS handshake with certificate expiry (degraded under a
//     threshold of days).
//   - icmpprobe: ICMP echo over IPv4 and IPv6 through sockets shared by
//     every probe of a Prober.
//
// The new probers take their own spec type: Probe(ctx, spec, timeout). Each
// spec has ApplyDefaults and a Validate returning catalog.FieldError values
// named "<type>.<field>", ready for the catalog to embed; the agent reaches
// them through an adapter to agent.Prober, which takes a catalog.Check.
package probes
