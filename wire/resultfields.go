package wire

import "bytes"

// field names a member of the result message (top level or phases_us),
// so that the decoder dispatches on a small integer.
type field uint8

// The members of a result message: the top-level ones from fieldV to
// fieldDegraded, then those of phases_us; foldField relies on the ranges.
const (
	fieldUnknown field = iota
	fieldV
	fieldID
	fieldCheckID
	fieldComponentID
	fieldAgentID
	fieldRegion
	fieldCheckVersion
	fieldScheduled
	fieldStarted
	fieldDuration
	fieldPhases
	fieldSuccess
	fieldStatusCode
	fieldErrorClass
	fieldMessage
	fieldRCode
	fieldPacketLoss
	fieldRTTMin
	fieldRTTAvg
	fieldRTTMax
	fieldCertExpiry
	fieldCertDaysLeft
	fieldDegraded
	fieldDNS
	fieldConnect
	fieldTLS
	fieldFirstByte
	fieldTransfer
)

// String returns the field's name on the wire; phases are qualified.
func (f field) String() string {
	switch f {
	case fieldV:
		return "v"
	case fieldID:
		return "id"
	case fieldCheckID:
		return "check_id"
	case fieldComponentID:
		return "component_id"
	case fieldAgentID:
		return "agent_id"
	case fieldRegion:
		return "region"
	case fieldCheckVersion:
		return "check_version"
	case fieldScheduled:
		return "scheduled_ms"
	case fieldStarted:
		return "started_ms"
	case fieldDuration:
		return "duration_us"
	case fieldPhases:
		return "phases_us"
	case fieldSuccess:
		return "success"
	case fieldStatusCode:
		return "status_code"
	case fieldErrorClass:
		return "error_class"
	case fieldMessage:
		return "message"
	case fieldRCode:
		return "rcode"
	case fieldPacketLoss:
		return "packet_loss_ppm"
	case fieldRTTMin:
		return "rtt_min_us"
	case fieldRTTAvg:
		return "rtt_avg_us"
	case fieldRTTMax:
		return "rtt_max_us"
	case fieldCertExpiry:
		return "cert_expiry_ms"
	case fieldCertDaysLeft:
		return "cert_days_left"
	case fieldDegraded:
		return "degraded"
	case fieldDNS:
		return "phases_us.dns"
	case fieldConnect:
		return "phases_us.connect"
	case fieldTLS:
		return "phases_us.tls"
	case fieldFirstByte:
		return "phases_us.first_byte"
	case fieldTransfer:
		return "phases_us.transfer"
	}
	return "unknown"
}

// resultField finds the top-level member named key. Like encoding/json it
// prefers an exact match and otherwise matches names case-insensitively
// under Unicode simple folding (so "ID" and "\u212aind" find fields too).
func resultField(key []byte) field {
	switch string(key) {
	case "v":
		return fieldV
	case "id":
		return fieldID
	case "check_id":
		return fieldCheckID
	case "component_id":
		return fieldComponentID
	case "agent_id":
		return fieldAgentID
	case "region":
		return fieldRegion
	case "check_version":
		return fieldCheckVersion
	case "scheduled_ms":
		return fieldScheduled
	case "started_ms":
		return fieldStarted
	case "duration_us":
		return fieldDuration
	case "phases_us":
		return fieldPhases
	case "success":
		return fieldSuccess
	case "status_code":
		return fieldStatusCode
	case "error_class":
		return fieldErrorClass
	case "message":
		return fieldMessage
	case "rcode":
		return fieldRCode
	case "packet_loss_ppm":
		return fieldPacketLoss
	case "rtt_min_us":
		return fieldRTTMin
	case "rtt_avg_us":
		return fieldRTTAvg
	case "rtt_max_us":
		return fieldRTTMax
	case "cert_expiry_ms":
		return fieldCertExpiry
	case "cert_days_left":
		return fieldCertDaysLeft
	case "degraded":
		return fieldDegraded
	}
	return foldField(key, fieldV, fieldDegraded, "")
}

// phaseField finds the member of phases_us named key, as resultField does.
func phaseField(key []byte) field {
	switch string(key) {
	case "dns":
		return fieldDNS
	case "connect":
		return fieldConnect
	case "tls":
		return fieldTLS
	case "first_byte":
		return fieldFirstByte
	case "transfer":
		return fieldTransfer
	}
	return foldField(key, fieldDNS, fieldTransfer, "phases_us.")
}

// foldField matches key case-insensitively against the fields first..last,
// whose String has the given prefix. bytes.EqualFold is what encoding/json
// matches names with.
func foldField(key []byte, first, last field, prefix string) field {
	ascii := true
	for _, c := range key {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	for f := first; f <= last; f++ {
		name := f.String()[len(prefix):]
		// Only the Kelvin sign and the long s fold to ASCII letters, and
		// both are longer in UTF-8, so a key never matches a longer name
		// and an ASCII key matches only a name of its length.
		if len(key) < len(name) || ascii && len(key) != len(name) {
			continue
		}
		if bytes.EqualFold(key, []byte(name)) {
			return f
		}
	}
	return fieldUnknown
}
