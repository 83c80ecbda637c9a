package wire

import (
	"strings"
	"time"

	"github.com/statusd/statusd/result"
)

// Bounds of a ResultDecoder's table of shared strings.
const (
	// internMax is how many distinct identity strings a decoder keeps; when
	// the table is full it starts over, so memory stays bounded (at most
	// about internMax × (internMaxLen + 64) bytes) for any input.
	internMax = 8192
	// internMaxLen is the longest string the table keeps.
	internMaxLen = 64
)

// DecodeResult decodes a message of the results topic. Identity fields and
// times are required; a result that fails this check is a *DecodeError.
//
// It reads the message in one pass but accepts and rejects exactly what
// encoding/json did: names match case-insensitively, the last of duplicate
// members wins, null leaves a member unset, unknown members are skipped,
// integers must fit an int64 and have no fraction or exponent. The strings
// of one result share one allocation; ResultDecoder also shares the
// identity strings between results.
func DecodeResult(data []byte) (result.Result, error) {
	var d ResultDecoder
	return d.Decode(data)
}

// ResultDecoder decodes messages of the results topic as DecodeResult does,
// and shares one copy of the check, component, agent and region strings
// between the results it returns, from a bounded table of its own.
//
// The zero value decodes without sharing. A ResultDecoder is not safe for
// concurrent use: use one per goroutine.
type ResultDecoder struct {
	names   map[string]string
	scratch []byte
}

// NewResultDecoder returns a decoder with an empty table of shared strings.
func NewResultDecoder() *ResultDecoder {
	return &ResultDecoder{names: make(map[string]string)}
}

// Decode decodes one message of the results topic; see DecodeResult.
func (d *ResultDecoder) Decode(data []byte) (result.Result, error) {
	s := scanner{data: data, scratch: d.scratch[:0]}
	var raw rawResult
	err := s.document(&raw)
	if cap(s.scratch) <= 4<<10 {
		d.scratch = s.scratch[:0] // keep a small buffer for the next message
	}
	if err != nil {
		return result.Result{}, err
	}
	if err := raw.check(); err != nil {
		return result.Result{}, err
	}
	return d.build(&raw), nil
}

// build copies the strings out of raw and converts units. The strings
// that are not shared are copied into one allocation.
func (d *ResultDecoder) build(raw *rawResult) result.Result {
	errorClass, known := knownErrorClass(raw.errorClass)
	n := len(raw.id) + len(raw.message) + len(raw.rcode)
	if !known {
		n += len(raw.errorClass)
	}
	if d.names == nil {
		n += len(raw.checkID) + len(raw.componentID) + len(raw.agentID) + len(raw.region)
	}
	var p packer
	p.b.Grow(n)
	id, message, rcode := p.add(raw.id), p.add(raw.message), p.add(raw.rcode)
	var ec span
	if !known {
		ec = p.add(raw.errorClass)
	}
	var checkID, componentID, agentID, region string
	if d.names != nil {
		checkID, componentID = d.intern(raw.checkID), d.intern(raw.componentID)
		agentID, region = d.intern(raw.agentID), d.intern(raw.region)
	} else {
		c, k, a, r := p.add(raw.checkID), p.add(raw.componentID), p.add(raw.agentID), p.add(raw.region)
		all := p.b.String()
		checkID, componentID, agentID, region = c.of(all), k.of(all), a.of(all), r.of(all)
	}
	all := p.b.String()
	if !known {
		errorClass = result.ErrorClass(ec.of(all))
	}
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	var certExpiry time.Time
	if raw.certExpirySet {
		certExpiry = time.UnixMilli(raw.certExpiry).UTC()
	}
	return result.Result{
		ID: id.of(all), CheckID: checkID, ComponentID: componentID, AgentID: agentID, Region: region,
		CheckVersion: raw.checkVersion,
		Scheduled:    time.UnixMilli(raw.scheduled).UTC(), Started: time.UnixMilli(raw.started).UTC(),
		Duration: us(raw.duration),
		Phases: result.Phases{DNS: us(raw.dns), Connect: us(raw.connect), TLS: us(raw.tls),
			FirstByte: us(raw.firstByte), Transfer: us(raw.transfer)},
		Success: raw.success, StatusCode: int(raw.statusCode), ErrorClass: errorClass, Message: message.of(all),
		RCode: rcode.of(all), PacketLoss: float64(raw.packetLossPPM) / ppm,
		RTTMin: us(raw.rttMin), RTTAvg: us(raw.rttAvg), RTTMax: us(raw.rttMax),
		CertExpiry: certExpiry, CertDaysLeft: int(raw.certDaysLeft), Degraded: raw.degraded,
	}
}

// intern returns b as a string shared with earlier results.
func (d *ResultDecoder) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := d.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(b) <= internMaxLen {
		if len(d.names) >= internMax {
			clear(d.names)
		}
		d.names[s] = s
	}
	return s
}

// packer copies several strings into one allocation.
type packer struct{ b strings.Builder }

// span is where a string lies in the packer's result.
type span struct{ lo, hi int }

func (p *packer) add(b []byte) span {
	lo := p.b.Len()
	p.b.Write(b)
	return span{lo, p.b.Len()}
}

func (sp span) of(all string) string { return all[sp.lo:sp.hi] }

// knownErrorClass returns the constant for a known error class, so that
// decoding one allocates nothing.
func knownErrorClass(b []byte) (result.ErrorClass, bool) {
	switch string(b) {
	case string(result.ErrNone):
		return result.ErrNone, true
	case string(result.ErrTimeout):
		return result.ErrTimeout, true
	case string(result.ErrRefused):
		return result.ErrRefused, true
	case string(result.ErrDNS):
		return result.ErrDNS, true
	case string(result.ErrTLS):
		return result.ErrTLS, true
	case string(result.ErrHTTPStatus):
		return result.ErrHTTPStatus, true
	case string(result.ErrAssertion):
		return result.ErrAssertion, true
	case string(result.ErrNetwork):
		return result.ErrNetwork, true
	case string(result.ErrInternal):
		return result.ErrInternal, true
	case string(result.ErrDNSRcode):
		return result.ErrDNSRcode, true
	case string(result.ErrPacketLoss):
		return result.ErrPacketLoss, true
	}
	return "", false
}
