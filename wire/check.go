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
		m.HTTP = &httpMsg{URL: h.URL, Method: h.Method, Headers: h.Headers, Body: h.Body,
			ExpectedStatus: h.ExpectedStatus, BodyRegex: h.BodyRegex,
			NoFollowRedirects: h.NoFollowRedirects, InsecureSkipVerify: h.InsecureSkipVerify}
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
	if h := m.HTTP; h != nil {
		c.HTTP = &catalog.HTTPSpec{URL: h.URL, Method: h.Method, Headers: h.Headers, Body: h.Body,
			ExpectedStatus: h.ExpectedStatus, BodyRegex: h.BodyRegex,
			NoFollowRedirects: h.NoFollowRedirects, InsecureSkipVerify: h.InsecureSkipVerify}
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
