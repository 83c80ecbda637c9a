package wire

import (
	"unicode/utf16"
	"unicode/utf8"
)

// scanString reads the string whose opening quote is at the current offset
// and returns its bytes between the quotes. plain reports printable ASCII
// without escapes, which needs no unquoting.
func (s *scanner) scanString() (raw []byte, plain bool, err error) {
	d := s.data
	start := s.pos + 1
	i := start
	plain = true
	for {
		for i < len(d) && d[i] >= 0x20 && d[i] < utf8.RuneSelf && d[i] != '"' && d[i] != '\\' {
			i++
		}
		if i >= len(d) {
			s.pos = i
			return nil, false, s.errEOF()
		}
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			return d[start:i], plain, nil
		case c == '\\':
			plain = false
			s.pos = i + 1
			if err := s.escape(); err != nil {
				return nil, false, err
			}
			i = s.pos
		case c < 0x20:
			s.pos = i
			return nil, false, s.errChar("in string literal")
		default:
			plain = false
			i++
		}
	}
}

// escape validates the escape sequence after a backslash.
func (s *scanner) escape() error {
	if !s.more() {
		return s.errEOF()
	}
	switch s.data[s.pos] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos++
		return nil
	case 'u':
		s.pos++
		for range 4 {
			if !s.more() {
				return s.errEOF()
			}
			if hexVal(s.data[s.pos]) < 0 {
				return s.errChar(`in \u hexadecimal character escape`)
			}
			s.pos++
		}
		return nil
	}
	return s.errChar("in string escape code")
}

// hexVal is the value of a hexadecimal digit, or -1.
func hexVal(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// u4 decodes the \uXXXX escape at the start of b, or returns -1.
func u4(b []byte) rune {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range b[2:6] {
		v := hexVal(c)
		if v < 0 {
			return -1
		}
		r = r<<4 | v
	}
	return r
}

// unquote turns the validated contents of a string into its value as
// encoding/json does: escapes decoded, a surrogate that is not part of a
// pair and every byte of invalid UTF-8 replaced by U+FFFD. A string that
// needs no change is returned as it is; others are written to scratch.
func (s *scanner) unquote(raw []byte) []byte {
	r := 0
	for r < len(raw) {
		c := raw[r]
		if c == '\\' {
			break
		}
		if c < utf8.RuneSelf {
			r++
			continue
		}
		rr, size := utf8.DecodeRune(raw[r:])
		if rr == utf8.RuneError && size == 1 {
			break
		}
		r += size
	}
	if r == len(raw) {
		return raw
	}
	start := len(s.scratch)
	b := append(s.scratch, raw[:r]...)
	for r < len(raw) {
		c := raw[r]
		switch {
		case c == '\\':
			b, r = appendEscape(b, raw, r)
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(raw[r:])
			b = utf8.AppendRune(b, rr)
			r += size
		}
	}
	s.scratch = b
	return b[start:]
}

// appendEscape appends the value of the validated escape at raw[r] and
// returns the offset after it.
func appendEscape(b, raw []byte, r int) ([]byte, int) {
	switch c := raw[r+1]; c {
	case 'b':
		return append(b, '\b'), r + 2
	case 'f':
		return append(b, '\f'), r + 2
	case 'n':
		return append(b, '\n'), r + 2
	case 'r':
		return append(b, '\r'), r + 2
	case 't':
		return append(b, '\t'), r + 2
	case 'u':
		rr := u4(raw[r:])
		r += 6
		if utf16.IsSurrogate(rr) {
			if dec := utf16.DecodeRune(rr, u4(raw[r:])); dec != utf8.RuneError {
				return utf8.AppendRune(b, dec), r + 6
			}
			rr = utf8.RuneError
		}
		return utf8.AppendRune(b, rr), r
	default: // '"', '\\', '/'
		return append(b, c), r + 2
	}
}
