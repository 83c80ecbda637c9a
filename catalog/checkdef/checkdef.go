// Package checkdef owns the explicit JSON encoding of a check definition,
// in the configuration file's words (interval "30s", http.follow_redirects,
// …): the body of the API's check routes and, wrapped with a version, the
// stored definition. Every field of catalog.Check is named here, so that
// renaming a Go field cannot silently change what is stored or accepted.
package checkdef

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/probes/dnsprobe"
	"github.com/statusd/statusd/probes/icmpprobe"
	"github.com/statusd/statusd/probes/tcpprobe"
	"github.com/statusd/statusd/probes/tlsprobe"
)

// Check is a check definition as JSON. Zero fields take the catalog's
// defaults when the definition is applied.
type Check struct {
	ID               string       `json:"id"`
	ComponentID      string       `json:"component_id"`
	Type             catalog.Type `json:"type,omitempty"`
	Interval         Duration     `json:"interval,omitempty"`
	Timeout          Duration     `json:"timeout,omitempty"`
	Regions          []string     `json:"regions,omitempty"`
	FailureThreshold int          `json:"failure_threshold,omitempty"`
	SuccessThreshold int          `json:"success_threshold,omitempty"`
	DegradedLatency  Duration     `json:"degraded_latency,omitempty"`
	IncidentOn       string       `json:"incident_on,omitempty"`
	HTTP             *HTTP        `json:"http,omitempty"`
	DNS              *DNS         `json:"dns,omitempty"`
	TCP              *TCP         `json:"tcp,omitempty"`
	TLS              *TLS         `json:"tls,omitempty"`
	ICMP             *ICMP        `json:"icmp,omitempty"`
}

// HTTP is the http block.
type HTTP struct {
	URL                     string            `json:"url"`
	Method                  string            `json:"method,omitempty"`
	Headers                 map[string]string `json:"headers,omitempty"`
	Body                    string            `json:"body,omitempty"`
	ExpectedStatus          []int             `json:"expected_status,omitempty"`
	BodyRegex               string            `json:"body_regex,omitempty"`
	BodyNotRegex            string            `json:"body_not_regex,omitempty"`
	HeaderMatches           []HeaderMatch     `json:"header_matches,omitempty"`
	MaxBodyBytes            int64             `json:"max_body_bytes,omitempty"`
	FollowRedirects         *bool             `json:"follow_redirects,omitempty"` // true when left out
	MaxRedirects            int               `json:"max_redirects,omitempty"`
	InsecureSkipVerify      bool              `json:"insecure_skip_verify,omitempty"`
	CAFile                  string            `json:"ca_file,omitempty"`
	ClientCertFile          string            `json:"client_cert_file,omitempty"`
	ClientKeyFile           string            `json:"client_key_file,omitempty"`
	IPFamily                int               `json:"ip_family,omitempty"`
	IPFallback              *bool             `json:"ip_fallback,omitempty"` // true when left out
	CertExpiryThresholdDays int               `json:"cert_expiry_threshold_days,omitempty"`
	Traceparent             *bool             `json:"traceparent,omitempty"` // true when left out
}

// HeaderMatch is one of http.header_matches.
type HeaderMatch struct {
	Name         string `json:"name"`
	Regex        string `json:"regex"`
	MustNotMatch bool   `json:"must_not_match,omitempty"`
}

// DNS is the dns block.
type DNS struct {
	Server       string   `json:"server"`
	Name         string   `json:"name"`
	Type         string   `json:"type,omitempty"`
	Rcodes       []string `json:"rcodes,omitempty"`
	Answers      []string `json:"answers,omitempty"`
	AnswerRegex  string   `json:"answer_regex,omitempty"`
	DisableEDNS0 bool     `json:"disable_edns0,omitempty"`
	UDPSize      int      `json:"udp_size,omitempty"`
	TCP          bool     `json:"tcp,omitempty"`
	Attempts     int      `json:"attempts,omitempty"`
	NoRecursion  bool     `json:"no_recursion,omitempty"`
}

// TCP is the tcp block.
type TCP struct {
	Address string `json:"address"`
	Family  int    `json:"family,omitempty"`
	Send    string `json:"send,omitempty"`
	Expect  string `json:"expect,omitempty"`
}

