package config

import (
	"slices"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/probes/dnsprobe"
	"github.com/statusd/statusd/probes/icmpprobe"
	"github.com/statusd/statusd/probes/tcpprobe"
	"github.com/statusd/statusd/probes/tlsprobe"
)

// DNSCheck is the dns block of a check; see dnsprobe.Spec.
type DNSCheck struct {
	Server       string   `yaml:"server"`
	Name         string   `yaml:"name"`
	Type         string   `yaml:"type"`
	Rcodes       []string `yaml:"rcodes"`
	Answers      []string `yaml:"answers"`
	AnswerRegex  string   `yaml:"answer_regex"`
	DisableEDNS0 bool     `yaml:"disable_edns0"`
	UDPSize      int      `yaml:"udp_size"`
	TCP          bool     `yaml:"tcp"`
	Attempts     int      `yaml:"attempts"`
	NoRecursion  bool     `yaml:"no_recursion"`
}

// TCPCheck is the tcp block of a check; see tcpprobe.Spec.
type TCPCheck struct {
	Address string `yaml:"address"`
	Family  int    `yaml:"family"`
	Send    string `yaml:"send"`
	Expect  string `yaml:"expect"`
}

// TLSCheck is the tls block of a check; see tlsprobe.Spec.
type TLSCheck struct {
	Address             string `yaml:"address"`
	ServerName          string `yaml:"server_name"`
	InsecureSkipVerify  bool   `yaml:"insecure_skip_verify"`
	CAFile              string `yaml:"ca_file"`
	ExpiryThresholdDays int    `yaml:"expiry_threshold_days"`
}

// ICMPCheck is the icmp block of a check; see icmpprobe.Spec.
type ICMPCheck struct {
	Host                 string        `yaml:"host"`
	Family               int           `yaml:"family"`
	Count                int           `yaml:"count"`
	Interval             time.Duration `yaml:"interval"`
	LossThresholdPercent int           `yaml:"loss_threshold_percent"`
}

// blockType returns the type of the only type block given, or "" when
// none or several are.
func (ch Check) blockType() catalog.Type {
	return catalog.OnlyType(ch.HTTP != nil, ch.DNS != nil, ch.TCP != nil, ch.TLS != nil, ch.ICMP != nil)
}

// probeSpecs copies the dns, tcp, tls and icmp blocks of ch into out.
func (ch Check) probeSpecs(out *catalog.Check) {
	if d := ch.DNS; d != nil {
		out.DNS = &dnsprobe.Spec{
			Server: d.Server, Name: d.Name, Type: d.Type, Rcodes: slices.Clone(d.Rcodes),
			Answers: slices.Clone(d.Answers), AnswerRegex: d.AnswerRegex, DisableEDNS0: d.DisableEDNS0,
			UDPSize: d.UDPSize, TCP: d.TCP, Attempts: d.Attempts, NoRecursion: d.NoRecursion,
		}
	}
	if t := ch.TCP; t != nil {
		out.TCP = &tcpprobe.Spec{Address: t.Address, Family: t.Family, Send: t.Send, Expect: t.Expect}
	}
	if t := ch.TLS; t != nil {
		out.TLS = &tlsprobe.Spec{
			Address: t.Address, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify,
			CAFile: t.CAFile, ExpiryThresholdDays: t.ExpiryThresholdDays,
		}
	}
	if i := ch.ICMP; i != nil {
		out.ICMP = &icmpprobe.Spec{
			Host: i.Host, Family: i.Family, Count: i.Count, Interval: i.Interval,
			LossThresholdPercent: i.LossThresholdPercent,
		}
	}
}
