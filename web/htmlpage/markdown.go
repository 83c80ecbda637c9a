package htmlpage

import (
	"strconv"
	"strings"
	"unicode"
)

// MarkdownContentType is the media type of the page's Markdown form.
const MarkdownContentType = "text/markdown; charset=utf-8"

// Markdown renders the same view data as the Renderer as compact
// CommonMark for machine readers (a client asking for text/markdown): the
// banner, the platform alert, the components by group with their status
// words, failing regions and uptime, the active incidents and maintenance
// with their updates, the history by month, one incident and one
// maintenance window. Every text
// of the view is written as literal text (MarkdownText), so that markup
// in an incident's title or body, HTML or Markdown, stays text. The
// render time (Header.Now, Home.Updated) is left out: the document
// changes only when what it says changes, so its ETag is a change signal.
// A zero Markdown is ready to use.
type Markdown struct{}

// Home renders the status page.
func (Markdown) Home(h Home) ([]byte, error) {
	var w mdWriter
	w.header(h.Header, h.Name+" status")
	w.para("**" + inline(h.Overall.Word) + "**")
	if len(h.Incidents) > 0 {
		w.heading(2, "Active incidents")
		for _, in := range h.Incidents {
			w.incident(in, 3, true)
		}
	}
	if len(h.Maintenances) > 0 {
		w.heading(2, "Maintenance")
		for _, m := range h.Maintenances {
			w.maintenance(m, 3, true)
		}
	}
	w.heading(2, "Components")
	for _, c := range h.Components {
		w.component(c, 0)
	}
	w.blank()
	w.para("[Incident history](/history)")
	return w.bytes(), nil
}

// History renders the incident history.
func (Markdown) History(h History) ([]byte, error) {
	var w mdWriter
	w.header(h.Header, "Incident history · "+h.Name)
	if len(h.Months) == 0 {
		w.para("No incidents reported.")
	}
	for _, m := range h.Months {
		w.heading(2, m.Name)
		if len(m.Incidents) == 0 && len(m.Maintenances) == 0 {
			w.para("No incidents reported.")
			continue
		}
		for _, in := range m.Incidents {
			w.line("- " + link(in) + " · " + inline(in.Status) + " · " + when(in))
		}
		for _, mt := range m.Maintenances {
			w.line("- " + linkedTitle(mt.Title, mt.URL) + " · " + inline(mt.Status) + " · Maintenance · " + inline(mt.Window))
		}
		w.blank()
	}
	w.para("[Status](/)")
	return w.bytes(), nil
}

// Incident renders one incident.
func (Markdown) Incident(p IncidentPage) ([]byte, error) {
	var w mdWriter
	w.header(p.Header, p.Incident.Name+" · "+p.Name)
	w.incident(p.Incident, 2, false)
	w.para("[Incident history](/history)")
	return w.bytes(), nil
}

// Maintenance renders one maintenance window.
func (Markdown) Maintenance(p MaintenancePage) ([]byte, error) {
	var w mdWriter
	w.header(p.Header, p.Maintenance.Title+" · "+p.Name)
	w.maintenance(p.Maintenance, 2, false)
	w.para("[Current status](/) · [History](/history)")
	return w.bytes(), nil
}

// mdWriter builds a Markdown document block by block.
type mdWriter struct{ b strings.Builder }

func (w *mdWriter) bytes() []byte { return []byte(strings.TrimRight(w.b.String(), "\n") + "\n") }

func (w *mdWriter) line(s string) { w.b.WriteString(s + "\n") }

func (w *mdWriter) blank() {
	if s := w.b.String(); s != "" && !strings.HasSuffix(s, "\n\n") {
		w.b.WriteString("\n")
	}
}

// para writes s, already Markdown, as a paragraph.
func (w *mdWriter) para(s string) {
	w.blank()
	w.line(s)
	w.blank()
}

// heading writes a heading of text.
func (w *mdWriter) heading(level int, text string) {
	w.para(strings.Repeat("#", level) + " " + inline(text))
}

// header writes the document's title and the platform alert.
func (w *mdWriter) header(h Header, title string) {
	w.heading(1, title)
	if h.AlertTitle != "" || h.AlertMessage != "" {
		s := "> **" + inline(h.AlertTitle) + "**"
		if h.AlertTitle == "" {
			s = ">"
		}
		if h.AlertMessage != "" {
			s += " " + strings.ReplaceAll(MarkdownText(h.AlertMessage), "\n", "\n> ")
		}
		w.para(s)
	}
}

// component writes one list item per component, its children nested.
func (w *mdWriter) component(c Component, depth int) {
	indent := strings.Repeat("  ", depth)
	s := indent + "- **" + inline(c.Name) + "**: " + inline(c.Status.Word)
	if len(c.FailingRegions) > 0 {
		s += " (failing in " + inline(strings.Join(c.FailingRegions, ", ")) + ")"
	}
	switch {
	case c.Uptime != "":
		s += " · " + inline(c.Uptime) + " uptime"
		if c.Days > 0 {
			s += " over " + strconv.Itoa(c.Days) + " days"
		}
	case len(c.Bars) > 0:
		s += " · no uptime data"
	}
	if c.Description != "" {
		s += " · " + inline(c.Description)
	}
	w.line(s)
	for _, ch := range c.Children {
		w.component(ch, depth+1)
	}
}

