package config

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// MaxNodes is how many YAML nodes (scalars, keys, lists, mappings and
// aliases) a file may hold: about 13,000 components with an HTTP check
// each, at 15 nodes apiece. A file of 1.4 million empty lists fits in
// MaxFileSize; parsing it would take seconds and hundreds of MB, so the
// count is taken on the bytes before they are parsed.
const MaxNodes = 200_000

func tooManyNodes(file string, line int) *Error {
	return &Error{File: file, Line: line, Message: fmt.Sprintf(
		"the file holds more than the limit of %d YAML nodes (keys, values, lists and mappings)", MaxNodes)}
}

// countTree returns the error about the first node of doc past MaxNodes,
// or nil: the exact count, for a file whose bytes scanNodes undercounted.
func countTree(file string, doc *yaml.Node) *Error {
	n := 0
	var walk func(x *yaml.Node) *yaml.Node
	walk = func(x *yaml.Node) *yaml.Node {
		if n++; n > MaxNodes {
			return x
		}
		for _, c := range x.Content {
			if over := walk(c); over != nil {
				return over
			}
		}
		return nil
	}
	for _, top := range doc.Content {
		if over := walk(top); over != nil {
			return tooManyNodes(file, over.Line)
		}
	}
	return nil
}

// scanNodes counts the nodes of a YAML text without parsing it, in one
// pass and no memory, up to limit and one, and returns the count and the
// line at which it passed limit, or 0. The count is a lower bound: it counts only what surely is
// a node (every scalar and collection of flow style; in block style each
// key, each value on its key's line or a list item's, each flow or
// quoted or block scalar), skips comments, quoted text and block scalars,
// and leaves out block collections themselves, so that it never refuses
// a file under the limit.
func scanNodes(data []byte, limit int) (n, overLine int) {
	s := &scanner{data: data, line: 1, limit: limit, open: -1}
	for s.i < len(s.data) && s.over == 0 {
		s.blockLine()
	}
	return s.n, s.over
}

type scanner struct {
	data  []byte
	i     int
	line  int
	n     int
	limit int
	over  int // the line where n passed limit
	// open is the column of the key or list item whose value is on the
	// lines below, -1 at the top of a document, and none when the last
	// line was not such a key or item.
	open int
}

// none is scanner.open's value when no key above waits for its value.
const none = -2

func (s *scanner) peek(off int) byte {
	if s.i+off < len(s.data) {
		return s.data[s.i+off]
	}
	return 0
}

func (s *scanner) count() {
	if s.n++; s.n > s.limit && s.over == 0 {
		s.over = s.line
	}
}

// blank reports whether c ends a token: a space, a line end or the end.
func blank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0 }

func flowIndicator(c byte) bool { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}' }

// indentAt returns the indentation of the line starting at i.
func (s *scanner) indentAt(i int) int {
	n := 0
	for i+n < len(s.data) && s.data[i+n] == ' ' {
		n++
	}
	return n
}

// toEOL moves past the end of the current line.
func (s *scanner) toEOL() {
	for s.i < len(s.data) && s.data[s.i] != '\n' {
		s.i++
	}
	if s.i < len(s.data) {
		s.i++
		s.line++
	}
}

// skipMoreIndented skips the lines after the current one that are blank
// or indented more than col: a block scalar's or a plain scalar's text.
func (s *scanner) skipMoreIndented(col int) {
	s.toEOL()
	for s.i < len(s.data) {
		ind := s.indentAt(s.i)
		c := byte(0)
		if s.i+ind < len(s.data) {
			c = s.data[s.i+ind]
		}
		if ind <= col && c != '\n' && c != '\r' && c != 0 {
			return
		}
		s.toEOL()
	}
}

func (s *scanner) spaces() {
	for s.i < len(s.data) && (s.data[s.i] == ' ' || s.data[s.i] == '\t') {
		s.i++
	}
}