// TLS is the tls block.
type TLS struct {
	Address             string `json:"address"`
	ServerName          string `json:"server_name,omitempty"`
	InsecureSkipVerify  bool   `json:"insecure_skip_verify,omitempty"`
	CAFile              string `json:"ca_file,omitempty"`
	ExpiryThresholdDays int    `json:"expiry_threshold_days,omitempty"`
}

// ICMP is the icmp block.
type ICMP struct {
	Host                 string   `json:"host"`
	Family               int      `json:"family,omitempty"`
	Count                int      `json:"count,omitempty"`
	Interval             Duration `json:"interval,omitempty"`
	LossThresholdPercent int      `json:"loss_threshold_percent,omitempty"`
}

// Duration is a time.Duration written as Go writes it ("1m30s"); a number
// is read as seconds.
type Duration time.Duration

// MarshalJSON writes d as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	// A *json.UnmarshalTypeError gets the field's path from the decoder.
	bad := &json.UnmarshalTypeError{Value: "value " + truncate(string(b)), Type: reflect.TypeFor[Duration]()}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err := json.Unmarshal(b, &secs); err != nil {
			return bad
		}
		if secs > float64(1<<62)/float64(time.Second) || secs < -float64(1<<62)/float64(time.Second) {
			return bad
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return bad
	}
	*d = Duration(v)
	return nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// From returns the encoding of c; Version and Managed are not part of it.
func From(c catalog.Check) Check {
	out := Check{
		ID: c.ID, ComponentID: c.ComponentID, Type: c.Type, Interval: Duration(c.Interval), Timeout: Duration(c.Timeout),
		Regions: slices.Clone(c.Regions), FailureThreshold: c.FailureThreshold, SuccessThreshold: c.SuccessThreshold,
		DegradedLatency: Duration(c.DegradedLatency), IncidentOn: c.IncidentOn,
	}
	if h := c.HTTP; h != nil {
		on := func(off bool) *bool {
			if !off {
				return nil
			}
			f := false
			return &f
		}
		out.HTTP = &HTTP{
			URL: h.URL, Method: h.Method, Headers: maps.Clone(h.Headers), Body: h.Body,
			ExpectedStatus: slices.Clone(h.ExpectedStatus), BodyRegex: h.BodyRegex, BodyNotRegex: h.BodyNotRegex,
			MaxBodyBytes: h.MaxBodyBytes, FollowRedirects: on(h.NoFollowRedirects), MaxRedirects: h.MaxRedirects,
			InsecureSkipVerify: h.InsecureSkipVerify, CAFile: h.CAFile, ClientCertFile: h.ClientCertFile,
			ClientKeyFile: h.ClientKeyFile, IPFamily: h.IPFamily, IPFallback: on(h.NoIPFallback),
			CertExpiryThresholdDays: h.CertExpiryThresholdDays, Traceparent: on(h.NoTraceparent),
		}
		for _, m := range h.HeaderMatches {
			out.HTTP.HeaderMatches = append(out.HTTP.HeaderMatches, HeaderMatch(m))
		}
	}
	if d := c.DNS; d != nil {
		out.DNS = &DNS{Server: d.Server, Name: d.Name, Type: d.Type, Rcodes: slices.Clone(d.Rcodes),
			Answers: slices.Clone(d.Answers), AnswerRegex: d.AnswerRegex, DisableEDNS0: d.DisableEDNS0,
			UDPSize: d.UDPSize, TCP: d.TCP, Attempts: d.Attempts, NoRecursion: d.NoRecursion}
	}
	if t := c.TCP; t != nil {
		out.TCP = &TCP{Address: t.Address, Family: t.Family, Send: t.Send, Expect: t.Expect}
	}
	if t := c.TLS; t != nil {
		out.TLS = &TLS{Address: t.Address, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify,
			CAFile: t.CAFile, ExpiryThresholdDays: t.ExpiryThresholdDays}
	}
	if i := c.ICMP; i != nil {
		out.ICMP = &ICMP{Host: i.Host, Family: i.Family, Count: i.Count, Interval: Duration(i.Interval),
			LossThresholdPercent: i.LossThresholdPercent}
	}
	return out
}