// incident writes an incident under a heading of the level, its name
// linking to its page when linked.
func (w *mdWriter) incident(in Incident, level int, linked bool) {
	title := inline(in.Name)
	if linked {
		title = link(in)
	}
	w.para(strings.Repeat("#", level) + " " + title)
	w.para("Status: " + inline(in.Status) + " · Impact: " + inline(in.Impact.Word) + " · " + when(in))
	if in.Body != "" {
		w.para(MarkdownText(in.Body))
	}
	w.updates(in.Updates)
}

// maintenance writes a maintenance window under a heading of the level,
// its title linking to its page when linked.
func (w *mdWriter) maintenance(m Maintenance, level int, linked bool) {
	title := inline(m.Title)
	if linked {
		title = linkedTitle(m.Title, m.URL)
	}
	w.para(strings.Repeat("#", level) + " " + title)
	s := "Status: " + inline(m.Status) + " · " + inline(m.Window)
	if len(m.Components) > 0 {
		s += " · Affects: " + inline(strings.Join(m.Components, ", "))
	}
	w.para(s)
	if m.Body != "" {
		w.para(MarkdownText(m.Body))
	}
	w.updates(m.Updates)
}

// updates writes the updates as a list, newest first as given.
func (w *mdWriter) updates(list []Update) {
	if len(list) == 0 {
		return
	}
	w.blank()
	for _, u := range list {
		s := "- **" + inline(u.Status) + "** (" + inline(u.At) + ")"
		if u.Body != "" {
			// A body's later lines continue the item: indented as it is.
			s += ": " + strings.ReplaceAll(MarkdownText(u.Body), "\n", "\n  ")
		}
		w.line(s)
	}
	w.blank()
}

// link is the incident's name linking to its page.
func link(in Incident) string { return linkedTitle(in.Name, in.URL) }

// linkedTitle is title as a link to u, a local path we made, or as
// plain text when u is no such path.
func linkedTitle(title, u string) string {
	name := inline(title)
	if u == "" || !localURL(u) {
		return name
	}
	return "[" + name + "](" + u + ")"
}

// localURL reports whether u is a plain local path we made (/incidents/12):
// only such a path is written as a link target.
func localURL(u string) bool {
	if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") {
		return false
	}
	for _, r := range u {
		if !(r == '/' || r == '-' || r == '_' || r == '.' || unicode.IsLetter(r) && r < unicode.MaxASCII || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// when is the incident's start and resolution time.
func when(in Incident) string {
	s := "Started " + inline(in.Started)
	if in.Resolved != "" {
		s += " · Resolved " + inline(in.Resolved)
	}
	return s
}

// inline is s as literal text on one line: MarkdownText with its line
// breaks as spaces, for headings, list items and links.
func inline(s string) string { return strings.ReplaceAll(MarkdownText(s), "\n", " ") }

// mdInline are the characters escaped anywhere in a text: those that
// start emphasis, code, links, images, HTML, entities, tables,
// strikethrough and escapes themselves.
const mdInline = "\\`*_[]<>&!|~"

// MarkdownText is s as literal Markdown text: every character that could
// start Markdown or HTML markup is backslash-escaped (CommonMark: an
// escaped ASCII punctuation character is itself), so `<script>` and
// `*x*` show as typed, never as a tag or emphasis. A line that could begin
// a block (a heading, quote, list, rule, setext underline, code fence or
// indented code) has its leading spaces dropped and its marker escaped.
// Control characters are dropped; line breaks are kept as "\n" (one per
// line, runs of blank lines folded into one), so the caller decides how
// they continue a block.
func MarkdownText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	blank := false
	for i, ln := range strings.Split(s, "\n") {
		ln = strings.TrimLeft(clean(ln), " \t")
		if ln == "" {
			blank = i > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
			if blank {
				b.WriteString("\n")
			}
		}
		blank = false
		writeLine(&b, ln)
	}
	return b.String()
}

// clean drops control characters and turns tabs into spaces.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', r == '\ufeff':
			return -1
		}
		return r
	}, s)
}

// writeLine writes one line of text, escaped.
func writeLine(b *strings.Builder, ln string) {
	start := blockMarkerEnd(ln)
	for i, r := range ln {
		if (i < start && strings.ContainsRune("#>+-=.):", r)) || strings.ContainsRune(mdInline, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}

// blockMarkerEnd is how far into ln the characters of a block marker
// reach (a run of '#', '=', '-', '+', '>', or digits then '.' or ')' and
// a space or the end, as an ordered list item starts), so
// that they are escaped; 0 when the line starts with none.
func blockMarkerEnd(ln string) int {
	i := 0
	for i < len(ln) && ln[i] >= '0' && ln[i] <= '9' {
		i++
	}
	if i > 0 {
		if i < len(ln) && (ln[i] == '.' || ln[i] == ')') && (i+1 == len(ln) || ln[i+1] == ' ') {
			return i + 1
		}
		return 0
	}
	for i < len(ln) && strings.IndexByte("#>+-=", ln[i]) >= 0 {
		i++
	}
	return i
}

// UnescapedMarkdown is the offset of the first c in md not escaped by a
// backslash (an odd run of them), -1 for none: a check that user text
// stayed text, since the documents' own markup never uses some
// characters (<, `, _, &).
func UnescapedMarkdown(md []byte, c byte) int {
	for i := range md {
		if md[i] != c {
			continue
		}
		n := 0
		for j := i - 1; j >= 0 && md[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return i
		}
	}
	return -1
}
