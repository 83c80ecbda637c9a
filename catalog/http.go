package catalog

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
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
