package config

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is one problem of a configuration file, at a line when it has one.
type Error struct {
	File    string
	Line    int // 1-based; 0 when the problem has no line (an env variable)
	Message string
}

func (e Error) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	case e.File != "":
		return e.File + ": " + e.Message
	}
	return e.Message
}

// Errors are every problem found in a configuration file, sorted by line.
type Errors []Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted returns es sorted by line, without repeats.
func (es Errors) sorted() Errors {
	seen := make(map[Error]bool, len(es))
	out := make(Errors, 0, len(es))
	for _, e := range es {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b Error) int { return a.Line - b.Line })
	return out
}

var (
	lineRE       = regexp.MustCompile(`(?s)^(?:yaml: )?line (\d+): (.*)$`)
	unmarshalRE  = regexp.MustCompile("(?s)^cannot unmarshal (\\S+)(?: `(.*)`)? into (\\S+)$")
	notFoundRE   = regexp.MustCompile(`(?s)^field (.*) not found in type (\S+)$`)
	duplicateRE  = regexp.MustCompile(`(?s)^mapping key (".*") already defined at line (\d+)$`)
	alreadySetRE = regexp.MustCompile(`(?s)^field (.*) already set in type (\S+)$`)
)

// splitLine splits yaml.v3's "line N: message" into its parts.
func splitLine(msg string) (int, string) {
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return 0, strings.TrimPrefix(msg, "yaml: ")
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, m[2]
	}
	return n, m[2]
}

// decodeErrors rewrites the messages of a strict decode in the file's
// words, naming the key and the entity they are about, and records in bad
// the values that failed to decode.
func (x *index) decodeErrors(file string, te *yaml.TypeError, bad *badValues) Errors {
	var errs Errors
	seen := map[string]bool{}
	for _, raw := range te.Errors {
		// Values reached through aliases repeat their errors.
		if seen[raw] {
			continue
		}
		seen[raw] = true
		line, msg := splitLine(raw)
		if m := unmarshalRE.FindStringSubmatch(msg); m != nil {
			e, text := x.rewriteUnmarshal(line, m[1], m[2], m[3])
			if e != nil {
				bad.paths[e.path] = true
			} else {
				bad.lines[line] = true
			}
			msg = text
		} else {
			msg = x.rewrite(line, msg)
		}
		errs = append(errs, Error{File: file, Line: line, Message: msg})
	}
	return errs
}

// badValues are the values that did not decode: by key path, or by line
// when the path is unknown. What validation says of them would only repeat
// the decode error, for they were left zero.
type badValues struct {
	paths map[string]bool
	lines map[int]bool
}

func newBadValues() *badValues {
	return &badValues{paths: map[string]bool{}, lines: map[int]bool{}}
}

// covers reports whether a validation error at path and line is about a
// bad value or something inside one.
func (b *badValues) covers(path string, line int) bool {
	if line > 0 && b.lines[line] {
		return true
	}
	for ; path != ""; path = parentPath(path) {
		if b.paths[path] {
			return true
		}
	}
	return false
}

// rewrite rewrites the other messages of a strict decode.
func (x *index) rewrite(line int, msg string) string {
	if m := notFoundRE.FindStringSubmatch(msg); m != nil {
		return x.unknownField(line, m[1], m[2])
	}
	if m := duplicateRE.FindStringSubmatch(msg); m != nil {
		key, err := strconv.Unquote(m[1])
		if err != nil {
			key = m[1]
		}
		return fmt.Sprintf("%s (first at line %s)", x.duplicateKey(line, key), m[2])
	}
	if m := alreadySetRE.FindStringSubmatch(msg); m != nil {
		return x.duplicateKey(line, m[1])
	}
	return msg
}

