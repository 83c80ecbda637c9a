package wire

import (
	"errors"
	"fmt"
)

// rawResult is a result message as scanned: strings are views into the
// message or the scanner's scratch, numbers are parsed. It follows
// encoding/json's rules for decoding into the message struct: a later
// duplicate key wins, null leaves a member as it was, and a second
// phases_us object is merged into the first.
type rawResult struct {
	// v is the last schema version; vSet is false when it is missing or
	// null, which for the version check (a *int) means missing.
	v    int64
	vSet bool
	// headErr is the first type error in what the version check reads:
	// "v" itself, or a document that is not an object.
	headErr error
	// bodyErr is the first type error of any other member.
	bodyErr error

	id, checkID, componentID, agentID, region, errorClass, message, rcode []byte

	checkVersion, scheduled, started, duration, statusCode int64
	dns, connect, tls, firstByte, transfer                 int64
	success                                                bool

	packetLossPPM, rttMin, rttAvg, rttMax, certDaysLeft int64
	// certExpiry is set only when certExpirySet: like the *int64 of the
	// oracle's struct, null unsets it.
	certExpiry    int64
	certExpirySet bool
	degraded      bool
}

// document scans a whole result message into raw and returns its syntax
// error, if any. Type errors do not stop the scan, since a syntax error
// later in the document takes precedence, as it does for encoding/json.
func (s *scanner) document(raw *rawResult) error {
	s.skipWS()
	if !s.more() {
		return s.errEOF()
	}
	var err error
	switch c := s.data[s.pos]; c {
	case '{':
		err = s.resultObject(raw)
	case 'n':
		err = s.literal("null") // decodes to nothing: the version is missing
	default:
		got := valueKind(c)
		if err = s.skipValue(0); err == nil {
			raw.headErr = fmt.Errorf("result: cannot decode %s, want an object", got)
		}
	}
	if err != nil {
		return err
	}
	s.skipWS()
	if s.more() {
		return s.errChar("after top-level value")
	}
	return nil
}

// resultObject scans the top-level object at the current offset.
func (s *scanner) resultObject(raw *rawResult) error {
	empty, err := s.objectStart()
	if err != nil || empty {
		return err
	}
	for {
		mark := len(s.scratch)
		key, err := s.key()
		if err != nil {
			return err
		}
		f := resultField(key)
		s.scratch = s.scratch[:mark] // the key is no longer needed
		if err := s.colon(); err != nil {
			return err
		}
		if err := s.resultMember(f, raw); err != nil {
			return err
		}
		done, err := s.next()
		if err != nil || done {
			return err
		}
	}
}

