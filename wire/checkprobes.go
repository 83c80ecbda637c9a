package wire

import (
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/probes/dnsprobe"
	"github.com/statusd/statusd/probes/icmpprobe"
	"github.com/statusd/statusd/probes/tcpprobe"
	"github.com/statusd/statusd/probes/tlsprobe"
)

type dnsMsg struct {
	Server       string   `json:"server"`
	Name         string   `json:"name"`
	Type         string   `json:"type"`
	Rcodes       []string `json:"rcodes"`
	Answers      []string `json:"answers,omitempty"`
	AnswerRegex  string   `json:"answer_regex,omitempty"`
	DisableEDNS0 bool     `json:"disable_edns0,omitempty"`
	UDPSize      int      `json:"udp_size"`
	TCP          bool     `json:"tcp,omitempty"`
	Attempts     int      `json:"attempts"`
	NoRecursion  bool     `json:"no_recursion,omitempty"`
}

type tcpMsg struct {
	Address string `json:"address"`
	Family  int    `json:"family,omitempty"`
	Send    string `json:"send,omitempty"`
	Expect  string `json:"expect,omitempty"`
}

type tlsMsg struct {
	Address             string `json:"address"`
	ServerName          string `json:"server_name,omitempty"`
	InsecureSkipVerify  bool   `json:"insecure_skip_verify,omitempty"`
	CAFile              string `json:"ca_file,omitempty"`
	ExpiryThresholdDays int    `json:"expiry_threshold_days"`
}

type icmpMsg struct {
	Host                 string `json:"host"`
	Family               int    `json:"family,omitempty"`
	Count                int    `json:"count"`
	IntervalMS           int64  `json:"interval_ms"`
	LossThresholdPercent int    `json:"loss_threshold_percent"`
}

// encodeProbes sets the dns, tcp, tls and icmp blocks of m from c.
func encodeProbes(m *checkMsg, c catalog.Check) {
	if d := c.DNS; d != nil {
		m.DNS = &dnsMsg{Server: d.Server, Name: d.Name, Type: d.Type, Rcodes: d.Rcodes, Answers: d.Answers,
			AnswerRegex: d.AnswerRegex, DisableEDNS0: d.DisableEDNS0, UDPSize: d.UDPSize, TCP: d.TCP,
			Attempts: d.Attempts, NoRecursion: d.NoRecursion}
	}
	if t := c.TCP; t != nil {
		m.TCP = &tcpMsg{Address: t.Address, Family: t.Family, Send: t.Send, Expect: t.Expect}
	}
	if t := c.TLS; t != nil {
		m.TLS = &tlsMsg{Address: t.Address, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify,
			CAFile: t.CAFile, ExpiryThresholdDays: t.ExpiryThresholdDays}
	}
	if i := c.ICMP; i != nil {
		m.ICMP = &icmpMsg{Host: i.Host, Family: i.Family, Count: i.Count, IntervalMS: i.Interval.Milliseconds(),
			LossThresholdPercent: i.LossThresholdPercent}
	}
}

// decodeProbes sets the dns, tcp, tls and icmp blocks of c from m, with
// their defaults applied.
func decodeProbes(c *catalog.Check, m *checkMsg) {
	if d := m.DNS; d != nil {
		c.DNS = &dnsprobe.Spec{Server: d.Server, Name: d.Name, Type: d.Type, Rcodes: d.Rcodes, Answers: d.Answers,
			AnswerRegex: d.AnswerRegex, DisableEDNS0: d.DisableEDNS0, UDPSize: d.UDPSize, TCP: d.TCP,
			Attempts: d.Attempts, NoRecursion: d.NoRecursion}
		c.DNS.ApplyDefaults()
	}
	if t := m.TCP; t != nil {
		c.TCP = &tcpprobe.Spec{Address: t.Address, Family: t.Family, Send: t.Send, Expect: t.Expect}
		c.TCP.ApplyDefaults()
	}
	if t := m.TLS; t != nil {
		c.TLS = &tlsprobe.Spec{Address: t.Address, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify,
			CAFile: t.CAFile, ExpiryThresholdDays: t.ExpiryThresholdDays}
		c.TLS.ApplyDefaults()
	}
	if i := m.ICMP; i != nil {
		c.ICMP = &icmpprobe.Spec{Host: i.Host, Family: i.Family, Count: i.Count,
			Interval: time.Duration(i.IntervalMS) * time.Millisecond, LossThresholdPercent: i.LossThresholdPercent}
		c.ICMP.ApplyDefaults()
	}
}
