package catalog

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// HTTPSpec is the definition of an HTTP(S) check.
type HTTPSpec struct {
	URL            string
	Method         string
	Headers        map[string]string
	Body           string
	ExpectedStatus []int // empty means any 2xx or 3xx
	// BodyRegex must match the body read; BodyNotRegex must not.
	BodyRegex    string
	BodyNotRegex string
	// HeaderMatches are assertions on the final response's header fields.
	HeaderMatches []HeaderMatch
	// MaxBodyBytes bounds the body read, and so what the body regular
	// expressions see; DefaultMaxBodyBytes when 0.
	MaxBodyBytes int64
	// NoFollowRedirects takes the first response as it is; otherwise up to
	// MaxRedirects redirects (DefaultMaxRedirects when 0) are followed.
	NoFollowRedirects bool
	MaxRedirects      int
	// InsecureSkipVerify skips the verification of the server's chain and
	// name; CAFile, a PEM file, replaces the system's roots.
	InsecureSkipVerify bool
	CAFile             string
	// ClientCertFile and ClientKeyFile, PEM files given together, are the
	// client certificate presented to a server that asks for one.
	ClientCertFile string
	ClientKeyFile  string
	// IPFamily is the address family tried first for a host name: 4, 6, or
	// 0 for the system's order. NoIPFallback tries only that family.
	IPFamily     int
	NoIPFallback bool
	// CertExpiryThresholdDays: a run whose server certificate expires in
	// fewer days is degraded; DefaultCertExpiryThresholdDays when 0.
	CertExpiryThresholdDays int
	// NoTraceparent leaves out the W3C traceparent header that every probe
	// request carries otherwise.
	NoTraceparent bool
}

// HeaderMatch asserts that a header field of the response matches Regex
// (one of its values does; a missing field fails) or, with MustNotMatch,
// that none of its values does (a missing field passes).
type HeaderMatch struct {
	Name         string
	Regex        string
	MustNotMatch bool
}

// Defaults and limits of an HTTP check.
const (
	DefaultMethod                  = "GET"
	DefaultMaxBodyBytes            = 1 << 20
	MaxMaxBodyBytes                = 64 << 20
	DefaultMaxRedirects            = 10
	MaxMaxRedirects                = 30
	DefaultCertExpiryThresholdDays = 14
	MaxCertExpiryThresholdDays     = 365
	MaxHeaderMatches               = 32
)

// ApplyDefaults fills the zero fields of h with their defaults.
func (h *HTTPSpec) ApplyDefaults() {
	if h.Method == "" {
		h.Method = DefaultMethod
	}
	if h.MaxBodyBytes == 0 {
		h.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if h.MaxRedirects == 0 {
		h.MaxRedirects = DefaultMaxRedirects
	}
	if h.CertExpiryThresholdDays == 0 {
		h.CertExpiryThresholdDays = DefaultCertExpiryThresholdDays
	}
}

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
	case u.Hostname() == "":
		add("url", "must name a host")
	case u.Port() != "" && !validPort(u.Port()):
		add("url", "port must be 1-65535, got %q", u.Port())
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
	for _, f := range [...]struct{ name, re string }{{"body_regex", h.BodyRegex}, {"body_not_regex", h.BodyNotRegex}} {
		if _, err := regexp.Compile(f.re); err != nil {
			add(f.name, "is not a valid regular expression: %v", err)
		}
	}
	if len(h.HeaderMatches) > MaxHeaderMatches {
		add("header_matches", "must list at most %d assertions, got %d", MaxHeaderMatches, len(h.HeaderMatches))
	}
	for i, m := range h.HeaderMatches {
		if !validHeaderName(m.Name) {
			add(fmt.Sprintf("header_matches[%d].name", i), "must be a header name (letters, digits and !#$%%&'*+-.^_`|~ only), got %q", m.Name)
		}
		if _, err := regexp.Compile(m.Regex); err != nil {
			add(fmt.Sprintf("header_matches[%d].regex", i), "is not a valid regular expression: %v", err)
		}
	}
	// A zero limit is the default, which the probe applies too, so that a
	// definition from before a limit existed stays valid.
	if h.MaxBodyBytes < 0 || h.MaxBodyBytes > MaxMaxBodyBytes {
		add("max_body_bytes", "must be between 1 and %d, got %d", MaxMaxBodyBytes, h.MaxBodyBytes)
	}
	if h.MaxRedirects < 0 || h.MaxRedirects > MaxMaxRedirects {
		add("max_redirects", "must be between 1 and %d, got %d", MaxMaxRedirects, h.MaxRedirects)
	}
	errs = append(errs, h.validateTLS()...)
	if h.IPFamily != 0 && h.IPFamily != 4 && h.IPFamily != 6 {
		add("ip_family", "must be 4, 6 or 0 (either), got %d", h.IPFamily)
	}
	if h.NoIPFallback && h.IPFamily == 0 {
		add("ip_fallback", "can be turned off only with an ip_family")
	}
	return errs
}

// validateTLS checks the certificate settings; the files are read by the
// probe, which fails with class internal when one is missing.
func (h *HTTPSpec) validateTLS() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: "http." + field, Message: fmt.Sprintf(format, args...)})
	}
	for _, f := range [...]struct{ name, path string }{
		{"ca_file", h.CAFile}, {"client_cert_file", h.ClientCertFile}, {"client_key_file", h.ClientKeyFile},
	} {
		if strings.ContainsRune(f.path, 0) {
			add(f.name, "must not contain a NUL byte")
		}
	}
	switch {
	case h.ClientCertFile != "" && h.ClientKeyFile == "":
		add("client_cert_file", "needs a client_key_file")
	case h.ClientCertFile == "" && h.ClientKeyFile != "":
		add("client_key_file", "needs a client_cert_file")
	}
	if h.CertExpiryThresholdDays < 0 || h.CertExpiryThresholdDays > MaxCertExpiryThresholdDays {
		add("cert_expiry_threshold_days", "must be between 1 and %d, got %d", MaxCertExpiryThresholdDays, h.CertExpiryThresholdDays)
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

// validPort reports whether p, a string of digits, is a port of 1-65535.
func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}
