// Package badge draws shields.io-style SVG badges: a grey label on the
// left, a coloured message on the right, in the flat or flat-square
// style, with a <title> and aria-label for screen readers. Text widths are
// estimated from a table of Verdana's advance widths, so no font is needed
// to draw one. It also parses a badge request's query parameters. It knows
// nothing of pages or components: the caller picks the words and colour.
package badge

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
)

// ContentType is an SVG badge's media type.
const ContentType = "image/svg+xml; charset=utf-8"

// Colours, shields.io's.
const (
	ColourBrightGreen = "#4c1"
	ColourGreen       = "#97ca00"
	ColourYellowGreen = "#a4a61d"
	ColourYellow      = "#dfb317"
	ColourOrange      = "#fe7d37"
	ColourRed         = "#e05d44"
	ColourBlue        = "#007ec6"
	ColourGrey        = "#9f9f9f"
	labelColour       = "#555"
)

// Badge is what one badge shows.
type Badge struct {
	Label   string
	Message string
	Colour  string // one of the Colour constants
	Style   Style
}

// UptimeColour is the colour of an uptime in thousandths of a percent.
func UptimeColour(milli int64) string {
	switch {
	case milli >= 99_900:
		return ColourBrightGreen
	case milli >= 99_000:
		return ColourGreen
	case milli >= 98_000:
		return ColourYellowGreen
	case milli >= 95_000:
		return ColourYellow
	case milli >= 90_000:
		return ColourOrange
	default:
		return ColourRed
	}
}

// SVG draws the badge. Every text is XML-escaped.
func (b Badge) SVG() []byte {
	const pad = 10 // 5 px each side of a text
	lw, mw := textWidth(b.Label)+pad, textWidth(b.Message)+pad
	w := lw + mw
	title := b.Label + ": " + b.Message
	var out bytes.Buffer
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s">`, w, esc(title))
	fmt.Fprintf(&out, `<title>%s</title>`, esc(title))
	rx, shade := 3, true
	if b.Style == StyleFlatSquare {
		rx, shade = 0, false
	}
	if shade {
		out.WriteString(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	}
	fmt.Fprintf(&out, `<clipPath id="r"><rect width="%d" height="20" rx="%d" fill="#fff"/></clipPath>`, w, rx)
	fmt.Fprintf(&out, `<g clip-path="url(#r)"><rect width="%d" height="20" fill="%s"/><rect x="%d" width="%d" height="20" fill="%s"/>`,
		lw, labelColour, lw, mw, esc(b.Colour))
	if shade {
		fmt.Fprintf(&out, `<rect width="%d" height="20" fill="url(#s)"/>`, w)
	}
	out.WriteString(`</g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">`)
	text(&out, b.Label, lw*5, lw-pad, shade)
	text(&out, b.Message, lw*10+mw*5, mw-pad, shade)
	out.WriteString(`</g></svg>`)
	out.WriteByte('\n')
	return out.Bytes()
}

// text writes one text centred at x (tenths of a pixel), with its shadow
// in the flat style; the scale(.1) keeps positions in whole tenths.
func text(out *bytes.Buffer, s string, x, width int, shade bool) {
	if shade {
		fmt.Fprintf(out, `<text aria-hidden="true" x="%d" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="%d">%s</text>`,
			x, width*10, esc(s))
	}
	fmt.Fprintf(out, `<text x="%d" y="140" transform="scale(.1)" fill="#fff" textLength="%d">%s</text>`, x, width*10, esc(s))
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s)) // a bytes.Buffer does not fail
	return b.String()
}

// textWidth estimates the width in pixels of s in 11 px Verdana.
func textWidth(s string) int {
	var units int
	for _, r := range s {
		units += advance(r)
	}
	return int(math.Ceil(float64(units) * 11 / 2048))
}

// advance is a character's advance width in Verdana, in units of 1/2048 em.
func advance(r rune) int {
	if r >= 32 && r < 127 {
		return verdana[r-32]
	}
	if r >= 0x1100 && isWide(r) {
		return 2048
	}
	return 1400 // about an average capital
}

// isWide reports East Asian wide characters, drawn a full em wide.
func isWide(r rune) bool {
	return (r >= 0x1100 && r <= 0x115f) || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
		(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) ||
		(r >= 0xffe0 && r <= 0xffe6) || (r >= 0x1f300 && r <= 0x1faff) || (r >= 0x20000 && r <= 0x3fffd)
}

// verdana holds the advance widths of ASCII 32–126 in Verdana.
var verdana = [95]int{
	720, 793, 920, 1716, 1303, 2223, 1556, 539, 909, 909, 1303, 1716, 745, 909, 745, 909, // space … /
	1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, // 0 … 9
	909, 909, 1716, 1716, 1716, 1110, 2048, // : ; < = > ? @
	1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 862, 909, 1425, 1145, 1745, // A … M
	1532, 1612, 1235, 1612, 1424, 1401, 1243, 1499, 1401, 2025, 1403, 1240, 1403, // N … Z
	909, 909, 909, 1716, 1303, 1303, // [ \ ] ^ _ `
	1255, 1300, 1114, 1300, 1227, 720, 1300, 1298, 563, 715, 1186, 563, 1995, // a … m
	1298, 1243, 1300, 1300, 874, 1067, 813, 1298, 1212, 1675, 1212, 1212, 1075, // n … z
	1303, 909, 1303, 1716, // { | } ~
}
