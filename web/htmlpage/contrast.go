package htmlpage

import (
	"math"
	"strconv"
)

// minContrast is WCAG 2's contrast ratio for normal text (level AA).
const minContrast = 4.5

// Link is the brand colour when links in it are readable on the light
// theme's background and cards (WCAG AA), else "" for the theme's own
// link colour. The dark theme always uses its own.
func (t Theme) Link() string {
	if t.Brand == "" {
		return ""
	}
	backgrounds := []string{"#ffffff", "#f6f8fa"} // the light theme's page and cards
	if t.Background != "" {
		backgrounds = []string{t.Background}
	}
	for _, bg := range backgrounds {
		if c, ok := contrast(t.Brand, bg); !ok || c < minContrast {
			return ""
		}
	}
	return t.Brand
}

// contrast is the WCAG 2 contrast ratio of two "#rrggbb" colours.
func contrast(a, b string) (float64, bool) {
	la, ok1 := luminance(a)
	lb, ok2 := luminance(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05), true
}

// luminance is the relative luminance of a "#rrggbb" colour.
func luminance(hex string) (float64, bool) {
	if len(hex) != 7 || hex[0] != '#' {
		return 0, false
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return 0, false
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l, true
}
