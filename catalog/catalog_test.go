package catalog

import (
	"slices"
	"testing"
	"time"

	"github.com/statusd/statusd/probes/dnsprobe"
	"github.com/statusd/statusd/probes/icmpprobe"
	"github.com/statusd/statusd/probes/tcpprobe"
	"github.com/statusd/statusd/probes/tlsprobe"
)

func TestValidateTypeBlocks(t *testing.T) {
	base := func(typ Type) Check {
		return Check{ID: "c", ComponentID: "k", Type: typ, Interval: time.Minute, Timeout: time.Second,
			FailureThreshold: 1, SuccessThreshold: 1}
	}
	http := &HTTPSpec{URL: "http://x.test/"}
	dns := &dnsprobe.Spec{Server: "192.0.2.53", Name: "x.test"}
	tcp := &tcpprobe.Spec{Address: "x.test:22"}
	tls := &tlsprobe.Spec{Address: "x.test:443"}
	icmp := &icmpprobe.Spec{Host: "x.test"}
	tests := []struct {
		name  string
		check func() Check
		want  []string // the fields in error, in order
	}{
		{"http", func() Check { c := base(TypeHTTP); c.HTTP = http; return c }, nil},
		{"dns", func() Check { c := base(TypeDNS); c.DNS = dns; return c }, nil},
		{"tcp", func() Check { c := base(TypeTCP); c.TCP = tcp; return c }, nil},
		{"tls", func() Check { c := base(TypeTLS); c.TLS = tls; return c }, nil},
		{"icmp", func() Check { c := base(TypeICMP); c.ICMP = icmp; return c }, nil},
		{"block missing", func() Check { return base(TypeTLS) }, []string{"tls"}},
		{"block of another type", func() Check { c := base(TypeDNS); c.DNS, c.TCP = dns, tcp; return c }, []string{"tcp"}},
		{"wrong block is validated too", func() Check {
			c := base(TypeDNS)
			c.HTTP = &HTTPSpec{URL: "ftp://x/"}
			return c
		}, []string{"http", "http.url", "dns"}},
		{"no type", func() Check { c := base(""); c.TCP, c.ICMP = tcp, icmp; return c }, []string{"type"}},
		{"unknown type", func() Check { c := base("smtp"); c.TCP = tcp; return c }, []string{"type"}},
		{"every error at once", func() Check {
			c := base(TypeICMP)
			c.Interval = -time.Second
			c.ICMP = &icmpprobe.Spec{Host: "x.test", Family: 5}
			return c
		}, []string{"interval", "timeout", "icmp.family"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.check()
			c.ApplyDefaults()
			var got []string
			for _, e := range c.Validate() {
				got = append(got, e.Field)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("fields in error %v, want %v (%v)", got, want, c.Validate())
			}
		})
	}
}
