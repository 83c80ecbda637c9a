package wire

import (
	"fmt"
	"strconv"
)

// maxDepth is the nesting limit of encoding/json; the scanner keeps it so
// that both accept exactly the same documents.
const maxDepth = 10000

// scanner reads one JSON document in a single pass. It validates the syntax
// as encoding/json does and hands out the contents of strings as views into
// the input, or into scratch when a string holds escapes or invalid UTF-8.
// The views stay valid until scratch is reused for the next document.
type scanner struct {
	data    []byte
	pos     int
	scratch []byte
}

// skipWS skips JSON whitespace.
func (s *scanner) skipWS() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// syntaxErr is a syntax error at the current offset.
func (s *scanner) syntaxErr(msg string) error {
	return &DecodeError{Kind: KindSyntax, Err: fmt.Errorf("%s at offset %d", msg, s.pos)}
}

// errEOF is the error for a document that ends too early.
func (s *scanner) errEOF() error {
	return &DecodeError{Kind: KindSyntax, Err: fmt.Errorf("unexpected end of JSON input")}
}

// errChar reports the byte at the current offset as unexpected in the
// given context, worded as encoding/json words it, or the end of input.
func (s *scanner) errChar(context string) error {
	if s.pos >= len(s.data) {
		return s.errEOF()
	}
	return s.syntaxErr("invalid character " + quoteChar(s.data[s.pos]) + " " + context)
}

// quoteChar formats c for an error message as encoding/json does.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	q := strconv.Quote(string(rune(c)))
	return "'" + q[1:len(q)-1] + "'"
}

// more reports whether input is left at the current offset.
func (s *scanner) more() bool { return s.pos < len(s.data) }

// colon reads the ':' after an object key and the whitespace around it,
// leaving the scanner at the first byte of the value.
func (s *scanner) colon() error {
	s.skipWS()
	if !s.more() || s.data[s.pos] != ':' {
		return s.errChar("after object key")
	}
	s.pos++
	s.skipWS()
	if !s.more() {
		return s.errEOF()
	}
	return nil
}

// next reads what follows a member of an object: a ',' and the opening
// quote of the next key (false) or the closing '}' (true).
func (s *scanner) next() (done bool, err error) {
	s.skipWS()
	if !s.more() {
		return false, s.errEOF()
	}
	switch s.data[s.pos] {
	case '}':
		s.pos++
		return true, nil
	case ',':
		s.pos++
		s.skipWS()
		if !s.more() {
			return false, s.errEOF()
		}
		if s.data[s.pos] != '"' {
			return false, s.errChar("looking for beginning of object key string")
		}
		return false, nil
	}
	return false, s.errChar("after object key:value pair")
}

// objectStart reads the '{' at the current offset and reports whether the
// object is empty (its '}' read too). Otherwise the scanner is left at the
// opening quote of the first key.
func (s *scanner) objectStart() (empty bool, err error) {
	s.pos++
	s.skipWS()
	if !s.more() {
		return false, s.errEOF()
	}
	switch s.data[s.pos] {
	case '}':
		s.pos++
		return true, nil
	case '"':
		return false, nil
	}
	return false, s.errChar("looking for beginning of object key string")
}

// key reads an object key and returns it unquoted.
func (s *scanner) key() ([]byte, error) {
	raw, plain, err := s.scanString()
	if err != nil || plain {
		return raw, err
	}
	return s.unquote(raw), nil
}

