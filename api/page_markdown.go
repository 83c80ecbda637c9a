package api

import (
	"math"
	"strconv"
	"strings"

	"github.com/statusd/statusd/web/htmlpage"
)

// pageFormat renders the page's views in one media type: the HTML
// Renderer, or htmlpage.Markdown for a client that asks for text/markdown.
type pageFormat interface {
	Home(htmlpage.Home) ([]byte, error)
	History(htmlpage.History) ([]byte, error)
	Incident(htmlpage.IncidentPage) ([]byte, error)
	Maintenance(htmlpage.MaintenancePage) ([]byte, error)
}

// negotiatedVary is the Vary of /, /history, /incidents/{id} and
// /maintenances/{id}: the answer depends on Accept (HTML or Markdown) and
// Accept-Encoding.
const negotiatedVary = "Accept, Accept-Encoding"

// format is the renderer and document options of a page answer in
// Markdown when md, else HTML.
func (s *pageSite) format(md bool) (pageFormat, htmlpage.DocOptions) {
	if md {
		return htmlpage.Markdown{}, htmlpage.DocOptions{ContentType: htmlpage.MarkdownContentType, Vary: negotiatedVary}
	}
	return s.r, htmlpage.DocOptions{Vary: negotiatedVary}
}

// prefersMarkdown reports whether the Accept header values rank
// text/markdown (or text/x-markdown) above text/html: each type takes the
// q-value of the most specific range that matches it (RFC 9110 §12.5.1),
// and HTML wins a tie, so a browser's */* and a missing or unparsable
// header get HTML. A wildcard (*/*, text/*) gets Markdown only when the
// header refuses HTML (q=0); ranked merely above text/html it still gets
// HTML, the page's own format.
func prefersMarkdown(accept []string) bool {
	var md, html qMatch
	for _, h := range accept {
		for part := range strings.SplitSeq(h, ",") {
			typ, q, ok := mediaRange(part)
			if !ok {
				continue
			}
			md.offer(typ, q, "text/markdown", "text/x-markdown")
			html.offer(typ, q, "text/html")
		}
	}
	if md.specificity < 3 && html.q > 0 {
		return false
	}
	return md.q > 0 && md.q > html.q
}

// qMatch is the q-value of a media type from the most specific range
// that matched it so far: 3 for the type itself, 2 for type/*, 1 for */*.
type qMatch struct {
	specificity int
	q           float64
}

// offer takes range typ with q-value q into account for the media types
// names (synonyms).
func (m *qMatch) offer(typ string, q float64, names ...string) {
	spec := 0
	for _, n := range names {
		major, _, _ := strings.Cut(n, "/")
		switch typ {
		case n:
			spec = 3
		case major + "/*":
			spec = max(spec, 2)
		case "*/*":
			spec = max(spec, 1)
		}
	}
	switch {
	case spec > m.specificity:
		m.specificity, m.q = spec, q
	case spec > 0 && spec == m.specificity:
		m.q = max(m.q, q)
	}
}

// mediaRange parses one element of an Accept header: the lower-case
// media range and its q-value (1 when absent); ok is false for an empty
// or malformed element, or a q-value that is not a number from 0 to 1.
func mediaRange(part string) (typ string, q float64, ok bool) {
	typ, params, _ := strings.Cut(part, ";")
	typ = strings.ToLower(strings.TrimSpace(typ))
	if major, minor, found := strings.Cut(typ, "/"); !found || major == "" || minor == "" {
		return "", 0, false
	}
	q = 1
	for p := range strings.SplitSeq(params, ";") {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || f > 1 || math.IsNaN(f) {
			return "", 0, false
		}
		q = f
	}
	return typ, q, true
}
