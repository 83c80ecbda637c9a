package badge_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/web/badge"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestSVGGolden(t *testing.T) {
	cases := []struct {
		name string
		b    badge.Badge
	}{
		{"status_operational", badge.Badge{Label: "status", Message: "operational", Colour: badge.ColourBrightGreen, Style: badge.StyleFlat}},
		{"status_major_square", badge.Badge{Label: "Acme API", Message: "major outage", Colour: badge.ColourRed, Style: badge.StyleFlatSquare}},
		{"uptime_30d", badge.Badge{Label: "uptime 30d", Message: "99.95%", Colour: badge.ColourGreen, Style: badge.StyleFlat}},
		{"label_escaped", badge.Badge{Label: `<script>alert(1)</script> & "x"`, Message: "no data", Colour: badge.ColourGrey, Style: badge.StyleFlat}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svg := tc.b.SVG()
			checkSVG(t, svg, tc.b.Label+": "+tc.b.Message)
			path := filepath.Join("testdata", tc.name+".golden.svg")
			if *update {
				if err := os.WriteFile(path, svg, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run with -update to create it): %v", err)
			}
			if !bytes.Equal(svg, want) {
				t.Errorf("differs from %s (run with -update to accept):\n%s", path, svg)
			}
		})
	}
}

// checkSVG parses svg as XML and checks its title and that no markup of
// the texts got through.
func checkSVG(t *testing.T, svg []byte, title string) {
	t.Helper()
	var doc struct {
		XMLName xml.Name
		Width   int    `xml:"width,attr"`
		Label   string `xml:"aria-label,attr"`
		Title   string `xml:"title"`
		Texts   []struct {
			Value string `xml:",chardata"`
		} `xml:"g>text"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, svg)
	}
	if doc.XMLName.Space != "http://www.w3.org/2000/svg" || doc.XMLName.Local != "svg" {
		t.Errorf("root %v", doc.XMLName)
	}
	if doc.Title != title || doc.Label != title {
		t.Errorf("title %q aria-label %q, want %q", doc.Title, doc.Label, title)
	}
	if doc.Width <= 20 || len(doc.Texts) < 2 {
		t.Errorf("width %d, %d texts", doc.Width, len(doc.Texts))
	}
	if bytes.Contains(svg, []byte("<script")) {
		t.Errorf("markup got through:\n%s", svg)
	}
}

// TestWidthGrowsWithText: the estimated widths follow the text, wide
// letters wider than narrow ones.
func TestWidthGrowsWithText(t *testing.T) {
	width := func(label string) int {
		var doc struct {
			Width int `xml:"width,attr"`
		}
		if err := xml.Unmarshal(badge.Badge{Label: label, Message: "ok"}.SVG(), &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Width
	}
	if a, b := width("iiiiiiiiii"), width("WWWWWWWWWW"); a >= b {
		t.Errorf("ten i %d px, ten W %d px", a, b)
	}
	if a, b := width("status"), width("status page"); a >= b {
		t.Errorf("%d >= %d", a, b)
	}
	// Every printable ASCII character has a width (the table is complete).
	for r := rune(32); r < 127; r++ {
		if width("x"+string(r)) <= width("x") && r != ' ' {
			t.Errorf("%q adds no width", r)
		}
	}
}

func TestUptimeColour(t *testing.T) {
	cases := []struct {
		milli int64
		want  string
	}{{100_000, badge.ColourBrightGreen}, {99_900, badge.ColourBrightGreen}, {99_899, badge.ColourGreen},
		{98_500, badge.ColourYellowGreen}, {96_000, badge.ColourYellow}, {91_000, badge.ColourOrange}, {0, badge.ColourRed}}
	for _, tc := range cases {
		if got := badge.UptimeColour(tc.milli); got != tc.want {
			t.Errorf("UptimeColour(%d) = %s, want %s", tc.milli, got, tc.want)
		}
	}
}

func TestParseParams(t *testing.T) {
	cases := []struct {
		name  string
		query string
		want  badge.Params
		param string // the parameter a *ParamError names; "" for none
	}{
		{"defaults", "", badge.Params{Kind: badge.KindStatus, Window: badge.Window{Name: "90d", Days: 90}, Style: badge.StyleFlat}, ""},
		{"uptime 24h", "type=uptime&window=24h", badge.Params{Kind: badge.KindUptime, Window: badge.Window{Name: "24h", Days: 1, Rolling: 24 * time.Hour}, Style: badge.StyleFlat}, ""},
		{"7d square labelled", "type=uptime&window=7d&style=flat-square&label=API+uptime",
			badge.Params{Kind: badge.KindUptime, Window: badge.Window{Name: "7d", Days: 7}, Style: badge.StyleFlatSquare, Label: "API uptime"}, ""},
		{"unknown parameters ignored", "v=3&type=status", badge.Params{Kind: badge.KindStatus, Window: badge.Window{Name: "90d", Days: 90}, Style: badge.StyleFlat}, ""},
		{"bad type", "type=latency", badge.Params{}, "type"},
		{"empty type", "type=", badge.Params{}, "type"},
		{"bad window", "type=uptime&window=1y", badge.Params{}, "window"},
		{"window in other units", "type=uptime&window=24H", badge.Params{}, "window"},
		{"bad style", "style=plastic", badge.Params{}, "style"},
		{"type twice", "type=status&type=uptime", badge.Params{}, "type"},
		{"label too long", "label=" + strings.Repeat("a", 65), badge.Params{}, "label"},
		{"label with a newline", "label=a%0Ab", badge.Params{}, "label"},
		{"label not UTF-8", "label=%ff", badge.Params{}, "label"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := badge.ParseParams(q)
			var pe *badge.ParamError
			if tc.param != "" {
				if !errors.As(err, &pe) || pe.Param != tc.param || !strings.Contains(err.Error(), tc.param) {
					t.Fatalf("err = %v, want one naming %s", err, tc.param)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// FuzzParseParams: any query either parses into a badge that is
// well-formed XML, or is refused naming a parameter; never a panic.
func FuzzParseParams(f *testing.F) {
	for _, s := range []string{"", "type=uptime&window=7d", "style=flat-square&label=%3Cb%3E", "label=%ff", "type=x&type=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, err := badge.ParseParams(q)
		if err != nil {
			var pe *badge.ParamError
			if !errors.As(err, &pe) || pe.Param == "" {
				t.Fatalf("error %v names no parameter", err)
			}
			return
		}
		label := p.Label
		if label == "" {
			label = p.DefaultLabel()
		}
		svg := badge.Badge{Label: label, Message: "operational", Colour: badge.ColourGreen, Style: p.Style}.SVG()
		if err := xml.Unmarshal(svg, new(struct{})); err != nil {
			t.Fatalf("label %q: not well-formed: %v", label, err)
		}
	})
}