// resultMember scans the value of top-level member f.
func (s *scanner) resultMember(f field, raw *rawResult) error {
	switch f {
	case fieldV:
		return s.version(raw)
	case fieldID:
		return s.stringMember(f, &raw.id, &raw.bodyErr)
	case fieldCheckID:
		return s.stringMember(f, &raw.checkID, &raw.bodyErr)
	case fieldComponentID:
		return s.stringMember(f, &raw.componentID, &raw.bodyErr)
	case fieldAgentID:
		return s.stringMember(f, &raw.agentID, &raw.bodyErr)
	case fieldRegion:
		return s.stringMember(f, &raw.region, &raw.bodyErr)
	case fieldErrorClass:
		return s.stringMember(f, &raw.errorClass, &raw.bodyErr)
	case fieldMessage:
		return s.stringMember(f, &raw.message, &raw.bodyErr)
	case fieldCheckVersion:
		return s.intMember(f, &raw.checkVersion, &raw.bodyErr, 1)
	case fieldScheduled:
		return s.intMember(f, &raw.scheduled, &raw.bodyErr, 1)
	case fieldStarted:
		return s.intMember(f, &raw.started, &raw.bodyErr, 1)
	case fieldDuration:
		return s.intMember(f, &raw.duration, &raw.bodyErr, 1)
	case fieldStatusCode:
		return s.intMember(f, &raw.statusCode, &raw.bodyErr, 1)
	case fieldSuccess:
		return s.boolMember(f, &raw.success, &raw.bodyErr)
	case fieldRCode:
		return s.stringMember(f, &raw.rcode, &raw.bodyErr)
	case fieldPacketLoss:
		return s.intMember(f, &raw.packetLossPPM, &raw.bodyErr, 1)
	case fieldRTTMin:
		return s.intMember(f, &raw.rttMin, &raw.bodyErr, 1)
	case fieldRTTAvg:
		return s.intMember(f, &raw.rttAvg, &raw.bodyErr, 1)
	case fieldRTTMax:
		return s.intMember(f, &raw.rttMax, &raw.bodyErr, 1)
	case fieldCertDaysLeft:
		return s.intMember(f, &raw.certDaysLeft, &raw.bodyErr, 1)
	case fieldCertExpiry:
		if s.data[s.pos] == 'n' {
			raw.certExpirySet = false
			return s.literal("null")
		}
		old := raw.bodyErr
		if err := s.intMember(f, &raw.certExpiry, &raw.bodyErr, 1); err != nil {
			return err
		}
		if raw.bodyErr == old {
			raw.certExpirySet = true
		}
		return nil
	case fieldDegraded:
		return s.boolMember(f, &raw.degraded, &raw.bodyErr)
	case fieldPhases:
		return s.phases(raw)
	}
	return s.skipValue(1)
}

// version scans the value of "v". Like the *int the old decoder read it
// into, null makes the version missing again.
func (s *scanner) version(raw *rawResult) error {
	switch c := s.data[s.pos]; {
	case c == 'n':
		raw.vSet = false
		return s.literal("null")
	case c == '-' || isDigit(c):
		lit, isInt, err := s.scanNumber()
		if err != nil {
			return err
		}
		n, ok := parseInt64(lit)
		if !isInt || !ok || !fitsInt(n) { // the old decoder read it into an int
			setFirst(&raw.headErr, mismatch(fieldV, "number "+string(lit), "an integer"))
			return nil
		}
		raw.v, raw.vSet = n, true
		return nil
	}
	return s.wrongType(fieldV, "an integer", &raw.headErr, 1)
}

// phases scans the value of phases_us: an object, or null for no change.
func (s *scanner) phases(raw *rawResult) error {
	switch s.data[s.pos] {
	case 'n':
		return s.literal("null")
	case '{':
	default:
		return s.wrongType(fieldPhases, "an object", &raw.bodyErr, 1)
	}
	empty, err := s.objectStart()
	if err != nil || empty {
		return err
	}
	for {
		mark := len(s.scratch)
		key, err := s.key()
		if err != nil {
			return err
		}
		f := phaseField(key)
		s.scratch = s.scratch[:mark]
		if err := s.colon(); err != nil {
			return err
		}
		switch f {
		case fieldDNS:
			err = s.intMember(f, &raw.dns, &raw.bodyErr, 2)
		case fieldConnect:
			err = s.intMember(f, &raw.connect, &raw.bodyErr, 2)
		case fieldTLS:
			err = s.intMember(f, &raw.tls, &raw.bodyErr, 2)
		case fieldFirstByte:
			err = s.intMember(f, &raw.firstByte, &raw.bodyErr, 2)
		case fieldTransfer:
			err = s.intMember(f, &raw.transfer, &raw.bodyErr, 2)
		default:
			err = s.skipValue(2)
		}
		if err != nil {
			return err
		}
		done, err := s.next()
		if err != nil || done {
			return err
		}
	}
}

// stringMember scans a string member into dst; null leaves dst as it is.
func (s *scanner) stringMember(f field, dst *[]byte, typeErr *error) error {
	switch s.data[s.pos] {
	case '"':
		raw, plain, err := s.scanString()
		if err != nil {
			return err
		}
		if !plain {
			raw = s.unquote(raw)
		}
		*dst = raw
		return nil
	case 'n':
		return s.literal("null")
	}
	return s.wrongType(f, "a string", typeErr, 1)
}

