package httpprobe

import (
	"crypto/tls"
	"net/http/httptrace"
	"sync"
	"time"

	"github.com/statusd/statusd/result"
)

// hop holds the trace timestamps of one request of a redirect chain; a zero
// time means the event did not happen.
type hop struct {
	dnsStart, dnsDone     time.Time
	connStart, connDone   time.Time
	tlsStart, tlsDone     time.Time
	gotConn, firstByte    time.Time
	tlsFailed, connFailed bool
}

// tracer records one hop per request the client sends. Callbacks may come
// from several goroutines (the dialer races addresses), hence the mutex.
type tracer struct {
	mu   sync.Mutex
	hops []hop
}

// at runs f on the current hop with the current time.
func (t *tracer) at(f func(h *hop, now time.Time)) {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.hops) == 0 {
		t.hops = append(t.hops, hop{})
	}
	f(&t.hops[len(t.hops)-1], now)
}

func (t *tracer) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(string) {
			t.mu.Lock()
			t.hops = append(t.hops, hop{})
			t.mu.Unlock()
		},
		DNSStart: func(httptrace.DNSStartInfo) { t.at(func(h *hop, now time.Time) { h.dnsStart = now }) },
		DNSDone:  func(httptrace.DNSDoneInfo) { t.at(func(h *hop, now time.Time) { h.dnsDone = now }) },
		ConnectStart: func(string, string) {
			t.at(func(h *hop, now time.Time) {
				if h.connStart.IsZero() { // the first of possibly several attempts
					h.connStart = now
				}
			})
		},
		ConnectDone: func(_, _ string, err error) {
			t.at(func(h *hop, now time.Time) {
				if err == nil || h.connDone.IsZero() || h.connFailed {
					h.connDone, h.connFailed = now, err != nil
				}
			})
		},
		TLSHandshakeStart: func() { t.at(func(h *hop, now time.Time) { h.tlsStart = now }) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			t.at(func(h *hop, now time.Time) { h.tlsDone, h.tlsFailed = now, err != nil })
		},
		GotConn:              func(httptrace.GotConnInfo) { t.at(func(h *hop, now time.Time) { h.gotConn = now }) },
		GotFirstResponseByte: func() { t.at(func(h *hop, now time.Time) { h.firstByte = now }) },
	}
}

// last returns a copy of the newest hop, zero when no request was sent.
func (t *tracer) last() hop {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.hops) == 0 {
		return hop{}
	}
	return t.hops[len(t.hops)-1]
}

// tlsFailed reports whether a TLS handshake of any hop failed.
func (t *tracer) tlsFailed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, h := range t.hops {
		if h.tlsFailed {
			return true
		}
	}
	return false
}

// phases sums the phases of all hops; end is when the final body was read,
// zero when the probe failed before that.
func (t *tracer) phases(end time.Time) result.Phases {
	t.mu.Lock()
	defer t.mu.Unlock()
	return sumPhases(t.hops, end)
}

func sumPhases(hops []hop, end time.Time) result.Phases {
	var p result.Phases
	for _, h := range hops {
		p.DNS += span(h.dnsStart, h.dnsDone)
		p.Connect += span(h.connStart, h.connDone)
		p.TLS += span(h.tlsStart, h.tlsDone)
		p.FirstByte += span(h.gotConn, h.firstByte)
	}
	if len(hops) > 0 {
		p.Transfer = span(hops[len(hops)-1].firstByte, end)
	}
	return p
}

// span is b-a when both happened, else zero.
func span(a, b time.Time) time.Duration {
	if a.IsZero() || b.IsZero() || b.Before(a) {
		return 0
	}
	return b.Sub(a)
}

// stage names the furthest step the hop reached, for timeout messages.
func (h hop) stage() string {
	switch {
	case !h.firstByte.IsZero():
		return "reading body"
	case !h.gotConn.IsZero():
		return "waiting for response"
	case !h.tlsStart.IsZero():
		return "in tls handshake"
	case !h.connStart.IsZero():
		return "connecting"
	case !h.dnsStart.IsZero():
		return "resolving host"
	default:
		return ""
	}
}