// scanNumber reads the number at the current offset. isInt reports a
// number with neither fraction nor exponent.
func (s *scanner) scanNumber() (lit []byte, isInt bool, err error) {
	d := s.data
	start := s.pos
	i := s.pos
	if d[i] == '-' {
		i++
	}
	switch {
	case i >= len(d):
		s.pos = i
		return nil, false, s.errEOF()
	case d[i] == '0':
		i++
	case '1' <= d[i] && d[i] <= '9':
		i++
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		s.pos = i
		return nil, false, s.errChar("in numeric literal")
	}
	isInt = true
	if i < len(d) && d[i] == '.' {
		isInt = false
		i++
		if i >= len(d) || !isDigit(d[i]) {
			s.pos = i
			return nil, false, s.errChar("after decimal point in numeric literal")
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		isInt = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			s.pos = i
			return nil, false, s.errChar("in exponent of numeric literal")
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	s.pos = i
	return d[start:i], isInt, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// parseInt64 parses a JSON integer literal as strconv.ParseInt does and
// reports whether it fits an int64.
func parseInt64(lit []byte) (int64, bool) {
	neg := lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	if len(lit) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range lit {
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return int64(-n), true
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// literal reads the literal true, false or null whose first byte is at
// the current offset.
func (s *scanner) literal(word string) error {
	for k := 1; k < len(word); k++ {
		i := s.pos + k
		if i >= len(s.data) {
			s.pos = i
			return s.errEOF()
		}
		if s.data[i] != word[k] {
			s.pos = i
			return s.errChar(fmt.Sprintf("in literal %s (expecting %s)", word, quoteChar(word[k])))
		}
	}
	s.pos += len(word)
	return nil
}

// skipValue validates and skips the value at the current offset, which is
// inside containers nested depth deep.
func (s *scanner) skipValue(depth int) error {
	if c := s.data[s.pos]; c == '{' || c == '[' {
		return s.skipContainer(depth)
	}
	return s.skipScalar()
}

// skipScalar validates and skips a string, number or literal.
func (s *scanner) skipScalar() error {
	switch c := s.data[s.pos]; {
	case c == '"':
		_, _, err := s.scanString()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || isDigit(c):
		_, _, err := s.scanNumber()
		return err
	}
	return s.errChar("looking for beginning of value")
}

// skipContainer validates and skips the object or array at the current
// offset without recursion; depth counts the containers around it.
func (s *scanner) skipContainer(depth int) error {
	var isObj [maxDepth/64 + 1]uint64 // one bit per open container: object or array
	base := depth
	for {
		if c := s.data[s.pos]; c == '{' || c == '[' {
			if depth++; depth > maxDepth {
				return s.syntaxErr("exceeded max depth")
			}
			obj := c == '{'
			if obj {
				isObj[depth/64] |= 1 << (depth % 64)
			} else {
				isObj[depth/64] &^= 1 << (depth % 64)
			}
			s.pos++
			s.skipWS()
			switch {
			case !s.more():
				return s.errEOF()
			case obj && s.data[s.pos] == '}' || !obj && s.data[s.pos] == ']':
				s.pos++
				depth--
			case obj:
				if err := s.memberKey(); err != nil {
					return err
				}
				continue
			default:
				continue
			}
		} else if err := s.skipScalar(); err != nil {
			return err
		}
		// After a value: close containers or go on with the next element.
		for {
			if depth == base {
				return nil
			}
			obj := isObj[depth/64]&(1<<(depth%64)) != 0
			s.skipWS()
			if !s.more() {
				return s.errEOF()
			}
			c := s.data[s.pos]
			if obj && c == '}' || !obj && c == ']' {
				s.pos++
				depth--
				continue
			}
			if c != ',' {
				if obj {
					return s.errChar("after object key:value pair")
				}
				return s.errChar("after array element")
			}
			s.pos++
			s.skipWS()
			if !s.more() {
				return s.errEOF()
			}
			if obj {
				if err := s.memberKey(); err != nil {
					return err
				}
			}
			break
		}
	}
}

// memberKey validates and skips an object key and its colon, leaving the
// scanner at the value.
func (s *scanner) memberKey() error {
	if s.data[s.pos] != '"' {
		return s.errChar("looking for beginning of object key string")
	}
	if _, _, err := s.scanString(); err != nil {
		return err
	}
	return s.colon()
}
