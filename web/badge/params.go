package badge

import (
	"fmt"
	"net/url"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind is what a badge shows.
type Kind string

// The kinds of badge.
const (
	KindStatus Kind = "status"
	KindUptime Kind = "uptime"
)

// Style is a badge's look, as shields.io names them.
type Style string

// The styles.
const (
	StyleFlat       Style = "flat"
	StyleFlatSquare Style = "flat-square"
)

// Window is the time an uptime badge covers: its name in the query, and
// either the rolling time up to now it covers (Rolling) or the number of
// days of the page's time zone it sums, today included.
type Window struct {
	Name    string
	Days    int
	Rolling time.Duration
}

// Windows are the uptime windows, shortest first. "24h" is the last 24
// hours, rolling (from the components' recent history); the others are
// whole days of the page's time zone, today so far included.
var Windows = []Window{{"24h", 1, 24 * time.Hour}, {"7d", 7, 0}, {"30d", 30, 0}, {"90d", 90, 0}}

// MaxLabel is the longest label, in characters.
const MaxLabel = 64

// Params are a badge request's query parameters.
type Params struct {
	Kind   Kind
	Window Window
	Style  Style
	// Label is the left part's text; "" for the default (see
	// DefaultLabel).
	Label string
}

// DefaultLabel is the label shown when the request names none: "status",
// or "uptime 30d".
func (p Params) DefaultLabel() string {
	if p.Kind == KindUptime {
		return "uptime " + p.Window.Name
	}
	return "status"
}

// ParamError is a query parameter a badge cannot be made of.
type ParamError struct {
	Param   string
	Message string
}

func (e *ParamError) Error() string { return "parameter " + e.Param + ": " + e.Message }

// ParseParams reads type (status or uptime, status by default), window
// (24h, 7d, 30d or 90d, 90d by default; for uptime), style (flat or
// flat-square, flat by default) and label (at most MaxLabel printable
// characters). Other parameters are ignored, so that cache busters work;
// a parameter given twice or with a bad value is a *ParamError naming it.
func ParseParams(q url.Values) (Params, error) {
	p := Params{Kind: KindStatus, Window: Windows[len(Windows)-1], Style: StyleFlat}
	get := func(name string) (string, bool, error) {
		vs, ok := q[name]
		switch {
		case !ok:
			return "", false, nil
		case len(vs) > 1:
			return "", false, &ParamError{Param: name, Message: "is given more than once"}
		}
		return vs[0], true, nil
	}
	if v, ok, err := get("type"); err != nil {
		return Params{}, err
	} else if ok {
		switch Kind(v) {
		case KindStatus, KindUptime:
			p.Kind = Kind(v)
		default:
			return Params{}, &ParamError{Param: "type", Message: fmt.Sprintf("must be status or uptime, not %q", clip(v))}
		}
	}
	if v, ok, err := get("window"); err != nil {
		return Params{}, err
	} else if ok {
		w, found := windowNamed(v)
		if !found {
			return Params{}, &ParamError{Param: "window", Message: fmt.Sprintf("must be 24h, 7d, 30d or 90d, not %q", clip(v))}
		}
		p.Window = w
	}
	if v, ok, err := get("style"); err != nil {
		return Params{}, err
	} else if ok {
		switch Style(v) {
		case StyleFlat, StyleFlatSquare:
			p.Style = Style(v)
		default:
			return Params{}, &ParamError{Param: "style", Message: fmt.Sprintf("must be flat or flat-square, not %q", clip(v))}
		}
	}
	v, _, err := get("label")
	if err != nil {
		return Params{}, err
	}
	if err := checkLabel(v); err != nil {
		return Params{}, err
	}
	p.Label = v
	return p, nil
}

func windowNamed(name string) (Window, bool) {
	for _, w := range Windows {
		if w.Name == name {
			return w, true
		}
	}
	return Window{}, false
}

func checkLabel(s string) error {
	if !utf8.ValidString(s) {
		return &ParamError{Param: "label", Message: "is not valid UTF-8"}
	}
	if n := utf8.RuneCountInString(s); n > MaxLabel {
		return &ParamError{Param: "label", Message: fmt.Sprintf("is %d characters long; at most %d", n, MaxLabel)}
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return &ParamError{Param: "label", Message: fmt.Sprintf("holds the unprintable character %U", r)}
		}
	}
	return nil
}

// clip shortens a bad value for an error message.
func clip(s string) string {
	if len(s) > 20 || !utf8.ValidString(s) {
		r := []rune(s)
		if len(r) > 20 {
			r = r[:20]
		}
		return string(r) + "…"
	}
	return s
}
