package catalog

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

var methods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

func (h *HTTPSpec) validate() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: "http." + field, Message: fmt.Sprintf(format, args...)})
	}
	u, err := url.Parse(h.URL)
	switch {
	case h.URL == "":
		add("url", "is required")
	case err != nil:
		add("url", "is not a valid URL: %v", err.(*url.Error).Err)
	case u.Scheme != "http" && u.Scheme != "https":
		add("url", "must use http or https, got %q", u.Scheme)
	case u.Host == "":
		add("url", "must name a host")
	}
	if !methods[h.Method] {
		add("method", "must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS; got %q", h.Method)
	}
	for _, name := range slices.Sorted(maps.Keys(h.Headers)) {
		if !validHeaderName(name) {
			add("headers", "%q is not a valid header name (letters, digits and !#$%%&'*+-.^_`|~ only)", name)
		} else if v := h.Headers[name]; strings.ContainsAny(v, "\r\n\x00") {
			add("headers."+name, "must be one line without NUL bytes, got %q", v)
		}
	}
	for i, code := range h.ExpectedStatus {
		if code < 100 || code > 599 {
			add(fmt.Sprintf("expected_status[%d]", i), "must be an HTTP status code (100-599), got %d", code)
		}
	}
	if h.BodyRegex != "" {
		if _, err := regexp.Compile(h.BodyRegex); err != nil {
			add("body_regex", "is not a valid regular expression: %v", err)
		}
	}
	return errs
}

// validHeaderName reports whether name is an HTTP field name: a non-empty
// token of RFC 9110.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
