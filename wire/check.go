package wire

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/statusd/statusd/catalog"
)

type checkMsg struct {
	V                 int      `json:"v"`
	ID                string   `json:"id"`
	ComponentID       string   `json:"component_id"`
	Type              string   `json:"type"`
	Version           int64    `json:"version"`
	IntervalMS        int64    `json:"interval_ms"`
	TimeoutMS         int64    `json:"timeout_ms"`
	Regions           []string `json:"regions,omitempty"`
	FailureThreshold  int      `json:"failure_threshold"`
	SuccessThreshold  int      `json:"success_threshold"`
	DegradedLatencyMS int64    `json:"degraded_latency_ms,omitempty"`
	HTTP              *httpMsg `json:"http,omitempty"`
	DNS               *dnsMsg  `json:"dns,omitempty"`
	TCP               *tcpMsg  `json:"tcp,omitempty"`
	TLS               *tlsMsg  `json:"tls,omitempty"`
	ICMP              *icmpMsg `json:"icmp,omitempty"`
}

type httpMsg struct {
	URL                string            `json:"url"`
	Method             string            `json:"method"`
	Headers            map[string]string `json:"headers,omitempty"`
	Body               string            `json:"body,omitempty"`
	ExpectedStatus     []int             `json:"expected_status,omitempty"`
	BodyRegex          string            `json:"body_regex,omitempty"`
	NoFollowRedirects  bool              `json:"no_follow_redirects,omitempty"`
	InsecureSkipVerify bool              `json:"insecure_skip_verify,omitempty"`

	BodyNotRegex            string           `json:"body_not_regex,omitempty"`
	HeaderMatches           []headerMatchMsg `json:"header_matches,omitempty"`
	MaxBodyBytes            int64            `json:"max_body_bytes"`
	MaxRedirects            int              `json:"max_redirects"`
	CAFile                  string           `json:"ca_file,omitempty"`
	ClientCertFile          string           `json:"client_cert_file,omitempty"`
	ClientKeyFile           string           `json:"client_key_file,omitempty"`
	IPFamily                int              `json:"ip_family,omitempty"`
	NoIPFallback            bool             `json:"no_ip_fallback,omitempty"`
	CertExpiryThresholdDays int              `json:"cert_expiry_threshold_days"`
	NoTraceparent           bool             `json:"no_traceparent,omitempty"`
}

type headerMatchMsg struct {
	Name         string `json:"name"`
	Regex        string `json:"regex"`
	MustNotMatch bool   `json:"must_not_match,omitempty"`
}

func encodeHTTP(h *catalog.HTTPSpec) *httpMsg {
	m := &httpMsg{URL: h.URL, Method: h.Method, Headers: h.Headers, Body: h.Body,
		ExpectedStatus: h.ExpectedStatus, BodyRegex: h.BodyRegex,
		NoFollowRedirects: h.NoFollowRedirects, InsecureSkipVerify: h.InsecureSkipVerify,
		BodyNotRegex: h.BodyNotRegex, MaxBodyBytes: h.MaxBodyBytes, MaxRedirects: h.MaxRedirects,
		CAFile: h.CAFile, ClientCertFile: h.ClientCertFile, ClientKeyFile: h.ClientKeyFile,
		IPFamily: h.IPFamily, NoIPFallback: h.NoIPFallback,
		CertExpiryThresholdDays: h.CertExpiryThresholdDays, NoTraceparent: h.NoTraceparent}
	for _, hm := range h.HeaderMatches {
		m.HeaderMatches = append(m.HeaderMatches, headerMatchMsg(hm))
	}
	return m
}

// decodeHTTP returns the spec of m with its defaults applied, for a
// producer that leaves them out.
func decodeHTTP(m *httpMsg) *catalog.HTTPSpec {
	h := &catalog.HTTPSpec{URL: m.URL, Method: m.Method, Headers: m.Headers, Body: m.Body,
		ExpectedStatus: m.ExpectedStatus, BodyRegex: m.BodyRegex,
		NoFollowRedirects: m.NoFollowRedirects, InsecureSkipVerify: m.InsecureSkipVerify,
		BodyNotRegex: m.BodyNotRegex, MaxBodyBytes: m.MaxBodyBytes, MaxRedirects: m.MaxRedirects,
		CAFile: m.CAFile, ClientCertFile: m.ClientCertFile, ClientKeyFile: m.ClientKeyFile,
		IPFamily: m.IPFamily, NoIPFallback: m.NoIPFallback,
		CertExpiryThresholdDays: m.CertExpiryThresholdDays, NoTraceparent: m.NoTraceparent}
	for _, hm := range m.HeaderMatches {
		h.HeaderMatches = append(h.HeaderMatches, catalog.HeaderMatch(hm))
	}
	h.ApplyDefaults()
	return h
}

// EncodeCheck encodes a check definition for the checks topic.
func EncodeCheck(c catalog.Check) ([]byte, error) {
	m := checkMsg{
		V: Version, ID: c.ID, ComponentID: c.ComponentID, Type: string(c.Type), Version: c.Version,
		IntervalMS: c.Interval.Milliseconds(), TimeoutMS: c.Timeout.Milliseconds(), Regions: c.Regions,
		FailureThreshold: c.FailureThreshold, SuccessThreshold: c.SuccessThreshold,
		DegradedLatencyMS: c.DegradedLatency.Milliseconds(),
	}
	if h := c.HTTP; h != nil {
		m.HTTP = encodeHTTP(h)
	}
	encodeProbes(&m, c)
	return json.Marshal(m)
}

// DecodeCheck decodes a message of the checks topic and validates the
// definition, so an agent never runs a check it cannot interpret.
func DecodeCheck(data []byte) (catalog.Check, error) {
	var m checkMsg
	if err := unmarshal(data, &m); err != nil {
		return catalog.Check{}, err
	}
	ms := func(v int64) time.Duration { return time.Duration(v) * time.Millisecond }
	c := catalog.Check{
		ID: m.ID, ComponentID: m.ComponentID, Type: catalog.Type(m.Type), Version: m.Version,
		Interval: ms(m.IntervalMS), Timeout: ms(m.TimeoutMS), Regions: m.Regions,
		FailureThreshold: m.FailureThreshold, SuccessThreshold: m.SuccessThreshold,
		DegradedLatency: ms(m.DegradedLatencyMS),
	}
	if m.HTTP != nil {
		c.HTTP = decodeHTTP(m.HTTP)
	}
	decodeProbes(&c, &m)
	if c.ComponentID == "" {
		return catalog.Check{}, fieldErr("check %s: component_id is required", c.ID)
	}
	if errs := c.Validate(); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return catalog.Check{}, fieldErr("check %s: %s", c.ID, strings.Join(msgs, "; "))
	}
	return c, nil
}
