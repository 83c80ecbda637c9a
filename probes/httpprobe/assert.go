package httpprobe

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/statusd/statusd/catalog"
)

// matchers are a check's compiled assertions on the response.
type matchers struct {
	body, notBody *regexp.Regexp
	bodyText      string // the patterns, for messages
	notBodyText   string
	headers       []headerMatcher
	limit         int64
}

type headerMatcher struct {
	name   string
	re     *regexp.Regexp
	negate bool
}

func compileMatchers(spec *catalog.HTTPSpec) (*matchers, error) {
	m := &matchers{bodyText: spec.BodyRegex, notBodyText: spec.BodyNotRegex, limit: spec.MaxBodyBytes}
	var err error
	if spec.BodyRegex != "" {
		if m.body, err = regexp.Compile(spec.BodyRegex); err != nil {
			return nil, fmt.Errorf("body_regex: %w", err)
		}
	}
	if spec.BodyNotRegex != "" {
		if m.notBody, err = regexp.Compile(spec.BodyNotRegex); err != nil {
			return nil, fmt.Errorf("body_not_regex: %w", err)
		}
	}
	for i, h := range spec.HeaderMatches {
		re, err := regexp.Compile(h.Regex)
		if err != nil {
			return nil, fmt.Errorf("header_matches[%d].regex: %w", i, err)
		}
		m.headers = append(m.headers, headerMatcher{name: h.Name, re: re, negate: h.MustNotMatch})
	}
	return m, nil
}

// needBody reports whether the body must be kept for an assertion.
func (m *matchers) needBody() bool { return m.body != nil || m.notBody != nil }

// check returns why the response fails an assertion, empty when it passes.
// truncated says the body read stopped at the limit.
func (m *matchers) check(h http.Header, body []byte, truncated bool) string {
	for _, hm := range m.headers {
		values := h.Values(hm.name)
		matched := false
		for _, v := range values {
			if hm.re.MatchString(v) {
				matched = true
				break
			}
		}
		switch {
		case !hm.negate && len(values) == 0:
			return fmt.Sprintf("header %s missing, expected to match %q", hm.name, hm.re)
		case !hm.negate && !matched:
			return fmt.Sprintf("header %s does not match %q", hm.name, hm.re)
		case hm.negate && matched:
			return fmt.Sprintf("header %s matches %q", hm.name, hm.re)
		}
	}
	cut := ""
	if truncated {
		cut = fmt.Sprintf(" (first %d bytes)", m.limit)
	}
	if m.body != nil && !m.body.Match(body) {
		return fmt.Sprintf("body does not match %q%s", m.bodyText, cut)
	}
	if m.notBody != nil && m.notBody.Match(body) {
		return fmt.Sprintf("body matches %q%s", m.notBodyText, cut)
	}
	return ""
}

// readBody reads at most limit bytes of body, keeping them only when keep.
func readBody(body io.Reader, limit int64, keep bool) (data []byte, truncated bool, err error) {
	limited := io.LimitReader(body, limit+1)
	if keep {
		data, err = io.ReadAll(limited)
		if int64(len(data)) > limit {
			data, truncated = data[:limit], true
		}
		return data, truncated, err
	}
	n, err := io.Copy(io.Discard, limited)
	return nil, n > limit, err
}

func statusOK(code int, expected []int) bool {
	if len(expected) == 0 {
		return code >= 200 && code <= 399
	}
	for _, e := range expected {
		if code == e {
			return true
		}
	}
	return false
}

func expectedText(expected []int) string {
	if len(expected) == 0 {
		return "200-399"
	}
	s := make([]string, len(expected))
	for i, e := range expected {
		s[i] = fmt.Sprint(e)
	}
	return strings.Join(s, ", ")
}
