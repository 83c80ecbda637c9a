package dnsprobe

import (
	"strings"
	"testing"
)

func TestApplyDefaults(t *testing.T) {
	tests := []struct{ server, want string }{
		{"192.0.2.1", "192.0.2.1:53"},
		{"::1", "[::1]:53"},
		{"ns.example.com", "ns.example.com:53"},
		{"ns.example.com:5353", "ns.example.com:5353"},
		{"[::1]:5353", "[::1]:5353"},
		{"[::1]", "[::1]"}, // left for Validate to reject
	}
	for _, tc := range tests {
		t.Run(tc.server, func(t *testing.T) {
			s := Spec{Server: tc.server}
			s.ApplyDefaults()
			if s.Server != tc.want || s.Type != "A" || s.Rcodes[0] != "NOERROR" || s.Attempts != DefaultAttempts || s.UDPSize != DefaultUDPSize {
				t.Errorf("defaulted %+v, want server %s and the defaults", s, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		spec   Spec
		fields []string
	}{
		{name: "ok", spec: Spec{Server: "192.0.2.1", Name: "example.com"}},
		{name: "ok full", spec: Spec{Server: "[2001:db8::1]:53", Name: "example.com.", Type: "mx", Rcodes: []string{"NOERROR", "nxdomain"},
			Answers: []string{"10 mail.example.com."}, AnswerRegex: "mail", DisableEDNS0: true, TCP: true, Attempts: 1}},
		{name: "ANY when asked", spec: Spec{Server: "192.0.2.1", Name: "example.com", Type: "ANY"}},
		{name: "empty", spec: Spec{}, fields: []string{"dns.server", "dns.name"}},
		{name: "bad port", spec: Spec{Server: "192.0.2.1:99999", Name: "a"}, fields: []string{"dns.server"}},
		{name: "bad name", spec: Spec{Server: "192.0.2.1", Name: "a..b"}, fields: []string{"dns.name"}},
		{name: "name with space", spec: Spec{Server: "192.0.2.1", Name: "a b.example"}, fields: []string{"dns.name"}},
		{name: "everything wrong", spec: Spec{Server: "[::1]", Name: strings.Repeat("a", 64) + ".com", Type: "AAAAA",
			Rcodes: []string{"NOERROR", "FINE"}, Answers: []string{"", "a\nb"}, AnswerRegex: "(", UDPSize: 100, Attempts: 11},
			fields: []string{"dns.server", "dns.name", "dns.type", "dns.rcodes[1]", "dns.answers[0]", "dns.answers[1]",
				"dns.answer_regex", "dns.udp_size", "dns.attempts"}},
		{name: "negative attempts", spec: Spec{Server: "192.0.2.1", Name: "a", Attempts: -1}, fields: []string{"dns.attempts"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.ApplyDefaults()
			errs := tc.spec.Validate()
			if len(errs) != len(tc.fields) {
				t.Fatalf("errors %v, want fields %v", errs, tc.fields)
			}
			for i, e := range errs {
				if e.Field != tc.fields[i] || e.Message == "" {
					t.Errorf("error %d = %v, want field %s", i, e, tc.fields[i])
				}
			}
		})
	}
}

func FuzzValidate(f *testing.F) {
	f.Add("192.0.2.1", "example.com", "A", "NOERROR", "192.0.2.10", "^192", false, 0, 0)
	f.Add("[::1]", "a..b", "AAAAA", "FINE", "a\nb", "(", true, 100, 11)
	f.Fuzz(func(t *testing.T, server, name, typ, rcode, answer, re string, noEDNS bool, udpSize, attempts int) {
		s := Spec{Server: server, Name: name, Type: typ, Rcodes: []string{rcode}, Answers: []string{answer},
			AnswerRegex: re, DisableEDNS0: noEDNS, UDPSize: udpSize, Attempts: attempts}
		s.ApplyDefaults()
		errs := s.Validate()
		for _, e := range errs {
			if !strings.HasPrefix(e.Field, "dns.") || e.Message == "" {
				t.Fatalf("bad field error %+v", e)
			}
		}
		if len(errs) == 0 {
			query(s) // a valid spec must make a query without panicking
		}
	})
}
