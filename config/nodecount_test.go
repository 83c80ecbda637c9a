package config

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// exactNodes is the number of nodes yaml.v3 parses data into, in every
// document, the document nodes left out; ok is false when data does not
// parse.
func exactNodes(data []byte) (int, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return n, true
		}
		if err != nil {
			return 0, false
		}
		n += treeNodes(&doc)
	}
}

func treeNodes(doc *yaml.Node) int {
	n := 0
	var walk func(x *yaml.Node)
	walk = func(x *yaml.Node) {
		n++
		for _, c := range x.Content {
			walk(c)
		}
	}
	for _, c := range doc.Content {
		walk(c)
	}
	return n
}

// scanCases are texts the scanner must not overcount: every construct it
// skips or counts once.
var scanCases = map[string]string{
	"block mapping":        "a: 1\nb: two words\nc:\n  d: e\n",
	"block list":           "- a\n- b: c\n  d: e\n-\n  - f\n",
	"plain continued":      "a: this is\n  continued: no\n  - not an item\nb: 2\n",
	"block scalars":        "a: |\n  - x: y\n  [1, 2]\n\n  # not a comment\nb: >-\n  folded: text\n- c\n",
	"quoted":               "a: 'it''s: [x]'\nb: \"q \\\" : [y] \\\n  z\"\n\"c d\": e\n",
	"comments":             "# [1, 2]\na: 1 # b: [c]\n# - d\n",
	"flow":                 "a: [1, [2, 3], {b: c, d: [e]}, 'f', \"g\", ~]\nh: {i: j,\n  k: [l\n  m]}\n",
	"json":                 `{"a":1,"b":[true,null,"c"],"d":{"e":"f"}}`,
	"anchors and aliases":  "a: &x [1, 2]\nb: *x\nc: !!str 3\nd: [*x, &y 4]\n",
	"complex key":          "? [a, b]\n: c\n",
	"document markers":     "%YAML 1.2\n---\na: 1\n...\n",
	"urls and colons":      "a: http://x:80/y\nb: [http://x, c:d]\n",
	"empty lists":          "x: [[], [], {}, [[]]]\n",
	"list of lists":        "- []\n- - []\n  - {}\n",
	"indented list item":   "a:\n- b\n- c: d\n  e: f\n",
	"tabs and crlf":        "a: 1\r\nb:\t[1,\t2]\r\n",
	"value on next line":   "a:\n  b\nc: d\n",
	"hash in plain scalar": "a: b#c\nd: [e#f]\n",
}

// TestScanNodesIsALowerBound: on every case, every file of testdata and
// the fuzz corpus, the scan counts no more nodes than yaml.v3 parses,
// and close to all of them on the flow and list files that a limit is
// about.
func TestScanNodesIsALowerBound(t *testing.T) {
	texts := map[string][]byte{}
	for name, s := range scanCases {
		texts[name] = []byte(s)
	}
	for _, pattern := range []string{"testdata/*.yaml", "../deploy/examples/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			texts[f] = data
		}
	}
	for name, data := range texts {
		exact, ok := exactNodes(data)
		if !ok {
			continue
		}
		n, _ := scanNodes(data, MaxNodes)
		if n > exact {
			t.Errorf("%s: scanned %d nodes, more than the %d it holds", name, n, exact)
		}
		if n == 0 && exact > 1 {
			t.Errorf("%s: scanned no node of %d", name, exact)
		}
	}
	for _, name := range []string{"flow", "json", "empty lists"} {
		exact, _ := exactNodes(texts[name])
		if n, _ := scanNodes(texts[name], MaxNodes); n < exact-1 {
			t.Errorf("%s: scanned %d nodes of %d", name, n, exact)
		}
	}
}

// FuzzScanNodes: whatever the text, the scan ends and never counts more
// nodes than yaml.v3 parses.
func FuzzScanNodes(f *testing.F) {
	for _, s := range scanCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, _ := scanNodes([]byte(s), MaxNodes)
		if exact, ok := exactNodes([]byte(s)); ok && n > exact {
			t.Fatalf("scanned %d nodes of %d in %q", n, exact, s)
		}
	})
}

// nodeBombs are files within the size limit with more nodes than
// MaxNodes, the first the 1.4 million empty lists of a 4 MiB file.
func nodeBombs() map[string][]byte {
	fill := func(head, item, tail string) []byte {
		var b bytes.Buffer
		b.WriteString(head)
		for b.Len() < MaxFileSize-len(item)-len(tail) {
			b.WriteString(item)
		}
		b.WriteString(tail)
		return b.Bytes()
	}
	return map[string][]byte{
		"empty lists, flow":  fill("x: [", "[],", "[]]\n"),
		"empty lists, block": fill("x:\n", "- []\n", ""),
		"scalars, flow":      fill("x: [", "1,", "1]\n"),
		"pairs, block":       fill("x:\n", "  a: b\n", ""),
	}
}

// TestNodeLimit: files of more than MaxNodes nodes are refused before they
// are parsed, in milliseconds and with little memory (the 1.4 million
// empty lists took 4.8 s and 920 MiB before the limit, 1 s and 267 MiB of
// them to parse); one at the limit loads.
func TestNodeLimit(t *testing.T) {
	for name, data := range nodeBombs() {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			bytes, err := allocated(func() error { _, err := Parse("big.yaml", data, nil); return err })
			took := time.Since(start)
			t.Logf("Parse of %d bytes: %v, %.1f MiB allocated", len(data), took.Round(time.Millisecond), float64(bytes)/(1<<20))
			var errs Errors
			if !errors.As(err, &errs) || len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "big.yaml:") ||
				!strings.HasSuffix(errs[0].Error(), ": the file holds more than the limit of 200000 YAML nodes (keys, values, lists and mappings)") {
				t.Fatalf("error %v, want the node limit", err)
			}
			if bytes > 1<<20 {
				t.Errorf("Parse allocated %d bytes, want at most 1 MiB", bytes)
			}
		})
	}
	// At the limit: the top mapping, the key x, its list, and the items.
	var b strings.Builder
	b.WriteString("x: [")
	b.WriteString(strings.Repeat("[],", MaxNodes-4))
	b.WriteString("[]]\n")
	if n, ok := exactNodes([]byte(b.String())); !ok || n != MaxNodes {
		t.Fatalf("the file at the limit holds %d nodes", n)
	}
	_, err := Parse("at-limit.yaml", []byte(b.String()), nil)
	wantOneError(t, err, `at-limit.yaml:1: unknown top-level field "x"`)
	_, err = Parse("over.yaml", []byte(strings.Replace(b.String(), "[", "[[],", 1)), nil)
	wantOneError(t, err, "over.yaml:1: the file holds more than the limit of 200000 YAML nodes (keys, values, lists and mappings)")
}

// TestNodeLimitAfterParse: a file whose nodes the scan undercounts (block
// mappings, each one node the scan leaves out) is refused on the parsed
// tree, before it is decoded.
func TestNodeLimitAfterParse(t *testing.T) {
	var b strings.Builder
	b.WriteString("x:\n")
	for i := 0; b.Len() < MaxFileSize-40 && i < MaxNodes/3+10; i++ {
		b.WriteString("- a: 1\n")
	}
	data := []byte(b.String())
	if n, line := scanNodes(data, MaxNodes); line != 0 {
		t.Fatalf("the scan found %d nodes, over the limit; want it under", n)
	}
	_, err := Parse("blocks.yaml", data, nil)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 || !strings.HasSuffix(errs[0].Error(), "more than the limit of 200000 YAML nodes (keys, values, lists and mappings)") {
		t.Fatalf("error %v, want the node limit", err)
	}
}