// rewriteUnmarshal rewrites "cannot unmarshal !!str `abc` into int"; it
// returns the entry of the value when it finds it.
func (x *index) rewriteUnmarshal(line int, tag, value, into string) (*entry, string) {
	for _, e := range x.byLine[line] {
		if e.value.Line == line && e.typ != nil && e.typ.String() == into && sameValue(e.value, tag, value) {
			return e, e.subject() + ": " + want(e.typ, into) + ", got " + describe(e.value)
		}
	}
	for _, e := range x.byLine[line] {
		if e.key != nil && e.key.Line == line && e.key.Kind != yaml.ScalarNode && into == "string" {
			return e, e.parent.subject() + ": a key must be a string, got " + describe(e.key)
		}
	}
	got := "a list"
	switch tag {
	case "!!seq":
	case "!!map":
		got = "a mapping"
	case "!!str":
		got = strconv.Quote(value)
	default:
		got = value
	}
	return nil, want(nil, into) + ", got " + got
}

// sameValue reports whether n is what yaml.v3 printed as tag and value.
func sameValue(n *yaml.Node, tag, value string) bool {
	switch n.Kind {
	case yaml.SequenceNode:
		return tag == "!!seq"
	case yaml.MappingNode:
		return tag == "!!map"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 10 {
			v = v[:7] + "..."
		}
		return v == value
	}
	return false
}

// want says what a value of type t (named into) must be.
func want(t reflect.Type, into string) string {
	if into == "time.Duration" {
		return `want a duration such as "10s" or "1m30s"`
	}
	kind := reflect.Struct
	if t != nil {
		kind = t.Kind()
	} else {
		switch {
		case into == "int":
			kind = reflect.Int
		case into == "string":
			kind = reflect.String
		case into == "bool":
			kind = reflect.Bool
		case into == "float64":
			kind = reflect.Float64
		case strings.HasPrefix(into, "[]"):
			kind = reflect.Slice
		}
	}
	switch kind {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "want an integer"
	case reflect.String:
		return "want a string"
	case reflect.Bool:
		return "want true or false"
	case reflect.Float32, reflect.Float64:
		return "want a number"
	case reflect.Slice:
		return "want a list"
	}
	return "want a mapping"
}

// describe shows a value in a message: "abc" quoted, 12 bare, a list.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	switch n.ShortTag() {
	case "!!int", "!!float", "!!bool", "!!null":
		return v
	}
	return strconv.Quote(v)
}

// unknownField rewrites "field intervall not found in type config.Check".
func (x *index) unknownField(line int, name, typ string) string {
	hint := ""
	if t, ok := x.byType[typ]; ok {
		if s := suggest(name, t); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
	}
	for _, e := range x.byLine[line] {
		if e.key != nil && e.key.Line == line && e.key.Value == name && e.parent.typ != nil && e.parent.typ.String() == typ {
			if e.parent.path == "" {
				return fmt.Sprintf("unknown top-level field %q%s", name, hint)
			}
			return fmt.Sprintf("unknown field %q in %s%s", name, e.parent.container(), hint)
		}
	}
	_, noun, _ := strings.Cut(typ, ".")
	return fmt.Sprintf("unknown field %q in %s%s", name, strings.ToLower(noun), hint)
}

// duplicateKey names a key given twice in one mapping.
func (x *index) duplicateKey(line int, name string) string {
	for _, e := range x.byLine[line] {
		if e.key != nil && e.key.Line == line && e.key.Value == name {
			return fmt.Sprintf("duplicate key %q in %s", name, e.parent.container())
		}
	}
	return fmt.Sprintf("duplicate key %q", name)
}

// suggest returns the key of struct type t closest to name, if close.
func suggest(name string, t reflect.Type) string {
	best, bestDist := "", 3
	for i := range t.NumField() {
		key := yamlName(t.Field(i))
		if key == "" || key == "-" { // not a key of the file
			continue
		}
		if d := distance(name, key); d < bestDist {
			best, bestDist = key, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, capped for long
// inputs so that a hostile key cannot make it slow.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// floatInts reports floats where the file wants an integer, which yaml.v3
// would silently truncate.
func (x *index) floatInts(file string, bad *badValues) Errors {
	var errs Errors
	for _, e := range x.entries {
		if e.typ == nil || e.typ == durationType || e.value.Kind != yaml.ScalarNode || e.value.ShortTag() != "!!float" {
			continue
		}
		switch e.typ.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			errs = append(errs, Error{File: file, Line: e.value.Line, Message: e.subject() + ": want an integer, got " + describe(e.value)})
			bad.paths[e.path] = true
		}
	}
	return errs
}
