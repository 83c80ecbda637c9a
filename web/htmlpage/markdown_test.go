package htmlpage

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// evil is user text full of markup: HTML, Markdown inline and block
// syntax, an entity, control characters and line breaks.
const evil = "<script>alert(1)</script> *x* _y_ [l](http://e.test) `c` &amp; ![i](x) | ~~s~~ \\"

func fixtureHeader() Header {
	return Header{Name: "Acme", AlertTitle: "Heads up", AlertMessage: "Deploys are paused.\nSee #ops.", Now: "2026-11-30T12:00:00Z"}
}

func fixtureIncident() Incident {
	return Incident{URL: "/incidents/7", Name: evil, Status: "Identified",
		Impact: Status{Word: "Major", Class: "partial"}, Started: "Nov 30, 2026 10:00 UTC",
		Body: "# not a heading\n- not a list\n1. not a list\n\n\n> not a quote\n```\nnot code\n```\n    not indented code\n===",
		Updates: []Update{
			{Status: "Identified", Body: "A bad deploy.\nRolling <b>back</b>.", At: "Nov 30, 2026 10:20 UTC"},
			{Status: "Investigating", Body: "Errors at checkout", At: "Nov 30, 2026 10:00 UTC"},
		}}
}

func TestMarkdownGolden(t *testing.T) {
	var md Markdown
	resolved := fixtureIncident()
	resolved.Resolved, resolved.Updates, resolved.Body = "Nov 30, 2026 11:00 UTC", nil, ""
	cases := []struct {
		name   string
		render func() ([]byte, error)
	}{
		{"home", func() ([]byte, error) {
			return md.Home(Home{Header: fixtureHeader(), Overall: Status{Word: "Partial System Outage", Class: "partial"},
				Updated: "Nov 30, 2026 12:00 UTC",
				Components: []Component{
					{Name: "API", Status: Status{Word: "Operational", Class: "ok"}, Uptime: "99.982%", Days: 90, Bars: make([]Bar, 90)},
					{Name: "Shop *group*", Status: Status{Word: "Partial outage", Class: "partial"}, Children: []Component{
						{Name: "Checkout", Description: "Pay <here>", Status: Status{Word: "Partial outage", Class: "partial"},
							FailingRegions: []string{"us-east", "eu-west"}, Bars: make([]Bar, 90), Days: 90},
					}},
				},
				Incidents: []Incident{fixtureIncident()},
				Maintenances: []Maintenance{{Title: "DB upgrade", Status: "In progress", Window: "Nov 30, 2026 11:00 UTC – Nov 30, 2026 13:00 UTC",
					Components: []string{"API"}, Updates: []Update{{Status: "In progress", Body: "Started", At: "Nov 30, 2026 11:00 UTC"}}}},
			})
		}},
		{"home-operational", func() ([]byte, error) {
			return md.Home(Home{Header: Header{Name: "Acme"}, Overall: Status{Word: "All Systems Operational", Class: "ok"},
				Components: []Component{{Name: "API", Status: Status{Word: "Operational", Class: "ok"}}}})
		}},
		{"history", func() ([]byte, error) {
			return md.History(History{Header: fixtureHeader(), Months: []Month{
				{ID: "2026-11", Name: "November 2026", Incidents: []Incident{resolved}},
				{ID: "2026-10", Name: "October 2026"},
			}})
		}},
		{"history-empty", func() ([]byte, error) { return md.History(History{Header: Header{Name: "Acme"}}) }},
		{"incident", func() ([]byte, error) {
			return md.Incident(IncidentPage{Header: Header{Name: "Acme"}, Incident: fixtureIncident()})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.render()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "markdown", tc.name+".md"), got)
			// The document's own markup is headings, quotes, lists, ** and
			// links; none of these characters is ever ours.
			for _, c := range []byte("<_`&!|~") {
				if i := UnescapedMarkdown(got, c); i >= 0 {
					t.Errorf("unescaped %q at %d: raw markup in the Markdown:\n%s", c, i, got)
				}
			}
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestMarkdownText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Checkout is failing", "Checkout is failing"},
		{"script tag", "<script>alert(1)</script>", `\<script\>alert(1)\</script\>`},
		{"emphasis", "*x* _y_", `\*x\* \_y\_`},
		{"link", "[a](http://e.test)", `\[a\](http://e.test)`},
		{"image", "![i](x)", `\!\[i\](x)`},
		{"code", "`rm -rf`", "\\`rm -rf\\`"},
		{"entity", "&lt;b&gt;", `\&lt;b\&gt;`},
		{"heading", "# big", `\# big`},
		{"heading deep", "### big", `\#\#\# big`},
		{"hash inside", "issue #12", "issue #12"},
		{"quote", "> q", `\> q`},
		{"bullet", "- item", `\- item`},
		{"plus bullet", "+ item", `\+ item`},
		{"ordered", "12. item", `12\. item`},
		{"ordered paren", "3) item", `3\) item`},
		{"number", "99.9% up", "99.9% up"},
		{"number at end", "2026.", `2026\.`},
		{"setext", "===", `\=\=\=`},
		{"rule", "---", `\-\-\-`},
		{"indented code", "    code", "code"},
		{"table", "a | b", `a \| b`},
		{"strike", "~~s~~", `\~\~s\~\~`},
		{"backslash", `a\b`, `a\\b`},
		{"control", "a\x00b\x1bc\u2028d", "abcd"},
		{"lines", "one\r\ntwo\rthree", "one\ntwo\nthree"},
		{"blank lines folded", "one\n\n\n\ntwo", "one\n\ntwo"},
		{"marker on second line", "text\n# heading", "text\n\\# heading"},
		{"leading blank", "\n\nx", "x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := MarkdownText(tc.in); got != tc.want {
				t.Errorf("MarkdownText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestMarkdownTextNoMarkup checks the property behind the escaping: after
// it, no markup character is left unescaped.
func TestMarkdownTextNoMarkup(t *testing.T) {
	got := MarkdownText(evil + "\n" + strings.Repeat("<>*_[]`&!|~\\", 3))
	for i := 0; i < len(got); i++ {
		if strings.IndexByte(mdInline, got[i]) < 0 {
			continue
		}
		if got[i] != '\\' {
			t.Fatalf("unescaped %q at %d in %q", got[i], i, got)
		}
		i++ // the escaped character
	}
}
