package config

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// index locates every value of a parsed file by its key path, such as
// "pages[0].components[1].checks[0].interval", so that errors found after
// decoding carry the line of the value they are about. Aliases are not
// followed: a value reached through one is reported at the alias.
type index struct {
	entries []*entry
	byPath  map[string]*entry       // the first entry of each path
	byLine  map[int][]*entry        // entries by the line of their key or value
	byType  map[string]reflect.Type // the struct types of the file by name
}

// entry is one value of the file.
type entry struct {
	path   string
	key    *yaml.Node // nil for a list item and for the top
	value  *yaml.Node
	typ    reflect.Type // the Go type the value decodes into; nil when none
	parent *entry
	owner  *owner // the nearest enclosing page, component or check
	rel    string // path relative to owner
}

// owner is a page, component or check, named in messages about its fields.
type owner struct{ kind, id string }

func (o *owner) label() string {
	if o.id == "" {
		return o.kind
	}
	return fmt.Sprintf("%s %q", o.kind, o.id)
}

// entityKind returns the noun of a page, component or check type, or "".
func entityKind(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[Page]():
		return "page"
	case reflect.TypeFor[Component]():
		return "component"
	case reflect.TypeFor[Check]():
		return "check"
	}
	return ""
}

func newIndex(doc *yaml.Node) *index {
	x := &index{byPath: map[string]*entry{}, byLine: map[int][]*entry{}, byType: map[string]reflect.Type{}}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		x.walk(doc.Content[0], nil, nil, "", reflect.TypeFor[Config]())
	}
	return x
}

// walk records n, reached from parent by suffix (".key" or "[i]"), which
// decodes into t.
func (x *index) walk(n, key *yaml.Node, parent *entry, suffix string, t reflect.Type) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	e := &entry{key: key, value: n, typ: t, parent: parent}
	if parent != nil {
		e.path = strings.TrimPrefix(parent.path+suffix, ".")
		e.owner = parent.owner
		e.rel = strings.TrimPrefix(parent.rel+suffix, ".")
	}
	if kind := entityKind(t); kind != "" {
		e.owner, e.rel = &owner{kind: kind, id: scalarAt(n, "id")}, ""
	}
	x.entries = append(x.entries, e)
	if _, ok := x.byPath[e.path]; !ok {
		x.byPath[e.path] = e
	}
	x.byLine[n.Line] = append(x.byLine[n.Line], e)
	if key != nil && key.Line != n.Line {
		x.byLine[key.Line] = append(x.byLine[key.Line], e)
	}
	if t != nil && t.Kind() == reflect.Struct {
		x.byType[t.String()] = t
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			name := k.Value
			if k.Kind != yaml.ScalarNode {
				name = "?"
			}
			x.walk(n.Content[i+1], k, e, "."+name, memberType(t, name))
		}
	case yaml.SequenceNode:
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			elem = t.Elem()
		}
		for i, item := range n.Content {
			x.walk(item, nil, e, fmt.Sprintf("[%d]", i), elem)
		}
	}
}

// memberType is the type that key name of a mapping decodes into in t.
func memberType(t reflect.Type, name string) reflect.Type {
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case reflect.Map:
		return t.Elem()
	case reflect.Struct:
		for i := range t.NumField() {
			if yamlName(t.Field(i)) == name {
				return t.Field(i).Type
			}
		}
	}
	return nil
}

// yamlName is the key of a struct field in the file.
func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}

// scalarAt returns the scalar value of key in mapping n, or "".
func scalarAt(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == key && v.Kind == yaml.ScalarNode {
			return v.Value
		}
	}
	return ""
}

// line is the line of the key of e, or of e itself for a list item.
func (e *entry) line() int {
	if e.key != nil {
		return e.key.Line
	}
	return e.value.Line
}

// subject names e at the start of a message: "kafka.linger",
// `check "api": http.url`, `component "db"`.
func (e *entry) subject() string {
	switch {
	case e.owner == nil && e.path == "":
		return "top level"
	case e.owner == nil:
		return e.path
	case e.rel == "":
		return e.owner.label()
	}
	return e.owner.label() + ": " + e.rel
}

// container names e as what holds a key: "kafka", `check "api"`,
// `http of check "api"`.
func (e *entry) container() string {
	if e.owner != nil && e.rel != "" {
		return e.rel + " of " + e.owner.label()
	}
	return e.subject()
}

// line returns the line of path, or of its nearest ancestor in the file;
// 0 when neither is there.
func (x *index) line(path string) int {
	for path != "" {
		if e, ok := x.byPath[path]; ok {
			return e.line()
		}
		path = parentPath(path)
	}
	return 0
}

// parentPath strips the last ".key" or "[i]" from path.
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// items returns the paths of the n decoded entries of the list at path.
// yaml.v3 drops list items it cannot decode (not a mapping, duplicate
// keys, null); the paths skip those so that they line up with the decoded
// slice. When they cannot be lined up they point at the list itself.
func (x *index) items(path string, n int) []string {
	paths := make([]string, n)
	for i := range paths {
		paths[i] = path + "[?]"
	}
	e, ok := x.byPath[path]
	if !ok || e.value.Kind != yaml.SequenceNode {
		return paths
	}
	var kept []string
	for i, item := range e.value.Content {
		if decodable(item) {
			kept = append(kept, fmt.Sprintf("%s[%d]", path, i))
		}
	}
	if len(kept) == n {
		return kept
	}
	return paths
}

// decodable reports whether yaml.v3 decodes item into a struct rather
// than drop it.
func decodable(item *yaml.Node) bool {
	if item.Kind == yaml.AliasNode && item.Alias != nil {
		item = item.Alias
	}
	if item.Kind != yaml.MappingNode {
		return false
	}
	c := item.Content
	for i := 0; i < len(c); i += 2 {
		for j := i + 2; j < len(c); j += 2 {
			if c[i].Kind == c[j].Kind && c[i].Value == c[j].Value {
				return false
			}
		}
	}
	return true
}

// nullItems returns the entries of the list at path that are empty.
func (x *index) nullItems(path string) []*entry {
	e, ok := x.byPath[path]
	if !ok || e.value.Kind != yaml.SequenceNode {
		return nil
	}
	var out []*entry
	for i, item := range e.value.Content {
		if item.Kind == yaml.ScalarNode && item.ShortTag() == "!!null" {
			out = append(out, x.byPath[fmt.Sprintf("%s[%d]", path, i)])
		}
	}
	return out
}