// blockLine scans one line in block context, from its start.
func (s *scanner) blockLine() {
	start := s.i
	s.spaces()
	// col is the column of the innermost key or list item of the line:
	// the lines after it indented more are its value's text.
	col := s.i - start
	value := false // whether a key or list item precedes, so a plain scalar surely starts here
	switch c := s.peek(0); {
	case c == '#' || c == '\n' || c == '\r' || c == 0 || (col == 0 && (c == '%' || c == '.' && s.peek(1) == c && s.peek(2) == c && blank(s.peek(3)))):
		if c == '%' || c == '.' {
			s.open = -1
		}
		s.toEOL() // comment, blank line, directive or document end
		return
	case col == 0 && c == '-' && s.peek(1) == c && s.peek(2) == c && blank(s.peek(3)):
		s.i += 3 // a document start, maybe with the top node after it
		s.spaces()
		col, value, s.open = -1, true, -1
	}
	defer func(open int) {
		if s.open == open { // the line did not leave a key waiting
			s.open = none
		}
	}(s.open)
	for s.over == 0 {
		at := s.i - start
		switch c := s.peek(0); {
		case (c == '-' || c == '?') && blank(s.peek(1)): // list item or complex key
			col, value = at, true
			s.i++
			s.spaces()
			continue
		case c == '[' || c == '{':
			s.count()
			s.flow()
		case c == '\'' || c == '"':
			s.count()
			s.quoted(c)
		case c == '|' || c == '>':
			s.count()
			s.skipMoreIndented(s.parent(col, value))
			return
		case c == '&' || c == '!':
			s.token(false)
			s.spaces()
			continue
		case c == '*':
			s.count()
			s.token(false)
		case c == '#' || c == '\n' || c == '\r' || c == 0:
			if value { // the value of the key or item is below
				s.open = col
			}
			s.toEOL()
			return
		default: // a plain scalar: a key when ': ' follows on the line
			if !s.plainKey() {
				if value { // not the text of a value begun on a line above
					s.count()
				}
				s.skipMoreIndented(s.parent(col, value))
				return
			}
			s.count()
		}
		// After a node, ': ' makes it a key and its value follows.
		s.spaces()
		if s.peek(0) == ':' && blank(s.peek(1)) {
			col, value = at, true
			s.i++
			s.spaces()
			continue
		}
		s.toEOL()
		return
	}
}

// parent is the indentation that the text of a scalar at col must pass:
// col after a key or list item on its line; else that of the key or item
// above whose value it is, or -1 (the rest of the document) when there is
// none.
func (s *scanner) parent(col int, value bool) int {
	switch {
	case value:
		return col
	case s.open == none:
		return -1
	}
	return s.open
}

// plainKey moves over a plain scalar in block context and reports whether
// a ': ' ends it (it is a key); otherwise it stays where it was.
func (s *scanner) plainKey() bool {
	for j := s.i; j < len(s.data) && s.data[j] != '\n'; j++ {
		switch c := s.data[j]; {
		case c == ':' && j+1 <= len(s.data) && blank(byteAt(s.data, j+1)):
			s.i = j
			return true
		case c == '#' && j > s.i && blank(s.data[j-1]):
			return false
		}
	}
	return false
}

func byteAt(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// token moves over an anchor, tag or alias name, which in flow context
// a flow indicator ends too.
func (s *scanner) token(inFlow bool) {
	for s.i < len(s.data) && !blank(s.data[s.i]) && !(inFlow && flowIndicator(s.data[s.i])) {
		s.i++
	}
}

// quoted moves past a quoted scalar that starts at s.i with q.
func (s *scanner) quoted(q byte) {
	for s.i++; s.i < len(s.data); s.i++ {
		switch c := s.data[s.i]; {
		case c == '\n':
			s.line++
		case c == '\\' && q == '"':
			if s.i++; byteAt(s.data, s.i) == '\n' {
				s.line++
			}
		case c == q && q == '\'' && byteAt(s.data, s.i+1) == '\'':
			s.i++
		case c == q:
			s.i++
			return
		}
	}
}

// flow moves past a flow collection that starts at s.i, counting each
// node in it.
func (s *scanner) flow() {
	depth := 0
	for s.i < len(s.data) && s.over == 0 {
		c := s.data[s.i]
		switch {
		case c == '\n':
			s.line++
			s.i++
		case c == ' ' || c == '\t' || c == '\r' || c == ',':
			s.i++
		case c == '#' && s.i > 0 && blank(s.data[s.i-1]):
			for s.i < len(s.data) && s.data[s.i] != '\n' {
				s.i++
			}
		case c == '[' || c == '{':
			if depth > 0 { // the outermost one was counted by the caller
				s.count()
			}
			depth++
			s.i++
		case c == ']' || c == '}':
			s.i++
			if depth--; depth <= 0 {
				return
			}
		case (c == ':' || c == '?') && (blank(byteAt(s.data, s.i+1)) || flowIndicator(byteAt(s.data, s.i+1))):
			s.i++
		case c == '\'' || c == '"':
			s.count()
			s.quoted(c)
		case c == '&' || c == '!':
			s.token(true)
		case c == '*':
			s.count()
			s.token(true)
		default:
			s.count()
			s.flowPlain()
		}
	}
}

// flowPlain moves over a plain scalar in flow context, which may span
// lines.
func (s *scanner) flowPlain() {
	for ; s.i < len(s.data); s.i++ {
		c := s.data[s.i]
		switch {
		case flowIndicator(c):
			return
		case c == ':' && (blank(byteAt(s.data, s.i+1)) || flowIndicator(byteAt(s.data, s.i+1))):
			return
		case c == '#' && blank(s.data[s.i-1]):
			return
		case c == '\n':
			s.line++
		}
	}
}