// Catalog returns the check d defines, without defaults applied. A type
// left out is that of the only block given, as in the configuration file.
func (d Check) Catalog() catalog.Check {
	out := catalog.Check{
		ID: d.ID, ComponentID: d.ComponentID, Type: d.Type, Interval: time.Duration(d.Interval),
		Timeout: time.Duration(d.Timeout), Regions: slices.Clone(d.Regions), FailureThreshold: d.FailureThreshold,
		SuccessThreshold: d.SuccessThreshold, DegradedLatency: time.Duration(d.DegradedLatency), IncidentOn: d.IncidentOn,
	}
	if h := d.HTTP; h != nil {
		off := func(b *bool) bool { return b != nil && !*b }
		out.HTTP = &catalog.HTTPSpec{
			URL: h.URL, Method: h.Method, Headers: maps.Clone(h.Headers), Body: h.Body,
			ExpectedStatus: slices.Clone(h.ExpectedStatus), BodyRegex: h.BodyRegex, BodyNotRegex: h.BodyNotRegex,
			MaxBodyBytes: h.MaxBodyBytes, NoFollowRedirects: off(h.FollowRedirects), MaxRedirects: h.MaxRedirects,
			InsecureSkipVerify: h.InsecureSkipVerify, CAFile: h.CAFile, ClientCertFile: h.ClientCertFile,
			ClientKeyFile: h.ClientKeyFile, IPFamily: h.IPFamily, NoIPFallback: off(h.IPFallback),
			CertExpiryThresholdDays: h.CertExpiryThresholdDays, NoTraceparent: off(h.Traceparent),
		}
		for _, m := range h.HeaderMatches {
			out.HTTP.HeaderMatches = append(out.HTTP.HeaderMatches, catalog.HeaderMatch(m))
		}
	}
	if x := d.DNS; x != nil {
		out.DNS = &dnsprobe.Spec{Server: x.Server, Name: x.Name, Type: x.Type, Rcodes: slices.Clone(x.Rcodes),
			Answers: slices.Clone(x.Answers), AnswerRegex: x.AnswerRegex, DisableEDNS0: x.DisableEDNS0,
			UDPSize: x.UDPSize, TCP: x.TCP, Attempts: x.Attempts, NoRecursion: x.NoRecursion}
	}
	if x := d.TCP; x != nil {
		out.TCP = &tcpprobe.Spec{Address: x.Address, Family: x.Family, Send: x.Send, Expect: x.Expect}
	}
	if x := d.TLS; x != nil {
		out.TLS = &tlsprobe.Spec{Address: x.Address, ServerName: x.ServerName, InsecureSkipVerify: x.InsecureSkipVerify,
			CAFile: x.CAFile, ExpiryThresholdDays: x.ExpiryThresholdDays}
	}
	if x := d.ICMP; x != nil {
		out.ICMP = &icmpprobe.Spec{Host: x.Host, Family: x.Family, Count: x.Count, Interval: time.Duration(x.Interval),
			LossThresholdPercent: x.LossThresholdPercent}
	}
	if out.Type == "" {
		out.Type = d.blockType()
	}
	return out
}

// blockType is the type of the only block given, or "".
func (d Check) blockType() catalog.Type {
	return catalog.OnlyType(d.HTTP != nil, d.DNS != nil, d.TCP != nil, d.TLS != nil, d.ICMP != nil)
}

// Version is the version of the stored encoding that Encode writes.
const Version = 1

// stored is the stored definition: the version, then the check.
type stored struct {
	V int `json:"v"`
	Check
}

// Encode returns the stored definition of c: {"v":1, …the check…}.
// Equal definitions encode equally (fields in order, map keys sorted).
func Encode(c catalog.Check) ([]byte, error) {
	b, err := json.Marshal(stored{V: Version, Check: From(c)})
	if err != nil {
		return nil, fmt.Errorf("encode check %s: %w", c.ID, err)
	}
	return b, nil
}

// Decode reads a stored definition written by Encode. A definition without
// "v" is one written before the versioned encoding (the JSON of the Go
// struct at the time) and is read as such.
func Decode(b []byte) (catalog.Check, error) {
	var head struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return catalog.Check{}, fmt.Errorf("decode check definition: %w", err)
	}
	if head.V == nil {
		var c catalog.Check
		if err := json.Unmarshal(b, &c); err != nil {
			return catalog.Check{}, fmt.Errorf("decode unversioned check definition: %w", err)
		}
		return c, nil
	}
	if *head.V != Version {
		return catalog.Check{}, fmt.Errorf("decode check definition: version %d is unknown (this build reads %d)", *head.V, Version)
	}
	var s stored
	if err := json.Unmarshal(b, &s); err != nil {
		return catalog.Check{}, fmt.Errorf("decode check definition: %w", err)
	}
	return s.Check.Catalog(), nil
}
