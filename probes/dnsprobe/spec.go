package dnsprobe

import (
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/miekg/dns"

	"github.com/statusd/statusd/catalog/field"
	"github.com/statusd/statusd/probes/tcpprobe"
)

// Defaults and limits of a spec.
const (
	DefaultType     = "A"
	DefaultRcode    = "NOERROR"
	DefaultPort     = "53"
	DefaultUDPSize  = 1232 // the DNS flag day 2020 size: no IP fragmentation
	DefaultAttempts = 3
	MaxAttempts     = 10
	MaxAnswers      = 64
)

// Spec is the definition of a DNS check.
type Spec struct {
	// Server is the DNS server, host:port or a bare host or IP (port 53).
	Server string
	// Name is the name queried.
	Name string
	// Type is the record type queried, as in a zone file ("A", "AAAA",
	// "MX", …). DefaultType when empty; ANY is sent only when asked for.
	Type string
	// Rcodes are the response codes that count as success ("NOERROR",
	// "NXDOMAIN", …); [DefaultRcode] when empty.
	Rcodes []string
	// Answers, when set, must each equal the data of one record of the
	// answer section, written as dig +short prints it ("192.0.2.10",
	// "10 mail.example.com.", "\"v=spf1 -all\"").
	Answers []string
	// AnswerRegex, when set, must match the data of at least one record of
	// the answer section, written as for Answers.
	AnswerRegex string
	// DisableEDNS0 sends the query without an OPT record, so a UDP answer
	// is limited to 512 bytes.
	DisableEDNS0 bool
	// UDPSize is the EDNS0 buffer size advertised; DefaultUDPSize when 0.
	UDPSize int
	// TCP sends the query over TCP only. Otherwise it goes over UDP and is
	// repeated over TCP when the answer comes back truncated.
	TCP bool
	// Attempts is how many times a UDP query is sent when no answer comes,
	// sharing the probe's timeout equally; DefaultAttempts when 0.
	Attempts int
	// NoRecursion clears the RD (recursion desired) flag, for querying an
	// authoritative server as such.
	NoRecursion bool
}

// ApplyDefaults fills the zero fields of s with their defaults and gives a
// Server without a port the port 53.
func (s *Spec) ApplyDefaults() {
	if s.Type == "" {
		s.Type = DefaultType
	}
	if len(s.Rcodes) == 0 {
		s.Rcodes = []string{DefaultRcode}
	}
	if s.UDPSize == 0 {
		s.UDPSize = DefaultUDPSize
	}
	if s.Attempts == 0 {
		s.Attempts = DefaultAttempts
	}
	if s.Server != "" {
		if _, _, err := net.SplitHostPort(s.Server); err != nil &&
			(net.ParseIP(s.Server) != nil || !strings.Contains(s.Server, ":")) {
			s.Server = net.JoinHostPort(s.Server, DefaultPort) // a name, an IPv4 or a bare IPv6 literal
		}
	}
}

// Validate checks a defaulted spec and returns every problem found, with
// fields named "dns.<field>".
func (s *Spec) Validate() []field.Error {
	var errs []field.Error
	add := func(name, format string, args ...any) {
		errs = append(errs, field.Error{Field: "dns." + name, Message: fmt.Sprintf(format, args...)})
	}
	if msg := tcpprobe.ValidateAddress(s.Server); msg != "" {
		add("server", "%s", msg)
	}
	if s.Name == "" {
		add("name", "is required")
	} else if _, ok := dns.IsDomainName(s.Name); !ok || strings.ContainsFunc(s.Name, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		add("name", "is not a valid domain name: %q", s.Name)
	}
	if _, ok := dns.StringToType[strings.ToUpper(s.Type)]; !ok {
		add("type", "is not a DNS record type: %q", s.Type)
	}
	for i, rc := range s.Rcodes {
		if _, ok := dns.StringToRcode[strings.ToUpper(rc)]; !ok {
			add(fmt.Sprintf("rcodes[%d]", i), "is not a DNS response code: %q", rc)
		}
	}
	if len(s.Answers) > MaxAnswers {
		add("answers", "must list at most %d values, got %d", MaxAnswers, len(s.Answers))
	}
	for i, a := range s.Answers {
		if strings.TrimSpace(a) == "" || strings.ContainsAny(a, "\r\n") {
			add(fmt.Sprintf("answers[%d]", i), "must be one non-empty line, got %q", a)
		}
	}
	if s.AnswerRegex != "" {
		if _, err := regexp.Compile(s.AnswerRegex); err != nil {
			add("answer_regex", "is not a valid regular expression: %v", err)
		}
	}
	if s.UDPSize < 512 || s.UDPSize > 65535 {
		add("udp_size", "must be between 512 and 65535, got %d", s.UDPSize)
	}
	if s.Attempts < 1 || s.Attempts > MaxAttempts {
		add("attempts", "must be between 1 and %d, got %d", MaxAttempts, s.Attempts)
	}
	return errs
}
