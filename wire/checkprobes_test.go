package wire

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/probes/dnsprobe"
	"github.com/statusd/statusd/probes/icmpprobe"
	"github.com/statusd/statusd/probes/tcpprobe"
	"github.com/statusd/statusd/probes/tlsprobe"
)

func probeCheck(typ catalog.Type) catalog.Check {
	return catalog.Check{
		ID: "db-" + string(typ), ComponentID: "db", Type: typ, Version: 2,
		Interval: 10 * time.Second, Timeout: 5 * time.Second, FailureThreshold: 3, SuccessThreshold: 2,
	}
}

func TestProbeCheckRoundTrip(t *testing.T) {
	dns := probeCheck(catalog.TypeDNS)
	dns.DNS = &dnsprobe.Spec{Server: "192.0.2.53:53", Name: "db.example.", Type: "AAAA",
		Rcodes: []string{"NOERROR", "NXDOMAIN"}, Answers: []string{"2001:db8::1"}, AnswerRegex: "^2001:",
		DisableEDNS0: true, UDPSize: 4096, TCP: true, Attempts: 2, NoRecursion: true}
	tcp := probeCheck(catalog.TypeTCP)
	tcp.TCP = &tcpprobe.Spec{Address: "db.example:5432", Family: 6, Send: "PING", Expect: "^PONG"}
	tls := probeCheck(catalog.TypeTLS)
	tls.TLS = &tlsprobe.Spec{Address: "db.example:443", ServerName: "db.example", InsecureSkipVerify: true,
		CAFile: "/etc/ca.pem", ExpiryThresholdDays: 30}
	icmp := probeCheck(catalog.TypeICMP)
	icmp.ICMP = &icmpprobe.Spec{Host: "db.example", Family: 4, Count: 5, Interval: 250 * time.Millisecond,
		LossThresholdPercent: 40}
	for _, in := range []catalog.Check{dns, tcp, tls, icmp} {
		t.Run(string(in.Type), func(t *testing.T) {
			data, err := EncodeCheck(in)
			if err != nil {
				t.Fatal(err)
			}
			out, err := DecodeCheck(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(in, out) {
				t.Fatalf("round trip changed the check:\n in: %+v\nout: %+v", in, out)
			}
		})
	}
}

func TestDecodeProbeCheckDefaults(t *testing.T) {
	data := `{"v":1,"id":"a","component_id":"c","type":"dns","interval_ms":1000,"timeout_ms":500,"failure_threshold":1,"success_threshold":1,"dns":{"server":"192.0.2.53","name":"example.com"}}`
	c, err := DecodeCheck([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := &dnsprobe.Spec{Server: "192.0.2.53:53", Name: "example.com", Type: "A", Rcodes: []string{"NOERROR"},
		UDPSize: dnsprobe.DefaultUDPSize, Attempts: dnsprobe.DefaultAttempts}
	if !reflect.DeepEqual(c.DNS, want) {
		t.Fatalf("dns = %+v, want %+v", c.DNS, want)
	}
}

func TestDecodeHTTPCheckDefaults(t *testing.T) {
	data := `{"v":1,"id":"a","component_id":"c","type":"http","interval_ms":1000,"timeout_ms":500,"failure_threshold":1,"success_threshold":1,"http":{"url":"http://x"}}`
	c, err := DecodeCheck([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := &catalog.HTTPSpec{URL: "http://x", Method: catalog.DefaultMethod, MaxBodyBytes: catalog.DefaultMaxBodyBytes,
		MaxRedirects: catalog.DefaultMaxRedirects, CertExpiryThresholdDays: catalog.DefaultCertExpiryThresholdDays}
	if !reflect.DeepEqual(c.HTTP, want) {
		t.Fatalf("http = %+v, want %+v", c.HTTP, want)
	}
}

func TestDecodeProbeCheckRejectsInvalid(t *testing.T) {
	const head = `{"v":1,"id":"a","component_id":"c","interval_ms":1000,"timeout_ms":500,"failure_threshold":1,"success_threshold":1,`
	tests := []struct {
		name string
		data string
		want []string // every one must be in the message
	}{
		{"http header injection", `"type":"http","http":{"url":"http://x","headers":{"X A":"1","X-B":"a\r\nEvil: 1"}}}`,
			[]string{`http.headers: "X A" is not a valid header name`, `http.headers.X-B: must be one line`}},
		{"http port", `"type":"http","http":{"url":"http://x:99999/"}}`, []string{"http.url:"}},
		{"dns type", `"type":"dns","dns":{"server":"192.0.2.53","name":"x.example","type":"AAAAA"}}`,
			[]string{`dns.type: is not a DNS record type: "AAAAA"`}},
		{"tcp port", `"type":"tcp","tcp":{"address":"x.example:99999"}}`,
			[]string{`tcp.address: port must be 1-65535, got "99999"`}},
		{"tls hostile", `"type":"tls","tls":{"address":"x.example:443","server_name":"a/b","ca_file":"x\u0000","expiry_threshold_days":-1}}`,
			[]string{"tls.server_name:", "tls.ca_file: must not contain a NUL byte", "tls.expiry_threshold_days:"}},
		{"icmp count", `"type":"icmp","icmp":{"host":"x.example","count":1000}}`,
			[]string{"icmp.count: must be between 1 and 100, got 1000"}},
		{"wrong block, every error", `"type":"dns","http":{"url":"ftp://x","method":"GET"}}`,
			[]string{"dns: is required", `http: is not allowed in a check of type "dns"`, "http.url: must use http or https"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeCheck([]byte(head + tt.data))
			if KindOf(err) != KindField {
				t.Fatalf("err = %v, want a field error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