// intMember scans an integer member into dst, inside containers nested
// depth deep; null leaves dst as it is. A number with a fraction or an
// exponent, or out of the int64 range, is a type error as for encoding/json.
func (s *scanner) intMember(f field, dst *int64, typeErr *error, depth int) error {
	switch c := s.data[s.pos]; {
	case c == '-' || isDigit(c):
		lit, isInt, err := s.scanNumber()
		if err != nil {
			return err
		}
		n, ok := parseInt64(lit)
		if f == fieldStatusCode || f == fieldCertDaysLeft { // an int in the old message struct
			ok = ok && fitsInt(n)
		}
		if !isInt || !ok {
			setFirst(typeErr, mismatch(f, "number "+string(lit), "an integer"))
			return nil
		}
		*dst = n
		return nil
	case c == 'n':
		return s.literal("null")
	}
	return s.wrongType(f, "an integer", typeErr, depth)
}

// boolMember scans a boolean member into dst; null leaves dst as it is.
func (s *scanner) boolMember(f field, dst *bool, typeErr *error) error {
	switch s.data[s.pos] {
	case 't':
		*dst = true
		return s.literal("true")
	case 'f':
		*dst = false
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	return s.wrongType(f, "a boolean", typeErr, 1)
}

// wrongType skips a value of the wrong type for member f and records the
// type error, unless the value is not even valid JSON.
func (s *scanner) wrongType(f field, want string, typeErr *error, depth int) error {
	got := valueKind(s.data[s.pos])
	if err := s.skipValue(depth); err != nil {
		return err
	}
	setFirst(typeErr, mismatch(f, got, want))
	return nil
}

// mismatch is the type error for member f.
func mismatch(f field, got, want string) error {
	return fmt.Errorf("result field %s: cannot decode %s into %s", f, got, want)
}

// fitsInt reports whether n fits an int, which is narrower than int64 on
// 32-bit platforms.
func fitsInt(n int64) bool { return int64(int(n)) == n }

// setFirst keeps the first error, as encoding/json reports the first type error.
func setFirst(dst *error, err error) {
	if *dst == nil {
		*dst = err
	}
}

// valueKind names the JSON type of the value starting with c.
func valueKind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// check applies what the old two-pass decoder checked, in its order:
// type errors of the version, the version itself, other type errors.
func (raw *rawResult) check() error {
	switch {
	case raw.headErr != nil:
		return &DecodeError{Kind: KindSyntax, Err: raw.headErr}
	case !raw.vSet:
		return &DecodeError{Kind: KindVersion, Err: errors.New(`missing schema version "v"`)}
	case raw.v != Version:
		return &DecodeError{Kind: KindVersion, Err: fmt.Errorf("schema version %d, this build reads %d", raw.v, Version)}
	case raw.bodyErr != nil:
		return &DecodeError{Kind: KindSyntax, Err: raw.bodyErr}
	}
	return raw.validate()
}

// validate checks the required fields; the messages are those of the
// original decoder.
func (raw *rawResult) validate() error {
	switch {
	case len(raw.id) == 0:
		return fieldErr("result: id is required")
	case len(raw.checkID) == 0:
		return fieldErr("result %s: check_id is required", raw.id)
	case len(raw.componentID) == 0:
		return fieldErr("result %s: component_id is required", raw.id)
	case len(raw.region) == 0:
		return fieldErr("result %s: region is required", raw.id)
	case raw.scheduled <= 0 || raw.started <= 0:
		return fieldErr("result %s: scheduled_ms and started_ms must be positive", raw.id)
	case raw.duration < 0:
		return fieldErr("result %s: duration_us must not be negative", raw.id)
	case raw.packetLossPPM < 0 || raw.packetLossPPM > ppm:
		return fieldErr("result %s: packet_loss_ppm must be between 0 and %d", raw.id, ppm)
	}
	return nil
}
