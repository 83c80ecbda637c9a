package wire

import (
	"bytes"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/statusd/statusd/result"
)

// EncodeResult encodes a probe result for the results topic. The error is
// always nil; it is kept for the callers written against encoding/json.
func EncodeResult(r result.Result) ([]byte, error) {
	// Most messages fit the stack buffer; the copy then allocates exactly
	// what the message needs.
	var buf [512]byte
	return bytes.Clone(AppendResult(buf[:0], r)), nil
}

// AppendResult appends the message for r to dst and returns the extended
// buffer. The bytes are those encoding/json writes for the message:
// members in the documented order, zero phases, status code, error class
// and message left out, strings escaped as json.Marshal escapes them.
func AppendResult(dst []byte, r result.Result) []byte {
	dst = append(dst, `{"v":`...)
	dst = strconv.AppendInt(dst, Version, 10)
	dst = appendStringMember(dst, `,"id":`, r.ID)
	dst = appendStringMember(dst, `,"check_id":`, r.CheckID)
	dst = appendStringMember(dst, `,"component_id":`, r.ComponentID)
	dst = appendStringMember(dst, `,"agent_id":`, r.AgentID)
	dst = appendStringMember(dst, `,"region":`, r.Region)
	dst = appendIntMember(dst, `,"check_version":`, r.CheckVersion)
	dst = appendIntMember(dst, `,"scheduled_ms":`, r.Scheduled.UnixMilli())
	dst = appendIntMember(dst, `,"started_ms":`, r.Started.UnixMilli())
	dst = appendIntMember(dst, `,"duration_us":`, r.Duration.Microseconds())
	dst = append(dst, `,"phases_us":{`...)
	sep := ""
	for _, ph := range [...]struct {
		name string
		d    time.Duration
	}{
		{`"dns":`, r.Phases.DNS}, {`"connect":`, r.Phases.Connect}, {`"tls":`, r.Phases.TLS},
		{`"first_byte":`, r.Phases.FirstByte}, {`"transfer":`, r.Phases.Transfer},
	} {
		if us := ph.d.Microseconds(); us != 0 {
			dst = appendIntMember(append(dst, sep...), ph.name, us)
			sep = ","
		}
	}
	dst = append(dst, `},"success":`...)
	dst = strconv.AppendBool(dst, r.Success)
	if r.StatusCode != 0 {
		dst = appendIntMember(dst, `,"status_code":`, int64(r.StatusCode))
	}
	if r.ErrorClass != "" {
		dst = appendStringMember(dst, `,"error_class":`, string(r.ErrorClass))
	}
	if r.Message != "" {
		dst = appendStringMember(dst, `,"message":`, r.Message)
	}
	return append(appendMeasures(dst, r), '}')
}

// appendMeasures appends the members of the DNS, ICMP and certificate
// observations, each left out when zero.
func appendMeasures(dst []byte, r result.Result) []byte {
	if r.RCode != "" {
		dst = appendStringMember(dst, `,"rcode":`, r.RCode)
	}
	if v := lossPPM(r.PacketLoss); v != 0 {
		dst = appendIntMember(dst, `,"packet_loss_ppm":`, v)
	}
	for _, m := range [...]struct {
		name string
		d    time.Duration
	}{{`,"rtt_min_us":`, r.RTTMin}, {`,"rtt_avg_us":`, r.RTTAvg}, {`,"rtt_max_us":`, r.RTTMax}} {
		if us := m.d.Microseconds(); us != 0 {
			dst = appendIntMember(dst, m.name, us)
		}
	}
	if !r.CertExpiry.IsZero() {
		dst = appendIntMember(dst, `,"cert_expiry_ms":`, r.CertExpiry.UnixMilli())
	}
	if r.CertDaysLeft != 0 {
		dst = appendIntMember(dst, `,"cert_days_left":`, int64(r.CertDaysLeft))
	}
	if r.Degraded {
		dst = append(dst, `,"degraded":true`...)
	}
	return dst
}

// ppm is the unit of packet_loss_ppm: parts per million.
const ppm = 1_000_000

// lossPPM converts a packet loss fraction to parts per million, clamped to
// 0..ppm (NaN is 0), so that the wire carries an integer.
func lossPPM(loss float64) int64 {
	switch {
	case !(loss > 0):
		return 0
	case loss >= 1:
		return ppm
	}
	return int64(math.Round(loss * ppm))
}

func appendIntMember(dst []byte, name string, v int64) []byte {
	return strconv.AppendInt(append(dst, name...), v, 10)
}

func appendStringMember(dst []byte, name, v string) []byte {
	return appendString(append(dst, name...), v)
}

// appendString appends s as a JSON string escaped exactly as json.Marshal
// escapes it: HTML-sensitive characters, control characters, U+2028 and
// U+2029 escaped, invalid UTF-8 replaced by \ufffd.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(append(dst, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(append(dst, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(dst, s[start:]...), '"')
}
